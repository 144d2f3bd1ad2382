/**
 * Changing a unit's own fields (`PATCH /org-units/:id`), with optimistic versioning: only the
 * fields its kind carries, each checked only when it changes, a school's new category against the
 * grades below it.
 */
import { authorize } from '../../access/policy';
import { type Ctx, inTransaction, requirePrincipal } from '../../context';
import { conflict, type FieldError, fieldError, notFound, throwIfAny } from '../../errors';
import { isOperatingTypeAllowed, type SchoolTypeId, schoolTypeById } from '../../standards/school-types';
import { assertClassNumberFree, cleanName, specificFields, subtreeUnits } from './org-unit-checks';
import { type OrgUnitView, presentOrgUnit } from './presenter';
import type { OrgUnitRow } from './repository';
import * as repo from './repository';
import {
  divisionFieldError,
  kindNames,
  type OrgUnitKind,
  schoolFieldErrors,
  schoolTypeConflictError,
  subtreeFitsSchool,
} from './rules';
import { diff, recordUnitChanges, unitFields, visibleTo } from './service-common';

export interface UpdateOrgUnitInput {
  /** The version the client read; a stale one answers 409 org.version_conflict. */
  version: number;
  name?: string;
  nameEn?: string | null;
  address?: string | null;
  schoolType?: SchoolTypeId;
  operatingTypeCode?: string;
  schoolCode?: string | null;
  divisionCode?: string | null;
  classNumber?: number;
  academicYearId?: string;
}

const patchableFields: Record<OrgUnitKind, readonly string[]> = {
  districtBureau: [],
  school: ['schoolType', 'operatingTypeCode', 'schoolCode', 'divisionCode'],
  campus: ['divisionCode'],
  grade: [],
  class: ['classNumber', 'academicYearId'],
};

export async function updateOrgUnit(ctx: Ctx, id: string, input: UpdateOrgUnitInput): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const updated = await inTransaction(ctx, async (tx) => {
    const found = await repo.findOrgUnit(tx, id);
    authorize(principal, 'org.update', found ?? null, 'orgUnit');
    const unit = found as OrgUnitRow;
    const typeChange =
      unit.kind === 'school' &&
      ((input.schoolType !== undefined && input.schoolType !== unit.schoolType) ||
        (input.operatingTypeCode !== undefined && input.operatingTypeCode !== unit.operatingTypeCode));
    // Changing a school's type is checked against its grades: no grade may appear meanwhile.
    await repo.lockTree(tx, unit.districtId, typeChange ? 'exclusive' : 'shared');
    const current = await repo.lockOrgUnit(tx, unit.districtId, unit.id);
    if (!current) throw notFound('orgUnit');
    if (current.version !== input.version) throw conflict('org.version_conflict');
    if (current.status === 'closed') throw conflict('org.already_closed');

    const errors: FieldError[] = [];
    const set: Partial<OrgUnitRow> = {};
    if (input.name !== undefined) set.name = input.name.trim();
    if (input.nameEn !== undefined) set.nameEn = cleanName(input.nameEn) || null;
    if (input.address !== undefined) set.address = cleanName(input.address) || null;
    for (const f of specificFields) {
      const value = (input as unknown as Record<string, unknown>)[f];
      if (value === undefined || f === 'gradeCode') continue;
      if (!patchableFields[current.kind].includes(f)) {
        errors.push(fieldError(`body.${f}`, 'org.field_not_for_kind', { kind: kindNames[current.kind] }));
      } else {
        (set as Record<string, unknown>)[f] = value;
      }
    }
    throwIfAny(errors);

    const district = await repo.findDistrict(tx, current.districtId);
    const districtDivision = district?.divisionCode ?? null;
    const next = { ...current, ...set };
    // A new category keeps the operating type only if it still fits.
    if (
      current.kind === 'school' &&
      set.schoolType !== undefined &&
      set.operatingTypeCode === undefined &&
      next.schoolType &&
      !isOperatingTypeAllowed(next.schoolType, next.operatingTypeCode ?? '')
    ) {
      next.operatingTypeCode = schoolTypeById(next.schoolType)?.defaultOperatingType ?? null;
      set.operatingTypeCode = next.operatingTypeCode;
    }
    const changed = Object.keys(diff(current, next, unitFields));
    if (changed.length === 0) return current;

    if (current.kind === 'school' && next.schoolType) {
      // Only what changes is checked: an old record with a since-retired code can still be renamed.
      const checked = schoolFieldErrors(
        'body',
        {
          schoolType: next.schoolType,
          operatingTypeCode: next.operatingTypeCode ?? '',
          schoolCode: next.schoolCode,
          divisionCode: next.divisionCode,
        },
        districtDivision,
      ).filter(
        (e) => changed.includes(e.path.slice('body.'.length)) || (typeChange && e.path.endsWith('TypeCode')),
      );
      errors.push(...checked);
      if (typeChange && checked.length === 0) {
        const units = subtreeUnits(await repo.subtree(tx, current.districtId, current.path));
        const school = { schoolType: next.schoolType, operatingTypeCode: next.operatingTypeCode };
        if (!subtreeFitsSchool(units, school))
          errors.push(schoolTypeConflictError('body.schoolType', next.schoolType));
      }
    }
    if (current.kind === 'campus' && changed.includes('divisionCode') && next.divisionCode) {
      const error = divisionFieldError('body.divisionCode', next.divisionCode, districtDivision);
      if (error) errors.push(error);
    }
    if (current.kind === 'class' && changed.includes('academicYearId') && next.academicYearId) {
      const known = await repo.academicYearIdsIn(tx, current.districtId, [next.academicYearId]);
      if (known.length === 0) errors.push(fieldError('body.academicYearId', 'org.academic_year_unknown'));
    }
    if (set.name !== undefined && (set.name.length < 1 || set.name.length > 100)) {
      errors.push(fieldError('body.name', 'org.name_invalid'));
    }
    throwIfAny(errors);

    if (changed.includes('schoolCode') && next.schoolCode) {
      const inUse = await repo.schoolCodesInUse(tx, current.districtId, [next.schoolCode]);
      if (inUse.length > 0) throw conflict('org.school_code_taken', { schoolCode: next.schoolCode });
    }
    if (current.kind === 'class' && (changed.includes('classNumber') || changed.includes('academicYearId'))) {
      await assertClassNumberFree(tx, current.districtId, current.parentId ?? '', next, current.id);
    }

    const row = await repo.updateOrgUnit(tx, current.districtId, current.id, set, input.version);
    if (!row) throw conflict('org.version_conflict');
    await recordUnitChanges(ctx, tx, [{ row, before: current, change: 'update' }]);
    return row;
  });
  return presentOrgUnit(updated, visibleTo(principal));
}
