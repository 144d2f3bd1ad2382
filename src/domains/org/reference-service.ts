/**
 * Reference code lists for forms (any signed-in user): school categories, GB/T 2260 divisions and
 * the GB/T 4761 relations a guardian can have to a child.
 */
import { type Ctx, requirePrincipal } from '../../context';
import { notFound } from '../../errors';
import { divisionLevel, divisionName, divisionParts } from '../../standards/divisions';
import { guardianRelations } from '../../standards/family-relation';
import { gradeName, schoolTypes } from '../../standards/school-types';
import { operatingTypeName, schoolTypeName } from './rules';

export function listSchoolTypes(ctx: Ctx) {
  requirePrincipal(ctx);
  return schoolTypes.map((t) => ({
    id: t.id,
    name: schoolTypeName(t),
    stages: [...t.stages],
    operatingTypes: t.operatingTypes.map((code) => ({ code, name: operatingTypeName(code) ?? code })),
    defaultOperatingType: t.defaultOperatingType,
    hasGrades: t.grades.length > 0,
    grades: t.grades.map((code) => ({
      code,
      name: { 'zh-CN': gradeName(code, 'zh-CN') ?? code, en: gradeName(code, 'en') ?? code },
    })),
    gradesByOperatingType: t.gradesByOperatingType
      ? Object.fromEntries(Object.entries(t.gradesByOperatingType).map(([k, v]) => [k, [...v]]))
      : null,
  }));
}

export function getDivision(ctx: Ctx, code: string) {
  requirePrincipal(ctx);
  const parts = divisionParts(code);
  const level = divisionLevel(code);
  if (!parts || !level) throw notFound('division');
  const chain = [
    { code: parts.province.code, name: parts.province.name, level: 'province' as const },
    ...(parts.city ? [{ code: parts.city.code, name: parts.city.name, level: 'city' as const }] : []),
    ...(parts.area ? [{ code: parts.area.code, name: parts.area.name, level: 'area' as const }] : []),
  ];
  return { code, level, name: divisionName(code) ?? '', chain };
}

export function listGuardianRelations(ctx: Ctx) {
  requirePrincipal(ctx);
  return guardianRelations.map((r) => ({ code: r.code, name: { 'zh-CN': r.name, en: r.nameEn } }));
}
