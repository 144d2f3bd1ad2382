import { z } from 'zod';
import { maskIdNumber, maskName, maskPhone, maskStudentNumber } from './protect';

/**
 * Data levels (分级, DESIGN.md "Access"): every field of every response schema declares one, beside
 * the schema, with the helpers below. The level travels in the schema's metadata, so it also shows
 * in the OpenAPI document as `x-data-level`. What a caller may see of each level is decided in
 * ceilings.ts; `presentAtCeiling` masks the rest.
 */
const dataLevels = ['public', 'internal', 'personal', 'sensitive'] as const;
export type DataLevel = (typeof dataLevels)[number];

const levelRank: Record<DataLevel, number> = { public: 1, internal: 2, personal: 3, sensitive: 4 };

export const isAbove = (level: DataLevel, ceiling: DataLevel) => levelRank[level] > levelRank[ceiling];

/** How a value above the caller's ceiling is shown: 张*, 110101********1234, 138****5678. */
type MaskKind = 'name' | 'idNumber' | 'studentNumber' | 'phone';

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

/**
 * What a response schema is, worked out once (schemas are built once) and kept: objects and lists of
 * them by their fields; every other value is a leaf with its declared level and what a mask of it
 * must be. Masking a response then walks this plan, not the zod schema.
 */
type Plan =
  | { kind: 'object'; fields: [key: string, plan: Plan][] }
  | { kind: 'list'; element: Plan }
  | { kind: 'leaf'; schema: z.ZodType; level: FieldLevel | undefined; nullable: boolean; record: boolean };

const plans = new WeakMap<z.ZodType, Plan>();

function planOf(schema: z.ZodType): Plan {
  let plan = plans.get(schema);
  if (plan) return plan;
  const def = defOf(unwrap(schema));
  const element = def.type === 'array' && def.element ? planOf(def.element) : undefined;
  if (def.type === 'object' && def.shape) {
    plan = { kind: 'object', fields: Object.entries(def.shape).map(([key, field]) => [key, planOf(field)]) };
  } else if (element && element.kind !== 'leaf') {
    // A list of objects: its items' fields declare their levels, not the list.
    plan = { kind: 'list', element };
  } else {
    const record = def.type === 'record';
    plan = { kind: 'leaf', schema, level: fieldLevelOf(schema), nullable: isNullable(schema), record };
  }
  plans.set(schema, plan);
  return plan;
}

type Leaf = { path: string; schema: z.ZodType; level: FieldLevel | undefined };

function leavesOf(plan: Plan, path: string): Leaf[] {
  if (plan.kind === 'leaf') return [{ path: path || '(body)', schema: plan.schema, level: plan.level }];
  if (plan.kind === 'list') return leavesOf(plan.element, `${path}[]`);
  return plan.fields.flatMap(([key, field]) => leavesOf(field, path ? `${path}.${key}` : key));
}

/** Every leaf field of a response schema, with its path (`items[].name`) and declared level. */
export function leafFields(schema: z.ZodType): Leaf[] {
  return leavesOf(planOf(schema), '');
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

function maskLeaf(plan: Extract<Plan, { kind: 'leaf' }>, value: unknown): unknown {
  const mask = plan.level?.mask;
  if (typeof value === 'string' && mask) return maskers[mask](value);
  if (plan.nullable) return null;
  if (plan.record) return {};
  return '*';
}

function maskFields(plan: Plan, value: unknown, ceiling: DataLevel): unknown {
  if (value === null || value === undefined) return value;
  if (plan.kind === 'leaf') {
    return isAbove(plan.level?.level ?? 'sensitive', ceiling) ? maskLeaf(plan, value) : value;
  }
  if (plan.kind === 'list') {
    return Array.isArray(value) ? value.map((item) => maskFields(plan.element, item, ceiling)) : value;
  }
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, field] of plan.fields) {
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
  return maskFields(planOf(schema), value, ceiling);
}
