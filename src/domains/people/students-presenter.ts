/** Response shapes for enrolments, changes, rosters and enrolment histories. 学籍号 leaves masked only. */
import { z } from 'zod';
import { personSummarySchema } from './persons-presenter';
import type {
  EnrolmentRow,
  HistoryChangeRow,
  HistoryEnrolmentRow,
  HistoryMembershipRow,
  RosterRow,
} from './students-repository';
import { requestableChanges } from './students-rules';

export const enrolmentStatuses = [
  'active',
  'suspended',
  'transferredOut',
  'withdrawn',
  'graduated',
  'deceased',
] as const;

export const enrolmentSchema = z.object({
  id: z.guid(),
  districtId: z.guid(),
  personId: z.guid(),
  schoolId: z.guid(),
  status: z.enum(enrolmentStatuses),
  enteredOn: z.string(),
  leftOn: z.string().nullable(),
  /** 'G110101********1234' */
  studentNumberMasked: z.string().nullable(),
  /** The class the student is placed in from now on (null: none, or the enrolment ended). */
  classId: z.guid().nullable(),
});
export type EnrolmentView = z.infer<typeof enrolmentSchema>;

export function presentEnrolment(row: EnrolmentRow, classId: string | null): EnrolmentView {
  return {
    id: row.id,
    districtId: row.districtId,
    personId: row.personId,
    schoolId: row.schoolId,
    status: row.status,
    enteredOn: row.enteredOn,
    leftOn: row.leftOn,
    studentNumberMasked: row.studentNumberMasked,
    classId,
  };
}

export const enrolResultSchema = z.object({
  person: personSummarySchema,
  /** False: the person was already registered (same ID number) and is enrolled as they are. */
  personCreated: z.boolean(),
  enrolment: enrolmentSchema,
});

export const changeResultSchema = z.object({
  enrolment: enrolmentSchema,
  change: z.object({
    id: z.guid(),
    changeType: z.enum(requestableChanges),
    effectiveOn: z.string(),
    fromClassId: z.guid().nullable(),
    toClassId: z.guid().nullable(),
  }),
});

export const transferResultSchema = z.object({
  /** The closed enrolment (转出). */
  from: enrolmentSchema,
  /** The new enrolment (转入); for a transfer between districts it belongs to the target district's person. */
  to: enrolmentSchema,
  /** Between districts: whether the target district had no record of the person before. */
  personCreated: z.boolean().optional(),
});

export const rosterItemSchema = z.object({
  personId: z.guid(),
  name: z.string(),
  genderCode: z.string().nullable(),
  birthDate: z.string().nullable(),
  idMasked: z.string().nullable(),
  studentNumberMasked: z.string().nullable(),
  enrolmentId: z.guid(),
  status: z.enum(enrolmentStatuses),
  classId: z.guid().nullable(),
  className: z.string().nullable(),
  gradeCode: z.string().nullable(),
  classNumber: z.number().int().nullable(),
});

export const rosterPageSchema = z.object({
  items: z.array(rosterItemSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export function presentRosterRow(r: RosterRow): z.infer<typeof rosterItemSchema> {
  return {
    personId: r.personId,
    name: r.name,
    genderCode: r.genderCode,
    birthDate: r.birthDate,
    idMasked: r.idMasked,
    studentNumberMasked: r.studentNumberMasked,
    enrolmentId: r.enrolmentId,
    status: r.status,
    classId: r.classId,
    className: r.className,
    gradeCode: r.gradeCode,
    classNumber: r.classNumber,
  };
}

const historyChangeSchema = z.object({
  id: z.guid(),
  changeType: z.string(),
  effectiveOn: z.string(),
  fromClassId: z.guid().nullable(),
  fromClassName: z.string().nullable(),
  toClassId: z.guid().nullable(),
  toClassName: z.string().nullable(),
  counterpartSchoolId: z.guid().nullable(),
  counterpartSchoolName: z.string().nullable(),
  counterpartDistrictId: z.guid().nullable(),
  counterpartDistrictName: z.string().nullable(),
  reason: z.string().nullable(),
});

const historyMembershipSchema = z.object({
  classId: z.guid(),
  className: z.string(),
  gradeCode: z.string().nullable(),
  academicYearId: z.guid(),
  academicYearName: z.string(),
  startedOn: z.string(),
  endedOn: z.string().nullable(),
});

export const enrolmentHistorySchema = z.object({
  person: personSummarySchema,
  enrolments: z.array(
    z.object({
      id: z.guid(),
      schoolId: z.guid(),
      schoolName: z.string(),
      status: z.enum(enrolmentStatuses),
      enteredOn: z.string(),
      leftOn: z.string().nullable(),
      studentNumberMasked: z.string().nullable(),
      memberships: z.array(historyMembershipSchema),
      changes: z.array(historyChangeSchema),
    }),
  ),
});

export function presentHistory(
  person: z.infer<typeof personSummarySchema>,
  h: { enrolments: HistoryEnrolmentRow[]; changes: HistoryChangeRow[]; memberships: HistoryMembershipRow[] },
): z.infer<typeof enrolmentHistorySchema> {
  return {
    person,
    enrolments: h.enrolments.map((e) => ({
      id: e.id,
      schoolId: e.schoolId,
      schoolName: e.schoolName,
      status: e.status,
      enteredOn: e.enteredOn,
      leftOn: e.leftOn,
      studentNumberMasked: e.studentNumberMasked,
      memberships: h.memberships
        .filter((m) => m.enrolmentId === e.id)
        .map((m) => ({
          classId: m.classId,
          className: m.className,
          gradeCode: m.gradeCode,
          academicYearId: m.academicYearId,
          academicYearName: m.academicYearName,
          startedOn: m.startedOn,
          endedOn: m.endedOn,
        })),
      changes: h.changes
        .filter((c) => c.enrolmentId === e.id)
        .map((c) => ({
          id: c.id,
          changeType: c.changeType,
          effectiveOn: c.effectiveOn,
          fromClassId: c.fromClassId,
          fromClassName: c.fromClassName,
          toClassId: c.toClassId,
          toClassName: c.toClassName,
          counterpartSchoolId: c.counterpartSchoolId,
          counterpartSchoolName: c.counterpartSchoolName,
          counterpartDistrictId: c.counterpartDistrictId,
          counterpartDistrictName: c.counterpartDistrictName,
          reason: c.reason,
        })),
    })),
  };
}
