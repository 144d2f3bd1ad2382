/**
 * Use cases of the org domain: city bureaus, districts, the organisation tree, groupings, academic
 * years. Every function checks access through the policy, runs its change in one transaction with
 * its version row and audit event, and returns presented JSON.
 *
 * For the demo generator and system imports there are variants that run in the caller's transaction
 * without HTTP or policy checks (each documented where it is defined): `createDistrictWithRoot`,
 * `createAcademicYearInTx`, `createOrgTree`, `createGroupingInTx`.
 */
import { randomUUID } from 'node:crypto';
import {
  authorize,
  authorizeCity,
  canEver,
  cityScopeOf,
  covers,
  type Scope,
  scopeOf,
} from '../../access/policy';
import type { Principal } from '../../access/principal';
import type { Action } from '../../access/roles';
import { auditInTx, type Ctx, inTransaction, type RequestAuditEvent, requirePrincipal } from '../../context';
import type { DbOrTx, Tx } from '../../db/client';
import { conflict, DomainError, type FieldError, forbidden, notFound } from '../../errors';
import type { ResourceName } from '../../i18n/messages';
import { divisionLevel, divisionName, divisionParts, isWithin } from '../../standards/divisions';
import {
  gradeName,
  isOperatingTypeAllowed,
  type SchoolTypeId,
  schoolTypeById,
  schoolTypes,
} from '../../standards/school-types';
import { PLATFORM_DISTRICT_ID } from '../audit/log';
import {
  type AcademicYearView,
  type DistrictView,
  type GroupingView,
  type OrgUnitDetailView,
  type OrgUnitView,
  presentAcademicYear,
  presentCityBureau,
  presentDistrict,
  presentGrouping,
  presentOrgUnit,
  presentOrgUnitDetail,
  presentVersion,
  type Visible,
  versionData,
} from './presenter';
import type { OrgUnitRow } from './repository';
import * as repo from './repository';
import {
  type AcademicYearInput,
  academicYearErrors,
  canNest,
  childPath,
  divisionFieldError,
  fieldError,
  gradeFieldError,
  isInSubtree,
  kindNames,
  nestingError,
  type OrgUnitKind,
  operatingTypeName,
  type SchoolInfo,
  type SubtreeUnit,
  schoolFieldErrors,
  schoolIdOf,
  schoolTypeName,
  subtreeFitsSchool,
  todayInChina,
} from './rules';

// ---------------------------------------------------------------------------------------------
// Helpers

const invalid = (errors: FieldError[]) => new DomainError(422, 'request.invalid', {}, errors);
const throwIfAny = (errors: FieldError[]) => {
  if (errors.length > 0) throw invalid(errors);
};

function visibleTo(principal: Principal): Visible {
  const scope = scopeOf(principal, 'org.read');
  return (districtId, path) => covers(scope, { districtId, path });
}

/** Districts where the principal may read anything: 'all' for platform administrators. */
function readableDistrictIds(principal: Principal): 'all' | string[] {
  const scope = scopeOf(principal, 'org.read');
  return scope === 'all' ? 'all' : [...new Set(scope.map((s: Scope) => s.districtId))];
}

function readsDistrict(principal: Principal, districtId: string): boolean {
  const ids = readableDistrictIds(principal);
  return ids === 'all' || ids.includes(districtId);
}

/**
 * Bureau-level changes (groupings, academic years) need `action` on the district root. A caller
 * who can read something in the district learns 403; anyone else 404, as for units.
 */
function authorizeDistrictLevel(
  principal: Principal,
  action: Action,
  districtId: string,
  root: OrgUnitRow | undefined,
  resource: ResourceName,
): void {
  if (!canEver(principal, action)) throw forbidden();
  if (!root || !readsDistrict(principal, districtId)) throw notFound(resource);
  if (!covers(scopeOf(principal, action), root)) throw forbidden();
}

/** Field-by-field differences, for audit details: `{ name: { old, new } }`. */
function diff<T extends object>(before: Partial<T> | null, after: T, fields: readonly (keyof T & string)[]) {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const f of fields) {
    const oldValue = before ? (before[f] ?? null) : null;
    const newValue = after[f] ?? null;
    if (oldValue !== newValue) changes[f] = { old: oldValue, new: newValue };
  }
  return changes;
}

const unitFields = [
  'parentId',
  'kind',
  'name',
  'nameEn',
  'address',
  'schoolCode',
  'schoolType',
  'operatingTypeCode',
  'divisionCode',
  'gradeCode',
  'classNumber',
  'academicYearId',
  'status',
  'closedReason',
] as const satisfies readonly (keyof OrgUnitRow)[];

/** The version row and the audit event of one change to a unit, written in the change's transaction. */
async function recordUnitChanges(
  ctx: Ctx,
  tx: Tx,
  changes: {
    row: OrgUnitRow;
    before: OrgUnitRow | null;
    change: 'create' | 'update' | 'move' | 'close' | 'reopen';
    extra?: Record<string, unknown>;
  }[],
): Promise<void> {
  if (changes.length === 0) return;
  const changedBy = ctx.principal?.userId ?? null;
  await repo.insertOrgUnitVersions(
    tx,
    changes.map(({ row, change }) => ({
      districtId: row.districtId,
      orgUnitId: row.id,
      version: row.version,
      change,
      data: versionData(row),
      changedBy,
    })),
  );
  await auditInTx(
    ctx,
    tx,
    ...changes.map(
      ({ row, before, change, extra }): RequestAuditEvent => ({
        districtId: row.districtId,
        action: `org.${change}`,
        targetType: 'orgUnit',
        targetId: row.id,
        details: { kind: row.kind, version: row.version, changes: diff(before, row, unitFields), ...extra },
      }),
    ),
  );
}

/** The school a unit lies in, as the nesting and grade rules need it (null at district level). */
async function schoolInfoOf(db: DbOrTx, unit: OrgUnitRow): Promise<SchoolInfo | null> {
  if (unit.kind === 'districtBureau') return null;
  const school = unit.kind === 'school' ? unit : await repo.findOrgUnit(db, schoolIdOf(unit.path) ?? '');
  if (!school?.schoolType) return null;
  return { schoolType: school.schoolType, operatingTypeCode: school.operatingTypeCode };
}

function pageOf(page: number, pageSize: number): repo.Page {
  return { limit: pageSize, offset: (page - 1) * pageSize };
}

// ---------------------------------------------------------------------------------------------
// Reference data (any signed-in user)

export function listSchoolTypes(ctx: Ctx) {
  requirePrincipal(ctx);
  return schoolTypes.map((t) => ({
    id: t.id,
    name: schoolTypeName(t),
    stages: [...t.stages],
    operatingTypes: t.operatingTypes.map((code) => ({ code, name: operatingTypeName(code) ?? code })),
    defaultOperatingType: t.defaultOperatingType,
    hasGrades: t.grades.length > 0,
    grades: t.grades.map((code) => ({
      code,
      name: { 'zh-CN': gradeName(code, 'zh-CN') ?? code, en: gradeName(code, 'en') ?? code },
    })),
    gradesByOperatingType: t.gradesByOperatingType
      ? Object.fromEntries(Object.entries(t.gradesByOperatingType).map(([k, v]) => [k, [...v]]))
      : null,
  }));
}

export function getDivision(ctx: Ctx, code: string) {
  requirePrincipal(ctx);
  const parts = divisionParts(code);
  const level = divisionLevel(code);
  if (!parts || !level) throw notFound('division');
  const chain = [
    { code: parts.province.code, name: parts.province.name, level: 'province' as const },
    ...(parts.city ? [{ code: parts.city.code, name: parts.city.name, level: 'city' as const }] : []),
    ...(parts.area ? [{ code: parts.area.code, name: parts.area.name, level: 'area' as const }] : []),
  ];
  return { code, level, name: divisionName(code) ?? '', chain };
}

// ---------------------------------------------------------------------------------------------
// City bureaus

export async function createCityBureau(ctx: Ctx, input: { divisionCode: string; name: string }) {
  const principal = requirePrincipal(ctx);
  authorizeCity(principal, 'district.create', null);
  return presentCityBureau(await inTransaction(ctx, (tx) => createCityBureauInTx(ctx, tx, input)));
}

/** System use (demo generator): create a city bureau in the caller's transaction, without a policy check. */
export async function createCityBureauInTx(ctx: Ctx, tx: Tx, input: { divisionCode: string; name: string }) {
  const level = divisionLevel(input.divisionCode);
  if (!level)
    throw invalid([
      fieldError('body.divisionCode', 'org.division_invalid', { divisionCode: input.divisionCode }),
    ]);
  if (level === 'area') {
    throw invalid([
      fieldError('body.divisionCode', 'cityBureau.division_not_city', { divisionCode: input.divisionCode }),
    ]);
  }
  let created: repo.CityBureauRow;
  try {
    created = await tx.transaction((inner) => repo.insertCityBureau(inner, input));
  } catch (error) {
    if (repo.uniqueViolation(error) !== null) {
      throw conflict('cityBureau.division_code_taken', { divisionCode: input.divisionCode });
    }
    throw error;
  }
  await auditInTx(ctx, tx, {
    districtId: PLATFORM_DISTRICT_ID,
    action: 'cityBureau.create',
    targetType: 'cityBureau',
    targetId: created.id,
    details: { changes: diff(null, created, ['divisionCode', 'name']) },
  });
  return created;
}

/** City bureaus the caller works for or whose districts it can read. */
export async function listCityBureaus(ctx: Ctx) {
  const principal = requirePrincipal(ctx);
  const cities = cityScopeOf(principal, 'org.read');
  const districtIds = readableDistrictIds(principal);
  let ids: 'all' | string[] = 'all';
  if (cities !== 'all' && districtIds !== 'all') {
    const districts = await repo.listDistricts(ctx.db, districtIds);
    ids = [...new Set([...cities, ...districts.flatMap((d) => (d.cityBureauId ? [d.cityBureauId] : []))])];
  }
  return (await repo.listCityBureaus(ctx.db, ids)).map(presentCityBureau);
}

// ---------------------------------------------------------------------------------------------
// Districts

export interface CreateDistrictInput {
  divisionCode: string;
  /** The bureau's name, also the root unit's: '东城区教育委员会'. */
  name: string;
  cityBureauId?: string | null;
  /** Pre-generated ids (optional), e.g. for deterministic demo data. */
  id?: string;
  rootId?: string;
}

/** Platform administrators, or the admin of the city bureau the district belongs to. */
export async function createDistrict(ctx: Ctx, input: CreateDistrictInput): Promise<DistrictView> {
  const principal = requirePrincipal(ctx);
  authorizeCity(principal, 'district.create', input.cityBureauId ?? null);
  const created = await inTransaction(ctx, (tx) => createDistrictWithRoot(ctx, tx, input));
  // The principal was loaded before the district existed; creating it is what grants the view.
  return presentDistrict(created, () => true);
}

export async function listDistricts(ctx: Ctx): Promise<DistrictView[]> {
  const principal = requirePrincipal(ctx);
  const rows = await repo.listDistricts(ctx.db, readableDistrictIds(principal));
  const visible = visibleTo(principal);
  return rows.map((r) => presentDistrict(r, visible));
}

export async function getDistrict(ctx: Ctx, id: string): Promise<DistrictView> {
  const principal = requirePrincipal(ctx);
  if (!readsDistrict(principal, id)) throw notFound('district');
  const row = await repo.findDistrict(ctx.db, id);
  if (!row) throw notFound('district');
  return presentDistrict(row, visibleTo(principal));
}

// ---------------------------------------------------------------------------------------------
// Org units: reads

export async function getOrgUnit(ctx: Ctx, id: string): Promise<OrgUnitDetailView> {
  const principal = requirePrincipal(ctx);
  const row = await repo.findOrgUnit(ctx.db, id);
  authorize(principal, 'org.read', row ?? null, 'orgUnit');
  const unit = row as OrgUnitRow;
  const ancestorIds = unit.path.split('/').filter((x) => x && x !== unit.id);
  const [ancestors, counts] = await Promise.all([
    repo.findOrgUnits(ctx.db, unit.districtId, ancestorIds),
    repo.childCounts(ctx.db, unit.districtId, unit.id),
  ]);
  return presentOrgUnitDetail(unit, ancestors, counts, visibleTo(principal));
}

export interface ListFilter {
  kind?: OrgUnitRow['kind'];
  schoolType?: string;
  status: 'active' | 'closed' | 'all';
  q?: string;
  page: number;
  pageSize: number;
}

export async function listChildren(ctx: Ctx, id: string, filter: ListFilter) {
  const principal = requirePrincipal(ctx);
  const row = await repo.findOrgUnit(ctx.db, id);
  authorize(principal, 'org.read', row ?? null, 'orgUnit');
  const unit = row as OrgUnitRow;
  const { rows, total } = await repo.listChildren(
    ctx.db,
    unit.districtId,
    unit.id,
    filter,
    pageOf(filter.page, filter.pageSize),
  );
  const visible = visibleTo(principal);
  return {
    items: rows.map((r) => presentOrgUnit(r, visible)),
    total,
    page: filter.page,
    pageSize: filter.pageSize,
  };
}

/** Units in the caller's read scope; `q` matches the name (either language) or a school code prefix. */
export async function searchOrgUnits(ctx: Ctx, filter: ListFilter & { districtId?: string }) {
  const principal = requirePrincipal(ctx);
  if (!canEver(principal, 'org.read')) throw forbidden();
  const { rows, total } = await repo.searchOrgUnits(
    ctx.db,
    scopeOf(principal, 'org.read'),
    filter,
    pageOf(filter.page, filter.pageSize),
  );
  const visible = visibleTo(principal);
  return {
    items: rows.map((r) => presentOrgUnit(r, visible)),
    total,
    page: filter.page,
    pageSize: filter.pageSize,
  };
}

export async function getOrgUnitHistory(ctx: Ctx, id: string) {
  const principal = requirePrincipal(ctx);
  const row = await repo.findOrgUnit(ctx.db, id);
  authorize(principal, 'org.read', row ?? null, 'orgUnit');
  const unit = row as OrgUnitRow;
  const visible = visibleTo(principal);
  return (await repo.listVersions(ctx.db, unit.districtId, unit.id)).map((v) => presentVersion(v, visible));
}

// ---------------------------------------------------------------------------------------------
// Org units: create

/** One unit to create, with the units to create below it. Fields that do not fit the kind are refused. */
export interface OrgNodeInput {
  kind: Exclude<OrgUnitKind, 'districtBureau'>;
  name: string;
  nameEn?: string | null;
  address?: string | null;
  /** school: Mingde school category. */
  schoolType?: SchoolTypeId;
  /** school: 办学类型 code; defaults to the category's usual one. */
  operatingTypeCode?: string | null;
  /** school: 学校标识码. */
  schoolCode?: string | null;
  /** school, campus: GB/T 2260 code inside the district; a school defaults to the district's. */
  divisionCode?: string | null;
  /** grade (required), class (defaults to its grade's). */
  gradeCode?: string | null;
  /** class: 1, 2, … */
  classNumber?: number | null;
  /** class: the academic year it belongs to. */
  academicYearId?: string | null;
  /** Pre-generated id (optional), so a caller can refer to the unit afterwards. */
  id?: string;
  children?: OrgNodeInput[];
}

const kindFields: Record<Exclude<OrgUnitKind, 'districtBureau'>, readonly (keyof OrgNodeInput)[]> = {
  school: ['schoolType', 'operatingTypeCode', 'schoolCode', 'divisionCode'],
  campus: ['divisionCode'],
  grade: ['gradeCode'],
  class: ['gradeCode', 'classNumber', 'academicYearId'],
};
const specificFields = [
  'schoolType',
  'operatingTypeCode',
  'schoolCode',
  'divisionCode',
  'gradeCode',
  'classNumber',
  'academicYearId',
] as const;

/** A parent as the tree builder sees it: an existing row, or a node created earlier in the batch. */
interface ParentInfo {
  id: string;
  kind: OrgUnitKind;
  path: string;
  status: 'active' | 'closed';
  gradeCode: string | null;
  school: SchoolInfo | null;
}

const cleanName = (s: string | null | undefined) => (typeof s === 'string' ? s.trim() : s);

/**
 * Create a unit under `parentId` (policy: 'org.create' on the parent). Field errors name `body.*`.
 */
export async function createOrgUnit(
  ctx: Ctx,
  input: OrgNodeInput & { parentId: string },
): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const { parentId, ...node } = input;
  const rows = await inTransaction(ctx, async (tx) => {
    const parent = await repo.findOrgUnit(tx, parentId);
    authorize(principal, 'org.create', parent ?? null, 'orgUnit');
    return buildTree(ctx, tx, parent as OrgUnitRow, [{ ...node, children: [] }], { single: true });
  });
  const created = rows[0];
  if (!created) throw new Error('createOrgUnit created nothing');
  return presentOrgUnit(created, visibleTo(principal));
}

/**
 * System use (demo generator, imports): create whole subtrees under `parentId` in the caller's
 * transaction, without a policy check. Ids (UUIDs) are taken from `node.id` or generated and written
 * back into `node.id`; paths are computed here and the rows go in with a few multi-row INSERTs (40
 * schools with 1 280 units took under a second in tests); every node is validated with the same rules as
 * `POST /org-units` (field errors name `nodes.0.children.1.gradeCode` …). Writes a version row and
 * an audit event per unit, attributed to `ctx.principal` (null: recorded as without an actor).
 * Returns the created rows, parents before children.
 *
 *   await inTransaction(ctx, async (tx) => {
 *     const d = await createDistrictWithRoot(ctx, tx, { divisionCode: '110101', name: '东城区教育委员会' });
 *     const y = await createAcademicYearInTx(ctx, tx, { districtId: d.id, name: '2026-2027', … });
 *     await createOrgTree(ctx, tx, d.rootId, [{ kind: 'school', name: '…', schoolType: 'primary',
 *       children: [{ kind: 'campus', name: '本部', children: [{ kind: 'grade', name: '一年级',
 *         gradeCode: '11', children: [{ kind: 'class', name: '一年级1班', classNumber: 1,
 *         academicYearId: y.id }] }] }] }]);
 *   });
 */
export async function createOrgTree(
  ctx: Ctx,
  tx: Tx,
  parentId: string,
  nodes: OrgNodeInput[],
): Promise<OrgUnitRow[]> {
  const parent = await repo.findOrgUnit(tx, parentId);
  if (!parent) throw notFound('orgUnit');
  return buildTree(ctx, tx, parent, nodes, { single: false });
}

async function buildTree(
  ctx: Ctx,
  tx: Tx,
  top: OrgUnitRow,
  nodes: OrgNodeInput[],
  options: { single: boolean },
): Promise<OrgUnitRow[]> {
  await repo.lockTree(tx, top.districtId, 'shared');
  // Re-read under the lock: a move or close that committed meanwhile is seen.
  const parentRow = (await repo.findOrgUnit(tx, top.id)) ?? top;
  const districtId = parentRow.districtId;
  const district = await repo.findDistrict(tx, districtId);
  const districtDivision = district?.divisionCode ?? null;

  const all: { node: OrgNodeInput; errPath: string; parent: ParentInfo }[] = [];
  const walk = (list: OrgNodeInput[], parent: ParentInfo, prefix: string) => {
    list.forEach((node, i) => {
      const errPath = options.single ? prefix : `${prefix}.${i}`;
      all.push({ node, errPath, parent });
      if (node.children && node.children.length > 0) {
        const id = node.id ?? randomUUID();
        node.id = id;
        walk(
          node.children,
          {
            id,
            kind: node.kind,
            path: childPath(parent.path, id),
            status: 'active',
            gradeCode: node.kind === 'grade' ? (node.gradeCode ?? null) : null,
            school:
              node.kind === 'school' && node.schoolType
                ? {
                    schoolType: node.schoolType,
                    operatingTypeCode:
                      node.operatingTypeCode ?? schoolTypeById(node.schoolType)?.defaultOperatingType ?? null,
                  }
                : parent.school,
          },
          `${errPath}.children`,
        );
      }
    });
  };
  walk(
    nodes,
    {
      id: parentRow.id,
      kind: parentRow.kind,
      path: parentRow.path,
      status: parentRow.status,
      gradeCode: parentRow.gradeCode,
      school: await schoolInfoOf(tx, parentRow),
    },
    options.single ? 'body' : 'nodes',
  );

  const yearIds = new Set(
    await repo.academicYearIdsIn(
      tx,
      districtId,
      all.flatMap(({ node }) => (node.academicYearId ? [node.academicYearId] : [])),
    ),
  );
  // Keys of active grades and classes per parent, to refuse duplicates (existing ones first).
  const taken = new Set<string>();
  const gradeKey = (parentId: string, gradeCode: string) => `g:${parentId}:${gradeCode}`;
  const classKey = (parentId: string, yearId: string, n: number) => `c:${parentId}:${yearId}:${n}`;
  for (const c of await repo.activeChildren(tx, districtId, [parentRow.id])) {
    if (c.kind === 'grade' && c.gradeCode) taken.add(gradeKey(parentRow.id, c.gradeCode));
    if (c.kind === 'class' && c.academicYearId && c.classNumber !== null) {
      taken.add(classKey(parentRow.id, c.academicYearId, c.classNumber));
    }
  }

  const errors: FieldError[] = [];
  const conflicts: DomainError[] = [];
  const rows: repo.NewOrgUnitRow[] = [];
  const schoolCodes = new Map<string, string>();

  for (const { node, errPath, parent } of all) {
    const field = (f: string) => `${errPath}.${f}`;
    const before = errors.length;
    const kind = node.kind;
    const name = cleanName(node.name) ?? '';
    if (name.length < 1 || name.length > 100) errors.push(fieldError(field('name'), 'org.name_invalid'));
    for (const f of specificFields) {
      if (node[f] !== undefined && node[f] !== null && !kindFields[kind]?.includes(f)) {
        errors.push(fieldError(field(f), 'org.field_not_for_kind', { kind: kindNames[kind] }));
      }
    }
    const parentField = options.single && parent.id === parentRow.id ? 'body.parentId' : field('kind');
    if (parent.status !== 'active') errors.push(fieldError(parentField, 'org.closed_parent'));
    if (!canNest(kind, parent.kind, parent.school)) errors.push(nestingError(parentField, kind, parent.kind));
    const required = (f: keyof OrgNodeInput) => {
      if (node[f] === undefined || node[f] === null) {
        errors.push(fieldError(field(f), 'org.field_required', { kind: kindNames[kind] }));
        return false;
      }
      return true;
    };

    const row: repo.NewOrgUnitRow = {
      districtId,
      id: node.id ?? randomUUID(),
      parentId: parent.id,
      path: '',
      kind,
      name,
      nameEn: cleanName(node.nameEn) || null,
      address: cleanName(node.address) || null,
    };
    row.path = childPath(parent.path, row.id);
    node.id = row.id;

    if (kind === 'school' && required('schoolType') && node.schoolType) {
      const type = schoolTypeById(node.schoolType);
      const fields = {
        schoolType: node.schoolType,
        operatingTypeCode: node.operatingTypeCode ?? type?.defaultOperatingType ?? '',
        schoolCode: node.schoolCode ?? null,
        divisionCode: node.divisionCode ?? districtDivision,
      };
      errors.push(...schoolFieldErrors(errPath, fields, districtDivision));
      Object.assign(row, fields);
      if (fields.schoolCode) {
        if (schoolCodes.has(fields.schoolCode)) {
          conflicts.push(conflict('org.school_code_taken', { schoolCode: fields.schoolCode }));
        }
        schoolCodes.set(fields.schoolCode, row.id);
      }
    }
    if (kind === 'campus' && node.divisionCode) {
      const error = divisionFieldError(field('divisionCode'), node.divisionCode, districtDivision);
      if (error) errors.push(error);
      row.divisionCode = node.divisionCode;
    }
    // Grade and class rules only make sense once the nesting is right.
    const nested = !errors.slice(before).some((e) => e.code === 'org.invalid_parent');
    if (kind === 'grade' && required('gradeCode') && node.gradeCode && parent.school && nested) {
      const error = gradeFieldError(field('gradeCode'), node.gradeCode, parent.school);
      if (error) errors.push(error);
      row.gradeCode = node.gradeCode;
      const key = gradeKey(parent.id, node.gradeCode);
      if (taken.has(key)) conflicts.push(conflict('org.grade_taken', { gradeCode: node.gradeCode }));
      taken.add(key);
    }
    if (kind === 'class') {
      const hasNumber = required('classNumber');
      const hasYear = required('academicYearId');
      if (hasNumber && (!Number.isInteger(node.classNumber) || (node.classNumber ?? 0) < 1)) {
        errors.push(fieldError(field('classNumber'), 'org.field_required', { kind: kindNames.class }));
      }
      if (hasYear && node.academicYearId && !yearIds.has(node.academicYearId)) {
        errors.push(fieldError(field('academicYearId'), 'org.academic_year_unknown'));
      }
      if (parent.kind === 'grade') {
        row.gradeCode = node.gradeCode ?? parent.gradeCode;
        if (node.gradeCode && node.gradeCode !== parent.gradeCode) {
          errors.push(
            fieldError(field('gradeCode'), 'org.grade_code_mismatch', {
              gradeCode: node.gradeCode,
              parentGradeCode: parent.gradeCode ?? '',
            }),
          );
        }
      } else if (node.gradeCode && parent.school && nested) {
        const error = gradeFieldError(field('gradeCode'), node.gradeCode, parent.school);
        if (error) errors.push(error);
      }
      row.classNumber = node.classNumber ?? null;
      row.academicYearId = node.academicYearId ?? null;
      if (node.academicYearId && node.classNumber) {
        const key = classKey(parent.id, node.academicYearId, node.classNumber);
        if (taken.has(key))
          conflicts.push(conflict('org.class_number_taken', { classNumber: node.classNumber }));
        taken.add(key);
      }
    }
    rows.push(row);
  }

  throwIfAny(errors);
  const inUse = await repo.schoolCodesInUse(tx, districtId, [...schoolCodes.keys()]);
  if (inUse[0]) conflicts.unshift(conflict('org.school_code_taken', { schoolCode: inUse[0] }));
  if (conflicts[0]) throw conflicts[0];

  let created: OrgUnitRow[];
  try {
    created = await repo.insertOrgUnits(tx, rows);
  } catch (error) {
    // A concurrent create took the code between the check and the insert.
    if (repo.uniqueViolation(error) === 'org_units_school_code_key') {
      throw conflict('org.school_code_taken', { schoolCode: [...schoolCodes.keys()].join(', ') });
    }
    throw error;
  }
  await recordUnitChanges(
    ctx,
    tx,
    created.map((row) => ({ row, before: null, change: 'create' as const })),
  );
  return created;
}

// ---------------------------------------------------------------------------------------------
// Org units: update

export interface UpdateOrgUnitInput {
  /** The version the client read; a stale one answers 409 org.version_conflict. */
  version: number;
  name?: string;
  nameEn?: string | null;
  address?: string | null;
  schoolType?: SchoolTypeId;
  operatingTypeCode?: string;
  schoolCode?: string | null;
  divisionCode?: string | null;
  classNumber?: number;
  academicYearId?: string;
}

const patchableFields: Record<OrgUnitKind, readonly string[]> = {
  districtBureau: [],
  school: ['schoolType', 'operatingTypeCode', 'schoolCode', 'divisionCode'],
  campus: ['divisionCode'],
  grade: [],
  class: ['classNumber', 'academicYearId'],
};

/** Subtree units with their parents' kinds, for the school-type rules. */
function subtreeUnits(
  rows: OrgUnitRow[],
  overrideParentKind?: { id: string; kind: OrgUnitKind },
): SubtreeUnit[] {
  const kinds = new Map(rows.map((r) => [r.id, r.kind]));
  return rows
    .filter((r) => r.status === 'active')
    .map((r) => ({
      kind: r.kind,
      parentKind:
        overrideParentKind && r.id === overrideParentKind.id
          ? overrideParentKind.kind
          : (kinds.get(r.parentId ?? '') ?? null),
      gradeCode: r.gradeCode,
    }));
}

export async function updateOrgUnit(ctx: Ctx, id: string, input: UpdateOrgUnitInput): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const updated = await inTransaction(ctx, async (tx) => {
    const found = await repo.findOrgUnit(tx, id);
    authorize(principal, 'org.update', found ?? null, 'orgUnit');
    const unit = found as OrgUnitRow;
    const typeChange =
      unit.kind === 'school' &&
      ((input.schoolType !== undefined && input.schoolType !== unit.schoolType) ||
        (input.operatingTypeCode !== undefined && input.operatingTypeCode !== unit.operatingTypeCode));
    // Changing a school's type is checked against its grades: no grade may appear meanwhile.
    await repo.lockTree(tx, unit.districtId, typeChange ? 'exclusive' : 'shared');
    const current = await repo.lockOrgUnit(tx, unit.districtId, unit.id);
    if (!current) throw notFound('orgUnit');
    if (current.version !== input.version) throw conflict('org.version_conflict');
    if (current.status === 'closed') throw conflict('org.already_closed');

    const errors: FieldError[] = [];
    const set: Partial<OrgUnitRow> = {};
    if (input.name !== undefined) set.name = input.name.trim();
    if (input.nameEn !== undefined) set.nameEn = cleanName(input.nameEn) || null;
    if (input.address !== undefined) set.address = cleanName(input.address) || null;
    for (const f of specificFields) {
      const value = (input as unknown as Record<string, unknown>)[f];
      if (value === undefined || f === 'gradeCode') continue;
      if (!patchableFields[current.kind].includes(f)) {
        errors.push(fieldError(`body.${f}`, 'org.field_not_for_kind', { kind: kindNames[current.kind] }));
      } else {
        (set as Record<string, unknown>)[f] = value;
      }
    }
    throwIfAny(errors);

    const district = await repo.findDistrict(tx, current.districtId);
    const districtDivision = district?.divisionCode ?? null;
    const next = { ...current, ...set };
    // A new category keeps the operating type only if it still fits.
    if (
      current.kind === 'school' &&
      set.schoolType !== undefined &&
      set.operatingTypeCode === undefined &&
      next.schoolType &&
      !isOperatingTypeAllowed(next.schoolType, next.operatingTypeCode ?? '')
    ) {
      next.operatingTypeCode = schoolTypeById(next.schoolType)?.defaultOperatingType ?? null;
      set.operatingTypeCode = next.operatingTypeCode;
    }
    const changed = Object.keys(diff(current, next, unitFields));
    if (changed.length === 0) return current;

    if (current.kind === 'school' && next.schoolType) {
      // Only what changes is checked: an old record with a since-retired code can still be renamed.
      const checked = schoolFieldErrors(
        'body',
        {
          schoolType: next.schoolType,
          operatingTypeCode: next.operatingTypeCode ?? '',
          schoolCode: next.schoolCode,
          divisionCode: next.divisionCode,
        },
        districtDivision,
      ).filter(
        (e) => changed.includes(e.path.slice('body.'.length)) || (typeChange && e.path.endsWith('TypeCode')),
      );
      errors.push(...checked);
      if (typeChange && checked.length === 0) {
        const units = subtreeUnits(await repo.subtree(tx, current.districtId, current.path));
        const school = { schoolType: next.schoolType, operatingTypeCode: next.operatingTypeCode };
        if (!subtreeFitsSchool(units, school)) {
          const type = schoolTypeById(next.schoolType);
          errors.push(
            fieldError('body.schoolType', 'org.school_type_conflicts_with_units', {
              schoolType: type ? schoolTypeName(type) : next.schoolType,
            }),
          );
        }
      }
    }
    if (current.kind === 'campus' && changed.includes('divisionCode') && next.divisionCode) {
      const error = divisionFieldError('body.divisionCode', next.divisionCode, districtDivision);
      if (error) errors.push(error);
    }
    if (current.kind === 'class' && changed.includes('academicYearId') && next.academicYearId) {
      const known = await repo.academicYearIdsIn(tx, current.districtId, [next.academicYearId]);
      if (known.length === 0) errors.push(fieldError('body.academicYearId', 'org.academic_year_unknown'));
    }
    if (set.name !== undefined && (set.name.length < 1 || set.name.length > 100)) {
      errors.push(fieldError('body.name', 'org.name_invalid'));
    }
    throwIfAny(errors);

    if (changed.includes('schoolCode') && next.schoolCode) {
      const inUse = await repo.schoolCodesInUse(tx, current.districtId, [next.schoolCode]);
      if (inUse.length > 0) throw conflict('org.school_code_taken', { schoolCode: next.schoolCode });
    }
    if (current.kind === 'class' && (changed.includes('classNumber') || changed.includes('academicYearId'))) {
      await assertClassNumberFree(tx, current.districtId, current.parentId ?? '', next, current.id);
    }

    const row = await repo.updateOrgUnit(tx, current.districtId, current.id, set, input.version);
    if (!row) throw conflict('org.version_conflict');
    await recordUnitChanges(ctx, tx, [{ row, before: current, change: 'update' }]);
    return row;
  });
  return presentOrgUnit(updated, visibleTo(principal));
}

async function assertClassNumberFree(
  tx: Tx,
  districtId: string,
  parentId: string,
  unit: Pick<OrgUnitRow, 'classNumber' | 'academicYearId'>,
  selfId: string,
): Promise<void> {
  const siblings = await repo.activeChildren(tx, districtId, [parentId]);
  const clash = siblings.some(
    (s) =>
      s.id !== selfId &&
      s.kind === 'class' &&
      s.classNumber === unit.classNumber &&
      s.academicYearId === unit.academicYearId,
  );
  if (clash) throw conflict('org.class_number_taken', { classNumber: unit.classNumber ?? '' });
}

async function assertGradeFree(
  tx: Tx,
  districtId: string,
  parentId: string,
  gradeCode: string | null,
  selfId: string,
): Promise<void> {
  const siblings = await repo.activeChildren(tx, districtId, [parentId]);
  if (siblings.some((s) => s.id !== selfId && s.kind === 'grade' && s.gradeCode === gradeCode)) {
    throw conflict('org.grade_taken', { gradeCode: gradeCode ?? '' });
  }
}

// ---------------------------------------------------------------------------------------------
// Org units: move, close, reopen

/**
 * Lock the district's tree exclusively and re-read the unit under it, re-checking access on the
 * fresh row (a concurrent move may have changed its place).
 */
async function lockForStructureChange(
  tx: Tx,
  principal: Principal,
  id: string,
  action: Action,
  version: number | undefined,
): Promise<OrgUnitRow> {
  const found = await repo.findOrgUnit(tx, id);
  authorize(principal, action, found ?? null, 'orgUnit');
  const unit = found as OrgUnitRow;
  await repo.lockTree(tx, unit.districtId, 'exclusive');
  const current = await repo.lockOrgUnit(tx, unit.districtId, unit.id);
  authorize(principal, action, current ?? null, 'orgUnit');
  const row = current as OrgUnitRow;
  if (row.kind === 'districtBureau') throw conflict('org.root_immutable');
  if (version !== undefined && row.version !== version) throw conflict('org.version_conflict');
  return row;
}

/**
 * Move a unit (and its subtree) under another parent of the same district. Policy: 'org.move' on
 * the unit and on the new parent. All paths below are rewritten in the same transaction.
 */
export async function moveOrgUnit(
  ctx: Ctx,
  id: string,
  input: { newParentId: string; version?: number },
): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const moved = await inTransaction(ctx, async (tx) => {
    const unit = await lockForStructureChange(tx, principal, id, 'org.move', input.version);
    if (unit.status === 'closed') throw conflict('org.already_closed');
    const target = await repo.findOrgUnit(tx, input.newParentId);
    authorize(principal, 'org.move', target ?? null, 'orgUnit');
    const parent = target as OrgUnitRow;
    const field = 'body.newParentId';
    if (parent.districtId !== unit.districtId)
      throw invalid([fieldError(field, 'org.move_across_districts')]);
    if (isInSubtree(parent.path, unit.path)) throw invalid([fieldError(field, 'org.move_into_own_subtree')]);
    if (parent.status !== 'active') throw invalid([fieldError(field, 'org.closed_parent')]);
    if (parent.id === unit.parentId) return unit;

    const school = await schoolInfoOf(tx, parent);
    if (!canNest(unit.kind, parent.kind, school))
      throw invalid([nestingError(field, unit.kind, parent.kind)]);
    if (unit.kind === 'class' && parent.kind === 'grade' && unit.gradeCode !== parent.gradeCode) {
      throw invalid([
        fieldError(field, 'org.grade_code_mismatch', {
          gradeCode: unit.gradeCode ?? '',
          parentGradeCode: parent.gradeCode ?? '',
        }),
      ]);
    }
    const rows = await repo.subtree(tx, unit.districtId, unit.path);
    if (school && unit.kind !== 'school') {
      const units = subtreeUnits(rows, { id: unit.id, kind: parent.kind });
      if (!subtreeFitsSchool(units, school)) {
        const type = schoolTypeById(school.schoolType);
        throw invalid([
          fieldError(field, 'org.school_type_conflicts_with_units', {
            schoolType: type ? schoolTypeName(type) : school.schoolType,
          }),
        ]);
      }
    }
    if (unit.kind === 'grade') await assertGradeFree(tx, unit.districtId, parent.id, unit.gradeCode, unit.id);
    if (unit.kind === 'class') await assertClassNumberFree(tx, unit.districtId, parent.id, unit, unit.id);

    const newPath = childPath(parent.path, unit.id);
    const row = await repo.updateOrgUnit(tx, unit.districtId, unit.id, {
      parentId: parent.id,
      path: newPath,
    });
    if (!row) throw notFound('orgUnit');
    const descendants = await repo.rewriteDescendantPaths(tx, unit.districtId, unit.path, newPath);
    await recordUnitChanges(ctx, tx, [
      { row, before: unit, change: 'move', extra: { descendantsMoved: descendants } },
    ]);
    return row;
  });
  return presentOrgUnit(moved, visibleTo(principal));
}

/**
 * Close a unit (never deleted). Refuses while active children remain, unless `cascade`, which
 * closes the whole active subtree with the same reason; each closed unit gets its version row and
 * audit event.
 */
export async function closeOrgUnit(
  ctx: Ctx,
  id: string,
  input: { reason: string; cascade?: boolean; version?: number },
): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const reason = input.reason.trim();
  const closed = await inTransaction(ctx, async (tx) => {
    const unit = await lockForStructureChange(tx, principal, id, 'org.close', input.version);
    if (unit.status === 'closed') throw conflict('org.already_closed');
    const rows = await repo.subtree(tx, unit.districtId, unit.path);
    const activeBelow = rows.filter((r) => r.id !== unit.id && r.status === 'active');
    const activeChildren = activeBelow.filter((r) => r.parentId === unit.id).length;
    if (activeChildren > 0 && !input.cascade)
      throw conflict('org.has_active_children', { count: activeChildren });

    const closing = [unit, ...activeBelow];
    const closedRows = await repo.closeOrgUnits(
      tx,
      unit.districtId,
      closing.map((r) => r.id),
      reason,
    );
    const before = new Map(closing.map((r) => [r.id, r]));
    const changes = closedRows.map((row) => ({
      row,
      before: before.get(row.id) ?? null,
      change: 'close' as const,
      extra: { reason, ...(row.id === unit.id ? {} : { cascadeFrom: unit.id }) },
    }));
    const self = closedRows.find((r) => r.id === unit.id);
    await recordUnitChanges(ctx, tx, changes);
    if (!self) throw notFound('orgUnit');
    return self;
  });
  return presentOrgUnit(closed, visibleTo(principal));
}

/** Reopen one closed unit (its subtree stays closed): its parent must be open and have room for it. */
export async function reopenOrgUnit(ctx: Ctx, id: string, input: { version?: number }): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const reopened = await inTransaction(ctx, async (tx) => {
    const unit = await lockForStructureChange(tx, principal, id, 'org.close', input.version);
    if (unit.status !== 'closed') throw conflict('org.not_closed');
    const parent = unit.parentId ? await repo.findOrgUnit(tx, unit.parentId) : undefined;
    if (parent?.status !== 'active') throw conflict('org.closed_parent');
    const school = await schoolInfoOf(tx, parent);
    if (school && (unit.kind === 'grade' || unit.kind === 'class')) {
      const units = subtreeUnits([unit], { id: unit.id, kind: parent.kind });
      if (!subtreeFitsSchool(units, school)) {
        const type = schoolTypeById(school.schoolType);
        throw invalid([
          fieldError('id', 'org.school_type_conflicts_with_units', {
            schoolType: type ? schoolTypeName(type) : school.schoolType,
          }),
        ]);
      }
    }
    if (unit.kind === 'grade') await assertGradeFree(tx, unit.districtId, parent.id, unit.gradeCode, unit.id);
    if (unit.kind === 'class') await assertClassNumberFree(tx, unit.districtId, parent.id, unit, unit.id);
    const row = await repo.updateOrgUnit(tx, unit.districtId, unit.id, {
      status: 'active',
      closedAt: null,
      closedReason: null,
    });
    if (!row) throw notFound('orgUnit');
    await recordUnitChanges(ctx, tx, [{ row, before: unit, change: 'reopen' }]);
    return row;
  });
  return presentOrgUnit(reopened, visibleTo(principal));
}

// ---------------------------------------------------------------------------------------------
// Groupings (学区 / 联盟 / 集团)

export interface CreateGroupingInput {
  districtId: string;
  kind: repo.GroupingRow['kind'];
  name: string;
  leadSchoolId?: string | null;
  schoolIds?: string[];
}

/** Active schools of the district among `ids`. */
async function activeSchoolIds(db: DbOrTx, districtId: string, ids: string[]): Promise<Set<string>> {
  const rows = await repo.findOrgUnits(db, districtId, ids);
  return new Set(rows.filter((r) => r.kind === 'school' && r.status === 'active').map((r) => r.id));
}

export async function createGrouping(ctx: Ctx, input: CreateGroupingInput): Promise<GroupingView> {
  const principal = requirePrincipal(ctx);
  const root = await repo.findRoot(ctx.db, input.districtId);
  authorizeDistrictLevel(principal, 'org.update', input.districtId, root, 'district');
  const id = await inTransaction(ctx, async (tx) => (await createGroupingInTx(ctx, tx, input)).id);
  return getGrouping(ctx, id);
}

/** System use: create a grouping with its members in the caller's transaction, without a policy check. */
export async function createGroupingInTx(
  ctx: Ctx,
  tx: Tx,
  input: CreateGroupingInput,
): Promise<repo.GroupingRow> {
  const name = input.name.trim();
  const members = [
    ...new Set([...(input.leadSchoolId ? [input.leadSchoolId] : []), ...(input.schoolIds ?? [])]),
  ];
  const schools = await activeSchoolIds(tx, input.districtId, members);
  const errors: FieldError[] = [];
  if (input.leadSchoolId && !schools.has(input.leadSchoolId)) {
    errors.push(fieldError('body.leadSchoolId', 'org.grouping_member_not_school'));
  }
  (input.schoolIds ?? []).forEach((s, i) => {
    if (!schools.has(s)) errors.push(fieldError(`body.schoolIds.${i}`, 'org.grouping_member_not_school'));
  });
  throwIfAny(errors);
  let grouping: repo.GroupingRow;
  try {
    grouping = await tx.transaction((inner) =>
      repo.insertGrouping(inner, {
        districtId: input.districtId,
        kind: input.kind,
        name,
        leadSchoolId: input.leadSchoolId ?? null,
      }),
    );
  } catch (error) {
    if (repo.uniqueViolation(error) !== null) throw conflict('org.grouping_name_taken', { name });
    throw error;
  }
  await repo.insertGroupingMembers(tx, input.districtId, grouping.id, members);
  await auditInTx(ctx, tx, {
    districtId: input.districtId,
    action: 'grouping.create',
    targetType: 'grouping',
    targetId: grouping.id,
    details: { changes: diff(null, grouping, ['kind', 'name', 'leadSchoolId']), schoolIds: members },
  });
  return grouping;
}

export async function listGroupings(
  ctx: Ctx,
  filter: { districtId?: string; kind?: repo.GroupingRow['kind']; includeClosed?: boolean },
): Promise<GroupingView[]> {
  const principal = requirePrincipal(ctx);
  const rows = await repo.listGroupings(ctx.db, readableDistrictIds(principal), {
    ...filter,
    includeClosed: filter.includeClosed ?? false,
  });
  const visible = visibleTo(principal);
  const byDistrict = new Map<string, string[]>();
  for (const r of rows) byDistrict.set(r.districtId, [...(byDistrict.get(r.districtId) ?? []), r.id]);
  const members = (
    await Promise.all(
      [...byDistrict].map(([districtId, ids]) => repo.groupingMembers(ctx.db, districtId, ids)),
    )
  ).flat();
  return rows.map((r) => presentGrouping(r, members, visible));
}

async function readableGrouping(ctx: Ctx, principal: Principal, id: string): Promise<repo.GroupingRow> {
  const grouping = await repo.findGrouping(ctx.db, id);
  if (!grouping || !readsDistrict(principal, grouping.districtId)) throw notFound('grouping');
  return grouping;
}

export async function getGrouping(ctx: Ctx, id: string): Promise<GroupingView> {
  const principal = requirePrincipal(ctx);
  const grouping = await readableGrouping(ctx, principal, id);
  const members = await repo.groupingMembers(ctx.db, grouping.districtId, [grouping.id]);
  return presentGrouping(grouping, members, visibleTo(principal));
}

async function writableGrouping(ctx: Ctx, principal: Principal, id: string): Promise<repo.GroupingRow> {
  const grouping = await repo.findGrouping(ctx.db, id);
  const root = grouping ? await repo.findRoot(ctx.db, grouping.districtId) : undefined;
  authorizeDistrictLevel(principal, 'org.update', grouping?.districtId ?? '', root, 'grouping');
  const row = grouping as repo.GroupingRow;
  if (row.closedAt) throw conflict('org.grouping_closed');
  return row;
}

export async function addGroupingMember(ctx: Ctx, id: string, schoolId: string): Promise<GroupingView> {
  const principal = requirePrincipal(ctx);
  const grouping = await writableGrouping(ctx, principal, id);
  await inTransaction(ctx, async (tx) => {
    const schools = await activeSchoolIds(tx, grouping.districtId, [schoolId]);
    if (!schools.has(schoolId))
      throw invalid([fieldError('body.schoolId', 'org.grouping_member_not_school')]);
    const added = await repo.insertGroupingMembers(tx, grouping.districtId, grouping.id, [schoolId]);
    if (added.length === 0) throw conflict('org.grouping_member_exists');
    await auditInTx(ctx, tx, {
      districtId: grouping.districtId,
      action: 'grouping.addMember',
      targetType: 'grouping',
      targetId: grouping.id,
      details: { schoolId },
    });
  });
  return getGrouping(ctx, id);
}

export async function removeGroupingMember(ctx: Ctx, id: string, schoolId: string): Promise<GroupingView> {
  const principal = requirePrincipal(ctx);
  const grouping = await writableGrouping(ctx, principal, id);
  await inTransaction(ctx, async (tx) => {
    const removed = await repo.deleteGroupingMember(tx, grouping.districtId, grouping.id, schoolId);
    if (!removed) throw new DomainError(404, 'org.grouping_member_missing');
    await auditInTx(ctx, tx, {
      districtId: grouping.districtId,
      action: 'grouping.removeMember',
      targetType: 'grouping',
      targetId: grouping.id,
      details: { schoolId },
    });
  });
  return getGrouping(ctx, id);
}

export async function closeGrouping(ctx: Ctx, id: string): Promise<GroupingView> {
  const principal = requirePrincipal(ctx);
  const grouping = await writableGrouping(ctx, principal, id);
  await inTransaction(ctx, async (tx) => {
    const row = await repo.closeGrouping(tx, grouping.districtId, grouping.id);
    if (!row) throw conflict('org.grouping_closed');
    await auditInTx(ctx, tx, {
      districtId: grouping.districtId,
      action: 'grouping.close',
      targetType: 'grouping',
      targetId: grouping.id,
      details: { changes: { closedAt: { old: null, new: row.closedAt?.toISOString() ?? null } } },
    });
  });
  return getGrouping(ctx, id);
}

// ---------------------------------------------------------------------------------------------
// Academic years and terms

export async function createAcademicYear(
  ctx: Ctx,
  input: AcademicYearInput & { districtId: string },
): Promise<AcademicYearView> {
  const principal = requirePrincipal(ctx);
  const root = await repo.findRoot(ctx.db, input.districtId);
  authorizeDistrictLevel(principal, 'org.update', input.districtId, root, 'district');
  const year = await inTransaction(ctx, (tx) => createAcademicYearInTx(ctx, tx, input));
  const termRows = await repo.termsOf(ctx.db, year.districtId, [year.id]);
  return presentAcademicYear(year, termRows, todayInChina());
}

/** System use: create an academic year with its terms in the caller's transaction, without a policy check. */
export async function createAcademicYearInTx(
  ctx: Ctx,
  tx: Tx,
  input: AcademicYearInput & { districtId: string },
): Promise<repo.AcademicYearRow> {
  throwIfAny(academicYearErrors('body', input));
  let year: repo.AcademicYearRow;
  try {
    year = await tx.transaction((inner) =>
      repo.insertAcademicYear(inner, {
        districtId: input.districtId,
        name: input.name,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
      }),
    );
  } catch (error) {
    if (repo.uniqueViolation(error) !== null) throw conflict('academicYear.name_taken', { name: input.name });
    throw error;
  }
  await repo.replaceTerms(
    tx,
    input.districtId,
    year.id,
    input.terms.map((t) => ({ ...t, name: t.name.trim() })),
  );
  await auditInTx(ctx, tx, {
    districtId: input.districtId,
    action: 'academicYear.create',
    targetType: 'academicYear',
    targetId: year.id,
    details: { changes: diff(null, year, ['name', 'startsOn', 'endsOn']), terms: input.terms },
  });
  return year;
}

export async function listAcademicYears(ctx: Ctx, districtId: string, today = todayInChina()) {
  const principal = requirePrincipal(ctx);
  if (!readsDistrict(principal, districtId)) throw notFound('district');
  const years = await repo.listAcademicYears(ctx.db, districtId);
  const termRows = await repo.termsOf(
    ctx.db,
    districtId,
    years.map((y) => y.id),
  );
  return years.map((y) => presentAcademicYear(y, termRows, today));
}

export async function updateAcademicYear(
  ctx: Ctx,
  id: string,
  input: Partial<AcademicYearInput>,
): Promise<AcademicYearView> {
  const principal = requirePrincipal(ctx);
  const found = await repo.findAcademicYear(ctx.db, id);
  const root = found ? await repo.findRoot(ctx.db, found.districtId) : undefined;
  authorizeDistrictLevel(principal, 'org.update', found?.districtId ?? '', root, 'academicYear');
  const year = found as repo.AcademicYearRow;
  const updated = await inTransaction(ctx, async (tx) => {
    const current = await repo.lockAcademicYear(tx, year.districtId, year.id);
    if (!current) throw notFound('academicYear');
    const currentTerms = await repo.termsOf(tx, year.districtId, [year.id]);
    const next = {
      name: input.name ?? current.name,
      startsOn: input.startsOn ?? current.startsOn,
      endsOn: input.endsOn ?? current.endsOn,
      terms:
        input.terms ??
        currentTerms.map(({ seq, name, startsOn, endsOn }) => ({ seq, name, startsOn, endsOn })),
    };
    throwIfAny(academicYearErrors('body', next));
    let row: repo.AcademicYearRow | undefined;
    try {
      row = await tx.transaction((inner) => repo.updateAcademicYear(inner, year.districtId, year.id, next));
    } catch (error) {
      if (repo.uniqueViolation(error) !== null)
        throw conflict('academicYear.name_taken', { name: next.name });
      throw error;
    }
    if (!row) throw notFound('academicYear');
    if (input.terms) {
      await repo.replaceTerms(
        tx,
        year.districtId,
        year.id,
        input.terms.map((t) => ({ ...t, name: t.name.trim() })),
      );
    }
    await auditInTx(ctx, tx, {
      districtId: year.districtId,
      action: 'academicYear.update',
      targetType: 'academicYear',
      targetId: year.id,
      details: {
        changes: diff(current, row, ['name', 'startsOn', 'endsOn']),
        ...(input.terms
          ? {
              terms: {
                old: currentTerms.map(({ seq, name, startsOn, endsOn }) => ({ seq, name, startsOn, endsOn })),
                new: input.terms,
              },
            }
          : {}),
      },
    });
    return row;
  });
  const termRows = await repo.termsOf(ctx.db, updated.districtId, [updated.id]);
  return presentAcademicYear(updated, termRows, todayInChina());
}

// ---------------------------------------------------------------------------------------------
// System: districts

/**
 * System use (demo generator, `mingde` CLI): create a district and its district-bureau root unit
 * in the caller's transaction, without a policy check. Validates the GB/T 2260 code (and that it
 * lies in the city bureau's division); audits 'district.create' and 'org.create' in the new
 * district's chain. Returns the district with `rootId`.
 */
export async function createDistrictWithRoot(
  ctx: Ctx,
  tx: Tx,
  input: CreateDistrictInput,
): Promise<repo.DistrictWithRoot & { rootId: string; rootPath: string }> {
  const name = input.name.trim();
  const level = divisionLevel(input.divisionCode);
  const errors: FieldError[] = [];
  if (name.length < 1 || name.length > 100) errors.push(fieldError('body.name', 'org.name_invalid'));
  if (!level)
    errors.push(
      fieldError('body.divisionCode', 'org.division_invalid', { divisionCode: input.divisionCode }),
    );
  if (level === 'province') {
    errors.push(
      fieldError('body.divisionCode', 'district.division_not_district', { divisionCode: input.divisionCode }),
    );
  }
  if (input.cityBureauId) {
    const city = await repo.findCityBureau(tx, input.cityBureauId);
    if (!city) throw notFound('cityBureau');
    if (level && !isWithin(input.divisionCode, city.divisionCode)) {
      errors.push(
        fieldError('body.divisionCode', 'district.division_outside_city', {
          divisionCode: input.divisionCode,
          city: city.name,
        }),
      );
    }
  }
  throwIfAny(errors);

  const districtId = input.id ?? randomUUID();
  let district: repo.DistrictRow;
  try {
    district = await tx.transaction((inner) =>
      repo.insertDistrict(inner, {
        id: districtId,
        divisionCode: input.divisionCode,
        name,
        cityBureauId: input.cityBureauId ?? null,
      }),
    );
  } catch (error) {
    if (repo.uniqueViolation(error) !== null) {
      throw conflict('district.division_code_taken', { divisionCode: input.divisionCode });
    }
    throw error;
  }
  const rootId = input.rootId ?? randomUUID();
  const [root] = await repo.insertOrgUnits(tx, [
    {
      districtId,
      id: rootId,
      parentId: null,
      path: childPath('/', rootId),
      kind: 'districtBureau',
      name,
      divisionCode: input.divisionCode,
    },
  ]);
  if (!root) throw new Error('root insert returned nothing');
  await auditInTx(ctx, tx, {
    districtId,
    action: 'district.create',
    targetType: 'district',
    targetId: districtId,
    details: { changes: diff(null, district, ['name', 'divisionCode', 'cityBureauId']) },
  });
  await recordUnitChanges(ctx, tx, [{ row: root, before: null, change: 'create' }]);
  return { ...district, rootId: root.id, rootPath: root.path };
}

/** System use (start-up): whether any district exists yet, i.e. whether the database is still empty. */
export async function hasAnyDistrict(db: DbOrTx): Promise<boolean> {
  return (await repo.listDistricts(db, 'all')).length > 0;
}
