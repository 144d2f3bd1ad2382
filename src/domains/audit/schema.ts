import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { districts } from '../org/schema';

/**
 * Append-only, hash-chained per district: `hash` = sha256 over `prevHash` and every other column
 * (see audit/chain.ts). A trigger refuses UPDATE and DELETE.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    districtId: uuid('district_id')
      .notNull()
      .references(() => districts.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    actorId: uuid('actor_id'),
    actorKind: text('actor_kind', { enum: ['user', 'system', 'apiClient', 'anonymous'] }).notNull(),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** Ids of every person whose data the event touched. */
    subjectIds: jsonb('subject_ids').$type<string[]>().notNull(),
    purpose: text('purpose'),
    outcome: text('outcome', { enum: ['success', 'denied', 'failure'] }).notNull(),
    requestId: text('request_id'),
    ip: text('ip'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.seq] }),
    // For searching the trail: who did it, whose data, on what, when (GET /audit/events).
    index('audit_events_actor_idx').on(t.districtId, t.actorId, t.seq),
    // No pending list: with it, the insert that finds it full merges megabytes of entries while
    // every request waiting on that audit batch waits too. PostgreSQL's GIN docs: "If consistent
    // response time is more important than update speed", turn fastupdate off.
    index('audit_events_subjects_idx')
      .using('gin', t.subjectIds.op('jsonb_path_ops'))
      .with({ fastupdate: false }),
    index('audit_events_target_idx').on(t.districtId, t.targetType, t.targetId, t.seq),
    index('audit_events_at_idx').on(t.districtId, t.at),
  ],
);

/** Latest link of each district's chain, locked while appending so links are never forked. */
export const auditHeads = pgTable('audit_heads', {
  districtId: uuid('district_id')
    .primaryKey()
    .references(() => districts.id),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});
