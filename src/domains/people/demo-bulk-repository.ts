/**
 * Bulk writes for the demo generator (system use only: no policy, no per-row service rules). Rows
 * arrive fully built — ids, encrypted identifiers, hashes, masks — and go in with one INSERT … SELECT
 * FROM unnest(…) per ROWS_PER_STATEMENT rows: one array parameter per column, so a statement costs
 * the same to send whatever the row count, and a million students stay within minutes.
 */
import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx, Tx } from '../../db/client';
import {
  classMemberships,
  enrolmentChanges,
  enrolments,
  guardianRelations,
  headTeacherAssignments,
  personAccounts,
  persons,
  staffPosts,
  teachingAssignments,
} from './schema';

export const ROWS_PER_STATEMENT = 1000;

type Row<T extends PgTable> = T['$inferInsert'];
type Key<T extends PgTable> = keyof Row<T> & string;

/**
 * INSERT the rows, taking the listed fields of each (a field missing from a row is NULL, so only
 * list fields every row sets or none should default).
 */
async function bulkInsert<T extends PgTable>(
  tx: Tx,
  table: T,
  keys: readonly Key<T>[],
  rows: readonly Row<T>[],
): Promise<void> {
  const columns = getTableColumns(table) as Record<string, { name: string; getSQLType(): string }>;
  const specs = keys.map((key) => {
    const column = columns[key];
    if (!column) throw new Error(`${getTableName(table)} has no column ${key}`);
    return { key, name: column.name, type: column.getSQLType() };
  });
  const names = sql.raw(specs.map((s) => `"${s.name}"`).join(', '));
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const arrays: SQL[] = specs.map(
      (s) =>
        sql`${sql.param(chunk.map((row) => (row as Record<string, unknown>)[s.key] ?? null))}::${sql.raw(s.type)}[]`,
    );
    await tx.execute(
      sql`insert into ${sql.identifier(getTableName(table))} (${names}) select * from unnest(${sql.join(arrays, sql`, `)})`,
    );
  }
}

export type NewPersonRow = Row<typeof persons>;
export type NewEnrolmentRow = Row<typeof enrolments>;
export type NewClassMembershipRow = Row<typeof classMemberships>;
export type NewEnrolmentChangeRow = Row<typeof enrolmentChanges>;
export type NewGuardianRelationRow = Row<typeof guardianRelations>;
export type NewStaffPostRow = Row<typeof staffPosts>;
export type NewTeachingAssignmentRow = Row<typeof teachingAssignments>;
export type NewHeadTeacherAssignmentRow = Row<typeof headTeacherAssignments>;
export type NewPersonAccountRow = Row<typeof personAccounts>;

export function insertPersons(tx: Tx, rows: readonly NewPersonRow[]): Promise<void> {
  return bulkInsert(
    tx,
    persons,
    [
      'districtId',
      'id',
      'name',
      'genderCode',
      'birthDate',
      'ethnicityCode',
      'idType',
      'idNumberEnc',
      'idHash',
      'idMasked',
      'phoneEnc',
      'phoneMasked',
    ],
    rows,
  );
}

export function insertEnrolments(tx: Tx, rows: readonly NewEnrolmentRow[]): Promise<void> {
  return bulkInsert(
    tx,
    enrolments,
    [
      'districtId',
      'id',
      'personId',
      'schoolId',
      'studentNumberEnc',
      'studentNumberHash',
      'studentNumberMasked',
      'status',
      'enteredOn',
      'leftOn',
    ],
    rows,
  );
}

export function insertClassMemberships(tx: Tx, rows: readonly NewClassMembershipRow[]): Promise<void> {
  return bulkInsert(
    tx,
    classMemberships,
    ['districtId', 'id', 'enrolmentId', 'personId', 'classId', 'academicYearId', 'startedOn', 'endedOn'],
    rows,
  );
}

export function insertEnrolmentChanges(tx: Tx, rows: readonly NewEnrolmentChangeRow[]): Promise<void> {
  return bulkInsert(
    tx,
    enrolmentChanges,
    [
      'districtId',
      'id',
      'enrolmentId',
      'personId',
      'changeType',
      'effectiveOn',
      'fromClassId',
      'toClassId',
      'counterpartSchoolId',
      'counterpartDistrictId',
      'reason',
      'recordedBy',
    ],
    rows,
  );
}

export function insertGuardianRelations(tx: Tx, rows: readonly NewGuardianRelationRow[]): Promise<void> {
  return bulkInsert(
    tx,
    guardianRelations,
    ['districtId', 'id', 'guardianPersonId', 'childPersonId', 'relationCode', 'isPrimary', 'startedAt'],
    rows,
  );
}

export function insertStaffPosts(tx: Tx, rows: readonly NewStaffPostRow[]): Promise<void> {
  return bulkInsert(
    tx,
    staffPosts,
    [
      'districtId',
      'id',
      'personId',
      'schoolId',
      'postCode',
      'establishmentCode',
      'isFullTimeTeacher',
      'startedOn',
      'endedOn',
    ],
    rows,
  );
}

export function insertTeachingAssignments(tx: Tx, rows: readonly NewTeachingAssignmentRow[]): Promise<void> {
  return bulkInsert(
    tx,
    teachingAssignments,
    ['districtId', 'id', 'personId', 'classId', 'subjectCode', 'termId', 'startedOn', 'endedOn'],
    rows,
  );
}

export function insertHeadTeacherAssignments(
  tx: Tx,
  rows: readonly NewHeadTeacherAssignmentRow[],
): Promise<void> {
  return bulkInsert(
    tx,
    headTeacherAssignments,
    ['districtId', 'id', 'personId', 'classId', 'academicYearId', 'startedOn', 'endedOn'],
    rows,
  );
}

export function insertPersonAccounts(tx: Tx, rows: readonly NewPersonAccountRow[]): Promise<void> {
  return bulkInsert(tx, personAccounts, ['districtId', 'personId', 'userId'], rows);
}

/**
 * Settle the tables after a bulk load: fresh statistics (until autovacuum gets to it, the planner
 * believes the new tables are empty and picks plans ten times slower per request), and the rows
 * marked committed and all-visible now — otherwise the first readers of every page write it back
 * (hint bits) and autovacuum works through the load while the first users arrive.
 */
export async function analyzeAfterBulkLoad(db: DbOrTx): Promise<void> {
  await db.execute(sql`vacuum (analyze)`);
}
