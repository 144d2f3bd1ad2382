/**
 * Checks shared by the use cases that create, change, move and reopen units: the school a unit lies
 * in, the shape of a subtree for the school-type rules, and the one-grade-per-code and
 * one-class-number-per-year rules among siblings (read inside the change's transaction).
 */
import type { DbOrTx, Tx } from '../../db/client';
import { conflict } from '../../errors';
import type { OrgUnitRow } from './repository';
import * as repo from './repository';
import { type OrgUnitKind, type SchoolInfo, type SubtreeUnit, schoolIdOf } from './rules';

/** Fields that only some kinds of unit carry. */
export const specificFields = [
  'schoolType',
  'operatingTypeCode',
  'schoolCode',
  'divisionCode',
  'gradeCode',
  'classNumber',
  'academicYearId',
] as const;

export const cleanName = (s: string | null | undefined) => (typeof s === 'string' ? s.trim() : s);

/** The school a unit lies in, as the nesting and grade rules need it (null at district level). */
export async function schoolInfoOf(db: DbOrTx, unit: OrgUnitRow): Promise<SchoolInfo | null> {
  if (unit.kind === 'districtBureau') return null;
  const school = unit.kind === 'school' ? unit : await repo.findOrgUnit(db, schoolIdOf(unit.path) ?? '');
  if (!school?.schoolType) return null;
  return { schoolType: school.schoolType, operatingTypeCode: school.operatingTypeCode };
}

/** Subtree units with their parents' kinds, for the school-type rules. */
export function subtreeUnits(
  rows: OrgUnitRow[],
  overrideParentKind?: { id: string; kind: OrgUnitKind },
): SubtreeUnit[] {
  const kinds = new Map(rows.map((r) => [r.id, r.kind]));
  return rows
    .filter((r) => r.status === 'active')
    .map((r) => ({
      kind: r.kind,
      parentKind:
        overrideParentKind && r.id === overrideParentKind.id
          ? overrideParentKind.kind
          : (kinds.get(r.parentId ?? '') ?? null),
      gradeCode: r.gradeCode,
    }));
}

export async function assertClassNumberFree(
  tx: Tx,
  districtId: string,
  parentId: string,
  unit: Pick<OrgUnitRow, 'classNumber' | 'academicYearId'>,
  selfId: string,
): Promise<void> {
  const siblings = await repo.activeChildren(tx, districtId, [parentId]);
  const clash = siblings.some(
    (s) =>
      s.id !== selfId &&
      s.kind === 'class' &&
      s.classNumber === unit.classNumber &&
      s.academicYearId === unit.academicYearId,
  );
  if (clash) throw conflict('org.class_number_taken', { classNumber: unit.classNumber ?? '' });
}

async function assertGradeFree(
  tx: Tx,
  districtId: string,
  parentId: string,
  gradeCode: string | null,
  selfId: string,
): Promise<void> {
  const siblings = await repo.activeChildren(tx, districtId, [parentId]);
  if (siblings.some((s) => s.id !== selfId && s.kind === 'grade' && s.gradeCode === gradeCode)) {
    throw conflict('org.grade_taken', { gradeCode: gradeCode ?? '' });
  }
}

/** A grade or class going under `parentId` must not clash with an active sibling. */
export async function assertRoomUnder(tx: Tx, unit: OrgUnitRow, parentId: string): Promise<void> {
  if (unit.kind === 'grade') await assertGradeFree(tx, unit.districtId, parentId, unit.gradeCode, unit.id);
  if (unit.kind === 'class') await assertClassNumberFree(tx, unit.districtId, parentId, unit, unit.id);
}
