import { type Lang, type MessageCode, type ResourceName, translate } from './i18n/messages';

export interface FieldError {
  /** Dotted path of the bad field, e.g. `body.schoolCode`. */
  path: string;
  /** Stable code (zod issue code or a Mingde code). */
  code: string;
  /** Per-language text; filled in by the problem mapper when a message code is given. */
  message?: { 'zh-CN': string; en: string };
  messageCode?: MessageCode;
  params?: Record<string, unknown>;
}

/** A failure a user can understand: mapped once to problem+json by http/problem.ts. */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: MessageCode,
    readonly params: Record<string, unknown> = {},
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(code);
  }
}

export const notFound = (resource: ResourceName) => new DomainError(404, 'resource.not_found', { resource });
export const forbidden = () => new DomainError(403, 'access.forbidden');
export const unauthorized = () => new DomainError(401, 'auth.required');
export const conflict = (code: MessageCode, params: Record<string, unknown> = {}) =>
  new DomainError(409, code, params);
/** A rule about one field broken: 422 with the field named. */
export const invalidField = (path: string, code: MessageCode, params: Record<string, unknown> = {}) =>
  new DomainError(422, 'request.invalid', {}, [{ path, code, messageCode: code, params }]);

/** A value for a message placeholder, either plain or per language (kind and type names). */
export type MessageParam = string | number | Record<Lang, string>;

/** A field error whose text is filled in now, so placeholders can carry per-language names. */
export function fieldError(
  path: string,
  code: MessageCode,
  params: Record<string, MessageParam> = {},
): FieldError {
  const pick = (lang: Lang) =>
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'object' ? v[lang] : v]));
  return {
    path,
    code,
    messageCode: code,
    params: pick('zh-CN'),
    message: { 'zh-CN': translate(code, 'zh-CN', pick('zh-CN')), en: translate(code, 'en', pick('en')) },
  };
}

/** 422 listing every bad field. */
export const invalid = (errors: FieldError[]) => new DomainError(422, 'request.invalid', {}, errors);

export function throwIfAny(errors: FieldError[]): void {
  if (errors.length > 0) throw invalid(errors);
}
