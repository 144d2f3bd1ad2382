// Lifecycle of the embedded PostgreSQL launcher (src/db/embedded.ts): real initdb and postgres, so slow.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive, procStat } from '../src/db/data-dir-lock';
import {
  DataDirInUseError,
  type EmbeddedPostgres,
  fallbackClusterDir,
  startEmbeddedPostgres,
} from '../src/db/embedded';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => path.join(repoRoot, 'test', 'fixtures', name);
const isRoot = process.getuid?.() === 0;
const postgresUid = isRoot ? Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout) : -1;
const canRunAsNobody = isRoot && spawnSync('runuser', ['--help']).status === 0;
const slow = 180_000;

// Everything a test started, so afterEach can stop or kill it even when the test failed.
const started: EmbeddedPostgres[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];
const clusters: string[] = [];

afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((db) => db.stop()));
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cluster of clusters.splice(0)) {
    for (const pid of postgresProcesses(cluster)) killQuietly(pid);
    if (cluster.startsWith('/var/lib/mingde/')) fs.rmSync(cluster, { recursive: true, force: true });
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh data directory inside a temp folder of the given mode (mkdtemp makes it 0700). */
function tempDataDir(parentMode = 0o755): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-embedded-'));
  fs.chmodSync(parent, parentMode);
  dirs.push(parent);
  return path.join(parent, 'data');
}

async function start(options: Parameters<typeof startEmbeddedPostgres>[0]): Promise<EmbeddedPostgres> {
  const db = await startEmbeddedPostgres(options);
  started.push(db);
  clusters.push(db.clusterDir);
  return db;
}

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Live (non-zombie) processes of a cluster: the postmaster (its command line names the cluster) and its children. */
function postgresProcesses(clusterDir: string): number[] {
  const all = fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
  const postmasters = all.filter((pid) => readCmdline(pid).includes(clusterDir) && isProcessAlive(pid));
  const kids = all.filter((pid) => postmasters.includes(procStat(pid)?.ppid ?? -1) && isProcessAlive(pid));
  return [...postmasters, ...kids];
}

function readCmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function processUid(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Run a fixture with tsx; resolve with its first stdout line parsed as JSON. */
function runFixture(args: string[], prefix: string[] = []): { child: ChildProcess; line: Promise<string> } {
  const [command = '', ...rest] = [...prefix, process.execPath, '--import', 'tsx', ...args];
  const child = spawn(command, rest, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const line = new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) without output:\n${stderr}`)));
  });
  return { child, line };
}

interface HangInfo {
  url: string;
  pid: number;
  postgresPid: number;
  clusterDir: string;
  port: number;
}

async function startAndHang(dataDir: string): Promise<{ child: ChildProcess; info: HangInfo }> {
  const { child, line } = runFixture([fixture('start-and-hang.ts'), dataDir]);
  const info = JSON.parse(await line) as HangInfo;
  clusters.push(info.clusterDir);
  return { child, info };
}

async function sigkill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('embedded PostgreSQL', () => {
  it(
    'creates a UTF8, scram-sha-256, localhost-only cluster and round-trips Chinese text',
    async () => {
      const dataDir = tempDataDir(0o755);
      const db = await start({ dataDir });
      expect(db.dataDir).toBe(dataDir);
      expect(db.clusterDir).toBe(path.join(dataDir, 'pg'));
      expect(db.url).toMatch(/^postgres:\/\/mingde:[^@]+@127\.0\.0\.1:\d+\/mingde$/);
      expect(db.port).not.toBe(5432);
      expect(new URL(db.url).port).toBe(String(db.port));

      const passwordFile = path.join(dataDir, 'pg-password');
      const password = fs.readFileSync(passwordFile, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(24);
      expect(decodeURIComponent(new URL(db.url).password)).toBe(password);
      expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
      expect(fs.statSync(db.clusterDir).mode & 0o777).toBe(0o700);
      expect(fs.readFileSync(path.join(dataDir, 'pg-port'), 'utf8').trim()).toBe(String(db.port));
      expect(fs.readFileSync(path.join(dataDir, 'mingde.lock'), 'utf8').split('\n')[0]).toBe(
        String(process.pid),
      );
      if (isRoot) {
        // postgres refuses root: the cluster, the password file and the server belong to postgres.
        expect(fs.statSync(db.clusterDir).uid).toBe(postgresUid);
        expect(fs.statSync(passwordFile).uid).toBe(postgresUid);
        expect(processUid(db.pid)).toBe(postgresUid);
      }

      // Every pg_hba rule asks for a scram-sha-256 password: no trust, no md5.
      const hba = fs
        .readFileSync(path.join(db.clusterDir, 'pg_hba.conf'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() && !line.trim().startsWith('#'));
      expect(hba.length).toBeGreaterThan(0);
      for (const rule of hba) expect(rule.trim().split(/\s+/).at(-1)).toBe('scram-sha-256');

      const [settings] = await query<Record<string, string>>(
        db.url,
        `SELECT current_setting('server_encoding') AS encoding, current_setting('lc_collate') AS collate,
                current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets,
                current_setting('password_encryption') AS encryption, current_user AS "user",
                current_database() AS database, pg_encoding_to_char(d.encoding) AS db_encoding
           FROM pg_database d WHERE d.datname = current_database()`,
      );
      expect(settings).toEqual({
        encoding: 'UTF8',
        collate: 'C',
        listen: '127.0.0.1',
        sockets: '',
        encryption: 'scram-sha-256',
        user: 'mingde',
        database: 'mingde',
        db_encoding: 'UTF8',
      });
      const [show] = await query<{ server_encoding: string }>(db.url, 'SHOW server_encoding');
      expect(show?.server_encoding).toBe('UTF8');

      const names = ['张三', '明德实验学校（初中部）', '𠀀 扩展区汉字', 'Ünïcödé ✓'];
      await query(db.url, 'CREATE TABLE people (name text)');
      for (const name of names) await query(db.url, 'INSERT INTO people VALUES ($1)', [name]);
      const rows = await query<{ name: string; chars: number }>(
        db.url,
        'SELECT name, length(name) AS chars FROM people ORDER BY name',
      );
      expect(rows.map((r) => r.name).sort()).toEqual([...names].sort());
      expect(rows.find((r) => r.name === '张三')?.chars).toBe(2);
      const [like] = await query<{ name: string }>(db.url, "SELECT name FROM people WHERE name LIKE '明德%'");
      expect(like?.name).toBe('明德实验学校（初中部）');

      await db.stop();
      expect(postgresProcesses(db.clusterDir)).toEqual([]);
      expect(isProcessAlive(db.pid)).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'mingde.lock'))).toBe(false);
      expect(fs.existsSync(path.join(db.clusterDir, 'postmaster.pid'))).toBe(false);
    },
    slow,
  );

  it(
    'restarts with the same password, port and data, and never logs the password',
    async () => {
      const dataDir = tempDataDir();
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      const first = await start({ dataDir, log });
      await query(first.url, 'CREATE TABLE schools (name text)');
      await query(first.url, 'INSERT INTO schools VALUES ($1)', ['明德小学']);
      const password = fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8');
      await first.stop();
      await first.stop(); // idempotent

      const second = await start({ dataDir, log });
      expect(fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8')).toBe(password);
      expect(second.port).toBe(first.port);
      expect(second.url).toBe(first.url);
      expect(await query(second.url, 'SELECT name FROM schools')).toEqual([{ name: '明德小学' }]);
      await second.stop();

      expect(lines.some((line) => line.includes('ready on 127.0.0.1'))).toBe(true);
      expect(lines.filter((line) => line.includes(password.trim()))).toEqual([]);
      expect(postgresProcesses(second.clusterDir)).toEqual([]);
    },
    slow,
  );

  it(
    'uses an explicit port, and refuses 5432',
    async () => {
      const dataDir = tempDataDir();
      await expect(startEmbeddedPostgres({ dataDir, port: 5432 })).rejects.toThrow(/5432/);
      // A port the OS calls free; another cluster of a parallel test may still take it first, so
      // try a few (the point is that an explicit port is honoured, not which one).
      let db: Awaited<ReturnType<typeof start>> | undefined;
      let port = 0;
      for (let attempt = 0; attempt < 5 && !db; attempt++) {
        port = await freePort();
        db = await start({ dataDir, port }).catch((error: unknown) => {
          if (/already in use/.test(String(error))) return undefined;
          throw error;
        });
      }
      if (!db) throw new Error('no free port found in five attempts');
      expect(db.port).toBe(port);
      expect(await query(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    },
    slow,
  );

  it(
    'refuses a second start on a data directory in use, and takes over a dead owner’s lock',
    async () => {
      const dataDir = tempDataDir();
      const db = await start({ dataDir });

      const second = startEmbeddedPostgres({ dataDir });
      await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
      const error = (await second.catch((e: unknown) => e)) as DataDirInUseError;
      expect(error.message).toContain(`数据目录 ${dataDir} 正被另一个 Mingde 进程（pid ${process.pid}）使用`);
      expect(error.message).toContain(
        `data directory ${dataDir} is in use by another Mingde process (pid ${process.pid})`,
      );
      expect(await query(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]); // the first is unharmed
      await db.stop();

      // A lock held by another live process.
      const holder = spawn('sleep', ['60']);
      children.push(holder);
      const lockFile = path.join(dataDir, 'mingde.lock');
      fs.writeFileSync(lockFile, `${holder.pid}\n`);
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(`pid ${holder.pid}`);
      holder.kill('SIGKILL');

      // A lock whose process is dead is taken over.
      const dead = spawnSync('true').pid;
      fs.writeFileSync(lockFile, `${dead}\n`);
      const again = await start({ dataDir });
      expect(fs.readFileSync(lockFile, 'utf8').split('\n')[0]).toBe(String(process.pid));
      await again.stop();
      expect(fs.existsSync(lockFile)).toBe(false);
    },
    slow,
  );

  it(
    'lets exactly one of several racing processes take over a stale lock',
    async () => {
      const dataDir = tempDataDir();
      fs.mkdirSync(dataDir);
      fs.writeFileSync(path.join(dataDir, 'mingde.lock'), `${spawnSync('true').pid}\n`);
      const startAt = Date.now() + 4_000;
      const racers = Array.from({ length: 6 }, () =>
        runFixture([fixture('take-lock.ts'), dataDir, String(startAt)]),
      );
      const results = await Promise.all(racers.map((r) => r.line));
      expect(results.filter((r) => r === 'won')).toHaveLength(1);
      expect(results.filter((r) => r === 'busy')).toHaveLength(5);
    },
    slow,
  );

  it(
    'leaves no postgres behind when its Node process is SIGKILLed, and starts again',
    async () => {
      const dataDir = tempDataDir();
      const { child, info } = await startAndHang(dataDir);
      const guardPid = procStat(info.postgresPid)?.ppid ?? -1;
      expect(postgresProcesses(info.clusterDir)).toContain(info.postgresPid);
      expect(await query(info.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

      await sigkill(child);
      expect(await waitUntil(() => postgresProcesses(info.clusterDir).length === 0, 10_000)).toBe(true);
      expect(await waitUntil(() => !isProcessAlive(guardPid), 5_000)).toBe(true);

      const db = await start({ dataDir }); // the dead process's lock is taken over
      expect(db.url).toBe(info.url);
      expect(await query(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await db.stop();
      expect(postgresProcesses(db.clusterDir)).toEqual([]);
    },
    slow,
  );

  it(
    'stops an orphaned postgres (its guard killed too) left by a dead Mingde process',
    async () => {
      const dataDir = tempDataDir();
      const { child, info } = await startAndHang(dataDir);
      const guardPid = procStat(info.postgresPid)?.ppid ?? -1;
      killQuietly(guardPid);
      await sigkill(child);
      expect(await waitUntil(() => !isProcessAlive(guardPid), 5_000)).toBe(true);
      expect(isProcessAlive(info.postgresPid)).toBe(true); // orphaned, still serving

      const lines: string[] = [];
      const db = await start({ dataDir, log: (line) => lines.push(line) });
      expect(isProcessAlive(info.postgresPid)).toBe(false);
      expect(lines.some((line) => line.includes(`stopping PostgreSQL (pid ${info.postgresPid})`))).toBe(true);
      expect(await query(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await db.stop();
      expect(postgresProcesses(db.clusterDir)).toEqual([]);
    },
    slow,
  );

  it.runIf(isRoot)(
    'as root, moves the cluster to /var/lib/mingde when the postgres user cannot enter a 0700 parent',
    async () => {
      const dataDir = tempDataDir(0o700); // like mktemp -d or a private home folder
      const lines: string[] = [];
      const db = await start({ dataDir, log: (line) => lines.push(line) });
      const expected = fallbackClusterDir(dataDir);
      expect(db.clusterDir).toBe(expected);
      expect(expected).toMatch(/^\/var\/lib\/mingde\/pg-[0-9a-f]{16}$/);
      const notice = lines.filter((line) => line.includes('MINGDE_DATA_DIR'));
      expect(notice).toHaveLength(1);
      expect(notice[0]).toContain(expected);
      expect(notice[0]).toMatch(/postgres 用户无法进入.*\/ the postgres user cannot enter/);

      expect(fs.statSync(expected).uid).toBe(postgresUid);
      expect(fs.statSync(expected).mode & 0o777).toBe(0o700);
      expect(fs.statSync('/var/lib/mingde').mode & 0o001).toBe(0o001); // created 0755; others may traverse
      for (const file of ['pg-password', 'pg-port', 'mingde.lock']) {
        expect(fs.existsSync(path.join(dataDir, file))).toBe(true);
      }
      expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(false);
      const [row] = await query<{ text: string }>(db.url, 'SELECT $1::text AS text', ['明德']);
      expect(row?.text).toBe('明德');
      await db.stop();
      expect(postgresProcesses(expected)).toEqual([]);

      // The next start finds the same cluster (and says so once again).
      const again = await start({ dataDir });
      expect(again.clusterDir).toBe(expected);
      expect(await query(again.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await again.stop();
    },
    slow,
  );

  it.runIf(canRunAsNobody)(
    'runs as an ordinary (non-root) user, directly as that user',
    async () => {
      const dataDir = tempDataDir(0o700);
      const nobody = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout);
      fs.chownSync(path.dirname(dataDir), nobody, nobody);
      const { line } = runFixture(
        [fixture('start-query-stop.ts'), dataDir],
        ['runuser', '-u', 'nobody', '--'],
      );
      const info = JSON.parse(await line);
      clusters.push(info.clusterDir);
      expect(info).toMatchObject({
        uid: nobody,
        postgresUid: nobody,
        clusterDir: path.join(dataDir, 'pg'),
        encoding: 'UTF8',
        text: '明德 教育',
      });
      expect(fs.statSync(path.join(dataDir, 'pg')).uid).toBe(nobody);
      expect(fs.statSync(path.join(dataDir, 'pg-password')).uid).toBe(nobody);
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(postgresProcesses(info.clusterDir)).toEqual([]);
    },
    slow,
  );
});

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
