/**
 * Writing one confirmed row through the people domain's own functions, inside the batch
 * transaction of the confirmation (each row in a savepoint, so a row that can no longer be written
 * is skipped without undoing the batch):
 *   persons  — registerCheckedPerson (found by ID hash, never overwritten: 一数一源),
 *   guardians — addGuardianInTx (found by ID number, or by name + phone among the child's guardians),
 *   staff     — addStaffPostInTx (an open post at the school is kept),
 *   students  — enrolFromImport below, a system-use enrolment on the students repository (the
 *               request-level enrolStudent runs its own transaction and checks; imports need one
 *               inside the batch, with the historical 入学日期).
 * Outcome: 'created' (a new person), 'updated' (an existing person got an enrolment, a class, a
 * guardian or a post), 'unchanged' (all of it was already there), 'skipped' (with the reason, on
 * the row of the report).
 */
import { encrypt, identityHash, keysOf, maskStudentNumber } from '../../access/protect';
import type { Ctx } from '../../context';
import type { Tx } from '../../db/client';
import { DomainError } from '../../errors';
import { translate } from '../../i18n/messages';
import type { OrgUnitRow } from '../org/repository';
import { addGuardianInTx } from './guardians-service';
import { importColumns } from './imports-columns';
import { type RowProblemCode, rowProblemText } from './imports-messages';
import * as imports from './imports-repository';
import type { RowPayload, RowProblem, StaffPayload, StudentPayload } from './imports-validate';
import * as persons from './persons-repository';
import { registerCheckedPerson } from './persons-service';
import { type CheckedPerson, checkPersonInput, type PersonInput } from './persons-validation';
import { addStaffPostInTx } from './staff-service';
import * as students from './students-repository';

export type ApplyOutcome =
  | { kind: 'created' | 'updated' | 'unchanged'; personIds: string[] }
  | { kind: 'skipped'; personIds: string[]; problems: RowProblem[] };

class Skip extends Error {
  constructor(
    readonly problem: RowProblem,
    readonly personIds: string[] = [],
  ) {
    super(problem.code);
  }
}

function skip(
  kind: RowPayload['kind'],
  columnKey: string,
  code: RowProblemCode,
  personIds: string[] = [],
): Skip {
  const column = importColumns[kind].find((c) => c.key === columnKey);
  if (!column) throw new Error(`unknown import column ${columnKey}`);
  return new Skip({ column: column.header, code, message: rowProblemText(code, column) }, personIds);
}

/** A rule of the people services the row broke (checked again at writing): its own message. */
function rejected(kind: RowPayload['kind'], error: DomainError): Skip {
  const column = importColumns[kind].find((c) => c.key === 'idNumber');
  if (!column) throw new Error('idNumber column missing');
  const code = error.fieldErrors[0]?.messageCode ?? error.code;
  return new Skip({
    column: column.header,
    code,
    message: rowProblemText('rejected', column, {
      detail: translate(code, 'zh-CN', error.fieldErrors[0]?.params ?? error.params),
      detailEn: translate(code, 'en', error.fieldErrors[0]?.params ?? error.params),
    }),
  });
}

const isUniqueViolation = (error: unknown) =>
  ((error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code) === '23505';

function checked(kind: RowPayload['kind'], input: PersonInput): CheckedPerson {
  const result = checkPersonInput(input, 'row');
  if (result.ok) return result.value;
  const first = result.errors[0];
  throw rejected(kind, new DomainError(422, 'request.invalid', {}, first ? [first] : []));
}

/** Register (or find) the row's person; a registered person recorded differently is not touched. */
async function personOf(ctx: Ctx, tx: Tx, districtId: string, kind: RowPayload['kind'], input: PersonInput) {
  const registered = await registerCheckedPerson(ctx, tx, districtId, checked(kind, input));
  if (registered.mismatches.length > 0)
    throw skip(kind, 'idNumber', 'identity_conflict', [registered.person.id]);
  return registered;
}

/** Classes looked up in one batch (the batch holds the organisation tree's shared lock). */
export type ClassCache = Map<string, Awaited<ReturnType<typeof imports.activeClassOf>>>;

export async function applyRow(
  ctx: Ctx,
  tx: Tx,
  school: OrgUnitRow,
  payload: RowPayload,
  today: string,
  classes: ClassCache = new Map(),
): Promise<ApplyOutcome> {
  try {
    // A savepoint per row: a row that fails a rule is rolled back alone.
    return await tx.transaction((sp) =>
      payload.kind === 'students'
        ? applyStudent(ctx, sp, school, payload, today, classes)
        : applyStaff(ctx, sp, school, payload),
    );
  } catch (error) {
    if (error instanceof Skip)
      return { kind: 'skipped', personIds: error.personIds, problems: [error.problem] };
    if (error instanceof DomainError && error.status < 500) {
      const s = rejected(payload.kind, error);
      return { kind: 'skipped', personIds: [], problems: [s.problem] };
    }
    // Another enrolment took the 学籍号 between the check and the insert (the unique index caught it).
    if (payload.kind === 'students' && isUniqueViolation(error)) {
      const s = skip('students', 'studentNumber', 'student_number_taken');
      return { kind: 'skipped', personIds: [], problems: [s.problem] };
    }
    throw error;
  }
}

/** The later of two ISO dates. */
const laterDate = (a: string, b: string) => (a > b ? a : b);

/** The 学籍号 columns of an enrolment: encrypted, keyed hash, masked. */
function studentNumberFields(ctx: Ctx, number: string | null) {
  if (!number) return { studentNumberEnc: null, studentNumberHash: null, studentNumberMasked: null };
  const keys = keysOf(ctx);
  return {
    studentNumberEnc: encrypt(keys, number),
    studentNumberHash: identityHash(keys, 'studentNumber', number),
    studentNumberMasked: maskStudentNumber(number),
  };
}

/**
 * System use: enrol `personId` at the school in `classId` (entered on the row's 入学日期, which may
 * lie years back; the class membership starts with the class's academic year at the earliest),
 * recording the 'enrol' change. The caller holds the person's lock and has checked there is no
 * current enrolment.
 */
async function enrolFromImport(
  ctx: Ctx,
  tx: Tx,
  v: { school: OrgUnitRow; personId: string; classId: string; academicYearId: string; yearStartsOn: string },
  p: StudentPayload,
): Promise<void> {
  const number = studentNumberFields(ctx, p.studentNumber);
  if (
    number.studentNumberHash &&
    (await students.studentNumberTaken(tx, v.school.districtId, number.studentNumberHash))
  ) {
    throw skip('students', 'studentNumber', 'student_number_taken', [v.personId]);
  }
  const enrolment = await students.insertEnrolment(tx, {
    districtId: v.school.districtId,
    personId: v.personId,
    schoolId: v.school.id,
    status: 'active',
    enteredOn: p.enteredOn,
    ...number,
  });
  await students.insertMemberships(tx, [
    {
      districtId: v.school.districtId,
      enrolmentId: enrolment.id,
      personId: v.personId,
      classId: v.classId,
      academicYearId: v.academicYearId,
      startedOn: laterDate(p.enteredOn, v.yearStartsOn),
    },
  ]);
  await students.insertChanges(tx, [
    {
      districtId: v.school.districtId,
      enrolmentId: enrolment.id,
      personId: v.personId,
      changeType: 'enrol',
      effectiveOn: p.enteredOn,
      toClassId: v.classId,
      reason: '名册导入',
      recordedBy: ctx.principal?.userId ?? null,
    },
  ]);
}

async function applyStudent(
  ctx: Ctx,
  tx: Tx,
  school: OrgUnitRow,
  p: StudentPayload,
  today: string,
  classes: ClassCache,
): Promise<ApplyOutcome> {
  const { districtId } = school;
  if (!classes.has(p.classId)) classes.set(p.classId, await imports.activeClassOf(tx, school, p.classId));
  const cls = classes.get(p.classId);
  if (!cls) throw skip('students', 'class', 'class_gone');
  const registered = await personOf(ctx, tx, districtId, 'students', {
    name: p.name,
    genderCode: p.genderCode,
    birthDate: p.birthDate,
    ethnicityCode: p.ethnicityCode,
    idType: p.idType,
    idNumber: p.idNumber,
  });
  const student = registered.person;
  const touched = [student.id];
  let wrote = false;
  // Serialise work on one student (a concurrent import or enrolment of the same person).
  await persons.lockPerson(tx, districtId, student.id);
  const [current] = await students.currentEnrolments(tx, districtId, student.id);
  if (!current) {
    await enrolFromImport(ctx, tx, { school, personId: student.id, classId: p.classId, ...cls }, p);
    wrote = true;
  } else if (current.schoolId !== school.id) {
    throw skip('students', 'idNumber', 'enrolled_elsewhere', touched);
  } else if (current.status !== 'active') {
    throw skip('students', 'idNumber', 'enrolment_inactive', touched);
  } else {
    const number = studentNumberFields(ctx, p.studentNumber);
    if (number.studentNumberHash && number.studentNumberHash !== current.studentNumberHash) {
      throw skip('students', 'studentNumber', 'student_number_differs', touched);
    }
    const membership = await students.openMembership(tx, districtId, current.id);
    if (membership?.classId !== p.classId) {
      // Another class of the file: the student moves on the later of today and the class's first day;
      // into a class of another academic year, that is 升级.
      const on = laterDate(today, cls.yearStartsOn);
      await students.closeMemberships(tx, districtId, [current.id], on);
      await students.insertMemberships(tx, [
        {
          districtId,
          enrolmentId: current.id,
          personId: student.id,
          classId: p.classId,
          academicYearId: cls.academicYearId,
          startedOn: on,
        },
      ]);
      if (membership && membership.academicYearId !== cls.academicYearId) {
        await students.insertChanges(tx, [
          {
            districtId,
            enrolmentId: current.id,
            personId: student.id,
            changeType: 'promote',
            effectiveOn: on,
            fromClassId: membership.classId,
            toClassId: p.classId,
            reason: '名册导入',
            recordedBy: ctx.principal?.userId ?? null,
          },
        ]);
      }
      wrote = true;
    }
  }
  for (const [i, g] of p.guardians.entries()) {
    const added = await addGuardianInTx(ctx, tx, {
      districtId,
      childPersonId: student.id,
      guardian: checked('students', {
        name: g.name,
        idType: g.idNumber ? '1' : null,
        idNumber: g.idNumber,
        phone: g.phone,
      }),
      relationCode: g.relationCode,
      // The first guardian of a child new to the register is the primary contact.
      isPrimary: i === 0 && registered.created,
    });
    touched.push(added.guardian.id);
    if (added.created) wrote = true;
  }
  return { kind: registered.created ? 'created' : wrote ? 'updated' : 'unchanged', personIds: touched };
}

async function applyStaff(ctx: Ctx, tx: Tx, school: OrgUnitRow, p: StaffPayload): Promise<ApplyOutcome> {
  const registered = await personOf(ctx, tx, school.districtId, 'staff', {
    name: p.name,
    genderCode: p.genderCode,
    birthDate: p.birthDate,
    idType: p.idType,
    idNumber: p.idNumber,
    phone: p.phone,
  });
  const person = registered.person;
  const { post, created } = await addStaffPostInTx(tx, {
    districtId: school.districtId,
    personId: person.id,
    schoolId: school.id,
    postCode: p.postCode,
    establishmentCode: p.establishmentCode,
    isFullTimeTeacher: p.isFullTimeTeacher,
    startedOn: p.startedOn,
  });
  if (
    !created &&
    (post.postCode !== p.postCode ||
      post.establishmentCode !== p.establishmentCode ||
      post.isFullTimeTeacher !== p.isFullTimeTeacher)
  ) {
    throw skip('staff', 'post', 'staff_post_differs', [person.id]);
  }
  return { kind: registered.created ? 'created' : created ? 'updated' : 'unchanged', personIds: [person.id] };
}
