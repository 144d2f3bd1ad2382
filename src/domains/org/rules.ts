/**
 * Pure rules of the organisation tree: materialised paths, which kind may sit under which, and the
 * national codes a school, grade or class may carry. No database here, so the rules are unit-tested
 * and shared by single creates, moves, reopens and the bulk tree builder.
 */

import { type FieldError, fieldError } from '../../errors';
import type { Lang } from '../../i18n/messages';
import { codeName } from '../../standards/codes';
import { divisionName, isValidDivisionCode, isWithin } from '../../standards/divisions';
import { parseSchoolCode } from '../../standards/school-code';
import {
  gradesFor,
  isOperatingTypeAllowed,
  type SchoolType,
  schoolTypeById,
} from '../../standards/school-types';

export const orgUnitKinds = ['districtBureau', 'school', 'campus', 'grade', 'class'] as const;
export type OrgUnitKind = (typeof orgUnitKinds)[number];

export const kindNames: Record<OrgUnitKind, Record<Lang, string>> = {
  districtBureau: { 'zh-CN': '区县教育局', en: 'district bureau' },
  school: { 'zh-CN': '学校', en: 'school' },
  campus: { 'zh-CN': '校区', en: 'campus' },
  grade: { 'zh-CN': '年级', en: 'grade' },
  class: { 'zh-CN': '班级', en: 'class' },
};

// ---------------------------------------------------------------------------------------------
// Paths

/** `/root/school/` + id → `/root/school/id/`. */
export function childPath(parentPath: string, id: string): string {
  return `${parentPath}${id}/`;
}

/** Ids from the root down to the unit itself. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** Path of the parent (null for a root). */
export function parentPathOf(path: string): string | null {
  const ids = pathIds(path);
  if (ids.length <= 1) return null;
  return `/${ids.slice(0, -1).join('/')}/`;
}

/** Id of the school a unit lies in (itself for a school); null for the district root. */
export function schoolIdOf(path: string): string | null {
  return pathIds(path)[1] ?? null;
}

/** True when `path` is `ancestorPath` or lies below it. */
export function isInSubtree(path: string, ancestorPath: string): boolean {
  return path.startsWith(ancestorPath);
}

/** The new path of a unit of a moved subtree: the old prefix replaced by the new one. */
export function rebasePath(path: string, oldPrefix: string, newPrefix: string): string {
  if (!path.startsWith(oldPrefix)) throw new Error(`${path} is not under ${oldPrefix}`);
  return newPrefix + path.slice(oldPrefix.length);
}

export function schoolTypeName(type: SchoolType): Record<Lang, string> {
  return { 'zh-CN': type.nameZh, en: type.nameEn };
}

/** Units below a school that its (new) category would not allow: named on `path`. */
export function schoolTypeConflictError(path: string, schoolType: string): FieldError {
  const type = schoolTypeById(schoolType);
  return fieldError(path, 'org.school_type_conflicts_with_units', {
    schoolType: type ? schoolTypeName(type) : schoolType,
  });
}

// ---------------------------------------------------------------------------------------------
// Nesting

/** The school a unit belongs to, as the nesting and grade rules need it. */
export interface SchoolInfo {
  schoolType: string;
  operatingTypeCode: string | null;
}

/** True when the school type has no grades, so classes sit directly under a campus. */
export function hasGrades(school: SchoolInfo): boolean {
  return gradesFor(school.schoolType, school.operatingTypeCode ?? undefined).length > 0;
}

/**
 * Whether a unit of `kind` may sit under `parentKind`: school under the district bureau, campus
 * under a school, grade under a campus, class under a grade — or, for types without grades
 * (community college/school, elderly university), directly under a campus. `school` is the school
 * the parent lies in (null above school level).
 */
export function canNest(kind: OrgUnitKind, parentKind: OrgUnitKind, school: SchoolInfo | null): boolean {
  switch (kind) {
    case 'districtBureau':
      return false;
    case 'school':
      return parentKind === 'districtBureau';
    case 'campus':
      return parentKind === 'school';
    case 'grade':
      return parentKind === 'campus' && school !== null && hasGrades(school);
    case 'class':
      if (parentKind === 'grade') return true;
      return parentKind === 'campus' && school !== null && !hasGrades(school);
  }
}

export function nestingError(path: string, kind: OrgUnitKind, parentKind: OrgUnitKind): FieldError {
  return fieldError(path, 'org.invalid_parent', { kind: kindNames[kind], parentKind: kindNames[parentKind] });
}

// ---------------------------------------------------------------------------------------------
// School fields

export interface SchoolFields {
  schoolType: string;
  operatingTypeCode: string;
  schoolCode: string | null;
  divisionCode: string | null;
}

/**
 * Every broken rule of a school's codes: the operating type must be one the category allows, the
 * 学校标识码 must parse and name the district's province, the division must lie in the district.
 */
export function schoolFieldErrors(
  prefix: string,
  fields: SchoolFields,
  districtDivisionCode: string | null,
): FieldError[] {
  const errors: FieldError[] = [];
  const type = schoolTypeById(fields.schoolType);
  if (!type)
    return [fieldError(`${prefix}.schoolType`, 'org.school_type_unknown', { schoolType: fields.schoolType })];
  if (!isOperatingTypeAllowed(type.id, fields.operatingTypeCode)) {
    errors.push(
      fieldError(`${prefix}.operatingTypeCode`, 'org.operating_type_not_for_school_type', {
        operatingTypeCode: fields.operatingTypeCode,
        schoolType: schoolTypeName(type),
        allowed: type.operatingTypes.join(', '),
      }),
    );
  }
  if (fields.schoolCode !== null) {
    const parts = parseSchoolCode(fields.schoolCode);
    if (!parts) {
      errors.push(
        fieldError(`${prefix}.schoolCode`, 'org.school_code_invalid', { schoolCode: fields.schoolCode }),
      );
    } else if (districtDivisionCode && parts.provinceCode !== districtDivisionCode.slice(0, 2)) {
      errors.push(
        fieldError(`${prefix}.schoolCode`, 'org.school_code_wrong_province', {
          schoolCode: fields.schoolCode,
          province:
            divisionName(`${districtDivisionCode.slice(0, 2)}0000`) ?? districtDivisionCode.slice(0, 2),
        }),
      );
    }
  }
  if (fields.divisionCode !== null) {
    const error = divisionFieldError(`${prefix}.divisionCode`, fields.divisionCode, districtDivisionCode);
    if (error) errors.push(error);
  }
  return errors;
}

/** A division code must be a known GB/T 2260 code inside the district's own division. */
export function divisionFieldError(
  path: string,
  divisionCode: string,
  districtDivisionCode: string | null,
): FieldError | null {
  if (!isValidDivisionCode(divisionCode)) return fieldError(path, 'org.division_invalid', { divisionCode });
  if (districtDivisionCode && !isWithin(divisionCode, districtDivisionCode)) {
    return fieldError(path, 'org.division_outside_district', {
      divisionCode,
      district: divisionName(districtDivisionCode) ?? districtDivisionCode,
    });
  }
  return null;
}

/** A grade code the school can hold, or the error saying it cannot. */
export function gradeFieldError(path: string, gradeCode: string, school: SchoolInfo): FieldError | null {
  const allowed = gradesFor(school.schoolType, school.operatingTypeCode ?? undefined);
  if ((allowed as readonly string[]).includes(gradeCode)) return null;
  const type = schoolTypeById(school.schoolType);
  return fieldError(path, 'org.grade_not_for_school_type', {
    gradeCode,
    schoolType: type ? schoolTypeName(type) : school.schoolType,
  });
}

/** A unit below a school, as far as the school's type constrains it. */
export interface SubtreeUnit {
  kind: OrgUnitKind;
  parentKind: OrgUnitKind | null;
  gradeCode: string | null;
}

/**
 * True when every unit of a school's subtree (or of a subtree moving into the school) fits the
 * school's type: grades only where the type has grades, their codes allowed, and classes directly
 * under a campus only where it has none.
 */
export function subtreeFitsSchool(units: readonly SubtreeUnit[], school: SchoolInfo): boolean {
  const allowed = gradesFor(school.schoolType, school.operatingTypeCode ?? undefined) as readonly string[];
  return units.every((u) => {
    if (u.kind === 'grade') return allowed.includes(u.gradeCode ?? '');
    if (u.kind === 'class') {
      if (u.parentKind === 'campus') return allowed.length === 0;
      return u.gradeCode === null || allowed.includes(u.gradeCode);
    }
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Academic years

export interface TermInput {
  seq: number;
  name: string;
  startsOn: string;
  endsOn: string;
}

export interface AcademicYearInput {
  name: string;
  startsOn: string;
  endsOn: string;
  terms: readonly TermInput[];
}

/**
 * A year is named after the two calendar years it spans ('2026-2027'), starts before it ends, and
 * its terms lie inside it, numbered without repeats and not overlapping. Dates are ISO strings, so
 * they compare as text.
 */
export function academicYearErrors(prefix: string, year: AcademicYearInput): FieldError[] {
  const errors: FieldError[] = [];
  const match = /^(\d{4})-(\d{4})$/.exec(year.name);
  if (!match || Number(match[2]) !== Number(match[1]) + 1) {
    errors.push(fieldError(`${prefix}.name`, 'academicYear.invalid_name', { name: year.name }));
  }
  if (year.endsOn <= year.startsOn)
    errors.push(fieldError(`${prefix}.endsOn`, 'academicYear.ends_before_start'));
  const seen = new Set<number>();
  year.terms.forEach((term, i) => {
    const path = `${prefix}.terms.${i}`;
    if (seen.has(term.seq))
      errors.push(fieldError(`${path}.seq`, 'academicYear.term_seq_repeated', { seq: term.seq }));
    seen.add(term.seq);
    if (term.endsOn <= term.startsOn)
      errors.push(fieldError(`${path}.endsOn`, 'academicYear.ends_before_start'));
    else if (term.startsOn < year.startsOn || term.endsOn > year.endsOn) {
      errors.push(fieldError(path, 'academicYear.terms_outside_year'));
    }
  });
  // In start order, a term overlaps an earlier one when it starts before the latest end so far.
  const sorted = [...year.terms]
    .map((t, i) => ({ ...t, i }))
    .sort((a, b) => a.startsOn.localeCompare(b.startsOn));
  let latestEnd = '';
  for (const term of sorted) {
    if (latestEnd && term.startsOn <= latestEnd) {
      errors.push(fieldError(`${prefix}.terms.${term.i}`, 'academicYear.terms_outside_year'));
    }
    if (term.endsOn > latestEnd) latestEnd = term.endsOn;
  }
  return errors;
}

/** Today's date in China (Asia/Shanghai), as an ISO date: terms change at local midnight. */

/** The operating type name from the 办学类型 list, for responses. */
export function operatingTypeName(code: string | null): string | null {
  return code ? (codeName('operatingType', code) ?? null) : null;
}
