/**
 * The only code that touches the org tables. Functions take a database or an open transaction;
 * access decisions are the service's, so these queries trust the scopes they are given.
 */
import { and, asc, count, eq, inArray, isNull, like, notInArray, or, type SQL, sql } from 'drizzle-orm';
import type { Scope } from '../../access/policy';
import type { DbOrTx, Tx } from '../../db/client';
import { preparedOnce } from '../../db/prepared';
import {
  academicYears,
  cityBureaus,
  districts,
  orgUnits,
  orgUnitVersions,
  schoolGroupingMembers,
  schoolGroupings,
  terms,
} from './schema';

export type OrgUnitRow = typeof orgUnits.$inferSelect;
export type NewOrgUnitRow = typeof orgUnits.$inferInsert & { id: string; path: string };
export type OrgUnitVersionRow = typeof orgUnitVersions.$inferSelect;
export type DistrictRow = typeof districts.$inferSelect;
export type CityBureauRow = typeof cityBureaus.$inferSelect;
export type GroupingRow = typeof schoolGroupings.$inferSelect;
export type AcademicYearRow = typeof academicYears.$inferSelect;
export type TermRow = typeof terms.$inferSelect;

/** Rows per multi-row INSERT: stays well below PostgreSQL's 65535 bind parameters. */
const CHUNK = 1000;

/** The name of the unique constraint a failed statement broke, or null for any other error. */
export function uniqueViolation(error: unknown): string | null {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const pgError = e as { code?: string; constraint?: string };
    if (pgError.code === '23505') return pgError.constraint ?? '';
  }
  return null;
}

/** `like` pattern text for a literal prefix (ids and slashes only, but escape anyway). */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

// ---------------------------------------------------------------------------------------------
// City bureaus and districts

export async function insertCityBureau(db: DbOrTx, row: { divisionCode: string; name: string }) {
  const [created] = await db.insert(cityBureaus).values(row).returning();
  if (!created) throw new Error('city bureau insert returned nothing');
  return created;
}

export async function findCityBureau(db: DbOrTx, id: string): Promise<CityBureauRow | undefined> {
  const [row] = await db.select().from(cityBureaus).where(eq(cityBureaus.id, id));
  return row;
}

export async function listCityBureaus(db: DbOrTx, ids: 'all' | string[]): Promise<CityBureauRow[]> {
  if (ids !== 'all' && ids.length === 0) return [];
  return db
    .select()
    .from(cityBureaus)
    .where(ids === 'all' ? undefined : inArray(cityBureaus.id, ids))
    .orderBy(asc(cityBureaus.divisionCode));
}

export interface DistrictWithRoot extends DistrictRow {
  rootId: string | null;
  rootPath: string | null;
}

const districtWithRoot = {
  id: districts.id,
  kind: districts.kind,
  divisionCode: districts.divisionCode,
  name: districts.name,
  cityBureauId: districts.cityBureauId,
  createdAt: districts.createdAt,
  closedAt: districts.closedAt,
  rootId: orgUnits.id,
  rootPath: orgUnits.path,
};

export async function insertDistrict(
  tx: Tx,
  row: { id: string; divisionCode: string; name: string; cityBureauId: string | null },
): Promise<DistrictRow> {
  const [created] = await tx.insert(districts).values(row).returning();
  if (!created) throw new Error('district insert returned nothing');
  return created;
}

/** Districts (never the platform row) with their root unit; `ids` restricts the list. */
export async function listDistricts(db: DbOrTx, ids: 'all' | string[]): Promise<DistrictWithRoot[]> {
  if (ids !== 'all' && ids.length === 0) return [];
  return db
    .select(districtWithRoot)
    .from(districts)
    .leftJoin(orgUnits, and(eq(orgUnits.districtId, districts.id), isNull(orgUnits.parentId)))
    .where(and(eq(districts.kind, 'district'), ids === 'all' ? undefined : inArray(districts.id, ids)))
    .orderBy(asc(districts.divisionCode));
}

export async function findDistrict(db: DbOrTx, id: string): Promise<DistrictWithRoot | undefined> {
  const [row] = await listDistricts(db, [id]);
  return row;
}

/** Ids of the open districts of a city. */
export async function districtIdsOfCity(db: DbOrTx, cityBureauId: string): Promise<string[]> {
  const rows = await db
    .select({ id: districts.id })
    .from(districts)
    .where(and(eq(districts.cityBureauId, cityBureauId), isNull(districts.closedAt)));
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// Org units

/**
 * Serialises structural changes of one district's tree: creates take the lock shared (they run
 * side by side), moves, closes and reopens exclusively, so a child is never created under a unit
 * whose path is being rewritten or whose subtree is being closed.
 */
export async function lockTree(tx: Tx, districtId: string, mode: 'shared' | 'exclusive'): Promise<void> {
  const key = sql`hashtextextended(${`mingde.org_tree:${districtId}`}, 0)`;
  await tx.execute(
    mode === 'shared'
      ? sql`select pg_advisory_xact_lock_shared(${key})`
      : sql`select pg_advisory_xact_lock(${key})`,
  );
}

/** A unit by id alone (ids are unique across districts; an index serves this lookup). */
export async function findOrgUnit(db: DbOrTx, id: string): Promise<OrgUnitRow | undefined> {
  // On the request path of every roster and unit page: built and rendered once per database.
  const statement = preparedOnce(db, 'mingde_find_org_unit', (on) =>
    on
      .select()
      .from(orgUnits)
      .where(eq(orgUnits.id, sql.placeholder('id')))
      .prepare('mingde_find_org_unit'),
  );
  const [row] = await statement.execute({ id });
  return row;
}

/** Re-read a unit inside a transaction, locked against concurrent changes. */
export async function lockOrgUnit(tx: Tx, districtId: string, id: string): Promise<OrgUnitRow | undefined> {
  const [row] = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.districtId, districtId), eq(orgUnits.id, id)))
    .for('update');
  return row;
}

export async function findOrgUnits(db: DbOrTx, districtId: string, ids: string[]): Promise<OrgUnitRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.districtId, districtId), inArray(orgUnits.id, ids)));
}

/** The district root (the districtBureau unit). */
export async function findRoot(db: DbOrTx, districtId: string): Promise<OrgUnitRow | undefined> {
  const [row] = await db
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.districtId, districtId), isNull(orgUnits.parentId)));
  return row;
}

/** A unit's place in the tree with its name: what other domains need to refer to units. */
export type OrgUnitPlace = Pick<OrgUnitRow, 'id' | 'districtId' | 'path' | 'kind' | 'name' | 'status'>;

const placeColumns = {
  id: orgUnits.id,
  districtId: orgUnits.districtId,
  path: orgUnits.path,
  kind: orgUnits.kind,
  name: orgUnits.name,
  status: orgUnits.status,
};

/** Units by id alone, from any district. */
export async function findPlaces(db: DbOrTx, ids: string[]): Promise<OrgUnitPlace[]> {
  if (ids.length === 0) return [];
  return db.select(placeColumns).from(orgUnits).where(inArray(orgUnits.id, ids));
}

/** The root unit of an open district (never the platform row). */
export async function findOpenDistrictRoot(
  db: DbOrTx,
  districtId: string,
): Promise<OrgUnitPlace | undefined> {
  const [row] = await db
    .select(placeColumns)
    .from(orgUnits)
    .innerJoin(districts, eq(districts.id, orgUnits.districtId))
    .where(
      and(
        eq(orgUnits.districtId, districtId),
        isNull(orgUnits.parentId),
        eq(districts.kind, 'district'),
        isNull(districts.closedAt),
      ),
    )
    .limit(1);
  return row;
}

/** Ids of every unit (open or closed) inside the scopes. */
export async function idsWithin(db: DbOrTx, scopes: Scope[]): Promise<{ districtId: string; id: string }[]> {
  if (scopes.length === 0) return [];
  return db
    .select({ districtId: orgUnits.districtId, id: orgUnits.id })
    .from(orgUnits)
    .where(scopeCondition(scopes));
}

export async function childCounts(
  db: DbOrTx,
  districtId: string,
  parentId: string,
): Promise<{ active: number; closed: number }> {
  const rows = await db
    .select({ status: orgUnits.status, n: count() })
    .from(orgUnits)
    .where(and(eq(orgUnits.districtId, districtId), eq(orgUnits.parentId, parentId)))
    .groupBy(orgUnits.status);
  const of = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
  return { active: of('active'), closed: of('closed') };
}

export interface OrgUnitFilter {
  kind?: OrgUnitRow['kind'];
  schoolType?: string;
  status: 'active' | 'closed' | 'all';
  q?: string;
}

export interface Page {
  limit: number;
  offset: number;
}

function filterConditions(filter: OrgUnitFilter): (SQL | undefined)[] {
  const q = filter.q?.trim();
  const pattern = q ? `%${escapeLike(q)}%` : undefined;
  return [
    filter.kind ? eq(orgUnits.kind, filter.kind) : undefined,
    filter.schoolType ? eq(orgUnits.schoolType, filter.schoolType) : undefined,
    filter.status === 'all' ? undefined : eq(orgUnits.status, filter.status),
    pattern
      ? or(
          sql`${orgUnits.name} ilike ${pattern}`,
          sql`${orgUnits.nameEn} ilike ${pattern}`,
          like(orgUnits.schoolCode, `${escapeLike(q ?? '')}%`),
        )
      : undefined,
  ];
}

/** Rows of a scope: a district, or a subtree of one (prefix match on the materialised path). */
export function scopeCondition(scopes: 'all' | Scope[]): SQL | undefined {
  if (scopes === 'all') return undefined;
  if (scopes.length === 0) return sql`false`;
  return or(
    ...scopes.map((s) =>
      and(
        eq(orgUnits.districtId, s.districtId),
        s.pathPrefix === null ? undefined : like(orgUnits.path, `${escapeLike(s.pathPrefix)}%`),
      ),
    ),
  );
}

// Grades in code order, classes by number, then by name (Chinese names sort by code point).
const unitOrder = [asc(orgUnits.gradeCode), asc(orgUnits.classNumber), asc(orgUnits.name), asc(orgUnits.id)];

export async function listChildren(
  db: DbOrTx,
  districtId: string,
  parentId: string,
  filter: OrgUnitFilter,
  page: Page,
): Promise<{ rows: OrgUnitRow[]; total: number }> {
  const where = and(
    eq(orgUnits.districtId, districtId),
    eq(orgUnits.parentId, parentId),
    ...filterConditions(filter),
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(orgUnits)
      .where(where)
      .orderBy(...unitOrder)
      .limit(page.limit)
      .offset(page.offset),
    db.select({ n: count() }).from(orgUnits).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Units inside the given scopes matching the filter; `districtId` narrows to one district. */
export async function searchOrgUnits(
  db: DbOrTx,
  scopes: 'all' | Scope[],
  filter: OrgUnitFilter & { districtId?: string },
  page: Page,
): Promise<{ rows: OrgUnitRow[]; total: number }> {
  const where = and(
    scopeCondition(scopes),
    filter.districtId ? eq(orgUnits.districtId, filter.districtId) : undefined,
    ...filterConditions(filter),
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(orgUnits)
      .where(where)
      .orderBy(sql`array_length(string_to_array(${orgUnits.path}, '/'), 1)`, ...unitOrder)
      .limit(page.limit)
      .offset(page.offset),
    db.select({ n: count() }).from(orgUnits).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** A unit and everything below it, top-down. */
export async function subtree(db: DbOrTx, districtId: string, path: string): Promise<OrgUnitRow[]> {
  return db
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.districtId, districtId), like(orgUnits.path, `${escapeLike(path)}%`)))
    .orderBy(sql`length(${orgUnits.path})`, asc(orgUnits.id));
}

/** The active children of some units: enough to check grade and class numbers for clashes. */
export async function activeChildren(
  db: DbOrTx,
  districtId: string,
  parentIds: string[],
): Promise<OrgUnitRow[]> {
  if (parentIds.length === 0) return [];
  return db
    .select()
    .from(orgUnits)
    .where(
      and(
        eq(orgUnits.districtId, districtId),
        inArray(orgUnits.parentId, parentIds),
        eq(orgUnits.status, 'active'),
      ),
    );
}

/** Which of these school codes the district already uses. */
export async function schoolCodesInUse(db: DbOrTx, districtId: string, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const rows = await db
    .select({ code: orgUnits.schoolCode })
    .from(orgUnits)
    .where(and(eq(orgUnits.districtId, districtId), inArray(orgUnits.schoolCode, codes)));
  return rows.flatMap((r) => (r.code ? [r.code] : []));
}

/** Bulk insert with ids and paths generated by the caller (parents before children). */
export async function insertOrgUnits(tx: Tx, rows: NewOrgUnitRow[]): Promise<OrgUnitRow[]> {
  const out: OrgUnitRow[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    out.push(
      ...(await tx
        .insert(orgUnits)
        .values(rows.slice(i, i + CHUNK))
        .returning()),
    );
  }
  return out;
}

export async function insertOrgUnitVersions(
  tx: Tx,
  rows: (typeof orgUnitVersions.$inferInsert)[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx.insert(orgUnitVersions).values(rows.slice(i, i + CHUNK));
  }
}

/**
 * Apply a change and bump the version; with `expectedVersion`, only if nobody changed the row
 * since (undefined result = stale).
 */
export async function updateOrgUnit(
  tx: Tx,
  districtId: string,
  id: string,
  set: Partial<typeof orgUnits.$inferInsert>,
  expectedVersion?: number,
): Promise<OrgUnitRow | undefined> {
  const [row] = await tx
    .update(orgUnits)
    .set({ ...set, version: sql`${orgUnits.version} + 1`, updatedAt: sql`now()` })
    .where(
      and(
        eq(orgUnits.districtId, districtId),
        eq(orgUnits.id, id),
        expectedVersion === undefined ? undefined : eq(orgUnits.version, expectedVersion),
      ),
    )
    .returning();
  return row;
}

/** Close several units in one statement, bumping each version; parents come back first. */
export async function closeOrgUnits(
  tx: Tx,
  districtId: string,
  ids: string[],
  reason: string,
): Promise<OrgUnitRow[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .update(orgUnits)
    .set({
      status: 'closed',
      closedAt: sql`now()`,
      closedReason: reason,
      version: sql`${orgUnits.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(orgUnits.districtId, districtId), inArray(orgUnits.id, ids), eq(orgUnits.status, 'active')))
    .returning();
  return rows.sort((a, b) => a.path.length - b.path.length);
}

/** Rewrite the paths of everything strictly below `oldPrefix` to hang under `newPrefix`. */
export async function rewriteDescendantPaths(
  tx: Tx,
  districtId: string,
  oldPrefix: string,
  newPrefix: string,
): Promise<number> {
  const result = await tx
    .update(orgUnits)
    .set({ path: sql`${newPrefix} || substr(${orgUnits.path}, ${oldPrefix.length + 1})` })
    .where(
      and(
        eq(orgUnits.districtId, districtId),
        like(orgUnits.path, `${escapeLike(oldPrefix)}%`),
        sql`${orgUnits.path} <> ${oldPrefix}`,
      ),
    );
  return result.rowCount ?? 0;
}

export async function listVersions(
  db: DbOrTx,
  districtId: string,
  orgUnitId: string,
): Promise<OrgUnitVersionRow[]> {
  return db
    .select()
    .from(orgUnitVersions)
    .where(and(eq(orgUnitVersions.districtId, districtId), eq(orgUnitVersions.orgUnitId, orgUnitId)))
    .orderBy(asc(orgUnitVersions.version));
}

// ---------------------------------------------------------------------------------------------
// Groupings

export async function insertGrouping(
  tx: Tx,
  row: { districtId: string; kind: GroupingRow['kind']; name: string; leadSchoolId: string | null },
): Promise<GroupingRow> {
  const [created] = await tx.insert(schoolGroupings).values(row).returning();
  if (!created) throw new Error('grouping insert returned nothing');
  return created;
}

export async function findGrouping(db: DbOrTx, id: string): Promise<GroupingRow | undefined> {
  const [row] = await db.select().from(schoolGroupings).where(eq(schoolGroupings.id, id));
  return row;
}

export async function listGroupings(
  db: DbOrTx,
  districtIds: 'all' | string[],
  filter: { districtId?: string; kind?: GroupingRow['kind']; includeClosed: boolean },
): Promise<GroupingRow[]> {
  if (districtIds !== 'all' && districtIds.length === 0) return [];
  return db
    .select()
    .from(schoolGroupings)
    .where(
      and(
        districtIds === 'all' ? undefined : inArray(schoolGroupings.districtId, districtIds),
        filter.districtId ? eq(schoolGroupings.districtId, filter.districtId) : undefined,
        filter.kind ? eq(schoolGroupings.kind, filter.kind) : undefined,
        filter.includeClosed ? undefined : isNull(schoolGroupings.closedAt),
      ),
    )
    .orderBy(asc(schoolGroupings.kind), asc(schoolGroupings.name));
}

export interface GroupingMemberRow {
  groupingId: string;
  schoolId: string;
  joinedAt: Date;
  name: string;
  schoolCode: string | null;
  status: OrgUnitRow['status'];
  path: string;
  districtId: string;
}

export async function groupingMembers(
  db: DbOrTx,
  districtId: string,
  groupingIds: string[],
): Promise<GroupingMemberRow[]> {
  if (groupingIds.length === 0) return [];
  return db
    .select({
      groupingId: schoolGroupingMembers.groupingId,
      schoolId: schoolGroupingMembers.schoolId,
      joinedAt: schoolGroupingMembers.joinedAt,
      name: orgUnits.name,
      schoolCode: orgUnits.schoolCode,
      status: orgUnits.status,
      path: orgUnits.path,
      districtId: orgUnits.districtId,
    })
    .from(schoolGroupingMembers)
    .innerJoin(
      orgUnits,
      and(
        eq(orgUnits.districtId, schoolGroupingMembers.districtId),
        eq(orgUnits.id, schoolGroupingMembers.schoolId),
      ),
    )
    .where(
      and(
        eq(schoolGroupingMembers.districtId, districtId),
        inArray(schoolGroupingMembers.groupingId, groupingIds),
      ),
    )
    .orderBy(asc(orgUnits.schoolCode), asc(orgUnits.name));
}

/** Add members; returns the school ids that were not members yet. */
export async function insertGroupingMembers(
  tx: Tx,
  districtId: string,
  groupingId: string,
  schoolIds: string[],
): Promise<string[]> {
  if (schoolIds.length === 0) return [];
  const rows = await tx
    .insert(schoolGroupingMembers)
    .values(schoolIds.map((schoolId) => ({ districtId, groupingId, schoolId })))
    .onConflictDoNothing()
    .returning({ schoolId: schoolGroupingMembers.schoolId });
  return rows.map((r) => r.schoolId);
}

export async function deleteGroupingMember(
  tx: Tx,
  districtId: string,
  groupingId: string,
  schoolId: string,
): Promise<boolean> {
  const result = await tx
    .delete(schoolGroupingMembers)
    .where(
      and(
        eq(schoolGroupingMembers.districtId, districtId),
        eq(schoolGroupingMembers.groupingId, groupingId),
        eq(schoolGroupingMembers.schoolId, schoolId),
      ),
    );
  return (result.rowCount ?? 0) > 0;
}

export async function closeGrouping(
  tx: Tx,
  districtId: string,
  id: string,
): Promise<GroupingRow | undefined> {
  const [row] = await tx
    .update(schoolGroupings)
    .set({ closedAt: sql`now()` })
    .where(
      and(
        eq(schoolGroupings.districtId, districtId),
        eq(schoolGroupings.id, id),
        isNull(schoolGroupings.closedAt),
      ),
    )
    .returning();
  return row;
}

// ---------------------------------------------------------------------------------------------
// Academic years and terms

export async function insertAcademicYear(
  tx: Tx,
  row: { districtId: string; name: string; startsOn: string; endsOn: string },
): Promise<AcademicYearRow> {
  const [created] = await tx.insert(academicYears).values(row).returning();
  if (!created) throw new Error('academic year insert returned nothing');
  return created;
}

export async function findAcademicYear(db: DbOrTx, id: string): Promise<AcademicYearRow | undefined> {
  const [row] = await db.select().from(academicYears).where(eq(academicYears.id, id));
  return row;
}

export async function lockAcademicYear(
  tx: Tx,
  districtId: string,
  id: string,
): Promise<AcademicYearRow | undefined> {
  const [row] = await tx
    .select()
    .from(academicYears)
    .where(and(eq(academicYears.districtId, districtId), eq(academicYears.id, id)))
    .for('update');
  return row;
}

export async function listAcademicYears(db: DbOrTx, districtId: string): Promise<AcademicYearRow[]> {
  return db
    .select()
    .from(academicYears)
    .where(eq(academicYears.districtId, districtId))
    .orderBy(asc(academicYears.startsOn));
}

export async function academicYearIdsIn(db: DbOrTx, districtId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: academicYears.id })
    .from(academicYears)
    .where(and(eq(academicYears.districtId, districtId), inArray(academicYears.id, ids)));
  return rows.map((r) => r.id);
}

export async function updateAcademicYear(
  tx: Tx,
  districtId: string,
  id: string,
  set: { name: string; startsOn: string; endsOn: string },
): Promise<AcademicYearRow | undefined> {
  const [row] = await tx
    .update(academicYears)
    .set(set)
    .where(and(eq(academicYears.districtId, districtId), eq(academicYears.id, id)))
    .returning();
  return row;
}

export async function termsOf(db: DbOrTx, districtId: string, yearIds: string[]): Promise<TermRow[]> {
  if (yearIds.length === 0) return [];
  return db
    .select()
    .from(terms)
    .where(and(eq(terms.districtId, districtId), inArray(terms.academicYearId, yearIds)))
    .orderBy(asc(terms.seq));
}

/** Make a year's terms exactly `rows` (matched by seq; a term keeps its id when its seq stays). */
export async function replaceTerms(
  tx: Tx,
  districtId: string,
  academicYearId: string,
  rows: { seq: number; name: string; startsOn: string; endsOn: string }[],
): Promise<void> {
  const seqs = rows.map((r) => r.seq);
  await tx
    .delete(terms)
    .where(
      and(
        eq(terms.districtId, districtId),
        eq(terms.academicYearId, academicYearId),
        seqs.length > 0 ? notInArray(terms.seq, seqs) : undefined,
      ),
    );
  if (rows.length === 0) return;
  await tx
    .insert(terms)
    .values(rows.map((r) => ({ ...r, districtId, academicYearId })))
    .onConflictDoUpdate({
      target: [terms.districtId, terms.academicYearId, terms.seq],
      set: { name: sql`excluded.name`, startsOn: sql`excluded.starts_on`, endsOn: sql`excluded.ends_on` },
    });
}
