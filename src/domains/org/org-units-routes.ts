import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import { schoolTypeIds } from '../../standards/school-types';
import { closeOrgUnit, moveOrgUnit, reopenOrgUnit } from './org-structure-service';
import { createOrgUnit } from './org-tree-service';
import { updateOrgUnit } from './org-unit-update-service';
import { getOrgUnit, getOrgUnitHistory, listChildren, searchOrgUnits } from './org-units-service';
import { orgUnitDetailSchema, orgUnitSchema, orgUnitVersionSchema, pageSchema } from './presenter';
import { code, idParams, name, optionalText, tags, version } from './routes-common';
import { orgUnitKinds } from './rules';

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

/** Organisation units. */
export function orgUnitRoutes(app: App): void {
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
    async (request) => searchOrgUnits(ctxOf(request), request.query),
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
    async (request, reply) => reply.status(201).send(await createOrgUnit(ctxOf(request), request.body)),
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
    async (request) => getOrgUnit(ctxOf(request), request.params.id),
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
    async (request) => listChildren(ctxOf(request), request.params.id, request.query),
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
    async (request) => getOrgUnitHistory(ctxOf(request), request.params.id),
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
    async (request) => updateOrgUnit(ctxOf(request), request.params.id, request.body),
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
    async (request) => moveOrgUnit(ctxOf(request), request.params.id, request.body),
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
    async (request) => closeOrgUnit(ctxOf(request), request.params.id, request.body),
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
    async (request) => reopenOrgUnit(ctxOf(request), request.params.id, request.body ?? {}),
  );
}
