/** Response shapes for enrolments, changes, rosters and enrolment histories. 学籍号 leaves masked only. */
import { z } from 'zod';
import { internal, personal, publicField } from '../../access/levels';
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
  id: internal(z.guid()),
  districtId: internal(z.guid()),
  personId: internal(z.guid()),
  schoolId: internal(z.guid()),
  status: internal(z.enum(enrolmentStatuses)),
  enteredOn: internal(z.string()),
  leftOn: internal(z.string()).nullable(),
  /** 'G110101********1234' */
  studentNumberMasked: personal(z.string(), 'studentNumber').nullable(),
  /** The class the student is placed in from now on (null: none, or the enrolment ended). */
  classId: internal(z.guid()).nullable(),
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
  personCreated: internal(z.boolean()),
  enrolment: enrolmentSchema,
});

export const changeResultSchema = z.object({
  enrolment: enrolmentSchema,
  change: z.object({
    id: internal(z.guid()),
    changeType: internal(z.enum(requestableChanges)),
    effectiveOn: internal(z.string()),
    fromClassId: internal(z.guid()).nullable(),
    toClassId: internal(z.guid()).nullable(),
  }),
});

export const transferResultSchema = z.object({
  /** The closed enrolment (转出). */
  from: enrolmentSchema,
  /** The new enrolment (转入); for a transfer between districts it belongs to the target district's person. */
  to: enrolmentSchema,
  /** Between districts: whether the target district had no record of the person before. */
  personCreated: internal(z.boolean()).optional(),
});

export const rosterItemSchema = z.object({
  personId: internal(z.guid()),
  name: personal(z.string(), 'name'),
  genderCode: personal(z.string()).nullable(),
  birthDate: personal(z.string()).nullable(),
  idMasked: personal(z.string(), 'idNumber').nullable(),
  studentNumberMasked: personal(z.string(), 'studentNumber').nullable(),
  enrolmentId: internal(z.guid()),
  status: internal(z.enum(enrolmentStatuses)),
  classId: internal(z.guid()).nullable(),
  className: internal(z.string()).nullable(),
  gradeCode: internal(z.string()).nullable(),
  classNumber: internal(z.number().int()).nullable(),
});

export const rosterPageSchema = z.object({
  items: z.array(rosterItemSchema),
  total: internal(z.number().int()),
  page: internal(z.number().int()),
  pageSize: internal(z.number().int()),
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
  id: internal(z.guid()),
  changeType: internal(z.string()),
  effectiveOn: internal(z.string()),
  fromClassId: internal(z.guid()).nullable(),
  fromClassName: internal(z.string()).nullable(),
  toClassId: internal(z.guid()).nullable(),
  toClassName: internal(z.string()).nullable(),
  counterpartSchoolId: internal(z.guid()).nullable(),
  counterpartSchoolName: publicField(z.string()).nullable(),
  counterpartDistrictId: internal(z.guid()).nullable(),
  counterpartDistrictName: publicField(z.string()).nullable(),
  /** Typed by staff about the student (why they left, were suspended …). */
  reason: personal(z.string()).nullable(),
});

const historyMembershipSchema = z.object({
  classId: internal(z.guid()),
  className: internal(z.string()),
  gradeCode: internal(z.string()).nullable(),
  academicYearId: internal(z.guid()),
  academicYearName: internal(z.string()),
  startedOn: internal(z.string()),
  endedOn: internal(z.string()).nullable(),
});

export const enrolmentHistorySchema = z.object({
  person: personSummarySchema,
  enrolments: z.array(
    z.object({
      id: internal(z.guid()),
      schoolId: internal(z.guid()),
      schoolName: publicField(z.string()),
      status: internal(z.enum(enrolmentStatuses)),
      enteredOn: internal(z.string()),
      leftOn: internal(z.string()).nullable(),
      studentNumberMasked: personal(z.string(), 'studentNumber').nullable(),
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
