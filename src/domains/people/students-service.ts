/**
 * Students (学籍): enrolment, status changes with the national change types, transfers within and
 * between districts, enrolment history, class rosters and school student lists. Every change runs
 * in one transaction with its audit event; every read that returns persons writes one audit event
 * naming them all.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { personAccessOf } from '../../access/person-scope';
import { authorize, authorizeDistrictWide } from '../../access/policy';
import { decrypt, encrypt, identityHash, keysOf, maskStudentNumber } from '../../access/protect';
import { purposeName } from '../../access/purposes';
import { chinaToday } from '../../china-time';
import { auditInTx, type Ctx, inTransaction, type RequestAuditEvent, requirePrincipal } from '../../context';
import type { DbOrTx, Tx } from '../../db/client';
import {
  conflict,
  DomainError,
  type FieldError,
  fieldError,
  forbidden,
  invalid,
  notFound,
  throwIfAny,
} from '../../errors';
import { idNumberProblemMessage, parseStudentNumber } from '../../standards/id-number';
import { gradesFor } from '../../standards/school-types';
import type { AcademicYearRow, OrgUnitRow } from '../org/repository';
import { findAcademicYear, findOrgUnit, lockTree } from '../org/repository';
import { purposeInForce } from '../purposes/service';
import { presentPerson } from './persons-presenter';
import * as persons from './persons-repository';
import { auditPersonsRead, registerCheckedPerson, visiblePersonOrThrow } from './persons-service';
import { type CheckedPerson, checkPersonInput, type PersonInput } from './persons-validation';
import { encryptedIdNumbersOf } from './reveal-repository';
import { type ClearIdentifiers, rosterCsv, rosterXlsx } from './roster-export';
import {
  type EnrolmentView,
  type enrolmentHistorySchema,
  presentEnrolment,
  presentHistory,
  presentRosterRow,
  type rosterPageSchema,
} from './students-presenter';
import * as repo from './students-repository';
import { changeNames, type RequestableChange, ruleFor, statusNames } from './students-rules';
import { scopeCoversUnit } from './visibility-sql';

// ---------------------------------------------------------------------------------------------
// Shared checks

/** A school by id, or 404 'orgUnit' when missing or out of the caller's `action` scope. */
async function authorizedSchool(ctx: Ctx, schoolId: string, action: 'person.manage', path: string) {
  const principal = requirePrincipal(ctx);
  const school = await findOrgUnit(ctx.db, schoolId);
  authorize(principal, action, school ?? null, 'orgUnit');
  const unit = school as OrgUnitRow;
  if (unit.kind !== 'school') throw invalid([fieldError(path, 'enrolment.not_a_school')]);
  return unit;
}

/**
 * A class of `school`, open, whose academic year contains `on`: the class and its year, or the
 * field errors that say why not (named `path`).
 */
async function classOfSchool(
  db: DbOrTx,
  school: OrgUnitRow,
  classId: string,
  on: string,
  path: string,
): Promise<{ cls: OrgUnitRow; year: AcademicYearRow } | { errors: FieldError[] }> {
  const cls = await findOrgUnit(db, classId);
  if (!cls || cls.districtId !== school.districtId || !cls.path.startsWith(school.path)) {
    return { errors: [fieldError(path, 'enrolment.class_not_in_school')] };
  }
  if (cls.kind !== 'class') return { errors: [fieldError(path, 'enrolment.not_a_class')] };
  if (cls.status !== 'active') return { errors: [fieldError(path, 'enrolment.class_closed')] };
  const year = cls.academicYearId ? await findAcademicYear(db, cls.academicYearId) : undefined;
  if (!year || on < year.startsOn || on > year.endsOn) {
    return { errors: [fieldError(path, 'enrolment.class_not_current_year')] };
  }
  return { cls, year };
}

/** A change dated today or earlier, and not before the enrolment's entry or its latest change. */
async function effectiveDateErrors(
  db: DbOrTx,
  enrolment: repo.EnrolmentRow,
  effectiveOn: string,
  path: string,
  options: { allowFuture?: boolean } = {},
): Promise<FieldError[]> {
  if (!options.allowFuture && effectiveOn > chinaToday())
    return [fieldError(path, 'enrolment.effective_in_future')];
  const last = await repo.lastChangeOn(db, enrolment.districtId, enrolment.id);
  const floor = last && last > enrolment.enteredOn ? last : enrolment.enteredOn;
  return effectiveOn < floor ? [fieldError(path, 'enrolment.effective_before_history', { date: floor })] : [];
}

/** The 学籍号 fields of an enrolment: encrypted, keyed hash, masked. */
function studentNumberFields(ctx: Ctx, number: string | null) {
  if (!number) return { studentNumberEnc: null, studentNumberHash: null, studentNumberMasked: null };
  const keys = keysOf(ctx);
  return {
    studentNumberEnc: encrypt(keys, number),
    studentNumberHash: identityHash(keys, 'studentNumber', number),
    studentNumberMasked: maskStudentNumber(number),
  };
}

/** The same 学籍号 on a new enrolment (a transfer): freshly encrypted, same hash and mask. */
function copiedStudentNumber(ctx: Ctx, from: repo.EnrolmentRow) {
  if (!from.studentNumberEnc)
    return { studentNumberEnc: null, studentNumberHash: null, studentNumberMasked: null };
  const keys = keysOf(ctx);
  return {
    studentNumberEnc: encrypt(keys, decrypt(keys, from.studentNumberEnc)),
    studentNumberHash: from.studentNumberHash,
    studentNumberMasked: from.studentNumberMasked,
  };
}

const enrolmentEvent = (
  e: repo.EnrolmentRow,
  action: string,
  details: Record<string, unknown>,
): RequestAuditEvent => ({
  districtId: e.districtId,
  action,
  targetType: 'enrolment',
  targetId: e.id,
  subjectIds: [e.personId],
  details,
});

// ---------------------------------------------------------------------------------------------
// Enrolment

export interface EnrolInput {
  schoolId: string;
  classId: string;
  /** Registration data: the person is found by ID number, or registered. */
  person?: PersonInput;
  /** Or an existing person the caller may manage. */
  personId?: string;
  /** Default: today. Must lie in the class's academic year. */
  enteredOn?: string;
  /** 全国中小学生学籍号 (G/J/L forms). */
  studentNumber?: string | null;
}

/**
 * `POST /students`: register the person (or find them by ID number) and enrol them at the school
 * in a class of the academic year containing the entry date. A person already enrolled in the
 * district is refused (409): that is a transfer.
 */
export async function enrolStudent(ctx: Ctx, input: EnrolInput) {
  const principal = requirePrincipal(ctx);
  if ((input.person === undefined) === (input.personId === undefined)) {
    throw invalid([fieldError('body.person', 'person.person_or_registration')]);
  }
  const school = await authorizedSchool(ctx, input.schoolId, 'person.manage', 'body.schoolId');
  const existing = input.personId ? await visiblePersonOrThrow(ctx, input.personId, 'person.manage') : null;
  if (existing && existing.districtId !== school.districtId) throw notFound('person');
  const enteredOn = input.enteredOn ?? chinaToday();

  const errors: FieldError[] = [];
  let registration: CheckedPerson | null = null;
  if (input.person) {
    const checked = checkPersonInput(input.person, 'body.person');
    if (checked.ok) registration = checked.value;
    else errors.push(...checked.errors);
  }
  const placed = await classOfSchool(ctx.db, school, input.classId, enteredOn, 'body.classId');
  if ('errors' in placed) errors.push(...placed.errors);
  let studentNumber: string | null = null;
  if (input.studentNumber?.trim()) {
    const parsed = parseStudentNumber(input.studentNumber);
    if (parsed.ok) studentNumber = parsed.value.number;
    else
      errors.push(fieldError('body.studentNumber', idNumberProblemMessage(parsed.problem, 'studentNumber')));
  }
  throwIfAny(errors);
  const { cls, year } = placed as { cls: OrgUnitRow; year: AcademicYearRow };

  const result = await inTransaction(ctx, async (tx) => {
    await lockTree(tx, school.districtId, 'shared');
    const registered = existing
      ? { person: existing, created: false }
      : await registerCheckedPerson(ctx, tx, school.districtId, registration as CheckedPerson);
    const person = registered.person;
    // Serialise enrolments of one person: two concurrent requests must not both enrol them.
    await persons.lockPerson(tx, person.districtId, person.id);
    if ((await repo.currentEnrolments(tx, person.districtId, person.id)).length > 0) {
      throw conflict('enrolment.already_enrolled');
    }
    const number = studentNumberFields(ctx, studentNumber);
    if (
      number.studentNumberHash &&
      (await repo.studentNumberTaken(tx, school.districtId, number.studentNumberHash))
    ) {
      throw conflict('enrolment.student_number_taken');
    }
    const enrolment = await repo.insertEnrolment(tx, {
      districtId: school.districtId,
      personId: person.id,
      schoolId: school.id,
      status: 'active',
      enteredOn,
      ...number,
    });
    await repo.insertMemberships(tx, [
      {
        districtId: school.districtId,
        enrolmentId: enrolment.id,
        personId: person.id,
        classId: cls.id,
        academicYearId: year.id,
        startedOn: enteredOn,
      },
    ]);
    await repo.insertChanges(tx, [
      {
        districtId: school.districtId,
        enrolmentId: enrolment.id,
        personId: person.id,
        changeType: 'enrol',
        effectiveOn: enteredOn,
        toClassId: cls.id,
        recordedBy: principal.userId,
      },
    ]);
    await auditInTx(
      ctx,
      tx,
      enrolmentEvent(enrolment, 'student.enrol', {
        schoolId: school.id,
        classId: cls.id,
        personCreated: registered.created,
      }),
    );
    return { person, created: registered.created, enrolment };
  });
  return {
    person: presentPerson(result.person),
    personCreated: result.created,
    enrolment: presentEnrolment(result.enrolment, cls.id),
  };
}

// ---------------------------------------------------------------------------------------------
// Status changes

export interface ChangeInput {
  changeType: RequestableChange;
  effectiveOn: string;
  reason?: string | null;
  toClassId?: string | null;
}

/** The enrolment and its school, or 404/403 as `authorize` decides on the school. */
async function authorizedEnrolment(ctx: Ctx, enrolmentId: string) {
  const principal = requirePrincipal(ctx);
  const enrolment = await repo.findEnrolment(ctx.db, enrolmentId);
  const school = enrolment ? await findOrgUnit(ctx.db, enrolment.schoolId) : undefined;
  authorize(principal, 'person.manage', school ?? null, 'enrolment', 'person.read');
  return { enrolment: enrolment as repo.EnrolmentRow, school: school as OrgUnitRow };
}

/** The position of a grade in the school's grade list (-1: unknown). */
function gradeIndex(school: OrgUnitRow, gradeCode: string | null): number {
  if (!gradeCode || !school.schoolType) return -1;
  return gradesFor(school.schoolType, school.operatingTypeCode ?? undefined).indexOf(gradeCode as never);
}

/**
 * `POST /enrolments/:id/changes`: record one 学籍异动. The status must allow it (resume only from
 * suspended; graduate and repeat only from active …); ending changes close the enrolment and its
 * class membership; repeat (and optionally resume) moves the student to `toClassId` in the same
 * school. Dated today or earlier, never before the previous change.
 */
export async function changeEnrolment(ctx: Ctx, enrolmentId: string, input: ChangeInput) {
  const principal = requirePrincipal(ctx);
  const { enrolment: found, school } = await authorizedEnrolment(ctx, enrolmentId);
  const { changeType, effectiveOn } = input;
  const changeName = changeNames[changeType];

  return inTransaction(ctx, async (tx) => {
    await lockTree(tx, found.districtId, 'shared');
    const enrolment = (await repo.lockEnrolment(tx, found.districtId, found.id)) ?? found;
    const rule = ruleFor(changeType, enrolment.status);
    if (!rule) {
      throw new DomainError(409, 'enrolment.change_not_allowed', {}, [
        fieldError('body.changeType', 'enrolment.change_not_allowed_from', {
          status: statusNames[enrolment.status],
          changeType: changeName,
        }),
      ]);
    }
    const errors = await effectiveDateErrors(tx, enrolment, effectiveOn, 'body.effectiveOn');
    const membership = await repo.openMembership(tx, enrolment.districtId, enrolment.id);
    let toClass: { cls: OrgUnitRow; year: AcademicYearRow } | null = null;
    if (input.toClassId) {
      if (rule.toClass === 'none') {
        errors.push(
          fieldError('body.toClassId', 'enrolment.to_class_not_allowed', { changeType: changeName }),
        );
      } else {
        const placed = await classOfSchool(tx, school, input.toClassId, effectiveOn, 'body.toClassId');
        if ('errors' in placed) errors.push(...placed.errors);
        else if (placed.cls.id === membership?.classId)
          errors.push(fieldError('body.toClassId', 'enrolment.same_class'));
        else toClass = placed;
      }
    } else if (rule.toClass === 'required') {
      errors.push(fieldError('body.toClassId', 'enrolment.to_class_required', { changeType: changeName }));
    }
    if (toClass && changeType === 'repeat' && membership) {
      const current = await findOrgUnit(tx, membership.classId);
      const from = gradeIndex(school, current?.gradeCode ?? null);
      const to = gradeIndex(school, toClass.cls.gradeCode);
      if (from >= 0 && to > from)
        errors.push(fieldError('body.toClassId', 'enrolment.repeat_to_higher_grade'));
    }
    throwIfAny(errors);

    if (rule.to !== enrolment.status || rule.closes) {
      await repo.setEnrolmentStatus(
        tx,
        enrolment.districtId,
        [enrolment.id],
        rule.to,
        rule.closes ? effectiveOn : null,
      );
    }
    if (rule.closes || toClass)
      await repo.closeMemberships(tx, enrolment.districtId, [enrolment.id], effectiveOn);
    if (toClass) {
      await repo.insertMemberships(tx, [
        {
          districtId: enrolment.districtId,
          enrolmentId: enrolment.id,
          personId: enrolment.personId,
          classId: toClass.cls.id,
          academicYearId: toClass.year.id,
          startedOn: effectiveOn,
        },
      ]);
    }
    const changeId = randomUUID();
    const fromClassId = membership?.classId ?? null;
    await repo.insertChanges(tx, [
      {
        districtId: enrolment.districtId,
        id: changeId,
        enrolmentId: enrolment.id,
        personId: enrolment.personId,
        changeType,
        effectiveOn,
        fromClassId,
        toClassId: toClass?.cls.id ?? null,
        reason: input.reason?.trim() || null,
        recordedBy: principal.userId,
      },
    ]);
    // The reason is free text and may hold personal details: it stays out of the audit trail.
    await auditInTx(
      ctx,
      tx,
      enrolmentEvent(enrolment, `enrolment.${changeType}`, {
        changeType,
        effectiveOn,
        schoolId: school.id,
        fromClassId,
        toClassId: toClass?.cls.id ?? null,
        status: { old: enrolment.status, new: rule.to },
      }),
    );
    const after: repo.EnrolmentRow = {
      ...enrolment,
      status: rule.to,
      leftOn: rule.closes ? effectiveOn : enrolment.leftOn,
    };
    const classNow = rule.closes ? null : (toClass?.cls.id ?? fromClassId);
    return {
      enrolment: presentEnrolment(after, classNow),
      change: { id: changeId, changeType, effectiveOn, fromClassId, toClassId: toClass?.cls.id ?? null },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Transfers

/** The person's active enrolment in its district, or 409 'enrolment.not_active'. */
async function activeEnrolmentOf(db: DbOrTx, person: persons.PersonRow): Promise<repo.EnrolmentRow> {
  const active = (await repo.currentEnrolments(db, person.districtId, person.id)).find(
    (e) => e.status === 'active',
  );
  if (!active) throw conflict('enrolment.not_active');
  return active;
}

/** Close `from` as transferred out and open the receiving enrolment (with its class, if any). */
async function moveEnrolment(
  ctx: Ctx,
  tx: Tx,
  from: repo.EnrolmentRow,
  to: {
    districtId: string;
    personId: string;
    school: OrgUnitRow;
    placed: { cls: OrgUnitRow; year: AcademicYearRow } | null;
  },
  effectiveOn: string,
): Promise<{ closed: repo.EnrolmentRow; opened: repo.EnrolmentRow; fromClassId: string | null }> {
  const principal = requirePrincipal(ctx);
  const membership = await repo.openMembership(tx, from.districtId, from.id);
  const crossDistrict = to.districtId !== from.districtId;
  await repo.setEnrolmentStatus(tx, from.districtId, [from.id], 'transferredOut', effectiveOn);
  await repo.closeMemberships(tx, from.districtId, [from.id], effectiveOn);
  const number = copiedStudentNumber(ctx, from);
  if (
    number.studentNumberHash &&
    (await repo.studentNumberTaken(tx, to.districtId, number.studentNumberHash))
  ) {
    throw conflict('enrolment.student_number_taken');
  }
  const opened = await repo.insertEnrolment(tx, {
    districtId: to.districtId,
    personId: to.personId,
    schoolId: to.school.id,
    status: 'active',
    enteredOn: effectiveOn,
    ...number,
  });
  if (to.placed) {
    await repo.insertMemberships(tx, [
      {
        districtId: to.districtId,
        enrolmentId: opened.id,
        personId: to.personId,
        classId: to.placed.cls.id,
        academicYearId: to.placed.year.id,
        startedOn: effectiveOn,
      },
    ]);
  }
  const fromSchoolId = from.schoolId;
  await repo.insertChanges(tx, [
    {
      districtId: from.districtId,
      enrolmentId: from.id,
      personId: from.personId,
      changeType: 'transferOut',
      effectiveOn,
      fromClassId: membership?.classId ?? null,
      counterpartSchoolId: to.school.id,
      counterpartDistrictId: crossDistrict ? to.districtId : null,
      recordedBy: principal.userId,
    },
  ]);
  await repo.insertChanges(tx, [
    {
      districtId: to.districtId,
      enrolmentId: opened.id,
      personId: to.personId,
      changeType: 'transferIn',
      effectiveOn,
      toClassId: to.placed?.cls.id ?? null,
      counterpartSchoolId: fromSchoolId,
      counterpartDistrictId: crossDistrict ? from.districtId : null,
      recordedBy: principal.userId,
    },
  ]);
  const closed: repo.EnrolmentRow = { ...from, status: 'transferredOut', leftOn: effectiveOn };
  return { closed, opened, fromClassId: membership?.classId ?? null };
}

export interface TransferInput {
  personId: string;
  toSchoolId: string;
  toClassId: string;
  effectiveOn: string;
}

/**
 * `POST /transfers`: move an active student to another school of the same district. Needs
 * 'person.manage' over both schools (in practice a bureau administrator). The source enrolment
 * ends as 转出, a new one opens as 转入 on the same person record; the 学籍号 goes along.
 */
export async function transferStudent(ctx: Ctx, input: TransferInput) {
  const principal = requirePrincipal(ctx);
  const person = await visiblePersonOrThrow(ctx, input.personId, 'person.manage');
  const from = await activeEnrolmentOf(ctx.db, person);
  const fromSchool = await findOrgUnit(ctx.db, from.schoolId);
  authorize(principal, 'person.manage', fromSchool ?? null, 'person', 'person.read');
  const toSchool = await authorizedSchool(ctx, input.toSchoolId, 'person.manage', 'body.toSchoolId');
  const errors: FieldError[] = [];
  if (toSchool.districtId !== person.districtId)
    errors.push(fieldError('body.toSchoolId', 'transfer.school_not_in_district'));
  if (toSchool.id === from.schoolId) errors.push(fieldError('body.toSchoolId', 'transfer.same_school'));
  throwIfAny(errors);
  const placed = await classOfSchool(ctx.db, toSchool, input.toClassId, input.effectiveOn, 'body.toClassId');
  if ('errors' in placed) throw invalid(placed.errors);

  return inTransaction(ctx, async (tx) => {
    await lockTree(tx, person.districtId, 'shared');
    const locked = await repo.lockEnrolment(tx, from.districtId, from.id);
    if (locked?.status !== 'active') throw conflict('enrolment.not_active');
    throwIfAny(await effectiveDateErrors(tx, locked, input.effectiveOn, 'body.effectiveOn'));
    const moved = await moveEnrolment(
      ctx,
      tx,
      locked,
      { districtId: person.districtId, personId: person.id, school: toSchool, placed },
      input.effectiveOn,
    );
    await auditInTx(
      ctx,
      tx,
      enrolmentEvent(moved.opened, 'student.transfer', {
        effectiveOn: input.effectiveOn,
        fromEnrolmentId: moved.closed.id,
        fromSchoolId: moved.closed.schoolId,
        fromClassId: moved.fromClassId,
        toSchoolId: toSchool.id,
        toClassId: placed.cls.id,
      }),
    );
    return {
      from: presentEnrolment(moved.closed, null),
      to: presentEnrolment(moved.opened, placed.cls.id),
    };
  });
}

export interface DistrictTransferInput {
  personId: string;
  toDistrictId: string;
  toSchoolId: string;
  toClassId?: string | null;
  effectiveOn: string;
}

/**
 * `POST /district-transfers`: move an active student to a school of another district. Needs
 * 'person.manage' over the whole source district (a bureau or city administrator) and over the
 * receiving school. The target district finds its own record of the person by the same identity
 * hash, or gets a copy (identity fields re-encrypted); each district keeps its own history, the
 * two linked by the counterpart district and school on the 转出 and 转入 changes.
 */
export async function transferStudentToDistrict(ctx: Ctx, input: DistrictTransferInput) {
  const principal = requirePrincipal(ctx);
  const person = await visiblePersonOrThrow(ctx, input.personId, 'person.manage');
  authorizeDistrictWide(principal, 'person.manage', person.districtId, 'person', 'person.read');
  if (input.toDistrictId === person.districtId) {
    throw invalid([fieldError('body.toDistrictId', 'transfer.same_district')]);
  }
  const from = await activeEnrolmentOf(ctx.db, person);
  const target = await findOrgUnit(ctx.db, input.toSchoolId);
  authorize(principal, 'person.manage', target?.districtId === input.toDistrictId ? target : null, 'orgUnit');
  const toSchool = target as OrgUnitRow;
  if (toSchool.kind !== 'school') throw invalid([fieldError('body.toSchoolId', 'enrolment.not_a_school')]);
  let placed: { cls: OrgUnitRow; year: AcademicYearRow } | null = null;
  if (input.toClassId) {
    const checked = await classOfSchool(
      ctx.db,
      toSchool,
      input.toClassId,
      input.effectiveOn,
      'body.toClassId',
    );
    if ('errors' in checked) throw invalid(checked.errors);
    placed = checked;
  }
  const keys = keysOf(ctx);

  return inTransaction(ctx, async (tx) => {
    await lockTree(tx, toSchool.districtId, 'shared');
    const locked = await repo.lockEnrolment(tx, from.districtId, from.id);
    if (locked?.status !== 'active') throw conflict('enrolment.not_active');
    throwIfAny(await effectiveDateErrors(tx, locked, input.effectiveOn, 'body.effectiveOn'));
    let targetPerson = person.idHash
      ? await persons.findPersonByHash(tx, toSchool.districtId, person.idHash)
      : undefined;
    let personCreated = false;
    if (!targetPerson) {
      const reencrypt = (blob: string | null) => (blob ? encrypt(keys, decrypt(keys, blob)) : null);
      targetPerson = await persons.insertPerson(tx, {
        districtId: toSchool.districtId,
        name: person.name,
        genderCode: person.genderCode,
        birthDate: person.birthDate,
        ethnicityCode: person.ethnicityCode,
        idType: person.idType,
        idNumberEnc: reencrypt(person.idNumberEnc),
        idHash: person.idHash,
        idMasked: person.idMasked,
        phoneEnc: reencrypt(person.phoneEnc),
        phoneMasked: person.phoneMasked,
      });
      if (!targetPerson) throw conflict('enrolment.already_enrolled');
      personCreated = true;
    } else {
      await persons.lockPerson(tx, targetPerson.districtId, targetPerson.id);
      if ((await repo.currentEnrolments(tx, targetPerson.districtId, targetPerson.id)).length > 0) {
        throw conflict('enrolment.already_enrolled');
      }
    }
    const moved = await moveEnrolment(
      ctx,
      tx,
      locked,
      { districtId: toSchool.districtId, personId: targetPerson.id, school: toSchool, placed },
      input.effectiveOn,
    );
    // Each district's chain records its own side, naming its own person record.
    await auditInTx(
      ctx,
      tx,
      enrolmentEvent(moved.closed, 'student.transferOut', {
        effectiveOn: input.effectiveOn,
        fromSchoolId: moved.closed.schoolId,
        fromClassId: moved.fromClassId,
        toDistrictId: toSchool.districtId,
        toSchoolId: toSchool.id,
      }),
      enrolmentEvent(moved.opened, 'student.transferIn', {
        effectiveOn: input.effectiveOn,
        fromDistrictId: person.districtId,
        fromSchoolId: moved.closed.schoolId,
        toSchoolId: toSchool.id,
        toClassId: placed?.cls.id ?? null,
        personCreated,
      }),
    );
    return {
      from: presentEnrolment(moved.closed, null),
      to: presentEnrolment(moved.opened, placed?.cls.id ?? null),
      personCreated,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Reads

/** `GET /persons/:id/enrolment-history`: every enrolment of the person in its district, with changes and classes. */
export async function getEnrolmentHistory(
  ctx: Ctx,
  personId: string,
): Promise<z.infer<typeof enrolmentHistorySchema>> {
  const person = await visiblePersonOrThrow(ctx, personId, 'person.read');
  const history = await repo.enrolmentHistory(ctx.db, person.districtId, person.id);
  await auditPersonsRead(ctx, 'person.read', [person], {
    targetType: 'person',
    targetId: person.id,
    details: { view: 'enrolmentHistory' },
  });
  return presentHistory(presentPerson(person), history);
}

export interface RosterInput {
  q?: string;
  sort: 'name' | 'studentNumber';
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

type RosterPage = z.infer<typeof rosterPageSchema>;

/**
 * The rows of a class or school roster the caller may see, in the order asked; `page` null = all.
 * 403 when the caller's roles never read persons; 404 for a unit outside the caller's scope.
 */
async function visibleRoster(
  ctx: Ctx,
  unitId: string,
  kind: 'class' | 'school',
  input: Omit<RosterInput, 'page' | 'pageSize'>,
  page: { limit: number; offset: number } | null,
): Promise<{ unit: repo.RosterUnit; rows: repo.RosterRow[]; total: number }> {
  const principal = requirePrincipal(ctx);
  if (!personAccessOf(ctx).canEverPersons(principal, 'person.read')) throw forbidden();
  const scope = personAccessOf(ctx).personScope(principal, 'person.read');
  // The unit comes with its rows (one round trip); rows of a unit the caller may not list are dropped.
  const listed = await repo.listRoster(ctx.db, scope, kind, unitId, {
    ...input,
    page: input.sort === 'studentNumber' ? null : page,
  });
  const { unit } = listed;
  if (!unit || unit.kind !== kind || !scopeCoversUnit(scope, unit)) throw notFound('orgUnit');
  let rows = listed.rows;
  if (input.sort === 'studentNumber') {
    // The 学籍号 is stored encrypted: sort the decrypted numbers here (a school is a few thousand rows).
    const keys = keysOf(ctx);
    const keyed = rows.map((r) => ({
      r,
      n: r.studentNumberEnc ? decrypt(keys, r.studentNumberEnc) : null,
    }));
    const sign = input.order === 'desc' ? -1 : 1;
    keyed.sort((a, b) => {
      if (a.n === b.n) return a.r.personId < b.r.personId ? -1 : 1;
      if (a.n === null) return 1; // students without a number last, either way
      if (b.n === null) return -1;
      return a.n < b.n ? -sign : sign;
    });
    rows = keyed.map((k) => k.r);
    if (page) rows = rows.slice(page.offset, page.offset + page.limit);
  }
  return { unit, rows, total: listed.total };
}

async function roster(
  ctx: Ctx,
  unitId: string,
  kind: 'class' | 'school',
  input: RosterInput,
): Promise<RosterPage> {
  const offset = (input.page - 1) * input.pageSize;
  const { unit, rows, total } = await visibleRoster(ctx, unitId, kind, input, {
    limit: input.pageSize,
    offset,
  });
  await auditPersonsRead(
    ctx,
    'roster.read',
    rows.map((r) => ({ districtId: r.districtId, id: r.personId })),
    { targetType: 'orgUnit', targetId: unit.id, details: { kind, page: input.page, count: rows.length } },
    unit.districtId,
  );
  return { items: rows.map(presentRosterRow), total, page: input.page, pageSize: input.pageSize };
}

/** `GET /classes/:id/roster`: the class's current students the caller may see. */
export function listClassRoster(ctx: Ctx, classId: string, input: RosterInput): Promise<RosterPage> {
  return roster(ctx, classId, 'class', input);
}

export interface RosterExport {
  body: Buffer;
  /** A file name for the download: the unit's name and the date. */
  fileName: string;
}

/**
 * `GET /classes/:id/roster/export`, `GET /schools/:id/students/export`: the whole roster the
 * caller may see as .xlsx or .csv, marked with who exported it and when, and audited naming every
 * student in it. Masked ('roster.export') unless `unmasked` is asked for under a purpose of the
 * caller's that covers the whole unit ('roster.exportUnmasked', recorded with the purpose).
 */
export async function exportRoster(
  ctx: Ctx,
  unitId: string,
  kind: 'class' | 'school',
  input: Omit<RosterInput, 'page' | 'pageSize'> & {
    format: 'xlsx' | 'csv';
    unmasked?: boolean;
    purposeId?: string;
  },
): Promise<RosterExport> {
  const principal = requirePrincipal(ctx);
  const { unit, rows } = await visibleRoster(ctx, unitId, kind, input, null);
  const purpose = input.unmasked
    ? await purposeInForce(ctx, input.purposeId, { kind: 'unit', unit })
    : undefined;
  const clear = purpose ? await clearIdentifiers(ctx, unit.districtId, rows) : undefined;
  const mark = {
    username: principal.username,
    displayName: principal.displayName,
    at: new Date(),
    purposeName: purpose ? purposeName(purpose.purpose, ctx.lang) : undefined,
  };
  const body =
    input.format === 'xlsx'
      ? await rosterXlsx(rows, mark, ctx.lang, unit.name, clear)
      : rosterCsv(rows, mark, ctx.lang, clear);
  await auditPersonsRead(
    ctx,
    purpose ? 'roster.exportUnmasked' : 'roster.export',
    rows.map((r) => ({ districtId: r.districtId, id: r.personId })),
    {
      targetType: 'orgUnit',
      targetId: unit.id,
      purpose: purpose?.purpose ?? null,
      details: {
        kind,
        format: input.format,
        masked: !purpose,
        count: rows.length,
        ...(purpose ? { purposeId: purpose.id } : {}),
      },
    },
    unit.districtId,
  );
  return { body, fileName: `${unit.name}-${chinaToday()}.${input.format}` };
}

async function clearIdentifiers(
  ctx: Ctx,
  districtId: string,
  rows: repo.RosterRow[],
): Promise<ClearIdentifiers> {
  const keys = keysOf(ctx);
  const clear = (blob: string | null | undefined) => (blob ? decrypt(keys, blob) : null);
  const ids = await encryptedIdNumbersOf(
    ctx.db,
    districtId,
    rows.map((r) => r.personId),
  );
  return new Map(
    rows.map((r) => [
      r.personId,
      { idNumber: clear(ids.get(r.personId)), studentNumber: clear(r.studentNumberEnc) },
    ]),
  );
}

/** `GET /schools/:id/students`: the school's enrolled (active or suspended) students the caller may see. */
export function listSchoolStudents(ctx: Ctx, schoolId: string, input: RosterInput): Promise<RosterPage> {
  return roster(ctx, schoolId, 'school', input);
}

export type { EnrolmentView };
