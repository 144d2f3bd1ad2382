/**
 * JSON shapes of the org domain: one zod schema per shape (it validates responses and feeds the
 * OpenAPI document) and the function that builds it from rows. Ids of units outside the caller's
 * read scope are replaced by null, so a response never reveals them; names are organisational data
 * and stay (a school may see the name of its district bureau).
 */
import { z } from 'zod';
import { internal, publicField } from '../../access/levels';
import { divisionName } from '../../standards/divisions';
import { gradeName, schoolTypeById } from '../../standards/school-types';
import type {
  AcademicYearRow,
  CityBureauRow,
  DistrictWithRoot,
  GroupingMemberRow,
  GroupingRow,
  OrgUnitRow,
  OrgUnitVersionRow,
  TermRow,
} from './repository';
import { operatingTypeName, orgUnitKinds, parentPathOf, pathIds } from './rules';

/** Whether the caller may read the unit at `path` of `districtId`. */
export type Visible = (districtId: string, path: string) => boolean;

/** A label in both languages, at the level of the code it names. */
const localName = (declare: typeof publicField) =>
  z
    .object({ 'zh-CN': declare(z.string()), en: declare(z.string()) })
    .meta({ description: '中文 / English name' });
const iso = (d: Date | string | null) => (d === null ? null : typeof d === 'string' ? d : d.toISOString());

// Names, codes and the address of a school or bureau are those of a public body (L1); a class's
// name is no more than its grade and number.
export const orgUnitSchema = z.object({
  id: internal(z.guid()),
  districtId: internal(z.guid()),
  parentId: internal(z.uuid())
    .nullable()
    .meta({ description: 'null for the district root, or when the parent lies outside your scope' }),
  kind: internal(z.enum(orgUnitKinds)),
  name: publicField(z.string()),
  nameEn: publicField(z.string()).nullable(),
  address: publicField(z.string()).nullable(),
  schoolCode: publicField(z.string()).nullable().meta({ description: '学校标识码 (10 digits)' }),
  schoolType: publicField(z.string()).nullable(),
  schoolTypeName: localName(publicField).nullable(),
  operatingTypeCode: publicField(z.string())
    .nullable()
    .meta({ description: '办学类型 code (JY/T 1001 / 教育统计)' }),
  operatingTypeName: publicField(z.string()).nullable(),
  divisionCode: publicField(z.string()).nullable().meta({ description: 'GB/T 2260 行政区划代码' }),
  divisionName: publicField(z.string()).nullable(),
  gradeCode: internal(z.string()).nullable(),
  gradeName: localName(internal).nullable(),
  classNumber: internal(z.number().int()).nullable(),
  academicYearId: internal(z.guid()).nullable(),
  status: internal(z.enum(['active', 'closed'])),
  closedAt: internal(z.string()).nullable(),
  closedReason: internal(z.string()).nullable(),
  version: internal(z.number().int()),
  createdAt: internal(z.string()),
  updatedAt: internal(z.string()),
});
export type OrgUnitView = z.infer<typeof orgUnitSchema>;

export function presentOrgUnit(row: OrgUnitRow, visible: Visible): OrgUnitView {
  const type = row.schoolType ? schoolTypeById(row.schoolType) : undefined;
  const parentPath = parentPathOf(row.path);
  const grade = row.gradeCode
    ? {
        'zh-CN': gradeName(row.gradeCode, 'zh-CN') ?? row.gradeCode,
        en: gradeName(row.gradeCode, 'en') ?? row.gradeCode,
      }
    : null;
  return {
    id: row.id,
    districtId: row.districtId,
    parentId: row.parentId && parentPath && visible(row.districtId, parentPath) ? row.parentId : null,
    kind: row.kind,
    name: row.name,
    nameEn: row.nameEn,
    address: row.address,
    schoolCode: row.schoolCode,
    schoolType: row.schoolType,
    schoolTypeName: type ? { 'zh-CN': type.nameZh, en: type.nameEn } : null,
    operatingTypeCode: row.operatingTypeCode,
    operatingTypeName: operatingTypeName(row.operatingTypeCode),
    divisionCode: row.divisionCode,
    divisionName: row.divisionCode ? (divisionName(row.divisionCode) ?? null) : null,
    gradeCode: row.gradeCode,
    gradeName: grade,
    classNumber: row.classNumber,
    academicYearId: row.academicYearId,
    status: row.status,
    closedAt: iso(row.closedAt),
    closedReason: row.closedReason,
    version: row.version,
    createdAt: iso(row.createdAt) ?? '',
    updatedAt: iso(row.updatedAt) ?? '',
  };
}

export const orgUnitDetailSchema = orgUnitSchema.extend({
  ancestors: z
    .array(
      z.object({
        id: internal(z.guid()).nullable(),
        kind: internal(z.enum(orgUnitKinds)),
        name: publicField(z.string()),
      }),
    )
    .meta({ description: 'From the district root down to the parent; id null outside your scope' }),
  childCounts: z.object({ active: internal(z.number().int()), closed: internal(z.number().int()) }),
});
export type OrgUnitDetailView = z.infer<typeof orgUnitDetailSchema>;

export function presentOrgUnitDetail(
  row: OrgUnitRow,
  ancestors: OrgUnitRow[],
  childCounts: { active: number; closed: number },
  visible: Visible,
): OrgUnitDetailView {
  const byId = new Map(ancestors.map((a) => [a.id, a]));
  const chain = pathIds(row.path)
    .slice(0, -1)
    .flatMap((id) => {
      const a = byId.get(id);
      return a ? [{ id: visible(a.districtId, a.path) ? a.id : null, kind: a.kind, name: a.name }] : [];
    });
  return { ...presentOrgUnit(row, visible), ancestors: chain, childCounts };
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: internal(z.number().int()),
    page: internal(z.number().int()),
    pageSize: internal(z.number().int()),
  });

// ---------------------------------------------------------------------------------------------
// History

/** A unit's state as stored in org_unit_versions: the row, with dates as ISO strings. */
export function versionData(row: OrgUnitRow): Record<string, unknown> {
  return JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
}

function rowFromVersionData(data: Record<string, unknown>): OrgUnitRow {
  const date = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);
  return {
    ...(data as unknown as OrgUnitRow),
    createdAt: date(data.createdAt) ?? new Date(0),
    updatedAt: date(data.updatedAt) ?? new Date(0),
    closedAt: date(data.closedAt),
  };
}

export const orgUnitVersionSchema = z.object({
  version: internal(z.number().int()),
  change: internal(z.enum(['create', 'update', 'move', 'close', 'reopen'])),
  changedAt: internal(z.string()),
  changedBy: internal(z.guid()).nullable(),
  data: orgUnitSchema,
});

export function presentVersion(v: OrgUnitVersionRow, visible: Visible): z.infer<typeof orgUnitVersionSchema> {
  return {
    version: v.version,
    change: v.change,
    changedAt: iso(v.changedAt) ?? '',
    changedBy: v.changedBy,
    data: presentOrgUnit(rowFromVersionData(v.data as Record<string, unknown>), visible),
  };
}

// ---------------------------------------------------------------------------------------------
// City bureaus and districts

export const cityBureauSchema = z.object({
  id: internal(z.guid()),
  divisionCode: publicField(z.string()),
  divisionName: publicField(z.string()).nullable(),
  name: publicField(z.string()),
  createdAt: internal(z.string()),
  closedAt: internal(z.string()).nullable(),
});

export function presentCityBureau(row: CityBureauRow): z.infer<typeof cityBureauSchema> {
  return {
    id: row.id,
    divisionCode: row.divisionCode,
    divisionName: divisionName(row.divisionCode) ?? null,
    name: row.name,
    createdAt: iso(row.createdAt) ?? '',
    closedAt: iso(row.closedAt),
  };
}

export const districtSchema = z.object({
  id: internal(z.guid()),
  name: publicField(z.string()),
  divisionCode: publicField(z.string()).nullable(),
  divisionName: publicField(z.string()).nullable(),
  cityBureauId: internal(z.guid()).nullable(),
  rootId: internal(z.guid())
    .nullable()
    .meta({ description: 'The district bureau unit; null when outside your scope' }),
  createdAt: internal(z.string()),
  closedAt: internal(z.string()).nullable(),
});
export type DistrictView = z.infer<typeof districtSchema>;

export function presentDistrict(row: DistrictWithRoot, visible: Visible): DistrictView {
  return {
    id: row.id,
    name: row.name,
    divisionCode: row.divisionCode,
    divisionName: row.divisionCode ? (divisionName(row.divisionCode) ?? null) : null,
    cityBureauId: row.cityBureauId,
    rootId: row.rootId && row.rootPath && visible(row.id, row.rootPath) ? row.rootId : null,
    createdAt: iso(row.createdAt) ?? '',
    closedAt: iso(row.closedAt),
  };
}

// ---------------------------------------------------------------------------------------------
// Groupings

// 学区, 联盟 and 集团 are announced to parents: their names are public like the schools'.
export const groupingSchema = z.object({
  id: internal(z.guid()),
  districtId: internal(z.guid()),
  kind: internal(z.enum(['schoolZone', 'schoolAlliance', 'schoolGroup'])),
  name: publicField(z.string()),
  leadSchoolId: internal(z.guid()).nullable(),
  createdAt: internal(z.string()),
  closedAt: internal(z.string()).nullable(),
  members: z.array(
    z.object({
      schoolId: internal(z.guid())
        .nullable()
        .meta({ description: 'null when the school lies outside your scope' }),
      name: publicField(z.string()),
      schoolCode: publicField(z.string()).nullable(),
      status: internal(z.enum(['active', 'closed'])),
      joinedAt: internal(z.string()),
    }),
  ),
});
export type GroupingView = z.infer<typeof groupingSchema>;

export function presentGrouping(
  row: GroupingRow,
  members: GroupingMemberRow[],
  visible: Visible,
): GroupingView {
  const lead = members.find((m) => m.schoolId === row.leadSchoolId);
  return {
    id: row.id,
    districtId: row.districtId,
    kind: row.kind,
    name: row.name,
    leadSchoolId: lead && visible(lead.districtId, lead.path) ? lead.schoolId : null,
    createdAt: iso(row.createdAt) ?? '',
    closedAt: iso(row.closedAt),
    members: members
      .filter((m) => m.groupingId === row.id)
      .map((m) => ({
        schoolId: visible(m.districtId, m.path) ? m.schoolId : null,
        name: m.name,
        schoolCode: m.schoolCode,
        status: m.status,
        joinedAt: iso(m.joinedAt) ?? '',
      })),
  };
}

// ---------------------------------------------------------------------------------------------
// Academic years

export const academicYearSchema = z.object({
  id: internal(z.guid()),
  districtId: internal(z.guid()),
  name: internal(z.string()),
  startsOn: internal(z.string()),
  endsOn: internal(z.string()),
  current: internal(z.boolean()).meta({ description: 'Today (Asia/Shanghai) lies within the year' }),
  terms: z.array(
    z.object({
      id: internal(z.guid()),
      seq: internal(z.number().int()),
      name: internal(z.string()),
      startsOn: internal(z.string()),
      endsOn: internal(z.string()),
      current: internal(z.boolean()),
    }),
  ),
  createdAt: internal(z.string()),
});
export type AcademicYearView = z.infer<typeof academicYearSchema>;

export function presentAcademicYear(
  row: AcademicYearRow,
  termRows: TermRow[],
  today: string,
): AcademicYearView {
  const within = (from: string, to: string) => from <= today && today <= to;
  return {
    id: row.id,
    districtId: row.districtId,
    name: row.name,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    current: within(row.startsOn, row.endsOn),
    terms: termRows
      .filter((t) => t.academicYearId === row.id)
      .sort((a, b) => a.seq - b.seq)
      .map((t) => ({
        id: t.id,
        seq: t.seq,
        name: t.name,
        startsOn: t.startsOn,
        endsOn: t.endsOn,
        current: within(t.startsOn, t.endsOn),
      })),
    createdAt: iso(row.createdAt) ?? '',
  };
}
