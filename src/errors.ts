import type { MessageCode, ResourceName } from './i18n/messages';

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
