/**
 * Response shapes for persons. ID numbers and phones only ever leave masked (`idMasked`,
 * `phoneMasked`); the encrypted values and the identity hash never leave at all.
 */
import { z } from 'zod';
import type { PersonRow, ProfileEnrolment, ProfilePost, ProfileRelative } from './persons-repository';

export const personSummarySchema = z.object({
  id: z.guid(),
  districtId: z.guid(),
  name: z.string(),
  genderCode: z.string().nullable(),
  birthDate: z.string().nullable(),
  ethnicityCode: z.string().nullable(),
  idType: z.string().nullable(),
  /** '110101********1234' */
  idMasked: z.string().nullable(),
  phoneMasked: z.string().nullable(),
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
  personId: z.guid(),
  name: z.string(),
  /** GB/T 4761 家庭关系代码. */
  relationCode: z.string(),
  isPrimary: z.boolean(),
});

export const personProfileSchema = personSummarySchema.extend({
  enrolments: z.array(
    z.object({
      enrolmentId: z.guid(),
      schoolId: z.guid(),
      schoolName: z.string(),
      status: z.string(),
      enteredOn: z.string(),
      studentNumberMasked: z.string().nullable(),
      classId: z.guid().nullable(),
      className: z.string().nullable(),
      gradeCode: z.string().nullable(),
      academicYearId: z.guid().nullable(),
    }),
  ),
  staffPosts: z.array(
    z.object({
      postId: z.guid(),
      schoolId: z.guid(),
      schoolName: z.string(),
      postCode: z.string(),
      establishmentCode: z.string(),
      isFullTimeTeacher: z.boolean(),
      startedOn: z.string(),
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
