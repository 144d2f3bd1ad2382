/**
 * SQL of roster imports: the import records, their staged rows (payload encrypted, problems in
 * clear: problems never hold personal values), and the classes a file may name. Reads org_units
 * and academic_years (read-only; the org domain owns them).
 */
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import type { ClassOption, RowProblem } from './imports-validate';
import { rosterImportRows, rosterImports } from './schema';

export type ImportRow = typeof rosterImports.$inferSelect;
export type ImportStatus = ImportRow['status'];

/** One problem of the report, with its row number. */
export interface ReportedProblem extends RowProblem {
  row: number;
}

export interface StagedRow {
  districtId: string;
  importId: string;
  rowNumber: number;
  valid: boolean;
  payloadEnc: string;
  problems: RowProblem[] | null;
}

export async function insertImport(db: DbOrTx, row: typeof rosterImports.$inferInsert): Promise<ImportRow> {
  const [inserted] = await db.insert(rosterImports).values(row).returning();
  if (!inserted) throw new Error('roster import insert failed');
  return inserted;
}

/** An import by id alone (ids are random uuids; the district comes with the row). */
export async function findImport(db: DbOrTx, id: string): Promise<ImportRow | undefined> {
  const [row] = await db.select().from(rosterImports).where(eq(rosterImports.id, id));
  return row;
}

export async function listImports(
  db: DbOrTx,
  districtId: string,
  schoolId: string,
  limit: number,
): Promise<ImportRow[]> {
  return db
    .select()
    .from(rosterImports)
    .where(and(eq(rosterImports.districtId, districtId), eq(rosterImports.schoolId, schoolId)))
    .orderBy(desc(rosterImports.createdAt), desc(rosterImports.id))
    .limit(limit);
}

/** Move an import from one of `from` to `to` (with `set`); undefined when it was in another status. */
export async function transition(
  db: DbOrTx,
  imp: { districtId: string; id: string },
  from: readonly ImportStatus[],
  set: Partial<typeof rosterImports.$inferInsert>,
): Promise<ImportRow | undefined> {
  const [row] = await db
    .update(rosterImports)
    .set(set)
    .where(
      and(
        eq(rosterImports.districtId, imp.districtId),
        eq(rosterImports.id, imp.id),
        inArray(rosterImports.status, [...from]),
      ),
    )
    .returning();
  return row;
}

/** Lock the import row for the rest of the transaction (progress updates and cancellation queue on it). */
export async function lockImport(
  tx: Tx,
  imp: { districtId: string; id: string },
): Promise<ImportRow | undefined> {
  const [row] = await tx
    .select()
    .from(rosterImports)
    .where(and(eq(rosterImports.districtId, imp.districtId), eq(rosterImports.id, imp.id)))
    .for('update');
  return row;
}

/** One INSERT for the batch, as arrays (six parameters, not six per row: cheaper to send and plan). */
export async function insertStagedRows(tx: Tx, rows: StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const first = rows[0] as StagedRow;
  // sql.param: the array is one parameter (a bare array would be spread into a list).
  const column = <T>(pick: (r: StagedRow) => T) => sql.param(rows.map(pick));
  await tx.execute(sql`
    insert into roster_import_rows (district_id, import_id, row_number, valid, payload_enc, problems)
    select ${first.districtId}::uuid, ${first.importId}::uuid, r.row_number, r.valid, r.payload_enc, r.problems
    from unnest(${column((r) => r.rowNumber)}::int[], ${column((r) => r.valid)}::boolean[],
      ${column((r) => r.payloadEnc)}::text[], ${column((r) => (r.problems ? JSON.stringify(r.problems) : null))}::jsonb[])
      as r(row_number, valid, payload_enc, problems)`);
}

export async function deleteStagedRows(db: DbOrTx, imp: { districtId: string; id: string }): Promise<void> {
  await db
    .delete(rosterImportRows)
    .where(and(eq(rosterImportRows.districtId, imp.districtId), eq(rosterImportRows.importId, imp.id)));
}

/** Once written (or abandoned), the staged personal data goes; the problems stay for the report. */
export async function wipeStagedPayloads(db: DbOrTx, imp: { districtId: string; id: string }): Promise<void> {
  await db
    .update(rosterImportRows)
    .set({ payloadEnc: '' })
    .where(and(eq(rosterImportRows.districtId, imp.districtId), eq(rosterImportRows.importId, imp.id)));
}

/** Valid rows after `afterRow`, in row order, for the confirmation to write them batch by batch. */
export async function validRowsAfter(
  db: DbOrTx,
  imp: { districtId: string; id: string },
  afterRow: number,
  limit: number,
): Promise<{ rowNumber: number; payloadEnc: string }[]> {
  return db
    .select({ rowNumber: rosterImportRows.rowNumber, payloadEnc: rosterImportRows.payloadEnc })
    .from(rosterImportRows)
    .where(
      and(
        eq(rosterImportRows.districtId, imp.districtId),
        eq(rosterImportRows.importId, imp.id),
        eq(rosterImportRows.valid, true),
        gt(rosterImportRows.rowNumber, afterRow),
      ),
    )
    .orderBy(asc(rosterImportRows.rowNumber))
    .limit(limit);
}

/** Record why a valid row was not written (found at confirmation). */
export async function setRowProblems(
  tx: Tx,
  imp: { districtId: string; id: string },
  rowNumber: number,
  problems: RowProblem[] | null,
): Promise<void> {
  await tx
    .update(rosterImportRows)
    .set({ problems })
    .where(
      and(
        eq(rosterImportRows.districtId, imp.districtId),
        eq(rosterImportRows.importId, imp.id),
        eq(rosterImportRows.rowNumber, rowNumber),
      ),
    );
}

/** Forget why valid rows were skipped by an earlier confirmation (it runs again). */
export async function clearValidRowProblems(
  db: DbOrTx,
  imp: { districtId: string; id: string },
): Promise<void> {
  await db
    .update(rosterImportRows)
    .set({ problems: null })
    .where(
      and(
        eq(rosterImportRows.districtId, imp.districtId),
        eq(rosterImportRows.importId, imp.id),
        eq(rosterImportRows.valid, true),
        sql`${rosterImportRows.problems} is not null`,
      ),
    );
}

/** Problems of the import in row order, one entry per problem, paged. */
export async function listProblems(
  db: DbOrTx,
  imp: { districtId: string; id: string },
  offset: number,
  limit: number,
): Promise<{ items: ReportedProblem[]; total: number }> {
  const where = sql`r.district_id = ${imp.districtId} and r.import_id = ${imp.id} and r.problems is not null`;
  const items = await db.execute<{ row: number; problem: RowProblem }>(sql`
    select r.row_number as "row", p.problem
    from roster_import_rows r
    cross join lateral jsonb_array_elements(r.problems) with ordinality as p(problem, n)
    where ${where}
    order by r.row_number, p.n
    offset ${offset} limit ${limit}`);
  return {
    items: items.rows.map((r) => ({ row: r.row, ...r.problem })),
    total: await countProblems(db, imp),
  };
}

/**
 * Classes of the school whose academic year contains `today`; when no year does (the summer gap),
 * those of the next year starting within 60 days, so rosters can be loaded before 开学.
 */
export async function currentClasses(
  db: DbOrTx,
  school: { districtId: string; path: string },
  today: string,
): Promise<{ yearNames: string[]; classes: ClassOption[] }> {
  const years = await db.execute<{ id: string; name: string }>(sql`
    with current as (
      select id, name from academic_years
      where district_id = ${school.districtId} and starts_on <= ${today}::date and ends_on >= ${today}::date
    ), upcoming as (
      select id, name from academic_years
      where district_id = ${school.districtId} and starts_on > ${today}::date
        and starts_on <= ${today}::date + 60
      order by starts_on limit 1
    )
    select id, name from current
    union all
    select id, name from upcoming where not exists (select 1 from current)`);
  const yearIds = years.rows.map((y) => y.id);
  if (yearIds.length === 0) return { yearNames: [], classes: [] };
  const classes = await db.execute<ClassOption & Record<string, unknown>>(sql`
    select c.id, c.name, c.grade_code as "gradeCode", g.name as "gradeName", c.class_number as "classNumber"
    from org_units c
    left join org_units g on g.district_id = c.district_id and g.id = c.parent_id and g.kind = 'grade'
    where c.district_id = ${school.districtId} and c.kind = 'class' and c.status = 'active'
      and c.path like ${`${school.path}%`}
      and c.academic_year_id in (${sql.join(
        yearIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`);
  return { yearNames: years.rows.map((y) => y.name), classes: classes.rows };
}

/** The class, if still an open class of the school, with its academic year (checked again when rows are written). */
export async function activeClassOf(
  db: DbOrTx,
  school: { districtId: string; path: string },
  classId: string,
): Promise<{ academicYearId: string; yearStartsOn: string } | undefined> {
  const { rows } = await db.execute<{ academicYearId: string; yearStartsOn: string }>(sql`
    select c.academic_year_id as "academicYearId", y.starts_on::text as "yearStartsOn"
    from org_units c
    join academic_years y on y.district_id = c.district_id and y.id = c.academic_year_id
    where c.district_id = ${school.districtId} and c.id = ${classId} and c.kind = 'class' and c.status = 'active'
      and c.path like ${`${school.path}%`}`);
  return rows[0];
}

/**
 * Imports a stopped process left half-way (no other process runs them): they fail with the
 * patch merged into `result`; half-checked ones lose their staged rows, half-written ones keep
 * them so the confirmation can run again.
 */
export async function failUnfinished(
  db: DbOrTx,
  patch: { validating: Record<string, unknown>; applying: Record<string, unknown> },
): Promise<number> {
  const merged = (p: Record<string, unknown>) =>
    sql`coalesce(${rosterImports.result}, '{}'::jsonb) || ${JSON.stringify(p)}::jsonb`;
  const checking = await db
    .update(rosterImports)
    .set({
      status: 'failed',
      finishedAt: sql`now()`,
      validRows: 0,
      invalidRows: 0,
      problems: [],
      result: merged(patch.validating),
    })
    .where(eq(rosterImports.status, 'validating'))
    .returning({ districtId: rosterImports.districtId, id: rosterImports.id });
  for (const imp of checking) await deleteStagedRows(db, imp);
  const writing = await db
    .update(rosterImports)
    .set({ status: 'failed', finishedAt: sql`now()`, result: merged(patch.applying) })
    .where(eq(rosterImports.status, 'applying'))
    .returning({ id: rosterImports.id });
  return checking.length + writing.length;
}

/** How many problems the report holds (bad rows, and valid rows skipped when written). */
async function countProblems(db: DbOrTx, imp: { districtId: string; id: string }): Promise<number> {
  const { rows } = await db.execute<{ total: number }>(sql`
    select coalesce(sum(jsonb_array_length(problems)), 0)::int as total from roster_import_rows
    where district_id = ${imp.districtId} and import_id = ${imp.id} and problems is not null`);
  return rows[0]?.total ?? 0;
}
