import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
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
import { cityBureaus, districts, orgUnits } from '../org/schema';

/**
 * Sign-in accounts. Global, not tenant-owned: one account may hold grants in several districts
 * (a city bureau, a teacher rotating between districts). `homeDistrictId` is where its sign-ins
 * are audited.
 */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash').notNull(),
  homeDistrictId: uuid('home_district_id').references(() => districts.id),
  isPlatformAdmin: boolean('is_platform_admin').notNull().default(false),
  status: text('status', { enum: ['active', 'disabled'] })
    .notNull()
    .default('active'),
  lang: text('lang', { enum: ['zh-CN', 'en'] }),
  failedSignIns: integer('failed_sign_ins').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
  mustChangePassword: boolean('must_change_password').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  createdBy: uuid('created_by'),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

/** Cookie sessions; only hashes of the session and CSRF tokens are stored. */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    csrfTokenHash: text('csrf_token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** A role on an organisation subtree of one district. Revoked grants are kept. */
export const grants = pgTable(
  'grants',
  {
    districtId: uuid('district_id')
      .notNull()
      .references(() => districts.id),
    id: uuid('id').notNull().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    orgUnitId: uuid('org_unit_id').notNull(),
    role: text('role').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    grantedBy: uuid('granted_by'),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by'),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({ columns: [t.districtId, t.orgUnitId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
    index('grants_user_idx').on(t.userId),
  ],
);

/** A role on a city bureau: covers every district of that city. Global, like city_bureaus. */
export const cityGrants = pgTable(
  'city_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    cityBureauId: uuid('city_bureau_id')
      .notNull()
      .references(() => cityBureaus.id),
    role: text('role').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    grantedBy: uuid('granted_by'),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by'),
  },
  (t) => [index('city_grants_user_idx').on(t.userId)],
);

/**
 * One global counter that every change to what a principal is made of moves on (statement
 * triggers on users, grants, city grants, districts, org units, person accounts, assignments,
 * terms, guardian relations, enrolments and staff posts; migration 0008). A principal loaded
 * together with version V stays good while the counter still reads V (and until its time bound):
 * the counter is read in the same snapshot as the data, so a change committed later always moves it.
 */
export const accessVersion = pgTable(
  'access_version',
  {
    id: boolean('id').primaryKey().default(true),
    version: bigint('version', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('access_version_one_row', sql`${t.id}`)],
);
