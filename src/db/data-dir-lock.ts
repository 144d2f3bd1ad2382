import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One Mingde process per data directory: a second one would share (and corrupt) its database. */
export class DataDirInUseError extends Error {
  readonly dataDir: string;
  readonly pid: number;

  constructor(dataDir: string, pid: number) {
    super(
      `数据目录 ${dataDir} 正被另一个 Mingde 进程（pid ${pid}）使用，请先停止该进程 / ` +
        `data directory ${dataDir} is in use by another Mingde process (pid ${pid}); stop it first`,
    );
    this.name = 'DataDirInUseError';
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

export interface DataDirLock {
  file: string;
  release(): void;
}

export const lockFileName = 'mingde.lock';

// Lock files held by this very process: a lock naming our own pid that is not in here was left by an
// earlier boot or container run that happened to have the same pid.
const heldHere = new Set<string>();

/** Take `<dataDir>/mingde.lock`, taking over a lock whose process is dead. */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const file = path.join(dataDir, lockFileName);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (tryCreate(file)) return holdLock(file);
    const owner = readLockFile(file);
    if (!owner) continue; // removed meanwhile: try again
    if (owner.pid === null) {
      // Created but not written yet by its taker, or garbage left by a crash: wait a moment.
      if (ageMs(file) < 5_000) await sleep(20);
      else await takeOver(file, owner);
      continue;
    }
    if (ownerAlive(file, owner)) throw new DataDirInUseError(dataDir, owner.pid);
    await takeOver(file, owner);
  }
  throw new Error(`无法获取数据目录锁 ${file} / could not take the data directory lock ${file}`);
}

interface LockOwner {
  pid: number | null;
  identity: string;
  raw: string;
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o644); // atomic: exactly one creator wins
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, `${process.pid}\n${processIdentity(process.pid) ?? ''}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function holdLock(file: string): DataDirLock {
  heldHere.add(file);
  return {
    file,
    release() {
      heldHere.delete(file);
      const owner = readLockFile(file);
      // Never remove a lock someone else has taken over meanwhile.
      if (owner?.pid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}

function readLockFile(file: string): LockOwner | null {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const [pidText = '', identity = ''] = raw.split('\n');
  const pid = /^\d+$/.test(pidText.trim()) ? Number(pidText.trim()) : null;
  return { pid, identity: identity.trim(), raw };
}

function ownerAlive(file: string, owner: LockOwner): boolean {
  if (owner.pid === null) return false;
  if (owner.pid === process.pid) return heldHere.has(file);
  if (!isProcessAlive(owner.pid)) return false;
  // Same pid but a different process start (pid reused after a reboot or restart): stale.
  const now = processIdentity(owner.pid);
  return !owner.identity || !now || owner.identity === now;
}

/**
 * Replace a stale lock. Two processes may find the same stale lock at once; a short-lived
 * `.takeover` lock makes them take turns, and each re-reads the lock before removing it, so a fresh
 * lock written by the winner is never removed by the loser.
 */
async function takeOver(file: string, stale: LockOwner): Promise<void> {
  const guard = `${file}.takeover`;
  if (!tryCreate(guard)) {
    const holder = readLockFile(guard);
    const abandoned = holder && (holder.pid === null ? ageMs(guard) > 5_000 : !isProcessAlive(holder.pid));
    if (abandoned) fs.rmSync(guard, { force: true });
    else await sleep(20);
    return;
  }
  try {
    if (readLockFile(file)?.raw === stale.raw) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** True if the process exists and is not a zombie (a zombie's pid still answers kill 0). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procStat(pid)?.state !== 'Z';
}

/** Boot id + start time: tells a live process from a later one that reuses its pid (Linux only). */
export function processIdentity(pid: number): string | null {
  const stat = procStat(pid);
  if (!stat) return null;
  return `${bootId()}:${stat.startTime}`;
}

interface ProcStat {
  state: string;
  ppid: number;
  startTime: string;
}

/** Fields of /proc/<pid>/stat; null where there is no /proc or no such process. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', ppid: Number(fields[1]), startTime: fields[19] ?? '' };
}

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
}
