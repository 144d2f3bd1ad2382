import { DomainError, type FieldError } from '../../errors';
import { type Lang, type MessageCode, translate } from '../../i18n/messages';

/** A message parameter: plain, or per language (status and change-type names). */
export type MessageParam = string | number | Record<Lang, string>;

/** A field error with its text rendered now, so placeholders can carry per-language names. */
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
