import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema';
import { districts, orgUnits } from '../org/schema';
import { persons } from '../people/schema';

/**
 * A declared purpose (用途) for seeing L4 data: who, why, about whom (one person, or everyone in an
 * organisation unit), for how long. Declared by the user who will see the data; a bureau role's
 * purpose waits for a second person's approval. Rows are kept after they end, for the audit.
 */
export const accessPurposes = pgTable(
  'access_purposes',
  {
    districtId: uuid('district_id')
      .notNull()
      .references(() => districts.id),
    id: uuid('id').notNull().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    purpose: text('purpose').notNull(),
    reason: text('reason').notNull(),
    personId: uuid('person_id'),
    orgUnitId: uuid('org_unit_id'),
    status: text('status', { enum: ['pending', 'active', 'rejected', 'ended'] }).notNull(),
    /** Asked-for length; the window starts when the purpose becomes active. */
    hours: integer('hours').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }),
    validUntil: timestamp('valid_until', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({ columns: [t.districtId, t.personId], foreignColumns: [persons.districtId, persons.id] }),
    foreignKey({ columns: [t.districtId, t.orgUnitId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
    check('access_purposes_one_target', sql`(${t.personId} is null) <> (${t.orgUnitId} is null)`),
    index('access_purposes_user_idx').on(t.userId, t.status),
    index('access_purposes_pending_idx').on(t.districtId, t.status),
    index('access_purposes_id_idx').on(t.id),
  ],
);
