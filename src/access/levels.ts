import { z } from 'zod';
import { maskIdNumber, maskName, maskPhone, maskStudentNumber } from './protect';

/**
 * Data levels (分级, DESIGN.md "Access"): every field of every response schema declares one, beside
 * the schema, with the helpers below. The level travels in the schema's metadata, so it also shows
 * in the OpenAPI document as `x-data-level`. What a caller may see of each level is decided in
 * ceilings.ts; `presentAtCeiling` masks the rest.
 */
export const dataLevels = ['public', 'internal', 'personal', 'sensitive'] as const;
export type DataLevel = (typeof dataLevels)[number];

export const levelRank: Record<DataLevel, number> = { public: 1, internal: 2, personal: 3, sensitive: 4 };

export const levelNames: Record<DataLevel, { 'zh-CN': string; en: string }> = {
  public: { 'zh-CN': 'L1 公开', en: 'L1 public' },
  internal: { 'zh-CN': 'L2 内部', en: 'L2 internal' },
  personal: { 'zh-CN': 'L3 个人', en: 'L3 personal' },
  sensitive: { 'zh-CN': 'L4 敏感', en: 'L4 sensitive' },
};

export const isAbove = (level: DataLevel, ceiling: DataLevel) => levelRank[level] > levelRank[ceiling];

/** How a value above the caller's ceiling is shown: 张*, 110101********1234, 138****5678. */
export type MaskKind = 'name' | 'idNumber' | 'studentNumber' | 'phone';

const maskers: Record<MaskKind, (value: string) => string> = {
  name: maskName,
  idNumber: maskIdNumber,
  studentNumber: maskStudentNumber,
  phone: maskPhone,
};

const LEVEL_KEY = 'x-data-level';
const MASK_KEY = 'x-mask';

function declare<T extends z.ZodType>(level: DataLevel, schema: T, mask?: MaskKind): T {
  return schema.meta(mask ? { [LEVEL_KEY]: level, [MASK_KEY]: mask } : { [LEVEL_KEY]: level }) as T;
}

/** L1 公开: published figures and public bodies (school names, codes, reference lists). */
export const publicField = <T extends z.ZodType>(schema: T) => declare('public', schema);
/** L2 内部: work data (ids, statuses, dates of records, organisation structure). */
export const internal = <T extends z.ZodType>(schema: T) => declare('internal', schema);
/** L3 个人: identifiable personal data (names, birth dates, masked identifiers). */
export const personal = <T extends z.ZodType>(schema: T, mask?: MaskKind) =>
  declare('personal', schema, mask);
/** L4 敏感: ID numbers, 学籍号, health, family finances, addresses, guardian phones. */
export const sensitive = <T extends z.ZodType>(schema: T, mask?: MaskKind) =>
  declare('sensitive', schema, mask);

export interface FieldLevel {
  level: DataLevel;
  mask?: MaskKind;
}

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'readonly', 'catch', 'prefault', 'nonoptional']);

/** The level declared on a field, looking through optional/nullable/default wrappers. */
export function fieldLevelOf(schema: z.ZodType): FieldLevel | undefined {
  for (let s: z.ZodType | undefined = schema; s; ) {
    const meta = z.globalRegistry.get(s) as Record<string, unknown> | undefined;
    const level = meta?.[LEVEL_KEY] as DataLevel | undefined;
    if (level) return { level, mask: meta?.[MASK_KEY] as MaskKind | undefined };
    const def = defOf(s);
    s = WRAPPERS.has(def.type) ? def.innerType : undefined;
  }
  return undefined;
}

/** The schema under its wrappers: what decides whether it is an object, an array or a leaf. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (WRAPPERS.has(defOf(s).type) && defOf(s).innerType) s = defOf(s).innerType as z.ZodType;
  return s;
}

const isNullable = (schema: z.ZodType) => schema.safeParse(null).success;

/** Whether the field is an object or a list of them: its fields declare their levels, not it. */
function containerOf(schema: z.ZodType): { shape: Record<string, z.ZodType> } | undefined {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'object' && def.shape) return { shape: def.shape };
  if (def.type === 'array' && def.element) return containerOf(def.element);
  return undefined;
}

/** Every leaf field of a response schema, with its path (`items[].name`) and declared level. */
export function leafFields(
  schema: z.ZodType,
  path = '',
): { path: string; schema: z.ZodType; level: FieldLevel | undefined }[] {
  const container = containerOf(schema);
  if (!container) return [{ path: path || '(body)', schema, level: fieldLevelOf(schema) }];
  const isList = defOf(unwrap(schema)).type === 'array';
  const prefix = path + (isList ? '[]' : '');
  return Object.entries(container.shape).flatMap(([key, field]) =>
    leafFields(field, prefix ? `${prefix}.${key}` : key),
  );
}

/**
 * Why a declared field could not be masked without breaking its schema (null: it can). Fields
 * above L2 must be nullable or plain strings, so a mask always fits.
 */
export function unmaskableReason(field: z.ZodType, level: FieldLevel): string | null {
  if (!isAbove(level.level, 'internal')) return null;
  if (isNullable(field)) return null;
  if (defOf(unwrap(field)).type === 'record') return null;
  if (field.safeParse('*').success) return null;
  return 'a personal or sensitive field must be nullable or a free string, so it can be masked';
}

const maxLevels = new WeakMap<z.ZodType, DataLevel>();

/** The highest level declared anywhere in a schema (memoised: schemas are built once). */
export function maxLevelOf(schema: z.ZodType): DataLevel {
  let max = maxLevels.get(schema);
  if (!max) {
    max = 'public';
    for (const leaf of leafFields(schema)) {
      const level = leaf.level?.level ?? 'sensitive'; // undeclared counts as the highest
      if (isAbove(level, max)) max = level;
    }
    maxLevels.set(schema, max);
  }
  return max;
}

function maskValue(field: z.ZodType, level: FieldLevel, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string' && level.mask) return maskers[level.mask](value);
  if (isNullable(field)) return null;
  if (defOf(unwrap(field)).type === 'record') return {};
  return '*';
}

function maskFields(schema: z.ZodType, value: unknown, ceiling: DataLevel): unknown {
  if (value === null || value === undefined) return value;
  const container = containerOf(schema);
  if (!container) {
    const level = fieldLevelOf(schema) ?? { level: 'sensitive' as const };
    return isAbove(level.level, ceiling) ? maskValue(schema, level, value) : value;
  }
  if (Array.isArray(value)) {
    const element = defOf(unwrap(schema)).element as z.ZodType;
    return value.map((item) => maskFields(element, item, ceiling));
  }
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, field] of Object.entries(container.shape)) {
    if (key in out) out[key] = maskFields(field, out[key], ceiling);
  }
  return out;
}

/**
 * A response as a caller with `ceiling` may see it: every field declared above the ceiling masked
 * (by its mask kind, else null, else '*'). Returns the value itself when nothing can be above.
 */
export function presentAtCeiling(schema: z.ZodType, value: unknown, ceiling: DataLevel): unknown {
  if (!isAbove(maxLevelOf(schema), ceiling)) return value;
  return maskFields(schema, value, ceiling);
}
