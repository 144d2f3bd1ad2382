import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Principal } from '../../access/principal';
import { type CityRole, type DistrictRole, isCityRole, isDistrictRole } from '../../access/roles';
import type { DbOrTx } from '../../db/client';
import { districts, orgUnits } from '../org/schema';
import { cityGrants, grants, users } from './schema';

/** A grant that gives rights right now: not revoked, started, not expired. */
export const inForce = (t: typeof grants | typeof cityGrants) =>
  and(isNull(t.revokedAt), lte(t.startsAt, sql`now()`), or(isNull(t.expiresAt), gt(t.expiresAt, sql`now()`)));

/** The principal of an active user with the grants in force now, or null. */
export async function loadPrincipal(db: DbOrTx, userId: string): Promise<Principal | null> {
  return (await loadSessionUser(db, userId))?.principal ?? null;
}

/**
 * The principal of an active user, and whether that user must change the password before doing
 * anything else; null for a disabled or unknown user. Loaded per request, so a revoked or expired
 * grant and a disabled account stop working at once.
 */
export async function loadSessionUser(
  db: DbOrTx,
  userId: string,
): Promise<{ principal: Principal; mustChangePassword: boolean } | null> {
  const [user] = await db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      homeDistrictId: users.homeDistrictId,
      isPlatformAdmin: users.isPlatformAdmin,
      mustChangePassword: users.mustChangePassword,
    })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.status, 'active')));
  if (!user) return null;

  const grantRows = await db
    .select({
      grantId: grants.id,
      role: grants.role,
      districtId: grants.districtId,
      orgUnitId: grants.orgUnitId,
      path: orgUnits.path,
    })
    .from(grants)
    .innerJoin(orgUnits, and(eq(orgUnits.districtId, grants.districtId), eq(orgUnits.id, grants.orgUnitId)))
    .where(and(eq(grants.userId, userId), inForce(grants), eq(orgUnits.status, 'active')));

  const cityRows = await db
    .select({
      grantId: cityGrants.id,
      role: cityGrants.role,
      cityBureauId: cityGrants.cityBureauId,
      districtIds: sql<
        string[]
      >`coalesce(array_agg(${districts.id}) filter (where ${districts.id} is not null), '{}')`,
    })
    .from(cityGrants)
    .leftJoin(districts, and(eq(districts.cityBureauId, cityGrants.cityBureauId), isNull(districts.closedAt)))
    .where(and(eq(cityGrants.userId, userId), inForce(cityGrants)))
    .groupBy(cityGrants.id);

  const principal: Principal = {
    kind: 'user',
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    homeDistrictId: user.homeDistrictId,
    isPlatformAdmin: user.isPlatformAdmin,
    grants: grantRows.flatMap((g) =>
      isDistrictRole(g.role) ? [{ ...g, role: g.role as DistrictRole }] : [],
    ),
    cityGrants: cityRows.flatMap((g) => (isCityRole(g.role) ? [{ ...g, role: g.role as CityRole }] : [])),
  };
  return { principal, mustChangePassword: user.mustChangePassword };
}
