import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import type { ClientFieldGrant } from '../../access/principal';
import { users } from '../accounts/schema';
import { districts } from '../org/schema';

/**
 * An authorised app (授权应用, DESIGN.md "Access"): registered by a bureau administrator with the
 * organisations it may see, its scopes, its legal basis and how long it may keep what it reads.
 * It signs in with OAuth2 client credentials; only a hash of its secret is kept. `secretVersion`
 * moves when the secret is replaced, so tokens issued under the old one stop working.
 */
export const apiClients = pgTable(
  'api_clients',
  {
    districtId: uuid('district_id')
      .notNull()
      .references(() => districts.id),
    id: uuid('id').notNull().defaultRandom(),
    name: text('name').notNull(),
    /** Organisation units of the district whose data it may see (each with its subtree). */
    orgUnitIds: uuid('org_unit_ids').array().notNull(),
    scopes: text('scopes').array().notNull(),
    /** PIPL art. 13: the lawful basis for processing (e.g. a contract with the bureau, a regulation). */
    legalBasis: text('legal_basis').notNull(),
    retentionDays: integer('retention_days').notNull(),
    rateLimitPerMinute: integer('rate_limit_per_minute').notNull(),
    secretHash: text('secret_hash').notNull(),
    secretVersion: integer('secret_version').notNull().default(1),
    /** L4 fields granted one by one, each for one purpose and until a date. */
    sensitiveFields: jsonb('sensitive_fields').$type<ClientFieldGrant[]>().notNull().default([]),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    index('api_clients_id_idx').on(t.id),
    check('api_clients_retention', sql`${t.retentionDays} between 1 and 3650`),
    check('api_clients_rate', sql`${t.rateLimitPerMinute} between 1 and 100000`),
  ],
);
