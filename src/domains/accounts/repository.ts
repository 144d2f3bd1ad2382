import {
  and,
  asc,
  count,
  desc,
  eq,
  exists,
  gt,
  ilike,
  inArray,
  isNull,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { inForce } from './principal-repository';
import { cityGrants, grants, users } from './schema';

/**
 * The only SQL of the accounts domain (besides sessions.ts and principal-repository.ts, which the
 * HTTP layer uses on every request). Units and city bureaus belong to the org domain: grants name
 * them by id, and the services read their names and places through the org services.
 */

export type UserRow = typeof users.$inferSelect;

type GrantTable = typeof grants | typeof cityGrants;

/** Not revoked and not yet expired (a grant starting later counts: it places the user already). */
const notEnded = (t: GrantTable) =>
  and(isNull(t.revokedAt), or(isNull(t.expiresAt), gt(t.expiresAt, sql`now()`)));

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

// ---- users ----

export async function findUserByUsername(db: DbOrTx, username: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.username, username));
  return row;
}

export async function findUserById(db: DbOrTx, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** Whether a username is taken, ignoring case: "ZhangSan" next to "zhangsan" invites mistakes. */
export async function usernameTaken(db: DbOrTx, username: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
    .limit(1);
  return row !== undefined;
}

/**
 * The users whose username is `username`, ignoring case (as accounts does when it creates them;
 * accounts made before that rule may differ in case only, hence a list). Users are global, so
 * any account matches, wherever its home district.
 */
export async function userIdsByUsername(db: DbOrTx, username: string): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
    .orderBy(asc(users.id));
  return rows.map((r) => r.id);
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  homeDistrictId: string | null;
  isPlatformAdmin: boolean;
  mustChangePassword: boolean;
  createdBy: string | null;
}

export async function insertUser(db: DbOrTx, values: NewUser): Promise<UserRow> {
  const [row] = await db.insert(users).values(values).returning();
  if (!row) throw new Error('insert into users returned nothing');
  return row;
}

/**
 * Count a failed sign-in; the failure that reaches `threshold` locks the account for `minutes` and
 * starts the count afresh (so after the lock the user has `threshold` tries again). One statement,
 * so concurrent failures are all counted. Returns the lock end when the account is (now) locked.
 */
export async function recordFailedSignIn(
  db: DbOrTx,
  userId: string,
  threshold: number,
  minutes: number,
): Promise<{ lockedUntil: Date | null }> {
  const reaches = sql`${users.failedSignIns} + 1 >= ${threshold}`;
  const [row] = await db
    .update(users)
    .set({
      failedSignIns: sql`case when ${reaches} then 0 else ${users.failedSignIns} + 1 end`,
      lockedUntil: sql`case when ${reaches} then now() + make_interval(mins => ${minutes}) else null end`,
    })
    .where(and(eq(users.id, userId), or(isNull(users.lockedUntil), sql`${users.lockedUntil} <= now()`)))
    .returning({ lockedUntil: users.lockedUntil });
  if (row) return { lockedUntil: row.lockedUntil };
  // Another attempt locked it meanwhile.
  const [current] = await db
    .select({ lockedUntil: users.lockedUntil })
    .from(users)
    .where(eq(users.id, userId));
  return { lockedUntil: current?.lockedUntil ?? null };
}

/** Reset the failure count after a correct password; false when the account is locked. */
export async function recordSuccessfulSignIn(db: DbOrTx, userId: string): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ failedSignIns: 0, lockedUntil: null })
    .where(and(eq(users.id, userId), or(isNull(users.lockedUntil), sql`${users.lockedUntil} <= now()`)))
    .returning({ id: users.id });
  return rows.length === 1;
}

/** A new password; also lifts any lock (an administrator's reset is the way out of one). */
export async function setPassword(
  db: DbOrTx,
  userId: string,
  passwordHash: string,
  mustChangePassword: boolean,
): Promise<void> {
  await db
    .update(users)
    .set({
      passwordHash,
      mustChangePassword,
      passwordChangedAt: sql`now()`,
      failedSignIns: 0,
      lockedUntil: null,
    })
    .where(eq(users.id, userId));
}

export async function updateUser(
  db: DbOrTx,
  id: string,
  changes: { displayName?: string; status?: 'active' | 'disabled' },
): Promise<UserRow> {
  const statusChange =
    changes.status === undefined
      ? {}
      : {
          status: changes.status,
          // Keep the first disabling time while it stays disabled; clear it when enabled again.
          disabledAt:
            changes.status === 'disabled'
              ? sql`coalesce(${users.disabledAt}, now())`
              : sql`null::timestamptz`,
        };
  const [row] = await db
    .update(users)
    .set({
      ...(changes.displayName === undefined ? {} : { displayName: changes.displayName }),
      ...statusChange,
    })
    .where(eq(users.id, id))
    .returning();
  if (!row) throw new Error('user vanished during update');
  return row;
}

export async function unlockUser(db: DbOrTx, id: string): Promise<UserRow> {
  const [row] = await db
    .update(users)
    .set({ failedSignIns: 0, lockedUntil: null })
    .where(eq(users.id, id))
    .returning();
  if (!row) throw new Error('user vanished during unlock');
  return row;
}

/**
 * Who may see which users: everyone, or oneself and the users placed inside the caller's scope —
 * by a grant that has not ended on one of `units` or anywhere in `wholeDistrictIds`, or by a home
 * district among `wholeDistrictIds` (district-level administration).
 */
export type UserVisibility =
  | 'all'
  | { selfId: string; wholeDistrictIds: string[]; units: { districtId: string; id: string }[] };

function visibleCondition(db: DbOrTx, visibility: UserVisibility): SQL | undefined {
  if (visibility === 'all') return undefined;
  const { wholeDistrictIds, units } = visibility;
  const unitsByDistrict = new Map<string, string[]>();
  for (const u of units)
    unitsByDistrict.set(u.districtId, [...(unitsByDistrict.get(u.districtId) ?? []), u.id]);
  const grantPlaced = or(
    wholeDistrictIds.length > 0 ? inArray(grants.districtId, wholeDistrictIds) : undefined,
    ...[...unitsByDistrict].map(([districtId, ids]) =>
      and(eq(grants.districtId, districtId), inArray(grants.orgUnitId, ids)),
    ),
  );
  const byGrant = grantPlaced
    ? exists(
        db
          .select({ one: sql`1` })
          .from(grants)
          .where(and(eq(grants.userId, users.id), notEnded(grants), grantPlaced)),
      )
    : undefined;
  const byHome = wholeDistrictIds.length > 0 ? inArray(users.homeDistrictId, wholeDistrictIds) : undefined;
  return or(eq(users.id, visibility.selfId), byGrant, byHome);
}

export async function listUsers(
  db: DbOrTx,
  filter: {
    visibility: UserVisibility;
    q?: string;
    status?: 'active' | 'disabled';
    limit: number;
    offset: number;
  },
): Promise<{ rows: UserRow[]; total: number }> {
  const q = filter.q?.trim();
  const where = and(
    visibleCondition(db, filter.visibility),
    filter.status ? eq(users.status, filter.status) : undefined,
    q
      ? or(ilike(users.username, `%${escapeLike(q)}%`), ilike(users.displayName, `%${escapeLike(q)}%`))
      : undefined,
  );
  const rows = await db
    .select()
    .from(users)
    .where(where)
    .orderBy(asc(users.username))
    .limit(filter.limit)
    .offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(users).where(where);
  return { rows, total: total?.n ?? 0 };
}

/** The units of a user's grants that have not ended (one row a grant). */
export async function currentGrantUnits(
  db: DbOrTx,
  userId: string,
): Promise<{ districtId: string; orgUnitId: string }[]> {
  return db
    .select({ districtId: grants.districtId, orgUnitId: grants.orgUnitId })
    .from(grants)
    .where(and(eq(grants.userId, userId), notEnded(grants)));
}

export async function currentCityGrantCount(db: DbOrTx, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(cityGrants)
    .where(and(eq(cityGrants.userId, userId), notEnded(cityGrants)));
  return row?.n ?? 0;
}

// ---- grants and city grants ----

/** What both kinds of grant record: who holds which role, from when to when, granted and revoked by whom. */
export interface GrantLifecycle {
  id: string;
  userId: string;
  role: string;
  startsAt: Date;
  expiresAt: Date | null;
  grantedAt: Date;
  grantedBy: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  /** Gives rights right now: not revoked, started, not expired. */
  inForce: boolean;
}

/** A role on an organisation unit (its name and place: the org domain's, see grant-places.ts). */
export interface GrantRecord extends GrantLifecycle {
  districtId: string;
  orgUnitId: string;
}

/** A role on every district of a city bureau. */
export interface CityGrantRecord extends GrantLifecycle {
  cityBureauId: string;
}

const lifecycleColumns = (t: GrantTable) => ({
  id: t.id,
  userId: t.userId,
  role: t.role,
  startsAt: t.startsAt,
  expiresAt: t.expiresAt,
  grantedAt: t.grantedAt,
  grantedBy: t.grantedBy,
  revokedAt: t.revokedAt,
  revokedBy: t.revokedBy,
  inForce: sql<boolean>`(${inForce(t)})`,
});
const grantColumns = {
  ...lifecycleColumns(grants),
  districtId: grants.districtId,
  orgUnitId: grants.orgUnitId,
};
const cityGrantColumns = { ...lifecycleColumns(cityGrants), cityBureauId: cityGrants.cityBureauId };

/** Every grant of a user, newest first (revoked and expired ones too, unless `inForceOnly`). */
export async function grantsOfUser(
  db: DbOrTx,
  userId: string,
  options: { inForceOnly?: boolean } = {},
): Promise<GrantRecord[]> {
  return db
    .select(grantColumns)
    .from(grants)
    .where(and(eq(grants.userId, userId), options.inForceOnly ? inForce(grants) : undefined))
    .orderBy(desc(grants.grantedAt), asc(grants.id));
}

export async function cityGrantsOfUser(
  db: DbOrTx,
  userId: string,
  options: { inForceOnly?: boolean } = {},
): Promise<CityGrantRecord[]> {
  return db
    .select(cityGrantColumns)
    .from(cityGrants)
    .where(and(eq(cityGrants.userId, userId), options.inForceOnly ? inForce(cityGrants) : undefined))
    .orderBy(desc(cityGrants.grantedAt), asc(cityGrants.id));
}

export async function findGrant(db: DbOrTx, id: string): Promise<GrantRecord | undefined> {
  const [row] = await db.select(grantColumns).from(grants).where(eq(grants.id, id)).limit(1);
  return row;
}

export async function findCityGrant(db: DbOrTx, id: string): Promise<CityGrantRecord | undefined> {
  const [row] = await db.select(cityGrantColumns).from(cityGrants).where(eq(cityGrants.id, id)).limit(1);
  return row;
}

/** Whether the user already holds this role there by a grant that has not ended. */
export async function grantInForceExists(
  db: DbOrTx,
  g: { userId: string; districtId: string; orgUnitId: string; role: string },
): Promise<boolean> {
  return (
    (await findGrantNotEnded(
      db,
      grants,
      and(eq(grants.districtId, g.districtId), eq(grants.orgUnitId, g.orgUnitId)),
      g,
    )) !== undefined
  );
}

export async function cityGrantInForceExists(
  db: DbOrTx,
  g: { userId: string; cityBureauId: string; role: string },
): Promise<boolean> {
  return (
    (await findGrantNotEnded(db, cityGrants, eq(cityGrants.cityBureauId, g.cityBureauId), g)) !== undefined
  );
}

async function findGrantNotEnded(
  db: DbOrTx,
  t: GrantTable,
  where: SQL | undefined,
  g: { userId: string; role: string },
): Promise<{ id: string } | undefined> {
  const [row] = await db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.userId, g.userId), where, eq(t.role, g.role), notEnded(t)))
    .limit(1);
  return row;
}

interface NewGrantLifecycle {
  userId: string;
  role: string;
  expiresAt: Date | null;
  grantedBy: string | null;
}

export async function insertGrant(
  db: DbOrTx,
  values: NewGrantLifecycle & { districtId: string; orgUnitId: string },
): Promise<GrantRecord> {
  const [row] = await db.insert(grants).values(values).returning(grantColumns);
  if (!row) throw new Error('insert into grants returned nothing');
  return row;
}

export async function insertCityGrant(
  db: DbOrTx,
  values: NewGrantLifecycle & { cityBureauId: string },
): Promise<CityGrantRecord> {
  const [row] = await db.insert(cityGrants).values(values).returning(cityGrantColumns);
  if (!row) throw new Error('insert into city_grants returned nothing');
  return row;
}

/** Revoke a grant that is not revoked yet; undefined when it already was. */
export async function revokeGrant(
  db: DbOrTx,
  g: { districtId: string; id: string },
  revokedBy: string,
): Promise<GrantRecord | undefined> {
  const [row] = await db
    .update(grants)
    .set({ revokedAt: sql`now()`, revokedBy })
    .where(and(eq(grants.districtId, g.districtId), eq(grants.id, g.id), isNull(grants.revokedAt)))
    .returning(grantColumns);
  return row;
}

export async function revokeCityGrant(
  db: DbOrTx,
  id: string,
  revokedBy: string,
): Promise<CityGrantRecord | undefined> {
  const [row] = await db
    .update(cityGrants)
    .set({ revokedAt: sql`now()`, revokedBy })
    .where(and(eq(cityGrants.id, id), isNull(cityGrants.revokedAt)))
    .returning(cityGrantColumns);
  return row;
}
