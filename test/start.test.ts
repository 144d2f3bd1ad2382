import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `mingde start` as a user runs it: a real process on embedded PostgreSQL with the demo district.
 * Start, serve, refuse a second start, stop on SIGTERM leaving nothing behind, survive SIGKILL.
 */
const root = path.resolve(import.meta.dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-start-'));
fs.chmodSync(work, 0o755);
const dataDir = path.join(work, 'data');
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await waitFor(() => postgresPids().length === 0, 15_000).catch(() => {});
  fs.rmSync(work, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startMingde(port: number): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
    cwd: root,
    env: {
      ...process.env,
      MINGDE_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error('timed out');
}

/** postgres processes whose command line names this test's data. */
function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes('postgres') && cmd.includes(work)) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

const ready = (s: Started) => waitFor(() => s.output().includes('已启动 / ready'), 90_000);

describe('mingde start', () => {
  it('starts with the demo district, serves, refuses a second start, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const first = startMingde(port);
    await ready(first);
    const out = first.output();
    expect(out).toContain('演示区县已生成 / demo district created');
    expect(out).toMatch(/bureau\.admin\s+\S{10,}/);
    expect(out).toMatch(/ {2}学生 students: 20,000 \/ 20,000 \(\d+\.\d s\)/);
    expect(out).toMatch(/head\.teacher\s+\S{10,} {2}班主任 · 吴中区实验小学 三年级（1）班/);
    expect(fs.statSync(path.join(dataDir, 'pg-password')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'demo-accounts.txt')).mode & 0o777).toBe(0o600);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const docs = await fetch(`http://127.0.0.1:${port}/api/docs/json`);
    expect(((await docs.json()) as { info: { title: string } }).info.title).toBe('明德 Mingde API');

    const password = fs
      .readFileSync(path.join(dataDir, 'demo-accounts.txt'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('bureau.admin\t'))
      ?.split('\t')[1];
    const signIn = await fetch(`http://127.0.0.1:${port}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bureau.admin', password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? '';
    const schools = await fetch(`http://127.0.0.1:${port}/api/v1/org-units?kind=school&limit=100`, {
      headers: { cookie },
    });
    expect(schools.status).toBe(200);
    const body = (await schools.json()) as { items: { schoolType: string }[] };
    expect(new Set(body.items.map((s) => s.schoolType))).toEqual(
      new Set([
        'kindergarten',
        'primary',
        'junior',
        'senior',
        'nineYear',
        'twelveYear',
        'vocational',
        'special',
        'communityCollege',
        'communitySchool',
        'elderlyUniversity',
      ]),
    );

    const second = startMingde(await freePort());
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`正被另一个 Mingde 进程（pid`);
    expect(second.output()).toContain('is in use by another Mingde process');

    expect(postgresPids().length).toBeGreaterThan(0);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('已停止 / stopped');
    expect(postgresPids()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'mingde.lock'))).toBe(false);
  }, 180_000);

  it('leaves no postgres behind after SIGKILL, and the next start recovers without a second demo', async () => {
    const port = await freePort();
    const victim = startMingde(port);
    await ready(victim);
    expect(victim.output()).not.toContain('演示区县已生成');
    victim.child.kill('SIGKILL');
    await victim.exited;
    await waitFor(() => postgresPids().length === 0, 15_000);

    const again = startMingde(port);
    await ready(again);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
    expect(postgresPids()).toEqual([]);
  }, 180_000);
});
