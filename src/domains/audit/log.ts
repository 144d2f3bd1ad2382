import type { Db, Tx } from '../../db/client';
import { type ChainEvent, hashEvent, storableJson, storableText } from './chain';
import { type HeadFileContent, readHeadFile, writeHeadFile } from './head-file';
import {
  type AuditEventRow,
  appendAtHeads,
  type ChainHead,
  type HeadMove,
  insertEvents,
  linksAt,
  listHeads,
  lockHeads,
  updateHead,
} from './repository';

export const PLATFORM_DISTRICT_ID = '00000000-0000-0000-0000-000000000000';

export interface AuditEventInput {
  /** The chain the event belongs to; PLATFORM_DISTRICT_ID for platform-level events. */
  districtId: string;
  /** Dotted verb, e.g. 'auth.signIn', 'org.update', 'person.read'. */
  action: string;
  actorId: string | null;
  actorKind: 'user' | 'system' | 'apiClient' | 'anonymous';
  targetType?: string | null;
  targetId?: string | null;
  /** Ids of every person whose data was read or changed. */
  subjectIds?: string[];
  purpose?: string | null;
  outcome?: 'success' | 'denied' | 'failure';
  requestId?: string | null;
  ip?: string | null;
  /** Non-personal details (changed field names, before/after of organisational data). */
  details?: Record<string, unknown>;
}

export interface AuditLog {
  /**
   * Append outside any transaction; batched (group commit), resolves once durable. Inside a
   * transaction use recordInTx: awaiting record() there can wait on the transaction's own locks.
   */
  record(event: AuditEventInput): Promise<void>;
  /** Append inside the caller's transaction. Call afterCommit() once that transaction committed. */
  recordInTx(tx: Tx, events: AuditEventInput[]): Promise<void>;
  /** Bring the head file (kept outside the database) up to date with the committed chain heads. */
  afterCommit(): Promise<void>;
  /** Wait for pending events, then stop accepting new ones. */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  db: Db;
  /** Where the chain heads are kept outside the database; null = no head file. */
  headFile: string | null;
  /**
   * Called when the head file cannot be brought up to date, or a chain no longer passes through its
   * anchor there (the events themselves are committed either way). Default: a line on stderr.
   */
  onError?: (error: unknown) => void;
}

/** An event ready to be linked: everything but its place in the chain. */
type PreparedEvent = Omit<ChainEvent, 'seq' | 'prevHash'>;

interface Pending {
  event: PreparedEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** How long the head file may lag behind batched appends (see updateSoon). */
const HEAD_FILE_DELAY_MS = 500;

/** Events linked in one transaction at most; the rest wait for the next one. */
const MAX_BATCH = 5000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTOR_KINDS = new Set(['user', 'system', 'apiClient', 'anonymous']);
const OUTCOMES = new Set(['success', 'denied', 'failure']);

const optionalText = (value: string | null | undefined) =>
  value == null ? null : storableText(String(value));

/**
 * Check and normalise an event before it is queued, so one malformed event fails its own caller
 * instead of the batch it would join; values are made exactly what the database will hand back
 * (lower-case uuids, storable text, jsonb-shaped details), so the hash survives the round trip.
 */
function prepare(e: AuditEventInput, at: Date): PreparedEvent {
  if (!UUID.test(e.districtId)) throw new TypeError('audit event: districtId must be a uuid');
  if (e.actorId != null && !UUID.test(e.actorId)) throw new TypeError('audit event: actorId must be a uuid');
  if (!ACTOR_KINDS.has(e.actorKind)) throw new TypeError('audit event: unknown actorKind');
  const outcome = e.outcome ?? 'success';
  if (!OUTCOMES.has(outcome)) throw new TypeError('audit event: unknown outcome');
  if (typeof e.action !== 'string' || e.action.length === 0)
    throw new TypeError('audit event: action is required');
  const details = storableJson(e.details ?? {});
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    throw new TypeError('audit event: details must be an object');
  }
  return {
    districtId: e.districtId.toLowerCase(),
    at,
    actorId: e.actorId?.toLowerCase() ?? null,
    actorKind: e.actorKind,
    action: storableText(e.action),
    targetType: optionalText(e.targetType),
    targetId: optionalText(e.targetId),
    subjectIds: (e.subjectIds ?? []).map((id) => storableText(String(id))),
    purpose: optionalText(e.purpose),
    outcome,
    requestId: optionalText(e.requestId),
    ip: optionalText(e.ip),
    details,
  };
}

function byDistrict(batch: Pending[]): Map<string, Pending[]> {
  const groups = new Map<string, Pending[]>();
  for (const p of batch) {
    const group = groups.get(p.event.districtId);
    if (group) group.push(p);
    else groups.set(p.event.districtId, [p]);
  }
  return groups;
}

/**
 * Link `events` onto their districts' chains inside `tx`: lock each district's head, number and
 * hash the events in order, insert them, move the heads. Chain order is commit order because the
 * head stays locked until `tx` ends.
 */
async function appendInTx(tx: Tx, events: PreparedEvent[]): Promise<ChainHead[]> {
  if (events.length === 0) return [];
  const heads = await lockHeads(
    tx,
    events.map((e) => e.districtId),
  );
  const { rows, moves } = link(events, heads);
  await insertEvents(tx, rows);
  for (const move of moves) await updateHead(tx, move.to);
  return moves.map((m) => m.to);
}

/** Number and hash `events` onto the chains whose current heads are `heads`. */
function link(
  events: PreparedEvent[],
  heads: Map<string, ChainHead>,
): { rows: AuditEventRow[]; moves: HeadMove[] } {
  const rows: AuditEventRow[] = [];
  const next = new Map<string, ChainHead>();
  for (const event of events) {
    const head = next.get(event.districtId) ?? heads.get(event.districtId);
    if (!head) throw new Error(`audit head missing for district ${event.districtId}`);
    const linked: ChainEvent = { ...event, seq: head.seq + 1, prevHash: head.hash };
    const hash = hashEvent(linked);
    rows.push({ ...linked, hash });
    next.set(event.districtId, { districtId: event.districtId, seq: linked.seq, hash });
  }
  const moves = [...next.values()].map((to) => ({
    districtId: to.districtId,
    from: heads.get(to.districtId) as ChainHead,
    to,
  }));
  return { rows, moves };
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { db } = options;
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error(`审计链头文件 / audit head file: ${(error as Error).message}`);
    });
  const headFile = options.headFile ? createHeadFileWriter(db, options.headFile, onError) : null;

  let queue: Pending[] = [];
  let draining: Promise<void> | null = null;
  let closed = false;

  /**
   * The heads this process last wrote or read. A batch is linked onto them and written in one
   * statement; when another process (or a transaction's recordInTx) has moved a head since, that
   * district goes the long way: lock the head in a transaction, link, write.
   */
  const knownHeads = new Map<string, ChainHead>();

  /** The fast path; returns the events it could not write (unknown or moved heads). */
  async function appendAtKnownHeads(batch: Pending[]): Promise<Pending[]> {
    const ready = batch.filter((p) => knownHeads.has(p.event.districtId));
    if (ready.length === 0) return batch;
    const { rows, moves } = link(
      ready.map((p) => p.event),
      knownHeads,
    );
    let written: Set<string>;
    try {
      written = new Set(await appendAtHeads(db, moves, rows));
    } catch {
      written = new Set(); // the long way reports the error per district
    }
    for (const move of moves) {
      if (written.has(move.districtId)) knownHeads.set(move.districtId, move.to);
      else knownHeads.delete(move.districtId);
    }
    for (const p of ready) if (written.has(p.event.districtId)) p.resolve();
    return batch.filter((p) => !written.has(p.event.districtId));
  }

  async function appendLocked(group: Pending[]): Promise<void> {
    const moved = await db.transaction((tx) =>
      appendInTx(
        tx,
        group.map((p) => p.event),
      ),
    );
    for (const head of moved) knownHeads.set(head.districtId, head);
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    const rest = await appendAtKnownHeads(batch);
    if (rest.length === 0) return;
    try {
      await appendLocked(rest);
      for (const p of rest) p.resolve();
      return;
    } catch (error) {
      if (byDistrict(rest).size === 1) {
        for (const p of rest) p.reject(error);
        return;
      }
    }
    // One district's failure (say, a district id that does not exist) must not fail the others:
    // retry each district on its own.
    for (const group of byDistrict(rest).values()) {
      try {
        await appendLocked(group);
        for (const p of group) p.resolve();
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
  }

  async function drain(): Promise<void> {
    try {
      // Let every record() of the current tick join the first batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_BATCH);
        queue = queue.slice(batch.length);
        await writeBatch(batch);
        headFile?.updateSoon();
      }
    } finally {
      draining = null;
    }
  }

  return {
    record(event) {
      if (closed) return Promise.reject(new Error('audit log is closed'));
      let prepared: PreparedEvent;
      try {
        prepared = prepare(event, new Date());
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ event: prepared, resolve, reject });
        draining ??= drain();
      });
    },

    async recordInTx(tx, events) {
      if (closed) throw new Error('audit log is closed');
      const at = new Date();
      // The transaction moves these heads (or rolls back): the next batch reads them afresh.
      for (const e of events) knownHeads.delete(e.districtId.toLowerCase());
      await appendInTx(
        tx,
        events.map((e) => prepare(e, at)),
      );
    },

    afterCommit() {
      return headFile?.update() ?? Promise.resolve();
    },

    async close() {
      closed = true;
      while (draining) await draining;
      headFile?.cancelSoon();
      await headFile?.update();
    },
  };
}

/**
 * Keeps the head file in step with audit_heads. Writes are serialised and coalesced: a caller
 * joins a write that has not started yet (it will read the heads after the caller's commit), so
 * an older snapshot never overwrites a newer one. A head in the file is an anchor: it only moves
 * forward, and only along the same chain (the row at the anchored seq still has the anchored
 * hash). After rows were cut off the end or rewritten, the old anchor stays for `audit verify`.
 */
function createHeadFileWriter(db: Db, file: string, onError: (error: unknown) => void) {
  let tail: Promise<void> = Promise.resolve();
  let waiting: Promise<void> | null = null;
  let lastWritten: HeadFileContent | null = null;
  const warned = new Set<string>();
  let lastFailure: string | null = null;

  async function writeOnce(): Promise<void> {
    const read = readHeadFile(file);
    if (read.status === 'unreadable') {
      throw new Error(
        `${file} 无法读取，保持原样 / is unreadable (${read.error}); left as is for audit verify`,
      );
    }
    // A deleted file is rebuilt from what this process last wrote, so its anchors survive.
    const anchors: HeadFileContent = read.status === 'ok' ? read.heads : { ...(lastWritten ?? {}) };
    const heads = await listHeads(db);
    const next: HeadFileContent = { ...anchors };
    const forward: ChainHead[] = [];
    let changed = read.status !== 'ok';
    const diverged: ChainHead[] = [];
    for (const head of heads) {
      const anchor = anchors[head.districtId];
      if (!anchor) {
        next[head.districtId] = { seq: head.seq, hash: head.hash };
        changed = true;
      } else if (head.seq > anchor.seq) {
        forward.push(head);
      } else if (head.seq < anchor.seq || head.hash !== anchor.hash) {
        // The file was read before the heads, so a head behind its anchor is not a race.
        diverged.push(head);
      }
    }
    const anchored = forward.filter((h) => (anchors[h.districtId]?.seq ?? 0) > 0);
    const links = await linksAt(
      db,
      anchored.map((h) => ({ districtId: h.districtId, seq: anchors[h.districtId]?.seq ?? 0 })),
    );
    const linkHash = new Map(links.map((l) => [l.districtId, l.hash]));
    for (const head of forward) {
      const anchor = anchors[head.districtId];
      const stillOnChain = anchor?.seq === 0 || linkHash.get(head.districtId) === anchor?.hash;
      if (stillOnChain) {
        next[head.districtId] = { seq: head.seq, hash: head.hash };
        changed = true;
      } else {
        diverged.push(head);
      }
    }
    if (changed) await writeHeadFile(file, next);
    lastWritten = next;
    for (const head of diverged) {
      if (warned.has(head.districtId)) continue;
      warned.add(head.districtId);
      const anchor = anchors[head.districtId];
      onError(
        new Error(
          `区县 ${head.districtId} 的审计链与链头文件（第 ${anchor?.seq} 条）不符，请运行 mingde audit verify / ` +
            `the audit chain of district ${head.districtId} no longer matches the head file at seq ${anchor?.seq}; run mingde audit verify`,
        ),
      );
    }
  }

  let soon: NodeJS.Timeout | null = null;

  return {
    /**
     * Bring the file up to date within HEAD_FILE_DELAY_MS: under load the writer commits hundreds
     * of batches a second, and a file write (two reads, fsync, rename) after each would compete with
     * the database's own fsyncs. Explicit update() / afterCommit() stay immediate.
     */
    updateSoon(): void {
      soon ??= setTimeout(() => {
        soon = null;
        void this.update();
      }, HEAD_FILE_DELAY_MS).unref();
    },

    cancelSoon(): void {
      if (soon) clearTimeout(soon);
      soon = null;
    },

    update(): Promise<void> {
      if (waiting) return waiting;
      const run = tail.then(async () => {
        waiting = null;
        try {
          await writeOnce();
          lastFailure = null;
        } catch (error) {
          // Report a failure once, not after every flush while it lasts.
          const text = String(error);
          if (text !== lastFailure) onError(error);
          lastFailure = text;
        }
      });
      waiting = run;
      tail = run;
      return run;
    },
  };
}
