/**
 * The only code that touches staff posts, teaching and head-teacher assignments and person
 * accounts. Access decisions are the service's: list queries take the visibility predicate
 * (visibility-sql) they must apply. The org tables are joined read-only for names and paths (the
 * people tables reference them by foreign key).
 */
import { and, asc, count, eq, gt, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { PersonScope } from '../../access/person-scope';
import type { DbOrTx, Tx } from '../../db/client';
import { orgUnits, terms } from '../org/schema';
import { chinaTodaySql } from './china-date';
import { currentPlaceJoins } from './current-place-sql';
import { headTeacherAssignments, personAccounts, persons, staffPosts, teachingAssignments } from './schema';
import { personVisibleSql } from './visibility-sql';

export type StaffPostRow = typeof staffPosts.$inferSelect;
export type TeachingAssignmentRow = typeof teachingAssignments.$inferSelect;
export type HeadTeacherAssignmentRow = typeof headTeacherAssignments.$inferSelect;

/** In force on `today` (China): started, and not ended (`ended_on` is the first day it no longer holds). */
const inForceOn = (
  t: typeof staffPosts | typeof teachingAssignments | typeof headTeacherAssignments,
  today: string | SQL,
) => and(lte(t.startedOn, sql`${today}`), or(isNull(t.endedOn), gt(t.endedOn, sql`${today}`)));

/** LIKE pattern for "contains `text`". */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// ---------------------------------------------------------------------------------------------
// Organisation places (read-only)

export interface ClassRow {
  districtId: string;
  id: string;
  path: string;
  name: string;
  status: 'active' | 'closed';
  academicYearId: string | null;
  school: { id: string; name: string; path: string };
}

/** A class with its school (the ancestor of kind 'school' on its path). */
export async function findClass(db: DbOrTx, id: string): Promise<ClassRow | undefined> {
  const result = await db.execute<{
    districtId: string;
    id: string;
    path: string;
    name: string;
    status: 'active' | 'closed';
    academicYearId: string | null;
    schoolId: string;
    schoolName: string;
    schoolPath: string;
  }>(sql`
    select c.district_id as "districtId", c.id, c.path, c.name, c.status, c.academic_year_id as "academicYearId",
      s.id as "schoolId", s.name as "schoolName", s.path as "schoolPath"
    from org_units c
    join org_units s on s.district_id = c.district_id and s.kind = 'school'
      and s.id = any(string_to_array(trim(both '/' from c.path), '/')::uuid[])
    where c.id = ${id} and c.kind = 'class'`);
  const r = result.rows[0];
  if (!r) return undefined;
  return {
    districtId: r.districtId,
    id: r.id,
    path: r.path,
    name: r.name,
    status: r.status,
    academicYearId: r.academicYearId,
    school: { id: r.schoolId, name: r.schoolName, path: r.schoolPath },
  };
}

export async function findTerm(db: DbOrTx, districtId: string, id: string) {
  const [row] = await db
    .select()
    .from(terms)
    .where(and(eq(terms.districtId, districtId), eq(terms.id, id)));
  return row;
}

// ---------------------------------------------------------------------------------------------
// Staff posts

export async function insertStaffPost(tx: Tx, values: typeof staffPosts.$inferInsert): Promise<StaffPostRow> {
  const [row] = await tx.insert(staffPosts).values(values).returning();
  if (!row) throw new Error('staff post insert returned nothing');
  return row;
}

/** A post with the path of its school (for the access check). */
export async function findStaffPost(
  db: DbOrTx,
  id: string,
): Promise<(StaffPostRow & { schoolPath: string }) | undefined> {
  const [row] = await db
    .select({ post: staffPosts, schoolPath: orgUnits.path })
    .from(staffPosts)
    .innerJoin(
      orgUnits,
      and(eq(orgUnits.districtId, staffPosts.districtId), eq(orgUnits.id, staffPosts.schoolId)),
    )
    .where(eq(staffPosts.id, id));
  return row ? { ...row.post, schoolPath: row.schoolPath } : undefined;
}

/** The person's post at `schoolId` in force on `today`, if any. */
export async function currentPostAt(
  db: DbOrTx,
  v: { districtId: string; personId: string; schoolId: string; today: string },
): Promise<StaffPostRow | undefined> {
  const [row] = await db
    .select()
    .from(staffPosts)
    .where(
      and(
        eq(staffPosts.districtId, v.districtId),
        eq(staffPosts.personId, v.personId),
        eq(staffPosts.schoolId, v.schoolId),
        inForceOn(staffPosts, v.today),
      ),
    )
    .limit(1);
  return row;
}

/** The person's post at `schoolId` that has not ended by `from` (a second one would overlap it). */
export async function openPostAt(
  db: DbOrTx,
  v: { districtId: string; personId: string; schoolId: string; from: string },
): Promise<StaffPostRow | undefined> {
  const [row] = await db
    .select()
    .from(staffPosts)
    .where(
      and(
        eq(staffPosts.districtId, v.districtId),
        eq(staffPosts.personId, v.personId),
        eq(staffPosts.schoolId, v.schoolId),
        or(isNull(staffPosts.endedOn), gt(staffPosts.endedOn, v.from)),
      ),
    )
    .limit(1);
  return row;
}

/** The person's posts in force today, with their schools' paths. */
export async function currentPostsOf(
  db: DbOrTx,
  districtId: string,
  personId: string,
): Promise<(StaffPostRow & { schoolPath: string })[]> {
  const rows = await db
    .select({ post: staffPosts, schoolPath: orgUnits.path })
    .from(staffPosts)
    .innerJoin(
      orgUnits,
      and(eq(orgUnits.districtId, staffPosts.districtId), eq(orgUnits.id, staffPosts.schoolId)),
    )
    .where(
      and(
        eq(staffPosts.districtId, districtId),
        eq(staffPosts.personId, personId),
        inForceOn(staffPosts, chinaTodaySql),
      ),
    );
  return rows.map((r) => ({ ...r.post, schoolPath: r.schoolPath }));
}

export async function endStaffPost(
  tx: Tx,
  districtId: string,
  id: string,
  endedOn: string,
): Promise<StaffPostRow> {
  const [row] = await tx
    .update(staffPosts)
    .set({ endedOn })
    .where(and(eq(staffPosts.districtId, districtId), eq(staffPosts.id, id)))
    .returning();
  if (!row) throw new Error('staff post update returned nothing');
  return row;
}

/**
 * End, on `endedOn`, the person's teaching and head-teacher assignments in classes of the school
 * whose path is `schoolPath` that are still open then; returns their ids.
 */
export async function endAssignmentsAtSchool(
  tx: Tx,
  v: { districtId: string; personId: string; schoolPath: string; endedOn: string },
): Promise<{ teaching: string[]; headTeacher: string[] }> {
  const inSchool = (classId: SQL) => sql`exists (select 1 from org_units c
    where c.district_id = ${v.districtId} and c.id = ${classId} and c.path like ${`${v.schoolPath}%`})`;
  const openThen = (t: typeof teachingAssignments | typeof headTeacherAssignments) =>
    and(
      eq(t.districtId, v.districtId),
      eq(t.personId, v.personId),
      or(isNull(t.endedOn), gt(t.endedOn, v.endedOn)),
      inSchool(sql`${t.classId}`),
    );
  // An assignment that would only start after the end date is cut to zero length (ended = started).
  const teaching = await tx
    .update(teachingAssignments)
    .set({ endedOn: sql`greatest(${teachingAssignments.startedOn}, ${v.endedOn}::date)` })
    .where(openThen(teachingAssignments))
    .returning({ id: teachingAssignments.id });
  const headTeacher = await tx
    .update(headTeacherAssignments)
    .set({ endedOn: sql`greatest(${headTeacherAssignments.startedOn}, ${v.endedOn}::date)` })
    .where(openThen(headTeacherAssignments))
    .returning({ id: headTeacherAssignments.id });
  return { teaching: teaching.map((r) => r.id), headTeacher: headTeacher.map((r) => r.id) };
}

export interface StaffListRow {
  postId: string;
  personId: string;
  name: string;
  genderCode: string | null;
  idType: string | null;
  idMasked: string | null;
  phoneMasked: string | null;
  postCode: string;
  establishmentCode: string;
  isFullTimeTeacher: boolean;
  startedOn: string;
  endedOn: string | null;
  current: boolean;
  hasAccount: boolean;
}

/** Posts at a school (current ones unless `includeEnded`), restricted to the persons `visible` lets through. */
export async function listSchoolStaff(
  db: DbOrTx,
  v: {
    districtId: string;
    schoolId: string;
    q?: string;
    includeEnded: boolean;
    limit: number;
    offset: number;
    /** Only persons visible under this scope are listed. */
    scope: PersonScope;
  },
): Promise<{ rows: StaffListRow[]; total: number }> {
  const where = and(
    eq(staffPosts.districtId, v.districtId),
    eq(staffPosts.schoolId, v.schoolId),
    v.includeEnded ? undefined : inForceOn(staffPosts, chinaTodaySql),
    v.q ? sql`${persons.name} like ${containing(v.q)}` : undefined,
    personVisibleSql(v.scope, { districtId: persons.districtId, id: persons.id }),
  );
  const joinPerson = and(eq(persons.districtId, staffPosts.districtId), eq(persons.id, staffPosts.personId));
  const [rows, totals] = await Promise.all([
    db
      .select({
        postId: staffPosts.id,
        personId: staffPosts.personId,
        name: persons.name,
        genderCode: persons.genderCode,
        idType: persons.idType,
        idMasked: persons.idMasked,
        phoneMasked: persons.phoneMasked,
        postCode: staffPosts.postCode,
        establishmentCode: staffPosts.establishmentCode,
        isFullTimeTeacher: staffPosts.isFullTimeTeacher,
        startedOn: staffPosts.startedOn,
        endedOn: staffPosts.endedOn,
        current: sql<boolean>`(${inForceOn(staffPosts, chinaTodaySql)})`,
        hasAccount: sql<boolean>`exists (select 1 from person_accounts pa
          where pa.district_id = ${staffPosts.districtId} and pa.person_id = ${staffPosts.personId})`,
      })
      .from(staffPosts)
      .innerJoin(persons, joinPerson)
      .where(where)
      .orderBy(asc(persons.name), asc(staffPosts.startedOn), asc(staffPosts.id))
      .limit(v.limit)
      .offset(v.offset),
    db.select({ n: count() }).from(staffPosts).innerJoin(persons, joinPerson).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Teaching and head-teacher assignments

export async function insertTeachingAssignment(
  tx: Tx,
  values: typeof teachingAssignments.$inferInsert,
): Promise<TeachingAssignmentRow> {
  const [row] = await tx.insert(teachingAssignments).values(values).returning();
  if (!row) throw new Error('teaching assignment insert returned nothing');
  return row;
}

export async function findTeachingAssignment(
  db: DbOrTx,
  id: string,
): Promise<TeachingAssignmentRow | undefined> {
  const [row] = await db.select().from(teachingAssignments).where(eq(teachingAssignments.id, id));
  return row;
}

/** The same teacher, class, subject and term, still open: a second one would duplicate it. */
export async function openTeachingAssignment(
  db: DbOrTx,
  v: { districtId: string; personId: string; classId: string; subjectCode: string; termId: string },
): Promise<TeachingAssignmentRow | undefined> {
  const [row] = await db
    .select()
    .from(teachingAssignments)
    .where(
      and(
        eq(teachingAssignments.districtId, v.districtId),
        eq(teachingAssignments.personId, v.personId),
        eq(teachingAssignments.classId, v.classId),
        eq(teachingAssignments.subjectCode, v.subjectCode),
        eq(teachingAssignments.termId, v.termId),
        or(isNull(teachingAssignments.endedOn), gt(teachingAssignments.endedOn, chinaTodaySql)),
      ),
    )
    .limit(1);
  return row;
}

export async function endTeachingAssignment(
  tx: Tx,
  districtId: string,
  id: string,
  endedOn: string,
): Promise<TeachingAssignmentRow> {
  const [row] = await tx
    .update(teachingAssignments)
    .set({ endedOn })
    .where(and(eq(teachingAssignments.districtId, districtId), eq(teachingAssignments.id, id)))
    .returning();
  if (!row) throw new Error('teaching assignment update returned nothing');
  return row;
}

export async function insertHeadTeacherAssignment(
  tx: Tx,
  values: typeof headTeacherAssignments.$inferInsert,
): Promise<HeadTeacherAssignmentRow> {
  const [row] = await tx.insert(headTeacherAssignments).values(values).returning();
  if (!row) throw new Error('head teacher assignment insert returned nothing');
  return row;
}

export async function findHeadTeacherAssignment(
  db: DbOrTx,
  id: string,
): Promise<HeadTeacherAssignmentRow | undefined> {
  const [row] = await db.select().from(headTeacherAssignments).where(eq(headTeacherAssignments.id, id));
  return row;
}

/**
 * Serialise head-teacher changes of one class until the transaction ends, so two concurrent
 * assignments cannot both see "no current head teacher" and leave the class with two.
 */
export async function lockClassHeadTeacher(tx: Tx, districtId: string, classId: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`head-teacher:${districtId}:${classId}`}, 0))`,
  );
}

/** Head-teacher assignments of the class not ended by `from` (the current one, or one starting later). */
export async function openHeadTeacherAssignments(
  db: DbOrTx,
  v: { districtId: string; classId: string; from: string },
): Promise<HeadTeacherAssignmentRow[]> {
  return db
    .select()
    .from(headTeacherAssignments)
    .where(
      and(
        eq(headTeacherAssignments.districtId, v.districtId),
        eq(headTeacherAssignments.classId, v.classId),
        or(isNull(headTeacherAssignments.endedOn), gt(headTeacherAssignments.endedOn, v.from)),
      ),
    );
}

export async function endHeadTeacherAssignment(
  tx: Tx,
  districtId: string,
  id: string,
  endedOn: string,
): Promise<HeadTeacherAssignmentRow> {
  const [row] = await tx
    .update(headTeacherAssignments)
    .set({ endedOn: sql`greatest(${headTeacherAssignments.startedOn}, ${endedOn}::date)` })
    .where(and(eq(headTeacherAssignments.districtId, districtId), eq(headTeacherAssignments.id, id)))
    .returning();
  if (!row) throw new Error('head teacher assignment update returned nothing');
  return row;
}

export interface ClassTeacherRow extends Record<string, unknown> {
  kind: 'headTeacher' | 'teaching';
  assignmentId: string;
  personId: string;
  name: string;
  subjectCode: string | null;
  termId: string | null;
  termName: string | null;
  academicYearId: string | null;
  startedOn: string;
  endedOn: string | null;
}

/** The class's head teacher and teachers in force today (teaching: in the term that contains today). */
export async function classTeachers(
  db: DbOrTx,
  districtId: string,
  classId: string,
): Promise<ClassTeacherRow[]> {
  const result = await db.execute<ClassTeacherRow>(sql`
    select 'headTeacher' as kind, h.id as "assignmentId", h.person_id as "personId", p.name,
      null as "subjectCode", null as "termId", null as "termName", h.academic_year_id as "academicYearId",
      to_char(h.started_on, 'YYYY-MM-DD') as "startedOn", to_char(h.ended_on, 'YYYY-MM-DD') as "endedOn"
    from head_teacher_assignments h
    join persons p on p.district_id = h.district_id and p.id = h.person_id
    where h.district_id = ${districtId} and h.class_id = ${classId}
      and h.started_on <= ${chinaTodaySql} and (h.ended_on is null or h.ended_on > ${chinaTodaySql})
    union all
    select 'teaching', ta.id, ta.person_id, p.name, ta.subject_code, t.id, t.name, t.academic_year_id,
      to_char(ta.started_on, 'YYYY-MM-DD'), to_char(ta.ended_on, 'YYYY-MM-DD')
    from teaching_assignments ta
    join persons p on p.district_id = ta.district_id and p.id = ta.person_id
    join terms t on t.district_id = ta.district_id and t.id = ta.term_id
    where ta.district_id = ${districtId} and ta.class_id = ${classId}
      and ta.started_on <= ${chinaTodaySql} and (ta.ended_on is null or ta.ended_on > ${chinaTodaySql})
      and t.starts_on <= ${chinaTodaySql} and t.ends_on >= ${chinaTodaySql}
    order by 1, 5, 4`);
  return result.rows;
}

export interface CurrentClassRow extends Record<string, unknown> {
  districtId: string;
  personId: string;
  schoolId: string | null;
  schoolName: string | null;
  classId: string | null;
  className: string | null;
  classPath: string | null;
}

/**
 * Where a student is today (`currentPlaceJoins`): school and class, nulls where there is none;
 * undefined when no person has the id in `districtIds` ('all': any district).
 */
export async function currentClassOf(
  db: DbOrTx,
  personId: string,
  districtIds: 'all' | string[],
): Promise<CurrentClassRow | undefined> {
  if (districtIds !== 'all' && districtIds.length === 0) return undefined;
  const inDistricts =
    districtIds === 'all' ? sql`true` : sql`p.district_id = any(${sql.param(districtIds)}::uuid[])`;
  const result = await db.execute<CurrentClassRow>(sql`
    select p.district_id as "districtId", p.id as "personId", s.id as "schoolId", s.name as "schoolName",
      c.id as "classId", c.name as "className", c.path as "classPath"
    from persons p
    ${currentPlaceJoins}
    where p.id = ${personId} and ${inDistricts}
    limit 1`);
  return result.rows[0];
}

// ---------------------------------------------------------------------------------------------
// Person accounts

/** System read: a person's name (for responses about rows the caller was already authorised for). */
export async function personName(db: DbOrTx, districtId: string, personId: string): Promise<string> {
  const [row] = await db
    .select({ name: persons.name })
    .from(persons)
    .where(and(eq(persons.districtId, districtId), eq(persons.id, personId)));
  return row?.name ?? '';
}

export async function accountOfPerson(
  db: DbOrTx,
  districtId: string,
  personId: string,
): Promise<{ userId: string } | undefined> {
  const [row] = await db
    .select({ userId: personAccounts.userId })
    .from(personAccounts)
    .where(and(eq(personAccounts.districtId, districtId), eq(personAccounts.personId, personId)))
    .limit(1);
  return row;
}

export async function insertPersonAccount(
  tx: Tx,
  v: { districtId: string; personId: string; userId: string },
): Promise<void> {
  await tx.insert(personAccounts).values(v);
}
