/** Response shapes for staff posts, assignments and staff accounts (code names in Chinese, from the standards). */
import { z } from 'zod';
import { internal, personal, publicField } from '../../access/levels';
import { codeName } from '../../standards/codes';
import type {
  ClassRow,
  ClassTeacherRow,
  CurrentClassRow,
  HeadTeacherAssignmentRow,
  StaffListRow,
  StaffPostRow,
  TeachingAssignmentRow,
} from './staff-repository';

const date = internal(z.string()).describe('YYYY-MM-DD');
const endDate = date.nullable().describe('YYYY-MM-DD, the first day no longer in force; null = open');

export const staffPostSchema = z.object({
  id: internal(z.guid()),
  personId: internal(z.guid()),
  schoolId: internal(z.guid()),
  /** JY/T 1001 GWZY 岗位职业. */
  postCode: internal(z.string()),
  postName: internal(z.string()).nullable(),
  /** JY/T 1001 ZXXBZLB 编制类别. */
  establishmentCode: internal(z.string()),
  establishmentName: internal(z.string()).nullable(),
  isFullTimeTeacher: internal(z.boolean()),
  startedOn: date,
  endedOn: endDate,
});
export type StaffPostView = z.infer<typeof staffPostSchema>;

export function presentStaffPost(row: StaffPostRow): StaffPostView {
  return {
    id: row.id,
    personId: row.personId,
    schoolId: row.schoolId,
    postCode: row.postCode,
    postName: codeName('post', row.postCode) ?? null,
    establishmentCode: row.establishmentCode,
    establishmentName: codeName('staffingCategory', row.establishmentCode) ?? null,
    isFullTimeTeacher: row.isFullTimeTeacher,
    startedOn: row.startedOn,
    endedOn: row.endedOn,
  };
}

export const staffListItemSchema = z.object({
  postId: internal(z.guid()),
  personId: internal(z.guid()),
  name: personal(z.string(), 'name'),
  genderCode: personal(z.string()).nullable(),
  idType: personal(z.string()).nullable(),
  idMasked: personal(z.string(), 'idNumber').nullable().describe("'110101********1234'"),
  phoneMasked: personal(z.string(), 'phone').nullable().describe("'138****5678'"),
  postCode: internal(z.string()),
  postName: internal(z.string()).nullable(),
  establishmentCode: internal(z.string()),
  establishmentName: internal(z.string()).nullable(),
  isFullTimeTeacher: internal(z.boolean()),
  startedOn: date,
  endedOn: endDate,
  current: internal(z.boolean()).describe('The post is in force today'),
  hasAccount: internal(z.boolean()).describe('The person has a sign-in account'),
});
export type StaffListItem = z.infer<typeof staffListItemSchema>;

export function presentStaffListRow(row: StaffListRow): StaffListItem {
  return {
    ...row,
    postName: codeName('post', row.postCode) ?? null,
    establishmentName: codeName('staffingCategory', row.establishmentCode) ?? null,
  };
}

export const teachingAssignmentSchema = z.object({
  id: internal(z.guid()),
  personId: internal(z.guid()),
  personName: personal(z.string(), 'name'),
  classId: internal(z.guid()),
  /** JY/T 1001 ZXXKC 中小学课程代码. */
  subjectCode: internal(z.string()),
  subjectName: internal(z.string()).nullable(),
  termId: internal(z.guid()),
  startedOn: date,
  endedOn: endDate,
});
export type TeachingAssignmentView = z.infer<typeof teachingAssignmentSchema>;

export function presentTeachingAssignment(
  row: TeachingAssignmentRow,
  personName: string,
): TeachingAssignmentView {
  return {
    id: row.id,
    personId: row.personId,
    personName,
    classId: row.classId,
    subjectCode: row.subjectCode,
    subjectName: codeName('subject', row.subjectCode) ?? null,
    termId: row.termId,
    startedOn: row.startedOn,
    endedOn: row.endedOn,
  };
}

export const headTeacherAssignmentSchema = z.object({
  id: internal(z.guid()),
  personId: internal(z.guid()),
  personName: personal(z.string(), 'name'),
  classId: internal(z.guid()),
  academicYearId: internal(z.guid()),
  startedOn: date,
  endedOn: endDate,
});
export type HeadTeacherAssignmentView = z.infer<typeof headTeacherAssignmentSchema>;

export function presentHeadTeacherAssignment(
  row: HeadTeacherAssignmentRow,
  personName: string,
): HeadTeacherAssignmentView {
  return {
    id: row.id,
    personId: row.personId,
    personName,
    classId: row.classId,
    academicYearId: row.academicYearId,
    startedOn: row.startedOn,
    endedOn: row.endedOn,
  };
}

export const classTeachersSchema = z.object({
  classId: internal(z.guid()),
  className: internal(z.string()),
  schoolId: internal(z.guid()),
  schoolName: publicField(z.string()),
  headTeacher: z
    .object({
      assignmentId: internal(z.guid()),
      personId: internal(z.guid()),
      name: personal(z.string(), 'name'),
      academicYearId: internal(z.guid()),
      startedOn: date,
      endedOn: endDate,
    })
    .nullable(),
  teachers: z.array(
    z.object({
      assignmentId: internal(z.guid()),
      personId: internal(z.guid()),
      name: personal(z.string(), 'name'),
      subjectCode: internal(z.string()),
      subjectName: internal(z.string()).nullable(),
      termId: internal(z.guid()),
      termName: internal(z.string()),
      startedOn: date,
      endedOn: endDate,
    }),
  ),
});
export type ClassTeachersView = z.infer<typeof classTeachersSchema>;

export function presentClassTeachers(cls: ClassRow, rows: ClassTeacherRow[]): ClassTeachersView {
  const head = rows.find((r) => r.kind === 'headTeacher');
  return {
    classId: cls.id,
    className: cls.name,
    schoolId: cls.school.id,
    schoolName: cls.school.name,
    headTeacher: head
      ? {
          assignmentId: head.assignmentId,
          personId: head.personId,
          name: head.name,
          academicYearId: head.academicYearId ?? '',
          startedOn: head.startedOn,
          endedOn: head.endedOn,
        }
      : null,
    teachers: rows
      .filter((r) => r.kind === 'teaching')
      .map((r) => ({
        assignmentId: r.assignmentId,
        personId: r.personId,
        name: r.name,
        subjectCode: r.subjectCode ?? '',
        subjectName: r.subjectCode ? (codeName('subject', r.subjectCode) ?? null) : null,
        termId: r.termId ?? '',
        termName: r.termName ?? '',
        startedOn: r.startedOn,
        endedOn: r.endedOn,
      })),
  };
}

/**
 * `GET /persons/:id/teachers`, for a student and their guardians: the names and subjects of the
 * class's teachers, nothing else about them (no person or assignment ids, no contact data).
 */
export const personTeachersSchema = z.object({
  personId: internal(z.guid()),
  school: z.object({ id: internal(z.guid()), name: publicField(z.string()) }).nullable(),
  class: z.object({ id: internal(z.guid()), name: internal(z.string()) }).nullable(),
  headTeacher: z.object({ name: personal(z.string(), 'name') }).nullable(),
  teachers: z.array(
    z.object({
      name: personal(z.string(), 'name'),
      /** JY/T 1001 ZXXKC 中小学课程代码. */
      subjectCode: internal(z.string()),
      subjectName: internal(z.string()).nullable(),
    }),
  ),
});
export type PersonTeachersView = z.infer<typeof personTeachersSchema>;

export function presentPersonTeachers(place: CurrentClassRow, rows: ClassTeacherRow[]): PersonTeachersView {
  const head = rows.find((r) => r.kind === 'headTeacher');
  return {
    personId: place.personId,
    school: place.schoolId ? { id: place.schoolId, name: place.schoolName ?? '' } : null,
    class: place.classId ? { id: place.classId, name: place.className ?? '' } : null,
    headTeacher: head ? { name: head.name } : null,
    teachers: rows
      .filter((r) => r.kind === 'teaching')
      .map((r) => ({
        name: r.name,
        subjectCode: r.subjectCode ?? '',
        subjectName: r.subjectCode ? (codeName('subject', r.subjectCode) ?? null) : null,
      })),
  };
}

export const staffAccountSchema = z.object({
  personId: internal(z.guid()),
  userId: internal(z.guid()),
  username: personal(z.string()),
  // A password opens the account and what it may read: as guarded as the account's own data.
  initialPassword: personal(z.string()).describe(
    'One-time password, shown only in this response; to be changed at first sign-in',
  ),
});
export type StaffAccountView = z.infer<typeof staffAccountSchema>;
