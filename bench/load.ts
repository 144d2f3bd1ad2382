/**
 * A small HTTP/1.1 load generator for the benchmarks, on raw keep-alive sockets (cheap, so it
 * takes little CPU from the server it shares the machine with).
 *
 *  - `closedLoop`: every connection sends its next request as soon as the last one answered —
 *    the highest throughput the server reaches at that many connections.
 *  - `openLoop`: requests are due at a fixed rate, evenly spaced (request i at start + i/rate),
 *    whatever the server does; latency counts from when a request was DUE, so time spent waiting
 *    for a free connection counts (no coordinated omission, as wrk2 measures). autocannon's
 *    `overallRate` is not this: it gives each connection a budget per second, which fires in bursts.
 */
import net from 'node:net';

export interface LoadOptions {
  host: string;
  port: number;
  /** Request paths, used in turn. */
  paths: string[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  requests: number;
  /** Completed requests per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  /** Responses that were not 2xx, and socket errors. */
  failures: number;
}

interface Conn {
  socket: net.Socket;
  busy: boolean;
  /** When the request in flight was due (ms, performance.now()). */
  due: number;
  buffer: Buffer;
}

function requestBuffers(options: LoadOptions): Buffer[] {
  const headers = Object.entries({ host: `${options.host}:${options.port}`, ...options.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return options.paths.map((p) => Buffer.from(`GET ${p} HTTP/1.1\r\n${headers}\r\n`));
}

/** The length of the first complete response in `buf` and its status, or null while incomplete. */
function completeResponse(buf: Buffer): { length: number; status: number } | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (!match) throw new Error('load generator: response without content-length');
  const length = end + 4 + Number(match[1]);
  return buf.length >= length ? { length, status } : null;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);

async function run(options: LoadOptions, rate: number | null): Promise<LoadResult> {
  const requests = requestBuffers(options);
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const start = performance.now();
  const stopAt = start + options.seconds * 1000;
  /** Due times of open-loop requests waiting for a free connection, oldest first. */
  const waiting: number[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const send = (conn: Conn, due: number) => {
    conn.busy = true;
    conn.due = due;
    conn.socket.write(requests[next++ % requests.length] as Buffer);
  };

  const conns: Conn[] = await Promise.all(
    Array.from(
      { length: options.connections },
      () =>
        new Promise<Conn>((resolve, reject) => {
          const socket = net.connect({ host: options.host, port: options.port, noDelay: true });
          const conn: Conn = { socket, busy: false, due: 0, buffer: Buffer.alloc(0) };
          socket.once('connect', () => resolve(conn));
          socket.once('error', reject);
        }),
    ),
  );

  for (const conn of conns) {
    conn.socket.on('error', () => failures++);
    conn.socket.on('data', (chunk) => {
      conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
      for (;;) {
        const response = completeResponse(conn.buffer);
        if (!response) return;
        conn.buffer = conn.buffer.subarray(response.length);
        const now = performance.now();
        latencies.push(now - conn.due);
        if (response.status < 200 || response.status > 299) failures++;
        conn.busy = false;
        // Open loop: requests that fell due in time are all served, even after the end.
        if (rate !== null && waiting.length > 0) send(conn, waiting.shift() as number);
        else if (rate === null && now < stopAt) send(conn, now);
        else if (now >= stopAt && conns.every((c) => !c.busy)) finish();
      }
    });
  }

  if (rate === null) {
    for (const conn of conns) send(conn, performance.now());
  } else {
    // Each turn, issue every request that has fallen due since the last turn.
    let issued = 0;
    const tick = () => {
      const now = Math.min(performance.now(), stopAt);
      // Request i is due at start + i/rate: by `now`, requests 0 … floor(elapsed × rate) are.
      const due = Math.floor(((now - start) * rate) / 1000) + 1;
      for (; issued < due; issued++) {
        const dueAt = start + (issued * 1000) / rate;
        const free = conns.find((c) => !c.busy);
        if (free) send(free, dueAt);
        else waiting.push(dueAt);
      }
      // Node's timers fire about once a millisecond; requests keep their exact due times.
      if (performance.now() < stopAt) setTimeout(tick, 1);
      else if (waiting.length === 0 && conns.every((c) => !c.busy)) finish();
    };
    tick();
  }

  await finished;
  const elapsed = (performance.now() - start) / 1000;
  for (const conn of conns) conn.socket.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    failures,
  };
}

/** The highest throughput at `connections` connections, each sending as soon as it is answered. */
export function closedLoop(options: LoadOptions): Promise<LoadResult> {
  return run(options, null);
}

/** Latency at a fixed offered rate (requests/s), evenly spaced, measured from when each was due. */
export function openLoop(options: LoadOptions, rate: number): Promise<LoadResult> {
  return run(options, rate);
}
