/**
 * Response shapes for guardians. Guardian phones and ID numbers leave masked only; relation codes
 * come with their GB/T 4761 names.
 */
import { z } from 'zod';
import { internal, personal, publicField } from '../../access/levels';
import { guardianRelation } from '../../standards/family-relation';
import type { ChildRow, GuardianListRow, GuardianRelationRow } from './guardians-repository';
import type { PersonRow } from './persons-repository';

const relationNames = (code: string) => {
  const r = guardianRelation(code);
  return { relationName: r?.name ?? null, relationNameEn: r?.nameEn ?? null };
};

const relationFields = {
  /** GB/T 4761-2008 家庭关系代码: what the guardian is to the child (51 父亲, 52 母亲 …). */
  relationCode: personal(z.string()),
  relationName: personal(z.string()).nullable(),
  relationNameEn: personal(z.string()).nullable(),
  isPrimary: internal(z.boolean()),
};

export const guardianRelationSchema = z.object({
  id: internal(z.guid()),
  childPersonId: internal(z.guid()),
  guardian: z.object({
    personId: internal(z.guid()),
    name: personal(z.string(), 'name'),
    idType: personal(z.string()).nullable(),
    idMasked: personal(z.string(), 'idNumber').nullable(),
    phoneMasked: personal(z.string(), 'phone').nullable().describe("'138****5678'"),
  }),
  ...relationFields,
  startedAt: internal(z.string()).describe('ISO date-time'),
  endedAt: internal(z.string()).nullable().describe('ISO date-time; null = in force'),
});
export type GuardianRelationView = z.infer<typeof guardianRelationSchema>;

export function presentGuardianRelation(row: GuardianRelationRow, guardian: PersonRow): GuardianRelationView {
  return {
    id: row.id,
    childPersonId: row.childPersonId,
    guardian: {
      personId: guardian.id,
      name: guardian.name,
      idType: guardian.idType,
      idMasked: guardian.idMasked,
      phoneMasked: guardian.phoneMasked,
    },
    relationCode: row.relationCode,
    ...relationNames(row.relationCode),
    isPrimary: row.isPrimary,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt ? row.endedAt.toISOString() : null,
  };
}

export const guardianListItemSchema = z.object({
  relationId: internal(z.guid()),
  personId: internal(z.guid()),
  name: personal(z.string(), 'name'),
  idType: personal(z.string()).nullable(),
  idMasked: personal(z.string(), 'idNumber').nullable(),
  phoneMasked: personal(z.string(), 'phone').nullable(),
  ...relationFields,
  startedAt: internal(z.string()),
  endedAt: internal(z.string()).nullable(),
  hasAccount: internal(z.boolean()).describe('The guardian has activated an account'),
});
export type GuardianListItem = z.infer<typeof guardianListItemSchema>;

export function presentGuardianListRow(row: GuardianListRow): GuardianListItem {
  return {
    relationId: row.relationId,
    personId: row.personId,
    name: row.name,
    idType: row.idType,
    idMasked: row.idMasked,
    phoneMasked: row.phoneMasked,
    relationCode: row.relationCode,
    ...relationNames(row.relationCode),
    isPrimary: row.isPrimary,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt ? row.endedAt.toISOString() : null,
    hasAccount: row.hasAccount,
  };
}

export const activationCodeSchema = z.object({
  guardianPersonId: internal(z.guid()),
  // The code opens the guardian's account: as guarded as the account's own data.
  code: personal(z.string()).describe('8 characters, shown only in this response; hand it to the guardian'),
  expiresAt: internal(z.string()).describe('ISO date-time'),
});
export type ActivationCodeView = z.infer<typeof activationCodeSchema>;

export const childSchema = z.object({
  personId: internal(z.guid()),
  districtId: internal(z.guid()),
  name: personal(z.string(), 'name'),
  genderCode: personal(z.string()).nullable(),
  birthDate: personal(z.string()).nullable(),
  ...relationFields,
  school: z
    .object({
      id: internal(z.guid()),
      name: publicField(z.string()),
      enrolmentStatus: internal(z.string()),
    })
    .nullable(),
  class: z.object({ id: internal(z.guid()), name: internal(z.string()) }).nullable(),
});
export type ChildView = z.infer<typeof childSchema>;

export function presentChild(row: ChildRow): ChildView {
  return {
    personId: row.personId,
    districtId: row.districtId,
    name: row.name,
    genderCode: row.genderCode,
    birthDate: row.birthDate,
    relationCode: row.relationCode,
    ...relationNames(row.relationCode),
    isPrimary: row.isPrimary,
    school:
      row.schoolId && row.schoolName
        ? { id: row.schoolId, name: row.schoolName, enrolmentStatus: row.enrolmentStatus ?? '' }
        : null,
    class: row.classId && row.className ? { id: row.classId, name: row.className } : null,
  };
}
