/**
 * HTTP routes of roster imports, under /api/v1. The upload answers 202 with the import at once;
 * checking runs in the background and `GET /imports/:id` shows status, counts, progress and the
 * first problems (`/problems` pages through all of them). Confirmation answers 202 the same way.
 */
import { z } from 'zod';
import { internal } from '../../access/levels';
import { requirePrincipal } from '../../context';
import { DomainError } from '../../errors';
import { sendDownload } from '../../http/download';
import { type App, ctxOf } from '../../http/types';
import { importKinds } from './imports-columns';
import { ImportJobs } from './imports-jobs';
import * as service from './imports-service';
import { templateCsv, templateNames, templateXlsx } from './imports-template';

const tags = ['people'];
const idParams = z.object({ id: z.guid() });

// Problem messages name the row, the column and the rule, never the value typed (imports-messages).
const problemSchema = z.object({
  row: internal(z.number().int()).meta({ description: 'Row number as Excel shows it (the header is row 1)' }),
  column: internal(z.string()).meta({ description: 'Column header as in the template (Chinese)' }),
  code: internal(z.string()),
  message: internal(z.string()),
});

const importSchema = z.object({
  id: internal(z.guid()),
  schoolId: internal(z.guid()),
  kind: internal(z.enum(importKinds)),
  fileName: internal(z.string()),
  fileSha256: internal(z.string()),
  status: internal(z.enum(['validating', 'validated', 'applying', 'applied', 'failed', 'cancelled'])),
  totalRows: internal(z.number().int()),
  processedRows: internal(z.number().int()),
  validRows: internal(z.number().int()),
  invalidRows: internal(z.number().int()),
  progress: internal(z.number().int().min(0).max(100)),
  problemCount: internal(z.number().int()),
  problems: z.array(problemSchema).meta({ description: 'The first problems (all of them: /problems)' }),
  result: z
    .object({
      created: internal(z.number().int()),
      updated: internal(z.number().int()),
      unchanged: internal(z.number().int()),
      skipped: internal(z.number().int()),
    })
    .nullable(),
  error: z.object({ code: internal(z.string()), message: internal(z.string()) }).nullable(),
  createdAt: internal(z.string()),
  finishedAt: internal(z.string()).nullable(),
});

/**
 * A multipart body the parser cannot read (no boundary, cut short, a broken part header): the
 * client's fault. The plugin's own errors (too many parts, too large) carry their status already.
 */
function malformedUpload(error: unknown): never {
  if (typeof (error as { statusCode?: unknown })?.statusCode === 'number') throw error;
  throw new DomainError(400, 'request.invalid');
}

const templateFiles = ['students.xlsx', 'staff.xlsx', 'students.csv', 'staff.csv'] as const;

export async function importsRoutes(app: App): Promise<void> {
  const jobs = new ImportJobs();
  // Closing the app stops the background work; each job marks its import 'failed' (interrupted).
  app.addHook('onClose', async () => jobs.stop());
  // Jobs of a process that stopped without closing can never finish: say so on their imports.
  app.addHook('onReady', async () => {
    const { database } = app.deps;
    try {
      await service.failInterrupted({ db: database.db });
    } catch (error) {
      app.log.warn({ err: error }, 'could not mark interrupted roster imports');
    }
  });

  app.get(
    '/imports/templates/:file',
    {
      schema: {
        tags,
        summary: '下载名册导入模板 / Download a roster import template',
        params: z.object({ file: z.enum(templateFiles) }),
        // A blank template: headers, instructions and code lists, nobody's data.
        response: { 200: internal(z.any()).meta({ description: 'The .xlsx or .csv file' }) },
      },
    },
    async (request, reply) => {
      requirePrincipal(ctxOf(request));
      const [kind, format] = request.params.file.split('.') as ['students' | 'staff', 'xlsx' | 'csv'];
      const body = format === 'xlsx' ? await templateXlsx(kind) : templateCsv(kind);
      return sendDownload(reply, {
        format,
        asciiName: `${kind}-template.${format}`,
        fileName: `${templateNames[kind].file}.${format}`,
        body,
      });
    },
  );

  app.post(
    '/schools/:id/imports',
    {
      schema: {
        tags,
        summary:
          '上传名册文件（.xlsx / .csv），后台逐行校验 / Upload a roster file; rows are checked in the background',
        description:
          'multipart/form-data with one file field. Answers 202 with the import; poll GET /imports/:id. ' +
          'Nothing is written to the people records until POST /imports/:id/confirm.',
        consumes: ['multipart/form-data'],
        params: idParams,
        querystring: z.object({ kind: z.enum(importKinds) }),
        response: { 202: importSchema },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const target = await service.prepareUpload(ctx, request.params.id, request.query.kind);
      if (!request.isMultipart()) throw new DomainError(415, 'request.unsupported_media_type');
      const file = await request.file().catch(malformedUpload);
      if (!file) throw new DomainError(422, 'import.file_required');
      // A body cut short or broken part-way fails the file's stream while it is spooled.
      let streamError: unknown;
      file.file.once('error', (error) => {
        streamError = error;
      });
      const view = await service
        .startUpload(ctx, jobs, target, {
          // A part without a file name is still a file to busboy.
          fileName: file.filename ?? '',
          stream: file.file,
          truncated: () => file.file.truncated,
        })
        .catch((error: unknown) =>
          error === streamError || error === file.file.errored
            ? malformedUpload(error)
            : Promise.reject(error),
        );
      return reply.code(202).send(view);
    },
  );

  app.get(
    '/schools/:id/imports',
    {
      schema: {
        tags,
        summary: '学校的名册导入记录（最近 50 次）/ Recent roster imports of a school',
        params: idParams,
        response: { 200: z.array(importSchema) },
      },
    },
    async (request) => service.listImports(ctxOf(request), request.params.id),
  );

  app.get(
    '/imports/:id',
    {
      schema: {
        tags,
        summary: '导入的状态、进度与前若干条问题 / Status, progress and first problems of an import',
        params: idParams,
        response: { 200: importSchema },
      },
    },
    async (request) => service.getImport(ctxOf(request), request.params.id),
  );

  app.get(
    '/imports/:id/problems',
    {
      schema: {
        tags,
        summary: '导入的全部问题（按行分页）/ Every problem of an import, paged in row order',
        params: idParams,
        querystring: z.object({
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            items: z.array(problemSchema),
            total: internal(z.number().int()),
            page: internal(z.number().int()),
            pageSize: internal(z.number().int()),
          }),
        },
      },
    },
    async (request) =>
      service.listProblems(ctxOf(request), request.params.id, request.query.page, request.query.pageSize),
  );

  app.post(
    '/imports/:id/confirm',
    {
      schema: {
        tags,
        summary:
          '确认导入：写入全部有效行（后台分批）/ Confirm: write every valid row (in batches, in the background)',
        params: idParams,
        response: { 202: importSchema },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await service.confirmImport(ctxOf(request), jobs, request.params.id)),
  );

  app.post(
    '/imports/:id/cancel',
    {
      schema: {
        tags,
        summary: '取消导入并删除暂存的数据 / Cancel an import and delete its staged rows',
        params: idParams,
        response: { 200: importSchema },
      },
    },
    async (request) => service.cancelImport(ctxOf(request), request.params.id),
  );
}
