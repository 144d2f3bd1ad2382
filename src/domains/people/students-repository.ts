/**
 * SQL for enrolments (学籍), class memberships and enrolment changes, rosters and histories.
 * Reads that return persons filter with `personVisibleSql`; joins org_units for names and paths
 * (read-only). "Open" membership = no end date yet; "current" = in force today (China's date).
 */
import { and, desc, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import type { PersonScope } from '../../access/person-scope';
import type { DbOrTx, Tx } from '../../db/client';
import { type Param, runPrepared } from '../../db/prepared';
import { chinaTodaySql } from './china-date';
import { classMemberships, enrolmentChanges, enrolments } from './schema';
import { personVisibleSql, scopeParams, scopeShape } from './visibility-sql';

export type EnrolmentRow = typeof enrolments.$inferSelect;
export type NewEnrolmentRow = typeof enrolments.$inferInsert;
export type MembershipRow = typeof classMemberships.$inferSelect;
export type NewMembershipRow = typeof classMemberships.$inferInsert;
export type NewChangeRow = typeof enrolmentChanges.$inferInsert;

/** Rows per multi-row INSERT, well below PostgreSQL's 65535 bind parameters. */
const CHUNK = 1000;

const chunks = <T>(rows: T[]) => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
};

/** An enrolment by id alone (an index serves it); the caller checks access on its school. */
export async function findEnrolment(db: DbOrTx, id: string): Promise<EnrolmentRow | undefined> {
  const [row] = await db.select().from(enrolments).where(eq(enrolments.id, id));
  return row;
}

export async function lockEnrolment(
  tx: Tx,
  districtId: string,
  id: string,
): Promise<EnrolmentRow | undefined> {
  const [row] = await tx
    .select()
    .from(enrolments)
    .where(and(eq(enrolments.districtId, districtId), eq(enrolments.id, id)))
    .for('update');
  return row;
}

/** Active or suspended enrolments of a person (normally at most one per district). */
export async function currentEnrolments(
  db: DbOrTx,
  districtId: string,
  personId: string,
): Promise<EnrolmentRow[]> {
  return db
    .select()
    .from(enrolments)
    .where(
      and(
        eq(enrolments.districtId, districtId),
        eq(enrolments.personId, personId),
        inArray(enrolments.status, ['active', 'suspended']),
      ),
    )
    .orderBy(desc(enrolments.enteredOn));
}

/** Whether an active enrolment of the district already carries this 学籍号. */
export async function studentNumberTaken(db: DbOrTx, districtId: string, hash: string): Promise<boolean> {
  const [row] = await db
    .select({ id: enrolments.id })
    .from(enrolments)
    .where(
      and(
        eq(enrolments.districtId, districtId),
        eq(enrolments.studentNumberHash, hash),
        eq(enrolments.status, 'active'),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/** The date of the latest change of an enrolment (changes may not be dated before it). */
export async function lastChangeOn(
  db: DbOrTx,
  districtId: string,
  enrolmentId: string,
): Promise<string | null> {
  const [row] = await db
    .select({ on: max(enrolmentChanges.effectiveOn) })
    .from(enrolmentChanges)
    .where(and(eq(enrolmentChanges.districtId, districtId), eq(enrolmentChanges.enrolmentId, enrolmentId)));
  return row?.on ?? null;
}

/** The membership of an enrolment that has no end date yet. */
export async function openMembership(
  db: DbOrTx,
  districtId: string,
  enrolmentId: string,
): Promise<MembershipRow | undefined> {
  const [row] = await db
    .select()
    .from(classMemberships)
    .where(
      and(
        eq(classMemberships.districtId, districtId),
        eq(classMemberships.enrolmentId, enrolmentId),
        isNull(classMemberships.endedOn),
      ),
    )
    .orderBy(desc(classMemberships.startedOn))
    .limit(1);
  return row;
}

export async function insertEnrolment(tx: Tx, row: NewEnrolmentRow): Promise<EnrolmentRow> {
  const [inserted] = await tx.insert(enrolments).values(row).returning();
  if (!inserted) throw new Error('enrolment insert returned nothing');
  return inserted;
}

export async function insertMemberships(tx: Tx, rows: NewMembershipRow[]): Promise<void> {
  for (const part of chunks(rows)) await tx.insert(classMemberships).values(part);
}

export async function insertChanges(tx: Tx, rows: NewChangeRow[]): Promise<void> {
  for (const part of chunks(rows)) await tx.insert(enrolmentChanges).values(part);
}

export async function setEnrolmentStatus(
  tx: Tx,
  districtId: string,
  ids: string[],
  status: EnrolmentRow['status'],
  leftOn: string | null,
): Promise<void> {
  for (const part of chunks(ids)) {
    await tx
      .update(enrolments)
      .set({ status, leftOn })
      .where(and(eq(enrolments.districtId, districtId), inArray(enrolments.id, part)));
  }
}

/** End the open memberships of these enrolments on `endedOn`. */
export async function closeMemberships(tx: Tx, districtId: string, enrolmentIds: string[], endedOn: string) {
  for (const part of chunks(enrolmentIds)) {
    await tx
      .update(classMemberships)
      .set({ endedOn })
      .where(
        and(
          eq(classMemberships.districtId, districtId),
          inArray(classMemberships.enrolmentId, part),
          isNull(classMemberships.endedOn),
        ),
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Rosters

export interface RosterRow extends Record<string, unknown> {
  personId: string;
  districtId: string;
  name: string;
  genderCode: string | null;
  birthDate: string | null;
  idMasked: string | null;
  enrolmentId: string;
  status: EnrolmentRow['status'];
  studentNumberMasked: string | null;
  studentNumberEnc: string | null;
  classId: string | null;
  className: string | null;
  gradeCode: string | null;
  classNumber: number | null;
}

export interface RosterQuery {
  q?: string;
  sort: 'name' | 'studentNumber';
  order: 'asc' | 'desc';
  /** null: every row (the caller sorts by decrypted 学籍号 and pages itself). */
  page: { limit: number; offset: number } | null;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Students of a class (current membership) or of a school (current enrolment, with the current
 * class if any), visible under `scope`, filtered by a name fragment. Names sort in GB18030 byte
 * order, which is pinyin order for the common (GB2312 level-1) characters.
 */
/** The unit a roster was asked for, as the caller's coverage check needs it. */
export interface RosterUnit {
  id: string;
  districtId: string;
  kind: string;
  path: string;
  name: string;
}

/**
 * The unit `unitId` and, if it is a `kind` (class: its current members; school: its enrolled
 * students), the rows of its roster visible under the scope — in one statement: a roster page is a
 * hot read, and the unit lookup was a round trip of its own. The caller decides whether the unit
 * may be listed at all (and answers 404 otherwise, discarding the rows).
 */
export async function listRoster(
  db: DbOrTx,
  scope: PersonScope,
  kind: 'class' | 'school',
  unitId: string,
  query: RosterQuery,
): Promise<{ unit: RosterUnit | null; rows: RosterRow[]; total: number }> {
  const q = query.q?.trim();
  const values = {
    ...scopeParams(scope),
    unitId,
    kind,
    q: q ? `%${escapeLike(q)}%` : null,
    limit: query.page?.limit ?? null,
    offset: query.page?.offset ?? null,
  };
  type Values = typeof values;
  // Students of unit `u`, visible under the scope.
  const from = (param: Param<Values>) => {
    const visible = personVisibleSql(scope, { districtId: sql`p.district_id`, id: sql`p.id` }, param);
    const current = (alias: string) => {
      const a = sql.raw(alias);
      return sql`${a}.started_on <= ${chinaTodaySql} and (${a}.ended_on is null or ${a}.ended_on > ${chinaTodaySql})`;
    };
    const nameFilter = q ? sql`and p.name like ${param('q')}` : sql``;
    if (kind === 'class') {
      return sql`from class_memberships m
      join enrolments e on e.district_id = m.district_id and e.id = m.enrolment_id
      join persons p on p.district_id = m.district_id and p.id = m.person_id
      join org_units c on c.district_id = m.district_id and c.id = m.class_id
      where m.district_id = u.district_id and m.class_id = u.id and ${current('m')}
        and e.status in ('active', 'suspended') ${nameFilter} and ${visible}`;
    }
    return sql`from enrolments e
      join persons p on p.district_id = e.district_id and p.id = e.person_id
      left join lateral (select m.class_id from class_memberships m
        where m.district_id = e.district_id and m.enrolment_id = e.id and ${current('m')}
        order by m.started_on desc limit 1) cm on true
      left join org_units c on c.district_id = e.district_id and c.id = cm.class_id
      where e.district_id = u.district_id and e.school_id = u.id
        and e.status in ('active', 'suspended') ${nameFilter} and ${visible}`;
  };
  const direction = query.order === 'desc' ? 'desc' : 'asc';
  const byName = query.sort === 'name';
  // One prepared statement per shape (class or school, sort, order, search, paging, scope shape):
  // the text never depends on who asks, only the parameters do.
  const name = `mingde_roster_${kind}_${byName ? `name_${direction}` : 'id'}${q ? '_q' : ''}${query.page ? '_page' : ''}_${scopeShape(scope)}`;
  type Row = RosterRow & {
    total: number;
    unitId: string;
    unitDistrictId: string;
    unitKind: string;
    unitPath: string;
    unitName: string;
  };
  const rows = await runPrepared<Row, Values>(db, name, values, (param) => {
    const d = sql.raw(direction);
    const order = byName ? sql`order by convert_to(p.name, 'GB18030') ${d}, p.id ${d}` : sql`order by p.id`;
    const page = query.page ? sql`limit ${param('limit')} offset ${param('offset')}` : sql``;
    return sql`
    select u.id as "unitId", u.district_id as "unitDistrictId", u.kind as "unitKind", u.path as "unitPath", u.name as "unitName", r.*
    from (select * from org_units where id = ${param('unitId')}) u
    left join lateral (
      select p.id as "personId", p.district_id as "districtId", p.name, p.gender_code as "genderCode",
        p.birth_date::text as "birthDate", p.id_masked as "idMasked", e.id as "enrolmentId", e.status,
        e.student_number_masked as "studentNumberMasked", e.student_number_enc as "studentNumberEnc",
        c.id as "classId", c.name as "className", c.grade_code as "gradeCode", c.class_number as "classNumber",
        count(*) over () as total
      ${from(param)} ${order} ${page}) r on u.kind = ${param('kind')}`;
  });
  const first = rows[0];
  if (!first) return { unit: null, rows: [], total: 0 };
  const unit = {
    id: first.unitId,
    districtId: first.unitDistrictId,
    kind: first.unitKind,
    path: first.unitPath,
    name: first.unitName,
  };
  const students = rows.filter((r) => r.personId !== null);
  let total = students[0]?.total ?? 0;
  if (students.length === 0 && query.page && query.page.offset > 0) {
    // Past the last page: the window count is gone with the rows, so count separately.
    const counted = await db.execute<{ total: number }>(
      sql`select count(*) as total from (select * from org_units where id = ${unitId}) u
        join lateral (select 1 ${from((key) => sql.param(values[key]))}) r on true`,
    );
    total = counted.rows[0]?.total ?? 0;
  }
  return {
    unit,
    rows: students.map(
      ({ total: _t, unitId: _u, unitDistrictId: _d, unitKind: _k, unitPath: _p, ...row }) => row as RosterRow,
    ),
    total: Number(total),
  };
}

// ---------------------------------------------------------------------------------------------
// History

export interface HistoryEnrolmentRow extends Record<string, unknown> {
  id: string;
  schoolId: string;
  schoolName: string;
  status: EnrolmentRow['status'];
  enteredOn: string;
  leftOn: string | null;
  studentNumberMasked: string | null;
}

export interface HistoryChangeRow extends Record<string, unknown> {
  id: string;
  enrolmentId: string;
  changeType: string;
  effectiveOn: string;
  fromClassId: string | null;
  fromClassName: string | null;
  toClassId: string | null;
  toClassName: string | null;
  counterpartSchoolId: string | null;
  counterpartSchoolName: string | null;
  counterpartDistrictId: string | null;
  counterpartDistrictName: string | null;
  reason: string | null;
  recordedAt: string;
}

export interface HistoryMembershipRow extends Record<string, unknown> {
  enrolmentId: string;
  classId: string;
  className: string;
  gradeCode: string | null;
  academicYearId: string;
  academicYearName: string;
  startedOn: string;
  endedOn: string | null;
}

/** Every enrolment of a person in its district, with its changes and class memberships. */
export async function enrolmentHistory(db: DbOrTx, districtId: string, personId: string) {
  const enrolmentRows = await db.execute<HistoryEnrolmentRow>(sql`
    select e.id, e.school_id as "schoolId", s.name as "schoolName", e.status, e.entered_on::text as "enteredOn",
      e.left_on::text as "leftOn", e.student_number_masked as "studentNumberMasked"
    from enrolments e join org_units s on s.district_id = e.district_id and s.id = e.school_id
    where e.district_id = ${districtId} and e.person_id = ${personId}
    order by e.entered_on, e.created_at`);
  // Counterpart schools of a transfer between districts lie in another district: their names are
  // shown (schools are public bodies), looked up by id alone.
  const changeRows = await db.execute<HistoryChangeRow>(sql`
    select ch.id, ch.enrolment_id as "enrolmentId", ch.change_type as "changeType",
      ch.effective_on::text as "effectiveOn", ch.from_class_id as "fromClassId", fc.name as "fromClassName",
      ch.to_class_id as "toClassId", tc.name as "toClassName",
      ch.counterpart_school_id as "counterpartSchoolId", cs.name as "counterpartSchoolName",
      ch.counterpart_district_id as "counterpartDistrictId", cd.name as "counterpartDistrictName",
      ch.reason, ch.created_at as "recordedAt"
    from enrolment_changes ch
    left join org_units fc on fc.district_id = ch.district_id and fc.id = ch.from_class_id
    left join org_units tc on tc.district_id = ch.district_id and tc.id = ch.to_class_id
    left join org_units cs on cs.id = ch.counterpart_school_id
      and cs.district_id = coalesce(ch.counterpart_district_id, ch.district_id)
    left join districts cd on cd.id = ch.counterpart_district_id
    where ch.district_id = ${districtId} and ch.person_id = ${personId}
    order by ch.effective_on, ch.created_at`);
  const membershipRows = await db.execute<HistoryMembershipRow>(sql`
    select m.enrolment_id as "enrolmentId", m.class_id as "classId", c.name as "className",
      c.grade_code as "gradeCode", m.academic_year_id as "academicYearId", y.name as "academicYearName",
      m.started_on::text as "startedOn", m.ended_on::text as "endedOn"
    from class_memberships m
    join org_units c on c.district_id = m.district_id and c.id = m.class_id
    join academic_years y on y.district_id = m.district_id and y.id = m.academic_year_id
    where m.district_id = ${districtId} and m.person_id = ${personId}
    order by m.started_on`);
  return { enrolments: enrolmentRows.rows, changes: changeRows.rows, memberships: membershipRows.rows };
}

// ---------------------------------------------------------------------------------------------
// Promotion

export interface PromotionCandidate extends Record<string, unknown> {
  enrolmentId: string;
  personId: string;
  classId: string;
  lastChangeOn: string | null;
}

/**
 * Active students of a school whose open membership is in a class of `fromYearId`, with the date
 * of their latest change.
 */
export async function promotionCandidates(
  db: DbOrTx,
  districtId: string,
  schoolId: string,
  fromYearId: string,
): Promise<PromotionCandidate[]> {
  const result = await db.execute<PromotionCandidate>(sql`
    select e.id as "enrolmentId", e.person_id as "personId", m.class_id as "classId",
      (select max(ch.effective_on)::text from enrolment_changes ch
        where ch.district_id = e.district_id and ch.enrolment_id = e.id) as "lastChangeOn"
    from enrolments e
    join class_memberships m on m.district_id = e.district_id and m.enrolment_id = e.id and m.ended_on is null
    where e.district_id = ${districtId} and e.school_id = ${schoolId} and e.status = 'active'
      and m.academic_year_id = ${fromYearId}
    order by m.class_id, e.person_id`);
  return result.rows;
}
