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

const list = (values: SQL[]) => sql.join(values, sql`, `);
const anyOf = (parts: SQL[]) => (parts.length > 0 ? sql`(${sql.join(parts, sql` or `)})` : sql`false`);

/** Active enrolment statuses: the student is on the school's books. */
export const CURRENT_ENROLMENT_STATUSES = ['active', 'suspended'] as const;
const currentEnrolment = (alias: SQL) => sql`${alias}.status in ('active', 'suspended')`;
const current = (alias: SQL) =>
  sql`${alias}.started_on <= ${chinaTodaySql} and (${alias}.ended_on is null or ${alias}.ended_on > ${chinaTodaySql})`;
const activeGuardian = sql`(g.ended_at is null or g.ended_at > now())`;

export interface PersonRef {
  districtId: SQLWrapper;
  id: SQLWrapper;
}

/** The districts S covers whole, and the partial subtrees (district + path prefix). */
function splitUnits(scope: PersonScope) {
  const whole = new Set<string>();
  const partial: { districtId: string; pathPrefix: string }[] = [];
  for (const u of scope.units) {
    if (u.pathPrefix === null || isRootPath(u.pathPrefix)) whole.add(u.districtId);
  }
  for (const u of scope.units) {
    if (u.pathPrefix !== null && !whole.has(u.districtId)) {
      partial.push({ districtId: u.districtId, pathPrefix: u.pathPrefix });
    }
  }
  return { whole: [...whole], partial };
}

/** `s` (an org_units alias) lies inside one of the partial units. */
function schoolInUnits(partial: { districtId: string; pathPrefix: string }[]): SQL {
  // Paths are '/'-separated UUIDs: no LIKE wildcards to escape.
  return anyOf(
    partial.map((u) => sql`(s.district_id = ${u.districtId} and s.path like ${`${u.pathPrefix}%`})`),
  );
}

/** "Person `p` is visible under `scope`", as a boolean SQL expression over the person's columns. */
export function personVisibleSql(scope: PersonScope, p: PersonRef): SQL {
  if (scope.all) return sql`true`;
  const parts: SQL[] = [];
  const { whole, partial } = splitUnits(scope);
  if (whole.length > 0) {
    parts.push(sql`${p.districtId} in (${list(whole.map((d) => sql`${d}::uuid`))})`);
  }
  if (partial.length > 0) {
    const inUnits = schoolInUnits(partial);
    // Enrolled students of a school inside the units.
    const enrolledThere = (personId: SQL | SQLWrapper) => sql`exists (select 1 from enrolments e
      join org_units s on s.district_id = e.district_id and s.id = e.school_id
      where e.district_id = ${p.districtId} and e.person_id = ${personId} and ${currentEnrolment(sql`e`)}
        and ${inUnits})`;
    parts.push(enrolledThere(p.id));
    parts.push(sql`exists (select 1 from staff_posts sp
      join org_units s on s.district_id = sp.district_id and s.id = sp.school_id
      where sp.district_id = ${p.districtId} and sp.person_id = ${p.id} and ${current(sql`sp`)} and ${inUnits})`);
    parts.push(sql`exists (select 1 from guardian_relations g
      where g.district_id = ${p.districtId} and g.guardian_person_id = ${p.id} and ${activeGuardian}
        and ${enrolledThere(sql`g.child_person_id`)})`);
  }
  if (scope.classes.length > 0) {
    const pairs = (classes: PersonScope['classes']) =>
      anyOf(classes.map((c) => sql`(m.district_id = ${c.districtId} and m.class_id = ${c.classId})`));
    parts.push(sql`exists (select 1 from class_memberships m
      where m.district_id = ${p.districtId} and m.person_id = ${p.id} and ${current(sql`m`)}
        and ${pairs(scope.classes)})`);
    const withGuardians = scope.classes.filter((c) => c.withGuardians);
    if (withGuardians.length > 0) {
      parts.push(sql`exists (select 1 from guardian_relations g
        join class_memberships m on m.district_id = g.district_id and m.person_id = g.child_person_id
        where g.district_id = ${p.districtId} and g.guardian_person_id = ${p.id} and ${activeGuardian}
          and ${current(sql`m`)} and ${pairs(withGuardians)})`);
    }
  }
  if (scope.persons.length > 0) {
    parts.push(
      sql`(${p.districtId}, ${p.id}) in (${list(scope.persons.map((x) => sql`(${x.districtId}::uuid, ${x.personId}::uuid)`))})`,
    );
  }
  return anyOf(parts);
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
