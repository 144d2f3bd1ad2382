// Runs PostgreSQL as a child and ties its life to the Mingde process that started this guard.
// The parent holds the other end of our stdin; when it closes (stop(), normal exit, or the parent
// being SIGKILLed, which no exit hook can catch) we fast-shut postgres down and exit.
// Plain JavaScript on purpose: it must start quickly with bare `node`, without tsx.
//
// env MINGDE_PG_GUARD: JSON { bin, args, uid?, gid?, cwd, stopTimeoutMs } (not argv: anyone can
// read a command line). The rest of our environment is passed on to postgres.
// stdout: one JSON line per event: {"event":"spawned","pid":N}, {"event":"exit","code":N,"signal":S}
// stderr: postgres's own output, passed through.
import { spawn } from 'node:child_process';

const config = JSON.parse(process.env.MINGDE_PG_GUARD ?? '{}');
const env = { ...process.env };
delete env.MINGDE_PG_GUARD;

// Our parent may be gone: writing to its closed pipes must not crash us before postgres is down.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const postgres = spawn(config.bin, config.args, {
  cwd: config.cwd,
  env,
  uid: config.uid,
  gid: config.gid,
  stdio: ['ignore', 'pipe', 'pipe'],
});

let exited = false;
let stopping = false;

postgres.stdout.pipe(process.stderr, { end: false });
postgres.stderr.pipe(process.stderr, { end: false });

postgres.on('spawn', () => send({ event: 'spawned', pid: postgres.pid }));

postgres.on('error', (error) => {
  process.stderr.write(`pg-guard: ${error.message}\n`);
  exited = true;
  send({ event: 'exit', code: 127, signal: null });
  process.exit(127);
});

postgres.on('exit', (code, signal) => {
  exited = true;
  send({ event: 'exit', code, signal });
  process.exit(code ?? 1);
});

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// SIGINT = postgres "fast shutdown": roll back open transactions, checkpoint, exit.
function shutdown() {
  if (stopping || exited) return;
  stopping = true;
  postgres.kill('SIGINT');
  const timer = setTimeout(() => postgres.kill('SIGKILL'), config.stopTimeoutMs ?? 30_000);
  timer.unref();
}

process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();

// A signal meant for the whole group (systemd stop, kill of the guard) must still stop postgres
// cleanly rather than orphan it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, shutdown);
