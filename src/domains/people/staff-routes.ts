import { z } from 'zod';
import { internal } from '../../access/levels';
import { isoDate } from '../../http/dates';
import { type App, ctxOf } from '../../http/types';
import { personSummarySchema } from './persons-presenter';
import {
  classTeachersSchema,
  headTeacherAssignmentSchema,
  personTeachersSchema,
  staffAccountSchema,
  staffListItemSchema,
  staffPostSchema,
  teachingAssignmentSchema,
} from './staff-presenter';
import * as service from './staff-service';

const tags = ['staff'];
const idParams = z.object({ id: z.guid() });
const session = [{ session: [] }];
const sessionAndCsrf = [{ session: [], csrf: [] }];
const code = (max: number) => z.string().trim().min(1).max(max);
const endBody = z
  .strictObject({
    endedOn: isoDate.optional().describe('First day no longer in force; default today (China)'),
  })
  .default({});
const username = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/)
  .describe('3–64 characters: letters, digits, dot, underscore, hyphen');

/** Staff posts, teaching and head-teacher assignments, staff accounts. Rules live in staff-service. */
export function staffRoutes(app: App): void {
  app.post(
    '/staff',
    {
      schema: {
        tags,
        summary: '登记教职工（人员 + 岗位）/ register a staff member at a school',
        description:
          'Registers the person (found again by ID number when already registered; existing data is never ' +
          'overwritten, differences are listed in `mismatches`) and gives them a post at the school. ' +
          'ID numbers travel only in this body and leave masked.',
        security: sessionAndCsrf,
        body: z.strictObject({
          schoolId: z.guid(),
          name: z.string().max(100),
          genderCode: code(4).nullish(),
          birthDate: isoDate.nullish(),
          ethnicityCode: code(4).nullish(),
          idType: code(4).nullish().describe("JY/T 1001 身份证件类型, '1' = 居民身份证"),
          idNumber: z.string().max(64).nullish(),
          phone: z.string().max(32).nullish(),
          postCode: code(4).describe('JY/T 1001 GWZY 岗位职业代码, e.g. 10 教师'),
          establishmentCode: code(4).describe('JY/T 1001 ZXXBZLB 编制类别代码, e.g. 1 专任教师'),
          isFullTimeTeacher: z.boolean(),
          startedOn: isoDate,
        }),
        response: {
          201: z.object({
            person: personSummarySchema,
            post: staffPostSchema,
            personCreated: internal(z.boolean()),
            /** Names of the fields that differ, not their values. */
            mismatches: internal(z.array(z.string())),
          }),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createStaff(ctxOf(request), request.body)),
  );

  app.post(
    '/staff-posts/:id/end',
    {
      schema: {
        tags,
        summary: '结束岗位 / end a staff post',
        description:
          "Also ends the person's teaching and head-teacher assignments in the school's classes on the same day.",
        security: sessionAndCsrf,
        params: idParams,
        body: endBody,
        response: {
          200: staffPostSchema.extend({
            endedAssignments: z.object({
              teaching: internal(z.number().int()),
              headTeacher: internal(z.number().int()),
            }),
          }),
        },
      },
    },
    async (request) => service.endStaffPost(ctxOf(request), request.params.id, request.body),
  );

  app.get(
    '/schools/:id/staff',
    {
      schema: {
        tags,
        summary: '学校教职工名单 / staff of a school',
        description: 'Current posts unless includeEnded; one audit event names every person listed.',
        security: session,
        params: idParams,
        querystring: z.object({
          q: z.string().trim().min(1).max(50).optional().describe('Part of the name'),
          includeEnded: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: {
          200: z.object({ items: z.array(staffListItemSchema), total: internal(z.number().int()) }),
        },
      },
    },
    async (request) => service.listSchoolStaff(ctxOf(request), request.params.id, request.query),
  );

  app.post(
    '/teaching-assignments',
    {
      schema: {
        tags,
        summary: '任课安排 / assign a teacher to teach a subject in a class for a term',
        description: "The teacher must hold a current post at the class's school.",
        security: sessionAndCsrf,
        body: z.strictObject({
          personId: z.guid(),
          classId: z.guid(),
          subjectCode: code(4).describe('JY/T 1001 ZXXKC 中小学课程代码, e.g. 14 数学'),
          termId: z.guid(),
          startedOn: isoDate.optional().describe("Default: today, or the term's first day if later"),
        }),
        response: { 201: teachingAssignmentSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createTeachingAssignment(ctxOf(request), request.body)),
  );

  app.post(
    '/teaching-assignments/:id/end',
    {
      schema: {
        tags,
        summary: '结束任课安排 / end a teaching assignment',
        security: sessionAndCsrf,
        params: idParams,
        body: endBody,
        response: { 200: teachingAssignmentSchema },
      },
    },
    async (request) => service.endTeachingAssignment(ctxOf(request), request.params.id, request.body),
  );

  app.post(
    '/head-teacher-assignments',
    {
      schema: {
        tags,
        summary: '任命班主任 / make a teacher the head teacher of a class',
        description:
          'A class has one head teacher at a time: the current one ends the day the new one starts ' +
          '(listed in `replaced`).',
        security: sessionAndCsrf,
        body: z.strictObject({
          personId: z.guid(),
          classId: z.guid(),
          academicYearId: z.guid(),
          startedOn: isoDate.optional().describe("Default: today, or the year's first day if later"),
        }),
        response: { 201: headTeacherAssignmentSchema.extend({ replaced: internal(z.array(z.guid())) }) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.assignHeadTeacher(ctxOf(request), request.body)),
  );

  app.post(
    '/head-teacher-assignments/:id/end',
    {
      schema: {
        tags,
        summary: '结束班主任任命 / end a head-teacher assignment',
        security: sessionAndCsrf,
        params: idParams,
        body: endBody,
        response: { 200: headTeacherAssignmentSchema },
      },
    },
    async (request) => service.endHeadTeacherAssignment(ctxOf(request), request.params.id, request.body),
  );

  app.get(
    '/classes/:id/teachers',
    {
      schema: {
        tags,
        summary: '班级的班主任与任课教师 / head teacher and teachers of a class',
        description: 'In force today (teachers: of the term containing today). Audited.',
        security: session,
        params: idParams,
        response: { 200: classTeachersSchema },
      },
    },
    async (request) => service.listClassTeachers(ctxOf(request), request.params.id),
  );

  app.get(
    '/persons/:id/teachers',
    {
      schema: {
        tags,
        summary: '任课教师：学生所在班级的班主任与任课教师 / the teachers of a student’s class',
        description:
          "For the student, their guardians, and whoever may read the class's people: the school, the " +
          'class, and the names and subjects of its head teacher and teachers today (of the term ' +
          'containing today) — no ids or contact data of the teachers. `class` is null when the ' +
          'student has no class today. Audited.',
        security: session,
        params: idParams,
        response: { 200: personTeachersSchema },
      },
    },
    async (request) => service.listPersonTeachers(ctxOf(request), request.params.id),
  );

  app.post(
    '/staff/:personId/account',
    {
      schema: {
        tags,
        summary: '为教职工开通账号 / open a sign-in account for a staff member',
        description:
          'Returns a one-time password once; it must be changed at first sign-in. The account sees what ' +
          "the person's posts and assignments give, and loses it when they end.",
        security: sessionAndCsrf,
        params: z.object({ personId: z.guid() }),
        body: z.strictObject({ username }),
        response: { 201: staffAccountSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await service.createStaffAccount(ctxOf(request), request.params.personId, request.body)),
  );
}
