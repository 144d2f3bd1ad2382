import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { PersonScope } from '../../access/person-scope';
import type { OrgTarget } from '../../access/principal';
import { chinaTodaySql } from './china-date';

/**
 * The one place a PersonScope (src/access/person-scope.ts) becomes SQL. Every people query that
 * returns or changes persons filters with `personVisibleSql`, so "who may see whom" is decided
 * the same way for profiles, rosters, lookups, staff lists, guardians and imports.
 *
 * A person P is visible under scope S when
 *   - S.all (platform administrators); or
 *   - S has a unit that is a whole district (a city grant, or a grant on the district's root unit)
 *     and P belongs to that district — a bureau keeps the records of people who left its schools;
 *   - P has a current enrolment (active or suspended: a 休学 student still belongs to the school)
 *     or a current staff post at a school inside one of S's units, or P is an active guardian of
 *     such a student;
 *   - P has a current class membership in one of S.classes, or (withGuardians, 班主任) P is an
 *     active guardian of such a student;
 *   - P is one of S.persons (oneself, one's children).
 *
 * "Current" compares dates with the calendar date in China, as the relations loader does: a row
 * is in force from `started_on` and has ended on its `ended_on`.
 */

/** A unit path of one segment ("/<id>/") is a district's root unit. */
const isRootPath = (path: string) => /^\/[^/]+\/$/.test(path);

/**
 * A PersonScope as arrays, the parameters of the visibility SQL. The SQL's text depends only on
 * which kinds of visibility are present (`scopeShape`), never on the values, so a statement using
 * it is prepared and planned once per shape.
 */
export interface ScopeParams {
  scopeAll: boolean;
  /** Districts the scope covers whole (a city grant, or a grant on a district's root unit). */
  scopeWhole: string[];
  /** Partial subtrees: district and path prefix, pairwise. */
  scopeUnitDistricts: string[];
  scopeUnitPrefixes: string[];
  /** Classes whose current members are visible, pairwise. */
  scopeClassDistricts: string[];
  scopeClassIds: string[];
  /** Classes whose members' active guardians are visible too (班主任), pairwise. */
  scopeGuardianClassDistricts: string[];
  scopeGuardianClassIds: string[];
  /** Named persons (oneself, one's children), pairwise. */
  scopePersonDistricts: string[];
  scopePersonIds: string[];
  /** Every district in which the scope can see anybody. */
  scopeDistrictIds: string[];
}

/** Per scope object: a request asks for its parameters and its shape several times. */
const paramsOfScope = new WeakMap<PersonScope, ScopeParams>();

export function scopeParams(scope: PersonScope): ScopeParams {
  let params = paramsOfScope.get(scope);
  if (!params) {
    params = computeScopeParams(scope);
    paramsOfScope.set(scope, params);
  }
  return params;
}

function computeScopeParams(scope: PersonScope): ScopeParams {
  const whole = new Set<string>();
  for (const u of scope.units) {
    if (u.pathPrefix === null || isRootPath(u.pathPrefix)) whole.add(u.districtId);
  }
  const partial = scope.units.filter(
    (u): u is { districtId: string; pathPrefix: string } => u.pathPrefix !== null && !whole.has(u.districtId),
  );
  const guardianClasses = scope.classes.filter((c) => c.withGuardians);
  const districts = scopeDistricts(scope);
  return {
    scopeAll: scope.all,
    scopeWhole: [...whole],
    scopeUnitDistricts: partial.map((u) => u.districtId),
    scopeUnitPrefixes: partial.map((u) => u.pathPrefix),
    scopeClassDistricts: scope.classes.map((c) => c.districtId),
    scopeClassIds: scope.classes.map((c) => c.classId),
    scopeGuardianClassDistricts: guardianClasses.map((c) => c.districtId),
    scopeGuardianClassIds: guardianClasses.map((c) => c.classId),
    scopePersonDistricts: scope.persons.map((x) => x.districtId),
    scopePersonIds: scope.persons.map((x) => x.personId),
    scopeDistrictIds: districts === 'all' ? [] : districts,
  };
}

/** Where the visibility SQL finds each scope parameter: a value, or a prepared statement's placeholder. */
export type ScopeParam = (key: keyof ScopeParams) => unknown;

/** The scope's parameters as values in place (for statements that are not prepared). */
function inline(scope: PersonScope): ScopeParam {
  const values = scopeParams(scope);
  return (key) => sql.param(values[key]);
}

/**
 * Which kinds of visibility the scope has, as letters: a (all), w (whole districts), u (units),
 * c (classes), g (classes' guardians), n (named persons). The visibility SQL has one branch per
 * letter, so a prepared statement using it is named with this shape (small plans; the planner
 * never sees branches the caller cannot have).
 */
export function scopeShape(scope: PersonScope): string {
  if (scope.all) return 'a';
  const p = scopeParams(scope);
  return [
    p.scopeWhole.length > 0 ? 'w' : '',
    p.scopeUnitDistricts.length > 0 ? 'u' : '',
    p.scopeClassIds.length > 0 ? 'c' : '',
    p.scopeGuardianClassIds.length > 0 ? 'g' : '',
    p.scopePersonIds.length > 0 ? 'n' : '',
  ].join('');
}

const currentEnrolment = (alias: SQL) => sql`${alias}.status in ('active', 'suspended')`;
const current = (alias: SQL) =>
  sql`${alias}.started_on <= ${chinaTodaySql} and (${alias}.ended_on is null or ${alias}.ended_on > ${chinaTodaySql})`;
const activeGuardian = sql`(g.ended_at is null or g.ended_at > now())`;

export interface PersonRef {
  districtId: SQLWrapper;
  id: SQLWrapper;
}

/**
 * "Person `p` is visible under `scope`", as a boolean SQL expression over the person's columns.
 * The scope decides which branches the expression has (its shape); `param` where their values come
 * from — in place by default, or a prepared statement's placeholders named as in ScopeParams.
 */
export function personVisibleSql(scope: PersonScope, p: PersonRef, param: ScopeParam = inline(scope)): SQL {
  const shape = scopeShape(scope);
  if (shape === 'a') return sql`true`;
  const uuids = (key: keyof ScopeParams) => sql`${param(key)}::uuid[]`;
  const pairs = (districts: keyof ScopeParams, ids: keyof ScopeParams) =>
    sql`(select * from unnest(${uuids(districts)}, ${uuids(ids)}))`;
  // `s` (an org_units alias) lies inside one of the partial units.
  const inUnits = sql`exists (select 1 from unnest(${uuids('scopeUnitDistricts')}, ${param('scopeUnitPrefixes')}::text[]) u(district_id, prefix)
    where s.district_id = u.district_id and starts_with(s.path, u.prefix))`;
  // Enrolled students of a school inside the units.
  const enrolledThere = (personId: SQL | SQLWrapper) => sql`exists (select 1 from enrolments e
      join org_units s on s.district_id = e.district_id and s.id = e.school_id
      where e.district_id = ${p.districtId} and e.person_id = ${personId} and ${currentEnrolment(sql`e`)}
        and ${inUnits})`;
  const branches: Record<string, () => SQL> = {
    w: () => sql`${p.districtId} = any(${uuids('scopeWhole')})`,
    u: () => sql`${enrolledThere(p.id)}
      or exists (select 1 from staff_posts sp
        join org_units s on s.district_id = sp.district_id and s.id = sp.school_id
        where sp.district_id = ${p.districtId} and sp.person_id = ${p.id} and ${current(sql`sp`)} and ${inUnits})
      or exists (select 1 from guardian_relations g
        where g.district_id = ${p.districtId} and g.guardian_person_id = ${p.id} and ${activeGuardian}
          and ${enrolledThere(sql`g.child_person_id`)})`,
    c: () => sql`exists (select 1 from class_memberships m
      where m.district_id = ${p.districtId} and m.person_id = ${p.id} and ${current(sql`m`)}
        and (m.district_id, m.class_id) in ${pairs('scopeClassDistricts', 'scopeClassIds')})`,
    g: () => sql`exists (select 1 from guardian_relations g
      join class_memberships m on m.district_id = g.district_id and m.person_id = g.child_person_id
      where g.district_id = ${p.districtId} and g.guardian_person_id = ${p.id} and ${activeGuardian}
        and ${current(sql`m`)} and (m.district_id, m.class_id) in ${pairs('scopeGuardianClassDistricts', 'scopeGuardianClassIds')})`,
    n: () => sql`(${p.districtId}, ${p.id}) in ${pairs('scopePersonDistricts', 'scopePersonIds')}`,
  };
  const parts = [...shape].map((letter) => branches[letter]?.() ?? sql`false`);
  return parts.length > 0 ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
}

/** "District `d` is one the scope can see anybody in": lets `id = …` lookups use the primary key. */
export function inScopeDistrictsSql(
  scope: PersonScope,
  districtId: SQLWrapper,
  param: ScopeParam = inline(scope),
): SQL {
  if (scope.all) return sql`true`;
  return sql`${districtId} = any(${param('scopeDistrictIds')}::uuid[])`;
}

/**
 * Whether the scope reaches a whole org unit (a class for its roster, a school for its student
 * list): through a grant covering it, or — for a class — a relationship with that class.
 */
export function scopeCoversUnit(scope: PersonScope, unit: OrgTarget & { id: string }): boolean {
  if (scope.all) return true;
  const viaUnit = scope.units.some(
    (u) => u.districtId === unit.districtId && (u.pathPrefix === null || unit.path.startsWith(u.pathPrefix)),
  );
  return viaUnit || scope.classes.some((c) => c.districtId === unit.districtId && c.classId === unit.id);
}

/** The districts in which the scope can see anybody; 'all' for platform administrators. */
export function scopeDistricts(scope: PersonScope): 'all' | string[] {
  if (scope.all) return 'all';
  return [
    ...new Set([
      ...scope.units.map((u) => u.districtId),
      ...scope.classes.map((c) => c.districtId),
      ...scope.persons.map((x) => x.districtId),
    ]),
  ];
}
