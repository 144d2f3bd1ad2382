import { and, gt, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import type { Principal, ScopedCityGrant, ScopedGrant } from '../../access/principal';
import { type CityRole, type DistrictRole, isCityRole, isDistrictRole } from '../../access/roles';
import type { DbOrTx } from '../../db/client';
import { personRelationsJson, toPersonRelations } from '../people/relations-sql';
import { cityGrants, grants } from './schema';

/** A grant that gives rights right now: not revoked, started, not expired. */
export const inForce = (t: typeof grants | typeof cityGrants) =>
  and(isNull(t.revokedAt), lte(t.startsAt, sql`now()`), or(isNull(t.expiresAt), gt(t.expiresAt, sql`now()`)));

const dialect = new PgDialect();
const SESSION_USER_STATEMENT = 'mingde_load_session_user';

/**
 * Run `statement` as a named prepared statement when `db` is a pool-backed database: PostgreSQL
 * then plans it once per connection instead of on every request (planning the relations subqueries
 * costs several times their execution). The text never varies, only the parameters. Inside a
 * transaction (no `$client`), it runs as an ordinary query.
 */
async function runPrepared<T>(db: DbOrTx, name: string, statement: SQL): Promise<T[]> {
  const client = (db as { $client?: { query?: unknown } }).$client;
  if (client && typeof client.query === 'function') {
    const { sql: text, params } = dialect.sqlToQuery(statement);
    const result = await (client as Pick<Pool, 'query'>).query({ name, text, values: params });
    return result.rows as T[];
  }
  return (await db.execute(statement)).rows as T[];
}

/** The principal of an active user with the grants in force now, or null. */
export async function loadPrincipal(db: DbOrTx, userId: string): Promise<Principal | null> {
  return (await loadSessionUser(db, userId))?.principal ?? null;
}

interface SessionUserRow {
  id: string;
  username: string;
  displayName: string;
  homeDistrictId: string | null;
  isPlatformAdmin: boolean;
  mustChangePassword: boolean;
  grants: (Omit<ScopedGrant, 'role'> & { role: string })[];
  cityGrants: (Omit<ScopedCityGrant, 'role'> & { role: string })[];
  relations: unknown;
}

/**
 * The principal of an active user, and whether that user must change the password before doing
 * anything else; null for a disabled or unknown user. Loaded per request, so a revoked or expired
 * grant, a disabled account, an ended assignment, a transfer or a removed guardian relation stop
 * working at once. This runs on every request, so it is ONE prepared statement (one round trip,
 * planned once per connection): the user, its grants and city grants in force, and its relations
 * to people (see people/relations-sql.ts), each aggregated to json.
 * It joins org_units and districts itself, not through the org services: the hot path, one round trip.
 */
export async function loadSessionUser(
  db: DbOrTx,
  userId: string,
): Promise<{ principal: Principal; mustChangePassword: boolean } | null> {
  const statement = sql`
    select u.id, u.username, u.display_name as "displayName", u.home_district_id as "homeDistrictId",
      u.is_platform_admin as "isPlatformAdmin", u.must_change_password as "mustChangePassword",
      (select coalesce(json_agg(json_build_object('grantId', grants.id, 'role', grants.role,
          'districtId', grants.district_id, 'orgUnitId', grants.org_unit_id, 'path', o.path)), '[]'::json)
        from grants
        join org_units o on o.district_id = grants.district_id and o.id = grants.org_unit_id
        where grants.user_id = u.id and ${inForce(grants)} and o.status = 'active') as grants,
      (select coalesce(json_agg(json_build_object('grantId', cg.id, 'role', cg.role,
          'cityBureauId', cg.city_bureau_id, 'districtIds', cg.district_ids)), '[]'::json)
        from (select city_grants.id, city_grants.role, city_grants.city_bureau_id,
            coalesce(array_agg(d.id) filter (where d.id is not null), '{}') as district_ids
          from city_grants
          left join districts d on d.city_bureau_id = city_grants.city_bureau_id and d.closed_at is null
          where city_grants.user_id = u.id and ${inForce(cityGrants)}
          group by city_grants.id) cg) as "cityGrants",
      ${personRelationsJson(sql`u.id`)} as relations
    from users u
    where u.id = ${userId} and u.status = 'active'`;
  const rows = await runPrepared<SessionUserRow>(db, SESSION_USER_STATEMENT, statement);
  const user = rows[0];
  if (!user) return null;

  const principal: Principal = {
    kind: 'user',
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    homeDistrictId: user.homeDistrictId,
    isPlatformAdmin: user.isPlatformAdmin,
    grants: user.grants.flatMap((g) =>
      isDistrictRole(g.role) ? [{ ...g, role: g.role as DistrictRole }] : [],
    ),
    cityGrants: user.cityGrants.flatMap((g) =>
      isCityRole(g.role) ? [{ ...g, role: g.role as CityRole }] : [],
    ),
    relations: toPersonRelations(user.relations),
  };
  return { principal, mustChangePassword: user.mustChangePassword };
}
