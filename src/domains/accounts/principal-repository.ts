import { and, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Principal, ScopedCityGrant, ScopedGrant } from '../../access/principal';
import { type CityRole, type DistrictRole, isCityRole, isDistrictRole } from '../../access/roles';
import type { DbOrTx } from '../../db/client';
import { runPrepared } from '../../db/prepared';
import { personRelationsJson, toPersonRelations } from '../people/relations-sql';
import { cityGrants, grants } from './schema';
import type { ActiveSession } from './sessions';

/** A grant that gives rights right now: not revoked, started, not expired. */
export const inForce = (t: typeof grants | typeof cityGrants) =>
  and(isNull(t.revokedAt), lte(t.startsAt, sql`now()`), or(isNull(t.expiresAt), gt(t.expiresAt, sql`now()`)));

const SESSION_USER_STATEMENT = 'mingde_load_session_user';
const SESSION_STATEMENT = 'mingde_load_session';

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
  /** access_version when the row was read (same snapshot), and the row's time bound. */
  accessVersion: number;
  validUntil: Date | string;
}

/**
 * Until when a principal of user `u` stays what it is without any write: the next start or expiry
 * of one of its grants, the end of one of its guardian relations, and China's next midnight (the
 * day on which assignments, posts and terms are in force).
 */
const validUntil = sql`least(
      ((now() at time zone 'Asia/Shanghai')::date + 1)::timestamp at time zone 'Asia/Shanghai',
      (select min(b.at) from (
        select g.starts_at as at from grants g where g.user_id = u.id and g.revoked_at is null and g.starts_at > now()
        union all select g.expires_at from grants g where g.user_id = u.id and g.revoked_at is null and g.expires_at > now()
        union all select c.starts_at from city_grants c where c.user_id = u.id and c.revoked_at is null and c.starts_at > now()
        union all select c.expires_at from city_grants c where c.user_id = u.id and c.revoked_at is null and c.expires_at > now()
        union all select gr.ended_at from person_accounts pa
          join guardian_relations gr on gr.district_id = pa.district_id and gr.guardian_person_id = pa.person_id
          where pa.user_id = u.id and gr.ended_at > now()) b))`;

/**
 * The columns of a principal for the user row aliased `u`: the user, its grants and city grants in
 * force, and its relations to people (see people/relations-sql.ts), each aggregated to json.
 */
const principalColumns = sql`u.id, u.username, u.display_name as "displayName", u.home_district_id as "homeDistrictId",
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
      ${personRelationsJson(sql`u.id`)} as relations,
      (select version from access_version) as "accessVersion", ${validUntil} as "validUntil"`;

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
  return toSessionUser((await loadUserRows(db, userId))[0]);
}

function loadUserRows(db: DbOrTx, userId: string): Promise<SessionUserRow[]> {
  return runPrepared<SessionUserRow, { userId: string }>(
    db,
    SESSION_USER_STATEMENT,
    { userId },
    (param) =>
      sql`select ${principalColumns} from users u where u.id = ${param('userId')} and u.status = 'active'`,
  );
}

function toSessionUser(
  user: SessionUserRow | undefined,
): { principal: Principal; mustChangePassword: boolean } | null {
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

/** A principal as loaded, with the access version and time bound under which it stays true. */
interface CachedPrincipal {
  principal: Principal;
  mustChangePassword: boolean;
  accessVersion: number;
  validUntil: number;
}

/** At most this many principals are kept per database; the oldest go first. */
const CACHE_SIZE = 10_000;

/** Principals by user id, per pooled database handle (never for a transaction's own view). */
const principalCaches = new WeakMap<object, Map<string, CachedPrincipal>>();

function cacheOf(db: DbOrTx): Map<string, CachedPrincipal> | null {
  if (!(db as { $client?: unknown }).$client) return null;
  let cache = principalCaches.get(db);
  if (!cache) {
    cache = new Map();
    principalCaches.set(db, cache);
  }
  return cache;
}

/**
 * The request path: the live session a token hash names (neither expired nor revoked; its idle
 * lifetime extended at most once a minute, so a busy session is not a lock hot spot), its user
 * and its user's principal; null when either is gone. The session, the user's status and the
 * access version are read on every request; the principal (grants and relations, the costly
 * part) is reloaded whenever the access version has moved — any committed change to what it is
 * made of moves it (migration 0008) — or its time bound has passed. So a revoked session, a
 * disabled account, an ended grant, assignment or guardian relation stop working on the very next
 * request, as before, without rebuilding every principal on every request.
 */
export async function loadSessionPrincipal(
  db: DbOrTx,
  tokenHash: string,
  hours: number,
): Promise<{ session: ActiveSession; principal: Principal; mustChangePassword: boolean } | null> {
  const [row] = await runPrepared<
    { tokenHash: string; csrfTokenHash: string; userId: string; accessVersion: number },
    { tokenHash: string; hours: number }
  >(db, SESSION_STATEMENT, { tokenHash, hours }, (param) => {
    const live = sql`s.token_hash = ${param('tokenHash')} and s.revoked_at is null and s.expires_at > now()`;
    return sql`
      with touched as (
        update sessions s set last_seen_at = now(), expires_at = now() + make_interval(hours => ${param('hours')})
        where ${live} and s.last_seen_at < now() - interval '1 minute'
        returning s.token_hash
      )
      select s.token_hash as "tokenHash", s.csrf_token_hash as "csrfTokenHash", s.user_id as "userId",
        (select version from access_version) as "accessVersion"
      from sessions s join users u on u.id = s.user_id
      where ${live} and u.status = 'active'`;
  });
  if (!row) return null;
  const cache = cacheOf(db);
  let loaded = cache?.get(row.userId);
  if (!loaded || loaded.accessVersion !== row.accessVersion || Date.now() >= loaded.validUntil) {
    const [user] = await loadUserRows(db, row.userId);
    const fresh = toSessionUser(user);
    if (!user || !fresh) return null;
    loaded = { ...fresh, accessVersion: user.accessVersion, validUntil: new Date(user.validUntil).getTime() };
    if (cache) {
      cache.delete(row.userId); // re-inserted last: Map order is the eviction order
      cache.set(row.userId, loaded);
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
  }
  return {
    session: { tokenHash: row.tokenHash, userId: row.userId, csrfTokenHash: row.csrfTokenHash },
    principal: loaded.principal,
    mustChangePassword: loaded.mustChangePassword,
  };
}
