/**
 * `npm run bench:api` — issue 3's figure. With the default demo district loaded, signed in as the
 * demo 班主任 (head.teacher), against the class-roster and student-profile routes (alternating):
 *   1. the highest throughput at 100 connections (requests/s): the median of three 10-s runs;
 *   2. p50 / p99 latency at a fixed offered rate of 1,000 requests/s for 20 s, evenly spaced and
 *      counted from when each request was due (bench/load.ts): three such windows, the one with the
 *      median p99 reported (all three printed). At this rate the server runs a full garbage
 *      collection about every 90 s, and the ~second after one is slow (src/cli/node-flags.ts): a
 *      single window catches one or not by chance, so like the throughput it is a median of three;
 * and the same with the person policy swapped for allow-all (bench/api-server.ts), each policy
 * twice in ABBA order, and the ratio.
 * Goal: p99 < 50 ms at 1,000 requests/s; scoping costs < 20 % of throughput.
 * The server runs in a child process so the load generator does not share its event loop, with the
 * node flags `npm start` gives it (src/cli/node-flags.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SERVER_NODE_FLAGS } from '../src/cli/node-flags';
import { runningEmbeddedUrl } from '../src/db/embedded';
import { closedLoop, openLoop } from './load';

const root = path.resolve(import.meta.dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-bench-api-'));
fs.chmodSync(work, 0o755);
const dataDir = path.join(work, 'data');
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 10);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 20);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(policy: 'enforced' | 'allow-all', port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_FLAGS, '--import', 'tsx', 'bench/api-server.ts', '--policy', policy],
    {
      cwd: root,
      env: {
        ...process.env,
        MINGDE_DATA_DIR: dataDir,
        PORT: String(port),
        DATABASE_URL: '',
        LOG_LEVEL: 'warn',
        MINGDE_RATE_LIMIT: '100000000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      process.stdout.write(`  [server] ${String(d)}`);
      if (out.includes('ready ')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function signIn(base: string): Promise<string> {
  const line = fs
    .readFileSync(path.join(dataDir, 'demo-accounts.txt'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('head.teacher\t'));
  const password = line?.split('\t')[1];
  const res = await fetch(`${base}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'head.teacher', password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  return res.headers.get('set-cookie')?.split(';')[0] ?? '';
}

/** The head teacher's class, and one of its students, as the console would find them. */
async function targets(base: string, cookie: string): Promise<{ roster: string; profile: string }> {
  const url = runningEmbeddedUrl(dataDir);
  if (!url) throw new Error('no running embedded database');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ class_id: string }>(
    `select h.class_id from head_teacher_assignments h
       join person_accounts pa on pa.district_id = h.district_id and pa.person_id = h.person_id
       join users u on u.id = pa.user_id
     where u.username = 'head.teacher' and h.ended_on is null limit 1`,
  );
  // Start every policy's run from the same state: the demo's bulk load (or the previous run's
  // audit trail) flushed to disk, not written back during the measurement.
  await client.query('checkpoint');
  await client.end();
  const classId = rows[0]?.class_id;
  if (!classId) throw new Error('the demo head teacher has no class');
  const roster = `/api/v1/classes/${classId}/roster?limit=50`;
  const res = await fetch(`${base}${roster}`, { headers: { cookie } });
  const body = (await res.json()) as { items: { personId?: string; id?: string }[] };
  const first = body.items[0];
  const studentId = first?.personId ?? first?.id;
  if (res.status !== 200 || !studentId) throw new Error(`roster failed: ${res.status}`);
  return { roster, profile: `/api/v1/persons/${studentId}` };
}

interface Figures {
  maxRps: number;
  /** Of the 20-s window with the median p99. */
  p50: number;
  p99: number;
  /** Every window's p99, in the order run. */
  p99s: number[];
  achievedRps: number;
  failures: number;
}

async function measure(policy: 'enforced' | 'allow-all'): Promise<Figures> {
  const port = await freePort();
  const server = await startServer(policy, port);
  try {
    const base = `http://127.0.0.1:${port}`;
    const cookie = await signIn(base);
    const { roster, profile } = await targets(base, cookie);
    const common = {
      host: '127.0.0.1',
      port,
      headers: { cookie },
      paths: [roster, profile],
      connections: 100,
    };
    await closedLoop({ ...common, connections: 20, seconds: 10 }); // warm-up: JIT, plans, caches
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await closedLoop({ ...common, seconds: MAX_SECONDS }));
    const median = [...runs].sort((a, b) => a.rps - b.rps)[1] as (typeof runs)[number];
    const windows = [];
    for (let i = 0; i < 3; i++) windows.push(await openLoop({ ...common, seconds: RATE_SECONDS }, 1000));
    const fixed = [...windows].sort((a, b) => a.p99 - b.p99)[1] as (typeof windows)[number];
    return {
      maxRps: median.rps,
      p50: fixed.p50,
      p99: fixed.p99,
      p99s: windows.map((w) => w.p99),
      achievedRps: fixed.rps,
      failures: [...runs, ...windows].reduce((n, r) => n + r.failures, 0),
    };
  } finally {
    await stopServer(server);
  }
}

try {
  console.log('bench:api — demo district, head teacher, class roster + student profile');
  // The demo is generated by a server of its own, so neither measured process carries the
  // generator's heap (a real deployment generates it once, at first start).
  await stopServer(await startServer('enforced', await freePort()));
  // ABBA order: whatever drifts during the run (the audit trail grows, autovacuum, the page cache)
  // weighs on both policies alike.
  const order = ['enforced', 'allow-all', 'allow-all', 'enforced'] as const;
  const runs: { policy: (typeof order)[number]; figures: Figures }[] = [];
  for (const policy of order) runs.push({ policy, figures: await measure(policy) });
  const row = (name: string, f: Figures) =>
    `| ${name.padEnd(9)} | ${f.maxRps.toFixed(0).padStart(8)} | ${f.achievedRps.toFixed(0).padStart(8)} | ${f.p50.toFixed(1).padStart(6)} | ${f.p99.toFixed(1).padStart(6)} | ${f.p99s
      .map((p) => p.toFixed(1))
      .join(' / ')
      .padEnd(18)} | ${String(f.failures).padStart(8)} |`;
  console.log('\n| policy    | max rps  | @1k rps  | p50 ms | p99 ms | p99 of each window | failures |');
  console.log('|-----------|----------|----------|--------|--------|--------------------|----------|');
  for (const r of runs) console.log(row(r.policy, r.figures));
  const of = (policy: string) => runs.filter((r) => r.policy === policy).map((r) => r.figures);
  const meanMax = (list: Figures[]) => list.reduce((n, f) => n + f.maxRps, 0) / list.length;
  const enforcedMax = meanMax(of('enforced'));
  const allowAllMax = meanMax(of('allow-all'));
  const cost = 1 - enforcedMax / allowAllMax;
  console.log(
    `\nscoping cost: ${(cost * 100).toFixed(1)} % of throughput (mean max rps, enforced/allow-all = ${(enforcedMax / allowAllMax).toFixed(3)}; goal < 20 %)`,
  );
  const worstP99 = Math.max(...of('enforced').map((f) => f.p99));
  console.log(
    `p99 at 1,000 requests/s, enforced (median of three windows), worse of two runs: ${worstP99.toFixed(1)} ms (goal < 50 ms) — ${worstP99 < 50 ? 'met' : 'NOT met'}`,
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
