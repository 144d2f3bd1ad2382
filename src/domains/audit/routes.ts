import { z } from 'zod';
import { internal, personal } from '../../access/levels';
import { type App, ctxOf } from '../../http/types';
import { listAccessToPerson } from './access-log';
import { type NamedAuditEvent, searchAuditEvents, verifyAuditChains } from './service';

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const searchQuery = z.object({
  districtId: z
    .uuid()
    .optional()
    .describe('区县；只能查看一个区县时可省略 / district; optional when you cover only one'),
  actorId: z.uuid().optional().describe('操作人 / who acted'),
  actorUsername: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe(
      '操作人用户名（不区分大小写；不能与 actorId 同用；无此用户则结果为空）/ who acted, by username (ignoring case; not with actorId; an unknown username finds nothing)',
    ),
  subjectId: z.string().min(1).max(200).optional().describe('数据涉及的人员 / person whose data was touched'),
  action: z.string().min(1).max(100).optional().describe("操作前缀，如 'org.' / action prefix"),
  targetType: z.string().min(1).max(100).optional(),
  targetId: z.string().min(1).max(200).optional(),
  from: dateOrDateTime
    .optional()
    .describe('起（含）；仅日期时按北京时间 / from (inclusive); dates are China time'),
  to: dateOrDateTime.optional().describe('止（不含；日期含当天）/ to (exclusive; a date includes that day)'),
  before: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('上一页的 nextBefore / nextBefore of the last page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// What was done, by whom (ids) and to whom (ids) is work data; who the actor is by name, the
// details, which may quote what was typed about a person, and the IP address of the actor are personal.
const eventSchema = z.object({
  districtId: internal(z.string()),
  seq: internal(z.number().int()),
  at: internal(z.string()),
  actorId: internal(z.string()).nullable(),
  actorKind: internal(z.enum(['user', 'system', 'apiClient', 'anonymous'])),
  actor: z
    .object({
      name: personal(z.string(), 'name')
        .nullable()
        .describe(
          '用户姓名或授权应用名称；系统、匿名或已不存在时为空 / the user’s display name or the app’s name',
        ),
      username: personal(z.string()).nullable().describe('用户名（仅用户）/ username (users only)'),
    })
    .describe('操作人（读取时解析，不存入审计链）/ who acted, named when read (never stored in the chain)'),
  action: internal(z.string()),
  targetType: internal(z.string()).nullable(),
  targetId: internal(z.string()).nullable(),
  subjectIds: internal(z.array(z.string())),
  purpose: internal(z.string()).nullable(),
  outcome: internal(z.enum(['success', 'denied', 'failure'])),
  requestId: internal(z.string()).nullable(),
  ip: personal(z.string()).nullable(),
  details: personal(z.record(z.string(), z.unknown())),
  prevHash: internal(z.string()),
  hash: internal(z.string()),
});

const pageSchema = z.object({
  districtId: internal(z.string()),
  items: z.array(eventSchema),
  nextBefore: internal(z.number().int()).nullable(),
});

const brokenSchema = z.object({
  seq: internal(z.number().int()),
  reason: internal(z.enum(['hash_mismatch', 'prev_hash_mismatch', 'gap', 'truncated', 'head_mismatch'])),
  detail: internal(z.string()),
});

const reportSchema = z.object({
  ok: internal(z.boolean()),
  headFile: internal(z.enum(['checked', 'missing', 'unreadable', 'disabled'])),
  headFileError: internal(z.string()).optional(),
  districts: z.array(
    z.object({
      districtId: internal(z.string()),
      events: internal(z.number().int()),
      ok: internal(z.boolean()),
      firstBroken: brokenSchema.optional(),
    }),
  ),
});

const present = (row: NamedAuditEvent) => ({ ...row, at: row.at.toISOString() });

const accessLogQuery = z.object({
  before: searchQuery.shape.before,
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const accessLogPageSchema = z.object({
  items: z.array(
    z.object({
      at: internal(z.string()),
      actor: z.object({
        kind: eventSchema.shape.actorKind,
        name: personal(z.string(), 'name').nullable().describe('操作人姓名 / who'),
        isYou: internal(z.boolean()).describe('是否本人操作 / whether it was you'),
      }),
      action: internal(z.string()),
      actionLabel: internal(z.string()).describe('操作说明 / what was done'),
      purpose: internal(z.string()).nullable().describe('用途 / stated purpose'),
      outcome: eventSchema.shape.outcome,
    }),
  ),
  nextBefore: internal(z.number().int()).nullable(),
});

export async function auditRoutes(app: App) {
  app.get(
    '/audit/events',
    {
      schema: {
        tags: ['audit'],
        summary: '查询审计记录 / search the audit trail (newest first)',
        querystring: searchQuery,
        response: { 200: pageSchema },
      },
    },
    async (request) => {
      const page = await searchAuditEvents(ctxOf(request), request.query);
      return { ...page, items: page.items.map(present) };
    },
  );

  app.get(
    '/persons/:id/access-log',
    {
      // Only the person and their guardians get an answer: it is their own data, and who handled
      // it (the actor's name) is the point of it, so it leaves at L3 whatever their audit ceiling.
      config: { dataDomain: 'self' },
      schema: {
        tags: ['audit'],
        summary:
          '谁查看或处理过本人（或子女）的信息，及其用途 / who viewed or handled your (or your child’s) data, and why',
        description:
          '仅本人及其当前监护人可查看（新到旧）；其他能查看此人的用户得到 403，其余 404。 / For the person and their current guardians only (newest first); others who may read the person get 403, everybody else 404.',
        params: z.object({ id: z.uuid() }),
        querystring: accessLogQuery,
        response: { 200: accessLogPageSchema },
      },
    },
    async (request) => {
      const page = await listAccessToPerson(ctxOf(request), request.params.id, request.query);
      return { ...page, items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })) };
    },
  );

  app.post(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: '校验审计链 / verify the audit hash chains of your districts',
        querystring: z.object({
          districtId: z.uuid().optional().describe('只校验这一个区县 / verify only this district'),
        }),
        response: { 200: reportSchema },
      },
    },
    async (request) => verifyAuditChains(ctxOf(request), request.query),
  );
}
