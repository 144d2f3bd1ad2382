import { and, asc, desc, eq, gt, gte, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { runPrepared } from '../../db/prepared';
import { users } from '../accounts/schema';
import { apiClients } from '../api-clients/schema';
import { districts } from '../org/schema';
import { GENESIS_HASH } from './chain';
import { auditEvents, auditHeads } from './schema';

export type AuditEventRow = typeof auditEvents.$inferSelect;

/** The latest link of a district's chain. */
export interface ChainHead {
  districtId: string;
  seq: number;
  hash: string;
}

// One array parameter per column, so a chunk is not bounded by the 65,535-parameter limit.
const INSERT_CHUNK = 5000;

/**
 * Lock the heads of `districtIds` for the rest of the transaction, creating a head (seq 0, genesis
 * hash) on first use. Locked in id order, so two appenders never wait on each other in a circle.
 */
export async function lockHeads(tx: Tx, districtIds: string[]): Promise<Map<string, ChainHead>> {
  const ids = [...new Set(districtIds)].sort();
  if (ids.length === 0) return new Map();
  // A missing head starts from the chain's last event (genesis when there is none), so a head row
  // lost to a DBA's mistake does not block the district's audit trail; verify still reports it.
  const values = sql.join(
    ids.map((id) => sql`(${id}::uuid)`),
    sql`, `,
  );
  await tx.execute(sql`
    insert into audit_heads (district_id, seq, hash)
    select d.id, coalesce(last.seq, 0), coalesce(last.hash, ${GENESIS_HASH})
    from (values ${values}) as d(id)
    left join lateral (
      select e.seq, e.hash from audit_events e where e.district_id = d.id order by e.seq desc limit 1
    ) last on true
    where not exists (select 1 from audit_heads h where h.district_id = d.id)
    on conflict do nothing`);
  const rows = await tx
    .select()
    .from(auditHeads)
    .where(inArray(auditHeads.districtId, ids))
    .orderBy(asc(auditHeads.districtId))
    .for('update');
  return new Map(rows.map((r) => [r.districtId, r]));
}

/** Each column of audit_events with its SQL type and how a row gives its value. */
const EVENT_ARRAYS = {
  district_id: ['uuid', (r: AuditEventRow) => r.districtId],
  seq: ['bigint', (r: AuditEventRow) => r.seq],
  at: ['timestamptz', (r: AuditEventRow) => r.at.toISOString()],
  actor_id: ['uuid', (r: AuditEventRow) => r.actorId],
  actor_kind: ['text', (r: AuditEventRow) => r.actorKind],
  action: ['text', (r: AuditEventRow) => r.action],
  target_type: ['text', (r: AuditEventRow) => r.targetType],
  target_id: ['text', (r: AuditEventRow) => r.targetId],
  subject_ids: ['jsonb', (r: AuditEventRow) => JSON.stringify(r.subjectIds)],
  purpose: ['text', (r: AuditEventRow) => r.purpose],
  outcome: ['text', (r: AuditEventRow) => r.outcome],
  request_id: ['text', (r: AuditEventRow) => r.requestId],
  ip: ['text', (r: AuditEventRow) => r.ip],
  details: ['jsonb', (r: AuditEventRow) => JSON.stringify(r.details)],
  prev_hash: ['text', (r: AuditEventRow) => r.prevHash],
  hash: ['text', (r: AuditEventRow) => r.hash],
} as const;
type EventColumn = keyof typeof EVENT_ARRAYS;
const EVENT_COLUMN_NAMES = Object.keys(EVENT_ARRAYS) as EventColumn[];
const EVENT_COLUMNS = sql.raw(EVENT_COLUMN_NAMES.join(', '));

/** One array per column: the values of `unnest`. */
function eventArrays(rows: AuditEventRow[]): Record<EventColumn, unknown[]> {
  const arrays = {} as Record<EventColumn, unknown[]>;
  for (const column of EVENT_COLUMN_NAMES) {
    const pick: (r: AuditEventRow) => unknown = EVENT_ARRAYS[column][1];
    arrays[column] = rows.map((r) => pick(r));
  }
  return arrays;
}

/** The events as rows of `unnest`, one array parameter per column, aliased `e`. */
function eventsUnnest(param: (column: EventColumn) => unknown): SQL {
  const arrays = EVENT_COLUMN_NAMES.map((c) => sql`${param(c)}::${sql.raw(EVENT_ARRAYS[c][0])}[]`);
  return sql`unnest(${sql.join(arrays, sql`, `)}) as e(${EVENT_COLUMNS})`;
}

export async function insertEvents(tx: Tx, rows: AuditEventRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const arrays = eventArrays(rows.slice(i, i + INSERT_CHUNK));
    await tx.execute(
      sql`insert into audit_events (${EVENT_COLUMNS}) select * from ${eventsUnnest((c) => sql.param(arrays[c]))}`,
    );
  }
}

/** Move a chain's head from one link to another. */
export interface HeadMove {
  districtId: string;
  from: ChainHead;
  to: ChainHead;
}

/**
 * In ONE statement (one round trip, atomic; prepared, its text rendered once): move each head that
 * still is where `from` says, and insert the events of those districts. Returns the districts
 * written; a district whose head has moved meanwhile (another process appended) is left untouched
 * for the caller to retry. A concurrent mover waits on the head row, so chain order stays commit order.
 */
export async function appendAtHeads(db: DbOrTx, moves: HeadMove[], rows: AuditEventRow[]): Promise<string[]> {
  if (rows.length > INSERT_CHUNK) return [];
  const values = {
    ...eventArrays(rows),
    moveDistricts: moves.map((m) => m.districtId),
    fromSeqs: moves.map((m) => m.from.seq),
    fromHashes: moves.map((m) => m.from.hash),
    toSeqs: moves.map((m) => m.to.seq),
    toHashes: moves.map((m) => m.to.hash),
  };
  const written = await runPrepared<{ district_id: string }, typeof values>(
    db,
    'mingde_audit_append_at_heads',
    values,
    (param) => sql`
    with moved as (
      update audit_heads h set seq = v.to_seq, hash = v.to_hash
      from unnest(${param('moveDistricts')}::uuid[], ${param('fromSeqs')}::bigint[],
        ${param('fromHashes')}::text[], ${param('toSeqs')}::bigint[], ${param('toHashes')}::text[])
        as v(district_id, from_seq, from_hash, to_seq, to_hash)
      where h.district_id = v.district_id and h.seq = v.from_seq and h.hash = v.from_hash
      returning h.district_id
    ), inserted as (
      insert into audit_events (${EVENT_COLUMNS})
      select * from ${eventsUnnest(param)} where e.district_id in (select district_id from moved)
    )
    select district_id from moved`,
  );
  return written.map((r) => r.district_id);
}

export async function updateHead(tx: Tx, head: ChainHead): Promise<void> {
  await tx
    .update(auditHeads)
    .set({ seq: head.seq, hash: head.hash })
    .where(eq(auditHeads.districtId, head.districtId));
}

export async function listHeads(db: DbOrTx, districtIds?: string[]): Promise<ChainHead[]> {
  return db
    .select()
    .from(auditHeads)
    .where(districtIds ? inArray(auditHeads.districtId, districtIds) : undefined)
    .orderBy(asc(auditHeads.districtId));
}

/** The stored hash at each (district, seq) asked for; links that do not exist are absent. */
export async function linksAt(
  db: DbOrTx,
  links: { districtId: string; seq: number }[],
): Promise<ChainHead[]> {
  if (links.length === 0) return [];
  return db
    .select({ districtId: auditEvents.districtId, seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(
      or(...links.map((l) => and(eq(auditEvents.districtId, l.districtId), eq(auditEvents.seq, l.seq)))),
    );
}

/**
 * Every district with events or a head. The events side is a loose index scan over the primary
 * key (one probe per district), so it stays fast with millions of events.
 */
export async function chainDistrictIds(db: DbOrTx): Promise<string[]> {
  const result = await db.execute<{ district_id: string }>(sql`
    with recursive d(district_id) as (
      (select district_id from audit_events order by district_id limit 1)
      union all
      select (select e.district_id from audit_events e where e.district_id > d.district_id
              order by e.district_id limit 1)
      from d where d.district_id is not null
    )
    select district_id from d where district_id is not null
    union
    select district_id from audit_heads
    order by district_id`);
  return result.rows.map((r) => r.district_id);
}

/** One page of a chain in seq order, after `afterSeq` (keyset pagination). */
export async function chainPage(
  db: DbOrTx,
  districtId: string,
  afterSeq: number,
  limit: number,
): Promise<AuditEventRow[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.districtId, districtId), gt(auditEvents.seq, afterSeq)))
    .orderBy(asc(auditEvents.seq))
    .limit(limit);
}

export interface AuditSearch {
  districtId: string;
  /** Events by any of these actors (an empty list finds none). */
  actorIds?: string[];
  subjectId?: string;
  /** Prefix of the action, e.g. 'org.' or 'auth.signIn'. */
  actionPrefix?: string;
  targetType?: string;
  targetId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Only events with a smaller seq (keyset pagination, newest first). */
  beforeSeq?: number;
  limit: number;
}

const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Whether a chain can exist for this id: a district (or the platform row) by that id. */
export async function districtExists(db: DbOrTx, id: string): Promise<boolean> {
  const rows = await db.select({ id: districts.id }).from(districts).where(eq(districts.id, id)).limit(1);
  return rows.length > 0;
}

/** Newest first. */
export async function searchEvents(db: DbOrTx, q: AuditSearch): Promise<AuditEventRow[]> {
  const conditions: (SQL | undefined)[] = [
    eq(auditEvents.districtId, q.districtId),
    q.beforeSeq !== undefined ? lt(auditEvents.seq, q.beforeSeq) : undefined,
    q.actorIds ? inArray(auditEvents.actorId, q.actorIds) : undefined,
    q.subjectId ? sql`${auditEvents.subjectIds} @> ${JSON.stringify([q.subjectId])}::jsonb` : undefined,
    q.actionPrefix ? sql`${auditEvents.action} like ${likePrefix(q.actionPrefix)}` : undefined,
    q.targetType ? eq(auditEvents.targetType, q.targetType) : undefined,
    q.targetId ? eq(auditEvents.targetId, q.targetId) : undefined,
    q.from ? gte(auditEvents.at, q.from) : undefined,
    q.to ? lt(auditEvents.at, q.to) : undefined,
  ];
  return db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.seq))
    .limit(q.limit);
}

/** What the trail shows of the actors of a page: users by name and username, apps by name. */
export interface ActorNames {
  users: Map<string, { name: string; username: string }>;
  clients: Map<string, string>;
}

/**
 * Names for the actors of one page of a district's trail, in ONE statement whatever the page's
 * size. Users are global (platform administrators and city users act in districts too), so they
 * are found by id alone; authorised apps belong to a district, and only that district's are its
 * trail's actors. Read-only, for naming: the tables stay the accounts and api-clients domains'.
 */
export async function actorNamesOf(
  db: DbOrTx,
  districtId: string,
  ids: { userIds: string[]; clientIds: string[] },
): Promise<ActorNames> {
  const names: ActorNames = { users: new Map(), clients: new Map() };
  if (ids.userIds.length === 0 && ids.clientIds.length === 0) return names;
  const result = await db.execute<{
    kind: 'user' | 'apiClient';
    id: string;
    name: string;
    username: string | null;
  }>(sql`
    select 'user' as kind, ${users.id} as id, ${users.displayName} as name, ${users.username} as username
    from ${users} where ${users.id} = any(${sql.param(ids.userIds)}::uuid[])
    union all
    select 'apiClient', ${apiClients.id}, ${apiClients.name}, null
    from ${apiClients}
    where ${apiClients.districtId} = ${districtId} and ${apiClients.id} = any(${sql.param(ids.clientIds)}::uuid[])`);
  for (const r of result.rows) {
    if (r.kind === 'apiClient') names.clients.set(r.id, r.name);
    else if (r.username !== null) names.users.set(r.id, { name: r.name, username: r.username });
  }
  return names;
}
