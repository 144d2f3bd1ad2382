import { and, asc, count, desc, eq, exists, gt, ilike, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, alias } from 'drizzle-orm/pg-core';
import type { Scope } from '../../access/policy';
import type { OrgTarget } from '../../access/principal';
import type { DbOrTx } from '../../db/client';
import { cityBureaus, districts, orgUnits } from '../org/schema';
import { inForce } from './principal-repository';
import { cityGrants, grants, users } from './schema';
import type { UserPlacement } from './visibility';

/**
 * The only SQL of the accounts domain (besides sessions.ts and principal-repository.ts, which the
 * HTTP layer uses on every request). Grants reference organisation units by foreign key, so the few
 * reads of org_units here (a unit's place in the tree, its name) stay beside the grants they serve.
 */

export type UserRow = typeof users.$inferSelect;

/** Not revoked and not yet expired (a grant starting later counts: it places the user already). */
const notEnded = (t: typeof grants | typeof cityGrants) =>
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

/** Who may see which users: everyone, or users placed inside one of these subtrees. */
export type UserVisibility = 'all' | { scopes: Scope[]; selfId: string };

const homeRoot = alias(orgUnits, 'home_root');

function visibleCondition(db: DbOrTx, visibility: UserVisibility): SQL | undefined {
  if (visibility === 'all') return undefined;
  const inScope = (districtCol: AnyPgColumn, pathCol: AnyPgColumn) =>
    or(
      ...visibility.scopes.map((s) =>
        s.pathPrefix === null
          ? eq(districtCol, s.districtId)
          : and(eq(districtCol, s.districtId), sql`${pathCol} like ${`${escapeLike(s.pathPrefix)}%`}`),
      ),
    );
  // Placed by a grant that has not ended, inside a scope.
  const byGrant = exists(
    db
      .select({ one: sql`1` })
      .from(grants)
      .innerJoin(orgUnits, and(eq(orgUnits.districtId, grants.districtId), eq(orgUnits.id, grants.orgUnitId)))
      .where(and(eq(grants.userId, users.id), notEnded(grants), inScope(grants.districtId, orgUnits.path))),
  );
  // Or belonging to a district whose root unit a scope covers (district-level administration).
  const byHome = exists(
    db
      .select({ one: sql`1` })
      .from(homeRoot)
      .where(
        and(
          eq(homeRoot.districtId, users.homeDistrictId),
          isNull(homeRoot.parentId),
          inScope(homeRoot.districtId, homeRoot.path),
        ),
      ),
  );
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

/** Where a user sits in the organisation tree: the places of its grants that have not ended. */
export async function currentGrantPlaces(db: DbOrTx, userId: string): Promise<OrgTarget[]> {
  return db
    .select({ districtId: grants.districtId, path: orgUnits.path })
    .from(grants)
    .innerJoin(orgUnits, and(eq(orgUnits.districtId, grants.districtId), eq(orgUnits.id, grants.orgUnitId)))
    .where(and(eq(grants.userId, userId), notEnded(grants)));
}

export async function currentCityGrantCount(db: DbOrTx, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(cityGrants)
    .where(and(eq(cityGrants.userId, userId), notEnded(cityGrants)));
  return row?.n ?? 0;
}

/** Everything visibility.ts needs to place a user in the tree. */
export async function placementOf(db: DbOrTx, user: UserRow): Promise<UserPlacement> {
  const [grantPlaces, cityGrantCount, root] = await Promise.all([
    currentGrantPlaces(db, user.id),
    currentCityGrantCount(db, user.id),
    user.homeDistrictId ? findDistrictRoot(db, user.homeDistrictId) : Promise.resolve(undefined),
  ]);
  return {
    userId: user.id,
    isPlatformAdmin: user.isPlatformAdmin,
    grantPlaces,
    cityGrantCount,
    homeRoot: root ? { districtId: root.districtId, path: root.path } : null,
  };
}

// ---- organisation units, as grants need them ----

export interface UnitRow {
  districtId: string;
  id: string;
  path: string;
  kind: 'districtBureau' | 'school' | 'campus' | 'grade' | 'class';
  name: string;
  status: 'active' | 'closed';
}

const unitColumns = {
  districtId: orgUnits.districtId,
  id: orgUnits.id,
  path: orgUnits.path,
  kind: orgUnits.kind,
  name: orgUnits.name,
  status: orgUnits.status,
};

export async function findOrgUnit(db: DbOrTx, id: string): Promise<UnitRow | undefined> {
  const [row] = await db.select(unitColumns).from(orgUnits).where(eq(orgUnits.id, id)).limit(1);
  return row;
}

/** The district bureau unit at the root of an open district's tree. */
export async function findDistrictRoot(db: DbOrTx, districtId: string): Promise<UnitRow | undefined> {
  const [row] = await db
    .select(unitColumns)
    .from(orgUnits)
    .innerJoin(districts, eq(districts.id, orgUnits.districtId))
    .where(
      and(
        eq(orgUnits.districtId, districtId),
        isNull(orgUnits.parentId),
        eq(districts.kind, 'district'),
        isNull(districts.closedAt),
      ),
    )
    .limit(1);
  return row;
}

// ---- grants ----

const grantInForce = sql<boolean>`(${inForce(grants)})`;
const grantColumns = {
  id: grants.id,
  userId: grants.userId,
  districtId: grants.districtId,
  orgUnitId: grants.orgUnitId,
  orgUnitName: orgUnits.name,
  orgUnitKind: orgUnits.kind,
  orgUnitPath: orgUnits.path,
  role: grants.role,
  startsAt: grants.startsAt,
  expiresAt: grants.expiresAt,
  grantedAt: grants.grantedAt,
  grantedBy: grants.grantedBy,
  revokedAt: grants.revokedAt,
  revokedBy: grants.revokedBy,
  inForce: grantInForce,
};
export interface GrantRow {
  id: string;
  userId: string;
  districtId: string;
  orgUnitId: string;
  orgUnitName: string;
  orgUnitKind: UnitRow['kind'];
  orgUnitPath: string;
  role: string;
  startsAt: Date;
  expiresAt: Date | null;
  grantedAt: Date;
  grantedBy: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  inForce: boolean;
}

const grantsWithUnits = (db: DbOrTx) =>
  db
    .select(grantColumns)
    .from(grants)
    .innerJoin(orgUnits, and(eq(orgUnits.districtId, grants.districtId), eq(orgUnits.id, grants.orgUnitId)));

/** Every grant of a user, newest first (revoked and expired ones too, unless `inForceOnly`). */
export async function grantsOfUser(
  db: DbOrTx,
  userId: string,
  options: { inForceOnly?: boolean } = {},
): Promise<GrantRow[]> {
  return grantsWithUnits(db)
    .where(
      and(
        eq(grants.userId, userId),
        options.inForceOnly ? and(inForce(grants), eq(orgUnits.status, 'active')) : undefined,
      ),
    )
    .orderBy(desc(grants.grantedAt), asc(grants.id));
}

export async function findGrant(db: DbOrTx, id: string): Promise<GrantRow | undefined> {
  const [row] = await grantsWithUnits(db).where(eq(grants.id, id)).limit(1);
  return row;
}

export async function grantInForceExists(
  db: DbOrTx,
  g: { userId: string; districtId: string; orgUnitId: string; role: string },
): Promise<boolean> {
  const [row] = await db
    .select({ id: grants.id })
    .from(grants)
    .where(
      and(
        eq(grants.userId, g.userId),
        eq(grants.districtId, g.districtId),
        eq(grants.orgUnitId, g.orgUnitId),
        eq(grants.role, g.role),
        notEnded(grants),
      ),
    )
    .limit(1);
  return row !== undefined;
}

export async function insertGrant(
  db: DbOrTx,
  values: {
    userId: string;
    districtId: string;
    orgUnitId: string;
    role: string;
    expiresAt: Date | null;
    grantedBy: string | null;
  },
): Promise<GrantRow> {
  const [row] = await db.insert(grants).values(values).returning({ id: grants.id });
  if (!row) throw new Error('insert into grants returned nothing');
  const inserted = await findGrant(db, row.id);
  if (!inserted) throw new Error('inserted grant not found');
  return inserted;
}

/** Revoke a grant that is not revoked yet; undefined when it already was. */
export async function revokeGrant(
  db: DbOrTx,
  g: { districtId: string; id: string },
  revokedBy: string,
): Promise<GrantRow | undefined> {
  const rows = await db
    .update(grants)
    .set({ revokedAt: sql`now()`, revokedBy })
    .where(and(eq(grants.districtId, g.districtId), eq(grants.id, g.id), isNull(grants.revokedAt)))
    .returning({ id: grants.id });
  return rows.length === 1 ? findGrant(db, g.id) : undefined;
}

// ---- city grants ----

const cityGrantColumns = {
  id: cityGrants.id,
  userId: cityGrants.userId,
  cityBureauId: cityGrants.cityBureauId,
  cityBureauName: cityBureaus.name,
  role: cityGrants.role,
  startsAt: cityGrants.startsAt,
  expiresAt: cityGrants.expiresAt,
  grantedAt: cityGrants.grantedAt,
  grantedBy: cityGrants.grantedBy,
  revokedAt: cityGrants.revokedAt,
  revokedBy: cityGrants.revokedBy,
  inForce: sql<boolean>`(${inForce(cityGrants)})`,
};
export interface CityGrantRow {
  id: string;
  userId: string;
  cityBureauId: string;
  cityBureauName: string;
  role: string;
  startsAt: Date;
  expiresAt: Date | null;
  grantedAt: Date;
  grantedBy: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  inForce: boolean;
}

const cityGrantsWithBureaus = (db: DbOrTx) =>
  db
    .select(cityGrantColumns)
    .from(cityGrants)
    .innerJoin(cityBureaus, eq(cityBureaus.id, cityGrants.cityBureauId));

export async function cityGrantsOfUser(
  db: DbOrTx,
  userId: string,
  options: { inForceOnly?: boolean } = {},
): Promise<CityGrantRow[]> {
  return cityGrantsWithBureaus(db)
    .where(and(eq(cityGrants.userId, userId), options.inForceOnly ? inForce(cityGrants) : undefined))
    .orderBy(desc(cityGrants.grantedAt), asc(cityGrants.id));
}

export async function findCityGrant(db: DbOrTx, id: string): Promise<CityGrantRow | undefined> {
  const [row] = await cityGrantsWithBureaus(db).where(eq(cityGrants.id, id)).limit(1);
  return row;
}

export async function findCityBureau(
  db: DbOrTx,
  id: string,
): Promise<{ id: string; name: string } | undefined> {
  const [row] = await db
    .select({ id: cityBureaus.id, name: cityBureaus.name })
    .from(cityBureaus)
    .where(and(eq(cityBureaus.id, id), isNull(cityBureaus.closedAt)));
  return row;
}

export async function cityGrantInForceExists(
  db: DbOrTx,
  g: { userId: string; cityBureauId: string; role: string },
): Promise<boolean> {
  const [row] = await db
    .select({ id: cityGrants.id })
    .from(cityGrants)
    .where(
      and(
        eq(cityGrants.userId, g.userId),
        eq(cityGrants.cityBureauId, g.cityBureauId),
        eq(cityGrants.role, g.role),
        notEnded(cityGrants),
      ),
    )
    .limit(1);
  return row !== undefined;
}

export async function insertCityGrant(
  db: DbOrTx,
  values: {
    userId: string;
    cityBureauId: string;
    role: string;
    expiresAt: Date | null;
    grantedBy: string | null;
  },
): Promise<CityGrantRow> {
  const [row] = await db.insert(cityGrants).values(values).returning({ id: cityGrants.id });
  if (!row) throw new Error('insert into city_grants returned nothing');
  const inserted = await findCityGrant(db, row.id);
  if (!inserted) throw new Error('inserted city grant not found');
  return inserted;
}

export async function revokeCityGrant(
  db: DbOrTx,
  id: string,
  revokedBy: string,
): Promise<CityGrantRow | undefined> {
  const rows = await db
    .update(cityGrants)
    .set({ revokedAt: sql`now()`, revokedBy })
    .where(and(eq(cityGrants.id, id), isNull(cityGrants.revokedAt)))
    .returning({ id: cityGrants.id });
  return rows.length === 1 ? findCityGrant(db, id) : undefined;
}
