/**
 * HTTP routes of the org domain, under /api/v1: request schemas, one service call, the response.
 * Codes (学校标识码, 行政区划代码, 办学类型, grade codes) are checked by the service, so a bad one
 * answers with a message naming the rule rather than a regular expression.
 */
import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import { schoolTypeIds } from '../../standards/school-types';
import {
  academicYearSchema,
  cityBureauSchema,
  districtSchema,
  groupingSchema,
  orgUnitDetailSchema,
  orgUnitSchema,
  orgUnitVersionSchema,
  pageSchema,
} from './presenter';
import { orgUnitKinds } from './rules';
import * as service from './service';

const tags = ['org'];
const idParams = z.object({ id: z.guid() });
const name = z.string().trim().min(1).max(100);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
/** Code fields: the service names the rule a bad code breaks. */
const code = (max: number) => z.string().trim().min(1).max(max);
const isoDate = z.iso.date();
const version = z.number().int().min(1);
const localName = z.object({ 'zh-CN': z.string(), en: z.string() });

const common = {
  parentId: z.guid(),
  name,
  nameEn: optionalText(200),
  address: optionalText(200),
};
const createOrgUnitBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('school'),
    ...common,
    schoolType: z.enum(schoolTypeIds),
    operatingTypeCode: code(10).optional(),
    schoolCode: code(20).nullable().optional(),
    divisionCode: code(12).nullable().optional(),
  }),
  z.strictObject({ kind: z.literal('campus'), ...common, divisionCode: code(12).nullable().optional() }),
  z.strictObject({ kind: z.literal('grade'), ...common, gradeCode: code(4) }),
  z.strictObject({
    kind: z.literal('class'),
    ...common,
    gradeCode: code(4).optional(),
    classNumber: z.number().int().min(1).max(99),
    academicYearId: z.guid(),
  }),
]);

const updateOrgUnitBody = z.strictObject({
  version,
  name: name.optional(),
  nameEn: optionalText(200),
  address: optionalText(200),
  schoolType: z.enum(schoolTypeIds).optional(),
  operatingTypeCode: code(10).optional(),
  schoolCode: code(20).nullable().optional(),
  divisionCode: code(12).nullable().optional(),
  classNumber: z.number().int().min(1).max(99).optional(),
  academicYearId: z.guid().optional(),
});

const listQuery = z.object({
  kind: z.enum(orgUnitKinds).optional(),
  schoolType: z.enum(schoolTypeIds).optional(),
  status: z.enum(['active', 'closed', 'all']).default('active'),
  q: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const groupingKind = z.enum(['schoolZone', 'schoolAlliance', 'schoolGroup']);

const termBody = z.strictObject({
  seq: z.number().int().min(1).max(4),
  name: z.string().trim().min(1).max(50),
  startsOn: isoDate,
  endsOn: isoDate,
});
const academicYearBody = {
  name: z.string().trim().min(1).max(20).meta({ description: "'2026-2027'" }),
  startsOn: isoDate,
  endsOn: isoDate,
  terms: z.array(termBody).min(1).max(4),
};

const schoolTypeRefSchema = z.object({
  id: z.enum(schoolTypeIds),
  name: localName,
  stages: z.array(z.string()),
  operatingTypes: z.array(z.object({ code: z.string(), name: z.string() })),
  defaultOperatingType: z.string(),
  hasGrades: z.boolean(),
  grades: z.array(z.object({ code: z.string(), name: localName })),
  gradesByOperatingType: z.record(z.string(), z.array(z.string())).nullable(),
});
const divisionSchema = z.object({
  code: z.string(),
  level: z.enum(['province', 'city', 'area']),
  name: z.string(),
  chain: z.array(
    z.object({ code: z.string(), name: z.string(), level: z.enum(['province', 'city', 'area']) }),
  ),
});

export async function orgRoutes(app: App): Promise<void> {
  // Reference code lists for forms: any signed-in user.
  app.get(
    '/reference/school-types',
    {
      schema: {
        tags,
        summary: '学校类别及其办学类型、年级 / School categories with operating types and grades',
        response: { 200: z.array(schoolTypeRefSchema) },
      },
    },
    async (request) => service.listSchoolTypes(ctxOf(request)),
  );
  app.get(
    '/reference/divisions/:code',
    {
      schema: {
        tags,
        summary: '行政区划代码（GB/T 2260）名称 / Division name chain',
        params: z.object({ code: z.string().max(12) }),
        response: { 200: divisionSchema },
      },
    },
    async (request) => service.getDivision(ctxOf(request), request.params.code),
  );

  // City bureaus and districts.
  app.post(
    '/city-bureaus',
    {
      schema: {
        tags,
        summary: '创建市教育局（平台管理员）/ Create a city bureau (platform administrators)',
        body: z.strictObject({ divisionCode: code(12), name }),
        response: { 201: cityBureauSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createCityBureau(ctxOf(request), request.body)),
  );
  app.get(
    '/city-bureaus',
    {
      schema: { tags, summary: '市教育局列表 / City bureaus', response: { 200: z.array(cityBureauSchema) } },
    },
    async (request) => service.listCityBureaus(ctxOf(request)),
  );
  app.post(
    '/districts',
    {
      schema: {
        tags,
        summary: '创建区县及其教育局根节点 / Create a district with its bureau root unit',
        body: z.strictObject({ divisionCode: code(12), name, cityBureauId: z.guid().nullable().optional() }),
        response: { 201: districtSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createDistrict(ctxOf(request), request.body)),
  );
  app.get(
    '/districts',
    {
      schema: {
        tags,
        summary: '可访问的区县 / Districts you can read',
        response: { 200: z.array(districtSchema) },
      },
    },
    async (request) => service.listDistricts(ctxOf(request)),
  );
  app.get(
    '/districts/:id',
    { schema: { tags, summary: '区县 / District', params: idParams, response: { 200: districtSchema } } },
    async (request) => service.getDistrict(ctxOf(request), request.params.id),
  );

  // Organisation units.
  app.get(
    '/org-units',
    {
      schema: {
        tags,
        summary: '在可访问范围内查找组织 / Search units within your scope',
        querystring: listQuery.extend({ districtId: z.guid().optional() }),
        response: { 200: pageSchema(orgUnitSchema) },
      },
    },
    async (request) => service.searchOrgUnits(ctxOf(request), request.query),
  );
  app.post(
    '/org-units',
    {
      schema: {
        tags,
        summary: '创建学校、校区、年级或班级 / Create a school, campus, grade or class',
        body: createOrgUnitBody,
        response: { 201: orgUnitSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createOrgUnit(ctxOf(request), request.body)),
  );
  app.get(
    '/org-units/:id',
    {
      schema: {
        tags,
        summary: '组织详情（含上级链与下级数量）/ A unit with its ancestors and child counts',
        params: idParams,
        response: { 200: orgUnitDetailSchema },
      },
    },
    async (request) => service.getOrgUnit(ctxOf(request), request.params.id),
  );
  app.get(
    '/org-units/:id/children',
    {
      schema: {
        tags,
        summary: '下级组织 / Children of a unit',
        params: idParams,
        querystring: listQuery.omit({ schoolType: true }),
        response: { 200: pageSchema(orgUnitSchema) },
      },
    },
    async (request) => service.listChildren(ctxOf(request), request.params.id, request.query),
  );
  app.get(
    '/org-units/:id/history',
    {
      schema: {
        tags,
        summary: '组织的历次版本 / Every version of a unit',
        params: idParams,
        response: { 200: z.array(orgUnitVersionSchema) },
      },
    },
    async (request) => service.getOrgUnitHistory(ctxOf(request), request.params.id),
  );
  app.patch(
    '/org-units/:id',
    {
      schema: {
        tags,
        summary: '修改组织（需提供读取时的 version）/ Update a unit (send the version you read)',
        params: idParams,
        body: updateOrgUnitBody,
        response: { 200: orgUnitSchema },
      },
    },
    async (request) => service.updateOrgUnit(ctxOf(request), request.params.id, request.body),
  );
  app.post(
    '/org-units/:id/move',
    {
      schema: {
        tags,
        summary: '移动组织及其下级 / Move a unit with its subtree',
        params: idParams,
        body: z.strictObject({ newParentId: z.guid(), version: version.optional() }),
        response: { 200: orgUnitSchema },
      },
    },
    async (request) => service.moveOrgUnit(ctxOf(request), request.params.id, request.body),
  );
  app.post(
    '/org-units/:id/close',
    {
      schema: {
        tags,
        summary: '撤销组织（不删除；cascade 同时撤销下级）/ Close a unit (never deleted)',
        params: idParams,
        body: z.strictObject({
          reason: z.string().trim().min(1).max(500),
          cascade: z.boolean().optional(),
          version: version.optional(),
        }),
        response: { 200: orgUnitSchema },
      },
    },
    async (request) => service.closeOrgUnit(ctxOf(request), request.params.id, request.body),
  );
  app.post(
    '/org-units/:id/reopen',
    {
      schema: {
        tags,
        summary: '恢复已撤销的组织 / Reopen a closed unit',
        params: idParams,
        body: z.strictObject({ version: version.optional() }).optional(),
        response: { 200: orgUnitSchema },
      },
    },
    async (request) => service.reopenOrgUnit(ctxOf(request), request.params.id, request.body ?? {}),
  );

  // Groupings.
  app.post(
    '/groupings',
    {
      schema: {
        tags,
        summary: '创建学区、联盟或集团 / Create a school zone, alliance or group',
        body: z.strictObject({
          districtId: z.guid(),
          kind: groupingKind,
          name,
          leadSchoolId: z.guid().nullable().optional(),
          schoolIds: z.array(z.guid()).max(500).optional(),
        }),
        response: { 201: groupingSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createGrouping(ctxOf(request), request.body)),
  );
  app.get(
    '/groupings',
    {
      schema: {
        tags,
        summary: '学校分组 / School groupings',
        querystring: z.object({
          districtId: z.guid().optional(),
          kind: groupingKind.optional(),
          includeClosed: z.stringbool().optional(),
        }),
        response: { 200: z.array(groupingSchema) },
      },
    },
    async (request) => service.listGroupings(ctxOf(request), request.query),
  );
  app.get(
    '/groupings/:id',
    {
      schema: {
        tags,
        summary: '学校分组及成员 / A grouping with its schools',
        params: idParams,
        response: { 200: groupingSchema },
      },
    },
    async (request) => service.getGrouping(ctxOf(request), request.params.id),
  );
  app.post(
    '/groupings/:id/members',
    {
      schema: {
        tags,
        summary: '将学校加入分组 / Add a school',
        params: idParams,
        body: z.strictObject({ schoolId: z.guid() }),
        response: { 200: groupingSchema },
      },
    },
    async (request) => service.addGroupingMember(ctxOf(request), request.params.id, request.body.schoolId),
  );
  app.delete(
    '/groupings/:id/members/:schoolId',
    {
      schema: {
        tags,
        summary: '将学校移出分组 / Remove a school',
        params: z.object({ id: z.guid(), schoolId: z.guid() }),
        response: { 200: groupingSchema },
      },
    },
    async (request) =>
      service.removeGroupingMember(ctxOf(request), request.params.id, request.params.schoolId),
  );
  app.post(
    '/groupings/:id/close',
    {
      schema: {
        tags,
        summary: '撤销分组 / Close a grouping',
        params: idParams,
        response: { 200: groupingSchema },
      },
    },
    async (request) => service.closeGrouping(ctxOf(request), request.params.id),
  );

  // Academic years and terms.
  app.post(
    '/academic-years',
    {
      schema: {
        tags,
        summary: '创建学年及学期 / Create an academic year with its terms',
        body: z.strictObject({ districtId: z.guid(), ...academicYearBody }),
        response: { 201: academicYearSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createAcademicYear(ctxOf(request), request.body)),
  );
  app.get(
    '/academic-years',
    {
      schema: {
        tags,
        summary: '区县的学年（标明当前学年、学期）/ Academic years, the current one marked',
        querystring: z.object({ districtId: z.guid() }),
        response: { 200: z.array(academicYearSchema) },
      },
    },
    async (request) => service.listAcademicYears(ctxOf(request), request.query.districtId),
  );
  app.patch(
    '/academic-years/:id',
    {
      schema: {
        tags,
        summary: '修改学年（terms 给出时整体替换）/ Update a year (terms, when given, replace the old ones)',
        params: idParams,
        body: z.strictObject({
          name: academicYearBody.name.optional(),
          startsOn: isoDate.optional(),
          endsOn: isoDate.optional(),
          terms: academicYearBody.terms.optional(),
        }),
        response: { 200: academicYearSchema },
      },
    },
    async (request) => service.updateAcademicYear(ctxOf(request), request.params.id, request.body),
  );
}
