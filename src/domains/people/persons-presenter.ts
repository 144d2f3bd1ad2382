/**
 * Response shapes for persons. ID numbers and phones only ever leave masked (`idMasked`,
 * `phoneMasked`); the encrypted values and the identity hash never leave at all.
 */
import { z } from 'zod';
import { internal, personal, publicField } from '../../access/levels';
import type { PersonRow, ProfileEnrolment, ProfilePost, ProfileRelative } from './persons-repository';

export const personSummarySchema = z.object({
  id: internal(z.guid()),
  districtId: internal(z.guid()),
  name: personal(z.string(), 'name'),
  genderCode: personal(z.string()).nullable(),
  birthDate: personal(z.string()).nullable(),
  ethnicityCode: personal(z.string()).nullable(),
  idType: personal(z.string()).nullable(),
  /** '110101********1234' */
  idMasked: personal(z.string(), 'idNumber').nullable(),
  phoneMasked: personal(z.string(), 'phone').nullable(),
});
export type PersonSummary = z.infer<typeof personSummarySchema>;

export function presentPerson(row: PersonRow): PersonSummary {
  return {
    id: row.id,
    districtId: row.districtId,
    name: row.name,
    genderCode: row.genderCode,
    birthDate: row.birthDate,
    ethnicityCode: row.ethnicityCode,
    idType: row.idType,
    idMasked: row.idMasked,
    phoneMasked: row.phoneMasked,
  };
}

const relativeSchema = z.object({
  personId: internal(z.guid()),
  name: personal(z.string(), 'name'),
  /** GB/T 4761 家庭关系代码. */
  relationCode: personal(z.string()),
  isPrimary: internal(z.boolean()),
});

export const personProfileSchema = personSummarySchema.extend({
  enrolments: z.array(
    z.object({
      enrolmentId: internal(z.guid()),
      schoolId: internal(z.guid()),
      schoolName: publicField(z.string()),
      status: internal(z.string()),
      enteredOn: internal(z.string()),
      studentNumberMasked: personal(z.string(), 'studentNumber').nullable(),
      classId: internal(z.guid()).nullable(),
      className: internal(z.string()).nullable(),
      gradeCode: internal(z.string()).nullable(),
      academicYearId: internal(z.guid()).nullable(),
    }),
  ),
  staffPosts: z.array(
    z.object({
      postId: internal(z.guid()),
      schoolId: internal(z.guid()),
      schoolName: publicField(z.string()),
      postCode: internal(z.string()),
      establishmentCode: internal(z.string()),
      isFullTimeTeacher: internal(z.boolean()),
      startedOn: internal(z.string()),
    }),
  ),
  /** Guardians of this person the caller may see. */
  guardians: z.array(relativeSchema),
  /** Children this person is guardian of that the caller may see. */
  children: z.array(relativeSchema),
});
export type PersonProfile = z.infer<typeof personProfileSchema>;

export function presentProfile(
  row: PersonRow,
  parts: {
    enrolments: ProfileEnrolment[];
    posts: ProfilePost[];
    guardians: ProfileRelative[];
    children: ProfileRelative[];
  },
): PersonProfile {
  return {
    ...presentPerson(row),
    enrolments: parts.enrolments.map((e) => ({
      enrolmentId: e.enrolmentId,
      schoolId: e.schoolId,
      schoolName: e.schoolName,
      status: e.status,
      enteredOn: e.enteredOn,
      studentNumberMasked: e.studentNumberMasked,
      classId: e.classId,
      className: e.className,
      gradeCode: e.gradeCode,
      academicYearId: e.academicYearId,
    })),
    staffPosts: parts.posts.map((p) => ({
      postId: p.postId,
      schoolId: p.schoolId,
      schoolName: p.schoolName,
      postCode: p.postCode,
      establishmentCode: p.establishmentCode,
      isFullTimeTeacher: p.isFullTimeTeacher,
      startedOn: p.startedOn,
    })),
    guardians: parts.guardians.map(relative),
    children: parts.children.map(relative),
  };
}

const relative = (r: ProfileRelative) => ({
  personId: r.personId,
  name: r.name,
  relationCode: r.relationCode,
  isPrimary: r.isPrimary,
});
