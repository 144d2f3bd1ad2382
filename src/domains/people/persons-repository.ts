/**
 * SQL for persons and the profile of one. Every read that returns persons to a caller takes the
 * caller's PersonScope and filters with `personVisibleSql`; system reads (registration) say so.
 * Joins org_units for school and class names and paths (read-only; the org domain owns the rows).
 */
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { PersonScope } from '../../access/person-scope';
import type { DbOrTx, Tx } from '../../db/client';
import { preparedOnce } from '../../db/prepared';
import { chinaTodaySql } from './china-date';
import { persons } from './schema';
import {
  inScopeDistrictsSql,
  type PersonRef,
  personVisibleSql,
  type ScopeParam,
  scopeDistricts,
  scopeParams,
  scopeShape,
} from './visibility-sql';

export type PersonRow = typeof persons.$inferSelect;
export type NewPersonRow = typeof persons.$inferInsert;

const visible = (scope: PersonScope) =>
  personVisibleSql(scope, { districtId: persons.districtId, id: persons.id });

/** Restrict to the districts the scope reaches, so the primary key serves `id = …` lookups. */
function inScopeDistricts(scope: PersonScope) {
  const districts = scopeDistricts(scope);
  if (districts === 'all') return undefined;
  if (districts.length === 0) return sql`false`;
  return inArray(persons.districtId, districts);
}

/** System read: the person of a district with this identity hash. */
export async function findPersonByHash(
  db: DbOrTx,
  districtId: string,
  idHash: string,
): Promise<PersonRow | undefined> {
  const [row] = await db
    .select()
    .from(persons)
    .where(and(eq(persons.districtId, districtId), eq(persons.idHash, idHash)));
  return row;
}

/** System read: a person by district and id, locked for the rest of the transaction. */
export async function lockPerson(tx: Tx, districtId: string, id: string): Promise<PersonRow | undefined> {
  const [row] = await tx
    .select()
    .from(persons)
    .where(and(eq(persons.districtId, districtId), eq(persons.id, id)))
    .for('update');
  return row;
}

/**
 * Insert unless a person with the same identity hash exists in the district (a concurrent
 * registration of the same person): then nothing is inserted and undefined comes back.
 */
export async function insertPerson(tx: Tx, row: NewPersonRow): Promise<PersonRow | undefined> {
  const [inserted] = await tx.insert(persons).values(row).onConflictDoNothing().returning();
  return inserted;
}

/** A person by id, if visible under the scope. */
export async function findVisiblePerson(
  db: DbOrTx,
  scope: PersonScope,
  id: string,
): Promise<PersonRow | undefined> {
  const [row] = await db
    .select()
    .from(persons)
    .where(and(eq(persons.id, id), inScopeDistricts(scope), visible(scope)));
  return row;
}

/** Which of these person ids are visible under the scope: one statement for any number. */
export async function visiblePersonIds(db: DbOrTx, scope: PersonScope, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: persons.id })
    .from(persons)
    .where(and(inArray(persons.id, ids), inScopeDistricts(scope), visible(scope)));
  return new Set(rows.map((r) => r.id));
}

/** Visible persons with this identity hash (at most one per district), optionally in one district. */
export async function findVisiblePersonsByHash(
  db: DbOrTx,
  scope: PersonScope,
  idHash: string,
  districtId?: string,
): Promise<PersonRow[]> {
  return db
    .select()
    .from(persons)
    .where(
      and(
        eq(persons.idHash, idHash),
        districtId ? eq(persons.districtId, districtId) : undefined,
        inScopeDistricts(scope),
        visible(scope),
      ),
    )
    .orderBy(persons.districtId);
}

export interface ProfileEnrolment extends Record<string, unknown> {
  enrolmentId: string;
  schoolId: string;
  schoolName: string;
  status: string;
  enteredOn: string;
  studentNumberMasked: string | null;
  classId: string | null;
  className: string | null;
  gradeCode: string | null;
  academicYearId: string | null;
}

export interface ProfilePost extends Record<string, unknown> {
  postId: string;
  schoolId: string;
  schoolName: string;
  postCode: string;
  establishmentCode: string;
  isFullTimeTeacher: boolean;
  startedOn: string;
}

export interface ProfileRelative extends Record<string, unknown> {
  personId: string;
  name: string;
  relationCode: string;
  isPrimary: boolean;
}

/** A json array of the rows of `query` in its order (column aliases become the keys), '[]' when none. */
const jsonRows = (query: SQL) => sql`coalesce((select json_agg(r) from (${query}) r), '[]'::json)`;

export interface ProfileParts {
  enrolments: ProfileEnrolment[];
  posts: ProfilePost[];
  guardians: ProfileRelative[];
  children: ProfileRelative[];
}

/**
 * A person's current roles as four json columns: enrolments (with the current class), staff posts,
 * guardians, children (the last two only where visible under the scope). `person` names the
 * person's district and id (columns of the enclosing query).
 */
function profilePartsColumns(scope: PersonScope, person: PersonRef, param?: ScopeParam) {
  const { districtId, id } = person;
  const enrolments = sql`
    select e.id as "enrolmentId", e.school_id as "schoolId", s.name as "schoolName", e.status,
      e.entered_on::text as "enteredOn", e.student_number_masked as "studentNumberMasked",
      c.id as "classId", c.name as "className", c.grade_code as "gradeCode", m.academic_year_id as "academicYearId"
    from enrolments e
    join org_units s on s.district_id = e.district_id and s.id = e.school_id
    left join lateral (select m.class_id, m.academic_year_id from class_memberships m
      where m.district_id = e.district_id and m.enrolment_id = e.id
        and m.started_on <= ${chinaTodaySql} and (m.ended_on is null or m.ended_on > ${chinaTodaySql})
      order by m.started_on desc limit 1) m on true
    left join org_units c on c.district_id = e.district_id and c.id = m.class_id
    where e.district_id = ${districtId} and e.person_id = ${id} and e.status in ('active', 'suspended')
    order by e.entered_on desc`;
  const posts = sql`
    select sp.id as "postId", sp.school_id as "schoolId", s.name as "schoolName", sp.post_code as "postCode",
      sp.establishment_code as "establishmentCode", sp.is_full_time_teacher as "isFullTimeTeacher",
      sp.started_on::text as "startedOn"
    from staff_posts sp
    join org_units s on s.district_id = sp.district_id and s.id = sp.school_id
    where sp.district_id = ${districtId} and sp.person_id = ${id}
      and sp.started_on <= ${chinaTodaySql} and (sp.ended_on is null or sp.ended_on > ${chinaTodaySql})
    order by sp.started_on`;
  const relatives = (side: 'guardians' | 'children') => {
    const [mine, theirs] =
      side === 'guardians'
        ? [sql`g.child_person_id`, sql`g.guardian_person_id`]
        : [sql`g.guardian_person_id`, sql`g.child_person_id`];
    const other = personVisibleSql(scope, { districtId: sql`o.district_id`, id: sql`o.id` }, param);
    return sql`
      select o.id as "personId", o.name, g.relation_code as "relationCode", g.is_primary as "isPrimary"
      from guardian_relations g
      join persons o on o.district_id = g.district_id and o.id = ${theirs}
      where g.district_id = ${districtId} and ${mine} = ${id} and (g.ended_at is null or g.ended_at > now())
        and ${other}
      order by g.is_primary desc, o.name, o.id`;
  };
  return {
    enrolments: jsonRows(enrolments),
    posts: jsonRows(posts),
    guardians: jsonRows(relatives('guardians')),
    children: jsonRows(relatives('children')),
  };
}

/**
 * The profile of a person visible under the scope: the person and their current roles, in one
 * statement (one round trip: the profile is a hot read); undefined when out of scope.
 */
export async function findVisibleProfile(
  db: DbOrTx,
  scope: PersonScope,
  id: string,
): Promise<{ person: PersonRow; parts: ProfileParts } | undefined> {
  const name = `mingde_person_profile_${scopeShape(scope)}`;
  const statement = preparedOnce(db, name, (on) => {
    const param: ScopeParam = (key) => sql.placeholder(key);
    const parts = profilePartsColumns(scope, { districtId: persons.districtId, id: persons.id }, param);
    return on
      .select({
        person: persons,
        enrolments: sql<ProfileEnrolment[]>`${parts.enrolments}`,
        posts: sql<ProfilePost[]>`${parts.posts}`,
        guardians: sql<ProfileRelative[]>`${parts.guardians}`,
        children: sql<ProfileRelative[]>`${parts.children}`,
      })
      .from(persons)
      .where(
        and(
          eq(persons.id, sql.placeholder('id')),
          inScopeDistrictsSql(scope, persons.districtId, param),
          personVisibleSql(scope, { districtId: persons.districtId, id: persons.id }, param),
        ),
      )
      .prepare(name);
  });
  const [row] = await statement.execute({ id, ...scopeParams(scope) });
  if (!row) return undefined;
  const { person, ...rest } = row;
  return { person, parts: rest };
}
