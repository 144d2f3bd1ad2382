import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import type { AuditEventRow } from './repository';
import { searchAuditEvents, verifyAuditChains } from './service';

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const searchQuery = z.object({
  districtId: z
    .uuid()
    .optional()
    .describe('区县；只能查看一个区县时可省略 / district; optional when you cover only one'),
  actorId: z.uuid().optional().describe('操作人 / who acted'),
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

const eventSchema = z.object({
  districtId: z.string(),
  seq: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorKind: z.enum(['user', 'system', 'apiClient', 'anonymous']),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  subjectIds: z.array(z.string()),
  purpose: z.string().nullable(),
  outcome: z.enum(['success', 'denied', 'failure']),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

const pageSchema = z.object({
  districtId: z.string(),
  items: z.array(eventSchema),
  nextBefore: z.number().int().nullable(),
});

const brokenSchema = z.object({
  seq: z.number().int(),
  reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'gap', 'truncated', 'head_mismatch']),
  detail: z.string(),
});

const reportSchema = z.object({
  ok: z.boolean(),
  headFile: z.enum(['checked', 'missing', 'unreadable', 'disabled']),
  headFileError: z.string().optional(),
  districts: z.array(
    z.object({
      districtId: z.string(),
      events: z.number().int(),
      ok: z.boolean(),
      firstBroken: brokenSchema.optional(),
    }),
  ),
});

const present = (row: AuditEventRow) => ({ ...row, at: row.at.toISOString() });

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
