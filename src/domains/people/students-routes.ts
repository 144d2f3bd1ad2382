import { z } from 'zod';
import { personal } from '../../access/levels';
import { isoDate } from '../../http/dates';
import { sendDownload } from '../../http/download';
import { type App, ctxOf } from '../../http/types';
import {
  changeResultSchema,
  enrolmentHistorySchema,
  enrolResultSchema,
  rosterPageSchema,
  transferResultSchema,
} from './students-presenter';
import { promoteSchool, promotionPlanSchema } from './students-promotion-service';
import { requestableChanges } from './students-rules';
import {
  changeEnrolment,
  enrolStudent,
  exportRoster,
  getEnrolmentHistory,
  listClassRoster,
  listSchoolStudents,
  transferStudent,
  transferStudentToDistrict,
} from './students-service';

const tags = ['people'];
const idParams = z.object({ id: z.guid() });
const optionalCode = (max: number) => z.string().trim().max(max).nullable().optional();

/** Registration data; the service checks codes, dates and the ID number and names every bad field. */
const personBody = z.strictObject({
  name: z.string().max(100),
  genderCode: optionalCode(4),
  birthDate: optionalCode(10),
  ethnicityCode: optionalCode(4),
  idType: optionalCode(4),
  idNumber: z.string().max(64).nullable().optional(),
  phone: z.string().max(32).nullable().optional(),
});

const rosterQuery = z.object({
  q: z.string().trim().max(50).optional(),
  sort: z.enum(['name', 'studentNumber']).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/** Students (学籍): enrolment, changes, transfers, promotion, rosters and histories. */
export function studentsRoutes(app: App): void {
  app.post(
    '/students',
    {
      schema: {
        tags,
        summary:
          '学生入学注册（按证件号码查找已有人员或新建）/ Enrol a student (finds the person by ID number or registers them)',
        body: z.strictObject({
          schoolId: z.guid(),
          classId: z.guid(),
          person: personBody.optional(),
          personId: z.guid().optional(),
          enteredOn: isoDate.optional(),
          studentNumber: z.string().max(32).nullable().optional(),
        }),
        response: { 201: enrolResultSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await enrolStudent(ctxOf(request), request.body)),
  );
  app.post(
    '/enrolments/:id/changes',
    {
      schema: {
        tags,
        summary: '办理学籍异动（休学、复学、退学、死亡、毕业、留级、转出）/ Record an enrolment change',
        params: idParams,
        body: z.strictObject({
          changeType: z.enum(requestableChanges),
          effectiveOn: isoDate,
          reason: z.string().trim().max(500).nullable().optional(),
          toClassId: z.guid().nullable().optional(),
        }),
        response: { 201: changeResultSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await changeEnrolment(ctxOf(request), request.params.id, request.body)),
  );
  app.post(
    '/transfers',
    {
      schema: {
        tags,
        summary: '区县内转学 / Transfer a student to another school of the district',
        body: z.strictObject({
          personId: z.guid(),
          toSchoolId: z.guid(),
          toClassId: z.guid(),
          effectiveOn: isoDate,
        }),
        response: { 201: transferResultSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await transferStudent(ctxOf(request), request.body)),
  );
  app.post(
    '/district-transfers',
    {
      schema: {
        tags,
        summary: '跨区县转学 / Transfer a student to a school of another district',
        body: z.strictObject({
          personId: z.guid(),
          toDistrictId: z.guid(),
          toSchoolId: z.guid(),
          toClassId: z.guid().nullable().optional(),
          effectiveOn: isoDate,
        }),
        response: { 201: transferResultSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await transferStudentToDistrict(ctxOf(request), request.body)),
  );
  app.get(
    '/persons/:id/enrolment-history',
    {
      schema: {
        tags,
        summary: '学籍历史（入学、异动、班级）/ Enrolment history',
        params: idParams,
        response: { 200: enrolmentHistorySchema },
      },
    },
    async (request) => getEnrolmentHistory(ctxOf(request), request.params.id),
  );
  app.get(
    '/classes/:id/roster',
    {
      schema: {
        tags,
        summary: '班级花名册 / Class roster',
        params: idParams,
        querystring: rosterQuery,
        response: { 200: rosterPageSchema },
      },
    },
    async (request) => listClassRoster(ctxOf(request), request.params.id, request.query),
  );
  const exportQuery = rosterQuery.omit({ page: true, pageSize: true }).extend({
    format: z.enum(['xlsx', 'csv']).default('xlsx'),
    unmasked: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe(
        'true: ID numbers and 学籍号 in clear; needs `purposeId`, a purpose of yours covering the unit',
      ),
    purposeId: z.guid().optional(),
  });
  const exportRoute = (path: string, kind: 'class' | 'school', summary: string) =>
    app.get(
      path,
      {
        schema: {
          tags,
          summary,
          description:
            '默认脱敏；未脱敏导出须有涵盖该单位的有效用途；文件首行写明导出人、导出时间（及用途）；导出记入审计。/ ' +
            'Masked by default; unmasked needs a purpose in force covering the unit; the first line names who ' +
            'exported it, when (and for what); audited.',
          params: idParams,
          querystring: exportQuery,
          // A Buffer skips preSerialization, so no level is applied to the file: this one documents
          // the default, masked export (names, masked identifiers); the service decides the rest.
          response: { 200: personal(z.any()).meta({ description: 'The .xlsx or .csv file' }) },
        },
      },
      async (request, reply) => {
        const { format } = request.query;
        const file = await exportRoster(ctxOf(request), request.params.id, kind, request.query);
        return sendDownload(reply, { format, asciiName: `roster.${format}`, ...file });
      },
    );
  exportRoute('/classes/:id/roster/export', 'class', '导出班级花名册 / Export a class roster');
  exportRoute('/schools/:id/students/export', 'school', '导出全校在籍学生 / Export a school’s students');
  app.get(
    '/schools/:id/students',
    {
      schema: {
        tags,
        summary: '全校在籍学生 / Students enrolled at a school',
        params: idParams,
        querystring: rosterQuery,
        response: { 200: rosterPageSchema },
      },
    },
    async (request) => listSchoolStudents(ctxOf(request), request.params.id, request.query),
  );
  app.post(
    '/schools/:id/promotion',
    {
      schema: {
        tags,
        summary: '全校升级（可先试算）/ Promote a whole school to the next academic year (dry run first)',
        params: idParams,
        body: z.strictObject({
          fromAcademicYearId: z.guid(),
          toAcademicYearId: z.guid(),
          effectiveOn: isoDate,
          dryRun: z.boolean().default(false),
        }),
        response: { 200: promotionPlanSchema },
      },
    },
    async (request) => promoteSchool(ctxOf(request), request.params.id, request.body),
  );
}
