import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, type FieldError } from '../errors';
import { type Lang, type MessageCode, translate } from '../i18n/messages';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: { path: string; code: string; message: string }[];
}

const zodLocales = { 'zh-CN': z.locales.zhCN().localeError, en: z.locales.en().localeError };

function zodMessage(issue: z.core.$ZodRawIssue, lang: Lang): string {
  const result = zodLocales[lang](issue);
  return typeof result === 'string' ? result : (result?.message ?? issue.code ?? 'invalid');
}

function fieldErrorsFromZod(
  issues: readonly z.core.$ZodIssue[],
  prefix: string,
  lang: Lang,
): { path: string; code: string; message: string }[] {
  return issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    code: issue.code,
    message: zodMessage(issue as unknown as z.core.$ZodRawIssue, lang),
  }));
}

function fieldText(e: FieldError, lang: Lang): string {
  if (e.message) return e.message[lang];
  if (e.messageCode) return translate(e.messageCode, lang, e.params);
  return e.code;
}

/**
 * PostgreSQL refuses text holding NUL (U+0000) in text and jsonb columns and parameters: 22021
 * (character_not_in_repertoire), 22P05 (untranslatable_character). The error comes from
 * node-postgres itself or wrapped by drizzle (as its cause).
 */
function isUnstorableText(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.cause?.code ?? e?.code;
  return code === '22021' || code === '22P05';
}

export function buildProblem(error: unknown, request: FastifyRequest, lang: Lang): Problem {
  const make = (status: number, code: MessageCode, params: Record<string, unknown> = {}): Problem => ({
    type: `https://mingde.dev/problems/${code}`,
    title: translate(code, lang, params),
    status,
    code,
    instance: request.id,
  });

  if (error instanceof DomainError) {
    const problem = make(error.status, error.code, error.params);
    if (error.fieldErrors.length > 0) {
      problem.errors = error.fieldErrors.map((e) => ({
        path: e.path,
        code: e.code,
        message: fieldText(e, lang),
      }));
      problem.detail = problem.errors.map((e) => `${e.path}: ${e.message}`).join('；');
    }
    return problem;
  }
  const fe = error as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const problem = make(400, 'request.invalid');
    // fastify-type-provider-zod 7 splits each zod issue into keyword / instancePath / message / params.
    const issues = error.validation.map(
      (v) =>
        ({
          ...v.params,
          code: v.keyword,
          path: v.instancePath.split('/').filter(Boolean),
          message: v.message,
        }) as unknown as z.core.$ZodIssue,
    );
    problem.errors = fieldErrorsFromZod(issues, error.validationContext ?? '', lang);
    problem.detail = problem.errors.map((e) => `${e.path}: ${e.message}`).join('；');
    return problem;
  }
  if (isUnstorableText(error)) {
    // Only a request can carry it: no text of ours holds NUL. The client's fault, never a 500.
    return {
      ...make(400, 'request.invalid'),
      detail:
        lang === 'en'
          ? 'Text may not contain the character U+0000 (NUL)'
          : '文本中不能含有 U+0000（NUL）字符',
    };
  }
  if (fe.statusCode === 429) return make(429, 'request.rate_limited');
  if (fe.statusCode === 413) return make(413, 'request.too_large');
  if (fe.statusCode === 415) return make(415, 'request.unsupported_media_type');
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Malformed JSON, bad content length and the like: the client's fault, never a 500.
    return { ...make(400, 'request.invalid'), status: fe.statusCode, detail: fe.message };
  }
  return make(500, 'server.error');
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}
