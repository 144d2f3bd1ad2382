/**
 * Staff: posts at schools (岗位, 编制类别), teaching assignments (teacher × class × subject ×
 * term), head-teacher assignments (班主任, one current per class) and staff sign-in accounts.
 * Changes need 'staff.manage' on the school (school administrators, bureau administrators);
 * reads need 'person.read'. What a teacher may see follows from the assignments on every request
 * (people/relations-sql.ts): ending an assignment or a post ends that access at once.
 */
import { ownOrChildDistrictOf, personAccessOf } from '../../access/person-scope';
import { authorize, covers, scopeOf } from '../../access/policy';
import { chinaToday } from '../../china-time';
import { auditInTx, type Ctx, inTransaction, type RequestAuditEvent, requirePrincipal } from '../../context';
import type { Tx } from '../../db/client';
import { conflict, fieldError, forbidden, invalid, notFound, throwIfAny } from '../../errors';
import { isValidCode } from '../../standards/codes';
import { generatePassword } from '../accounts/passwords';
import { createUserInTx } from '../accounts/users-service';
import { findAcademicYear, findOrgUnit, type OrgUnitRow } from '../org/repository';
import { type PersonSummary, presentPerson } from './persons-presenter';
import * as persons from './persons-repository';
import { auditPersonsRead, registerCheckedPerson } from './persons-service';
import { checkPersonInput, type PersonInput } from './persons-validation';
import {
  type ClassTeachersView,
  type HeadTeacherAssignmentView,
  type PersonTeachersView,
  presentClassTeachers,
  presentHeadTeacherAssignment,
  presentPersonTeachers,
  presentStaffListRow,
  presentStaffPost,
  presentTeachingAssignment,
  type StaffAccountView,
  type StaffListItem,
  type StaffPostView,
  type TeachingAssignmentView,
} from './staff-presenter';
import * as repo from './staff-repository';
import { scopeCoversUnit, scopeDistricts } from './visibility-sql';

const later = (a: string, b: string) => (a > b ? a : b);

/** A row has ended when its end date is today or earlier (a future end date is only scheduled). */
const hasEnded = (endedOn: string | null, today: string) => endedOn !== null && endedOn <= today;

/** A school the caller may do `action` in: 403 when its roles never may, 404 when out of sight. */
async function schoolFor(ctx: Ctx, schoolId: string, action: 'staff.manage' | 'person.read') {
  const unit = await findOrgUnit(ctx.db, schoolId);
  const school = unit?.kind === 'school' ? unit : null;
  authorize(requirePrincipal(ctx), action, school, 'orgUnit', 'person.read');
  return school as OrgUnitRow;
}

async function classFor(ctx: Ctx, classId: string) {
  const cls = await repo.findClass(ctx.db, classId);
  authorize(requirePrincipal(ctx), 'staff.manage', cls ?? null, 'orgUnit', 'person.read');
  return cls as repo.ClassRow;
}

/** A person the caller may manage as staff: 403 / 404 as for every person route. */
async function staffPersonFor(ctx: Ctx, personId: string): Promise<persons.PersonRow> {
  const principal = requirePrincipal(ctx);
  if (!personAccessOf(ctx).canEverPersons(principal, 'staff.manage')) throw forbidden();
  const person = await persons.findVisiblePerson(
    ctx.db,
    personAccessOf(ctx).personScope(principal, 'staff.manage'),
    personId,
  );
  if (person) return person;
  if (
    await persons.findVisiblePerson(
      ctx.db,
      personAccessOf(ctx).personScope(principal, 'person.read'),
      personId,
    )
  )
    throw forbidden();
  throw notFound('person');
}

// ---------------------------------------------------------------------------------------------
// Staff posts

export interface StaffPostInput {
  postCode: string;
  establishmentCode: string;
  isFullTimeTeacher: boolean;
  startedOn: string;
}

function postFieldErrors(input: StaffPostInput, path: string) {
  const errors = [];
  if (!isValidCode('post', input.postCode)) errors.push(fieldError(`${path}.postCode`, 'staff.post_unknown'));
  if (!isValidCode('staffingCategory', input.establishmentCode)) {
    errors.push(fieldError(`${path}.establishmentCode`, 'staff.staffing_category_unknown'));
  }
  return errors;
}

/**
 * System use (imports, the demo; no policy check, no audit — the caller does both): give
 * `personId` a post at the school unless one that has not ended by `startedOn` is already there
 * (then that one is returned with `created: false`, so re-importing changes nothing).
 */
export async function addStaffPostInTx(
  tx: Tx,
  v: StaffPostInput & { districtId: string; personId: string; schoolId: string },
): Promise<{ post: repo.StaffPostRow; created: boolean }> {
  const open = await repo.openPostAt(tx, { ...v, from: v.startedOn });
  if (open) return { post: open, created: false };
  return { post: await repo.insertStaffPost(tx, v), created: true };
}

/**
 * `POST /staff`: register the person (found again by ID number when already registered, never
 * overwritten) and give them a post at the school. Every bad field is reported at once.
 */
export async function createStaff(
  ctx: Ctx,
  input: PersonInput & StaffPostInput & { schoolId: string },
): Promise<{ person: PersonSummary; post: StaffPostView; personCreated: boolean; mismatches: string[] }> {
  const school = await schoolFor(ctx, input.schoolId, 'staff.manage');
  const checked = checkPersonInput(input, 'body');
  const errors = [...(checked.ok ? [] : checked.errors), ...postFieldErrors(input, 'body')];
  if (school.status !== 'active') errors.push(fieldError('body.schoolId', 'staff.school_closed'));
  if (!checked.ok || errors.length > 0) throw invalid(errors);

  const result = await inTransaction(ctx, async (tx) => {
    const registered = await registerCheckedPerson(ctx, tx, school.districtId, checked.value);
    const { post, created } = await addStaffPostInTx(tx, {
      districtId: school.districtId,
      personId: registered.person.id,
      schoolId: school.id,
      postCode: input.postCode,
      establishmentCode: input.establishmentCode,
      isFullTimeTeacher: input.isFullTimeTeacher,
      startedOn: input.startedOn,
    });
    if (!created) throw conflict('staff.post_exists');
    await auditInTx(ctx, tx, {
      districtId: school.districtId,
      action: 'staff.create',
      targetType: 'staffPost',
      targetId: post.id,
      subjectIds: [registered.person.id],
      outcome: 'success',
      details: {
        schoolId: school.id,
        postCode: post.postCode,
        establishmentCode: post.establishmentCode,
        personCreated: registered.created,
      },
    });
    return { registered, post };
  });
  return {
    person: presentPerson(result.registered.person),
    post: presentStaffPost(result.post),
    personCreated: result.registered.created,
    mismatches: result.registered.mismatches,
  };
}

/**
 * `POST /staff-posts/:id/end`: the post ends on `endedOn` (default: today in China), and so do the
 * person's teaching and head-teacher assignments in that school's classes — leaving a school ends
 * access to its classes at once.
 */
export async function endStaffPost(
  ctx: Ctx,
  id: string,
  input: { endedOn?: string },
): Promise<StaffPostView & { endedAssignments: { teaching: number; headTeacher: number } }> {
  const post = await repo.findStaffPost(ctx.db, id);
  authorize(
    requirePrincipal(ctx),
    'staff.manage',
    post ? { districtId: post.districtId, path: post.schoolPath } : null,
    'staffPost',
    'person.read',
  );
  if (!post) throw notFound('staffPost');
  const today = chinaToday();
  if (hasEnded(post.endedOn, today)) throw conflict('staff.post_already_ended');
  const endedOn = input.endedOn ?? later(today, post.startedOn);
  if (endedOn < post.startedOn) {
    throwIfAny([fieldError('body.endedOn', 'staff.end_before_start', { startedOn: post.startedOn })]);
  }
  const { row, ended } = await inTransaction(ctx, async (tx) => {
    const row = await repo.endStaffPost(tx, post.districtId, post.id, endedOn);
    const ended = await repo.endAssignmentsAtSchool(tx, {
      districtId: post.districtId,
      personId: post.personId,
      schoolPath: post.schoolPath,
      endedOn,
    });
    await auditInTx(ctx, tx, {
      districtId: post.districtId,
      action: 'staff.endPost',
      targetType: 'staffPost',
      targetId: post.id,
      subjectIds: [post.personId],
      outcome: 'success',
      details: {
        schoolId: post.schoolId,
        endedOn,
        endedTeachingAssignments: ended.teaching,
        endedHeadTeacherAssignments: ended.headTeacher,
      },
    });
    return { row, ended };
  });
  return {
    ...presentStaffPost(row),
    endedAssignments: { teaching: ended.teaching.length, headTeacher: ended.headTeacher.length },
  };
}

/**
 * `GET /schools/:id/staff`: the school's staff (current posts unless `includeEnded`), searchable
 * by name, as far as the caller may see them; one audit event names every person listed.
 */
export async function listSchoolStaff(
  ctx: Ctx,
  schoolId: string,
  query: { q?: string; includeEnded: boolean; limit: number; offset: number },
): Promise<{ items: StaffListItem[]; total: number }> {
  const principal = requirePrincipal(ctx);
  const school = await schoolFor(ctx, schoolId, 'person.read');
  const scope = personAccessOf(ctx).personScope(principal, 'person.read');
  const { rows, total } = await repo.listSchoolStaff(ctx.db, {
    districtId: school.districtId,
    schoolId: school.id,
    ...query,
    scope,
  });
  await auditPersonsRead(
    ctx,
    'person.read',
    rows.map((r) => ({ districtId: school.districtId, id: r.personId })),
    { targetType: 'orgUnit', targetId: school.id, details: { view: 'schoolStaff', total } },
    school.districtId,
  );
  return { items: rows.map(presentStaffListRow), total };
}

// ---------------------------------------------------------------------------------------------
// Teaching and head-teacher assignments

/** The teacher must hold a post at the class's school on `on` (422 naming personId otherwise). */
async function requirePostAt(ctx: Ctx, cls: repo.ClassRow, personId: string, on: string) {
  const post = await repo.currentPostAt(ctx.db, {
    districtId: cls.districtId,
    personId,
    schoolId: cls.school.id,
    today: on,
  });
  if (!post) throwIfAny([fieldError('body.personId', 'staff.no_post_at_school')]);
}

/**
 * `POST /teaching-assignments`: the teacher teaches `subjectCode` (ZXXKC) in the class for the
 * term, from `startedOn` (default: today, or the term's first day if it has not begun).
 */
export async function createTeachingAssignment(
  ctx: Ctx,
  input: { personId: string; classId: string; subjectCode: string; termId: string; startedOn?: string },
): Promise<TeachingAssignmentView> {
  const cls = await classFor(ctx, input.classId);
  const person = await staffPersonFor(ctx, input.personId);
  const today = chinaToday();
  const term = await repo.findTerm(ctx.db, cls.districtId, input.termId);
  const errors = [];
  if (cls.status !== 'active') errors.push(fieldError('body.classId', 'staff.class_closed'));
  if (!isValidCode('subject', input.subjectCode))
    errors.push(fieldError('body.subjectCode', 'staff.subject_unknown'));
  if (!term) errors.push(fieldError('body.termId', 'staff.term_unknown'));
  else if (cls.academicYearId && term.academicYearId !== cls.academicYearId) {
    errors.push(fieldError('body.termId', 'staff.term_not_class_year'));
  } else if (term.endsOn < today) errors.push(fieldError('body.termId', 'staff.term_ended'));
  const startedOn = input.startedOn ?? (term ? later(today, term.startsOn) : today);
  if (term && input.startedOn && (startedOn < term.startsOn || startedOn > term.endsOn)) {
    errors.push(
      fieldError('body.startedOn', 'staff.start_outside_term', {
        startsOn: term.startsOn,
        endsOn: term.endsOn,
      }),
    );
  }
  throwIfAny(errors);
  await requirePostAt(ctx, cls, person.id, later(today, startedOn));
  const key = {
    districtId: cls.districtId,
    personId: person.id,
    classId: cls.id,
    subjectCode: input.subjectCode,
  };
  if (await repo.openTeachingAssignment(ctx.db, { ...key, termId: input.termId })) {
    throw conflict('staff.assignment_exists');
  }
  const row = await inTransaction(ctx, async (tx) => {
    const row = await repo.insertTeachingAssignment(tx, { ...key, termId: input.termId, startedOn });
    await auditInTx(ctx, tx, {
      districtId: cls.districtId,
      action: 'staff.assignTeaching',
      targetType: 'teachingAssignment',
      targetId: row.id,
      subjectIds: [person.id],
      outcome: 'success',
      details: { classId: cls.id, subjectCode: row.subjectCode, termId: row.termId, startedOn },
    });
    return row;
  });
  return presentTeachingAssignment(row, person.name);
}

/** The class of an assignment, authorised for 'staff.manage' (404 names the assignment). */
async function assignmentClassFor(
  ctx: Ctx,
  row: { classId: string } | undefined,
  resource: 'teachingAssignment' | 'headTeacherAssignment',
) {
  const cls = row ? await repo.findClass(ctx.db, row.classId) : undefined;
  authorize(requirePrincipal(ctx), 'staff.manage', cls ?? null, resource, 'person.read');
  return cls as repo.ClassRow;
}

function endDateFor(
  row: { startedOn: string; endedOn: string | null },
  endedOn: string | undefined,
  today: string,
) {
  if (hasEnded(row.endedOn, today)) throw conflict('staff.assignment_already_ended');
  if (endedOn !== undefined && endedOn < row.startedOn) {
    throwIfAny([fieldError('body.endedOn', 'staff.end_before_start', { startedOn: row.startedOn })]);
  }
  // Ending one that has not begun yet cancels it (ended on its first day).
  return endedOn ?? later(today, row.startedOn);
}

/** End a teaching or head-teacher assignment on `endedOn` (default today), audited in the same transaction. */
async function endAssignment<R>(
  ctx: Ctx,
  found: { districtId: string; id: string; personId: string; startedOn: string; endedOn: string | null },
  classId: string,
  endedOnInput: string | undefined,
  action: 'staff.endTeaching' | 'staff.endHeadTeacher',
  targetType: 'teachingAssignment' | 'headTeacherAssignment',
  end: (tx: Tx, endedOn: string) => Promise<R>,
): Promise<R> {
  const endedOn = endDateFor(found, endedOnInput, chinaToday());
  return inTransaction(ctx, async (tx) => {
    const row = await end(tx, endedOn);
    await auditInTx(ctx, tx, {
      districtId: found.districtId,
      action,
      targetType,
      targetId: found.id,
      subjectIds: [found.personId],
      outcome: 'success',
      details: { classId, endedOn },
    });
    return row;
  });
}

/** `POST /teaching-assignments/:id/end`: the teacher loses the class from `endedOn` (default today). */
export async function endTeachingAssignment(
  ctx: Ctx,
  id: string,
  input: { endedOn?: string },
): Promise<TeachingAssignmentView> {
  const found = await repo.findTeachingAssignment(ctx.db, id);
  const cls = await assignmentClassFor(ctx, found, 'teachingAssignment');
  if (!found) throw notFound('teachingAssignment');
  const row = await endAssignment(
    ctx,
    found,
    cls.id,
    input.endedOn,
    'staff.endTeaching',
    'teachingAssignment',
    (tx, endedOn) => repo.endTeachingAssignment(tx, found.districtId, found.id, endedOn),
  );
  return presentTeachingAssignment(row, await repo.personName(ctx.db, row.districtId, row.personId));
}

/**
 * `POST /head-teacher-assignments`: the teacher becomes the class's 班主任 from `startedOn`
 * (default: today, or the year's first day if it has not begun). A class has one head teacher at
 * a time: the current one (and any scheduled one) ends that day, in the same transaction.
 */
export async function assignHeadTeacher(
  ctx: Ctx,
  input: { personId: string; classId: string; academicYearId: string; startedOn?: string },
): Promise<HeadTeacherAssignmentView & { replaced: string[] }> {
  const cls = await classFor(ctx, input.classId);
  const person = await staffPersonFor(ctx, input.personId);
  const today = chinaToday();
  const found = await findAcademicYear(ctx.db, input.academicYearId);
  const year = found?.districtId === cls.districtId ? found : undefined;
  const errors = [];
  if (cls.status !== 'active') errors.push(fieldError('body.classId', 'staff.class_closed'));
  if (!year) errors.push(fieldError('body.academicYearId', 'org.academic_year_unknown'));
  else if (cls.academicYearId && year.id !== cls.academicYearId) {
    errors.push(fieldError('body.academicYearId', 'staff.year_not_class_year'));
  } else if (year.endsOn < today) errors.push(fieldError('body.academicYearId', 'staff.academic_year_ended'));
  const startedOn = input.startedOn ?? (year ? later(today, year.startsOn) : today);
  if (year && input.startedOn && (startedOn < year.startsOn || startedOn > year.endsOn)) {
    errors.push(
      fieldError('body.startedOn', 'staff.start_outside_year', {
        startsOn: year.startsOn,
        endsOn: year.endsOn,
      }),
    );
  }
  throwIfAny(errors);
  await requirePostAt(ctx, cls, person.id, later(today, startedOn));

  const { row, replaced } = await inTransaction(ctx, async (tx) => {
    await repo.lockClassHeadTeacher(tx, cls.districtId, cls.id);
    const open = await repo.openHeadTeacherAssignments(tx, {
      districtId: cls.districtId,
      classId: cls.id,
      from: startedOn,
    });
    if (open.some((a) => a.personId === person.id)) throw conflict('staff.already_head_teacher');
    for (const a of open) await repo.endHeadTeacherAssignment(tx, cls.districtId, a.id, startedOn);
    const row = await repo.insertHeadTeacherAssignment(tx, {
      districtId: cls.districtId,
      personId: person.id,
      classId: cls.id,
      academicYearId: input.academicYearId,
      startedOn,
    });
    await auditInTx(ctx, tx, {
      districtId: cls.districtId,
      action: 'staff.assignHeadTeacher',
      targetType: 'headTeacherAssignment',
      targetId: row.id,
      subjectIds: [person.id, ...open.map((a) => a.personId)],
      outcome: 'success',
      details: {
        classId: cls.id,
        academicYearId: row.academicYearId,
        startedOn,
        replaced: open.map((a) => a.id),
      },
    });
    return { row, replaced: open.map((a) => a.id) };
  });
  return { ...presentHeadTeacherAssignment(row, person.name), replaced };
}

/** `POST /head-teacher-assignments/:id/end`: the class has no head teacher from `endedOn` (default today). */
export async function endHeadTeacherAssignment(
  ctx: Ctx,
  id: string,
  input: { endedOn?: string },
): Promise<HeadTeacherAssignmentView> {
  const found = await repo.findHeadTeacherAssignment(ctx.db, id);
  const cls = await assignmentClassFor(ctx, found, 'headTeacherAssignment');
  if (!found) throw notFound('headTeacherAssignment');
  const row = await endAssignment(
    ctx,
    found,
    cls.id,
    input.endedOn,
    'staff.endHeadTeacher',
    'headTeacherAssignment',
    (tx, endedOn) => repo.endHeadTeacherAssignment(tx, found.districtId, found.id, endedOn),
  );
  return presentHeadTeacherAssignment(row, await repo.personName(ctx.db, row.districtId, row.personId));
}

/**
 * `GET /classes/:id/teachers`: the head teacher and the teachers of the current term. Readable by
 * whoever may read the class's people: grants covering it, or the class's own 班主任 and
 * 任课教师 (a class's teaching team knows each other). Audited naming every teacher listed.
 */
export async function listClassTeachers(ctx: Ctx, classId: string): Promise<ClassTeachersView> {
  const principal = requirePrincipal(ctx);
  if (!personAccessOf(ctx).canEverPersons(principal, 'person.read')) throw forbidden();
  const cls = await repo.findClass(ctx.db, classId);
  if (!cls || !scopeCoversUnit(personAccessOf(ctx).personScope(principal, 'person.read'), cls))
    throw notFound('orgUnit');
  const rows = await repo.classTeachers(ctx.db, cls.districtId, cls.id);
  await auditPersonsRead(
    ctx,
    'person.read',
    rows.map((r) => ({ districtId: cls.districtId, id: r.personId })),
    { targetType: 'orgUnit', targetId: cls.id, details: { view: 'classTeachers' } },
    cls.districtId,
  );
  return presentClassTeachers(cls, rows);
}

/**
 * `GET /persons/:id/teachers`: the school, the current class (enrolment and membership in force
 * today) and that class's head teacher and current-term teachers.
 *
 * Policy: the student and their guardians (relation in force) see the names and subjects of the
 * class's teachers and nothing else about them (no ids, no contact data) — they need to know who
 * teaches the child, not to read the teachers' records. Others may call it when they may read the
 * class's people today, as for `GET /classes/:id/teachers`; anybody else gets 404 like a person
 * out of reach (403 for roles that never read persons, as `GET /persons/:id`). No class today:
 * `class: null` and no teachers for the student and their guardians, 404 for everybody else.
 * Audited naming the person and every teacher listed.
 */
export async function listPersonTeachers(ctx: Ctx, personId: string): Promise<PersonTeachersView> {
  const principal = requirePrincipal(ctx);
  const access = personAccessOf(ctx);
  // Oneself and one's children are in every person.read scope, so this refuses nobody of them.
  if (!access.canEverPersons(principal, 'person.read')) throw forbidden();
  const ownDistrict = ownOrChildDistrictOf(principal, personId);
  const scope = access.personScope(principal, 'person.read');
  const place = await repo.currentClassOf(
    ctx.db,
    personId,
    ownDistrict ? [ownDistrict] : scopeDistricts(scope),
  );
  const cls =
    place?.classId && place.classPath
      ? { districtId: place.districtId, id: place.classId, path: place.classPath }
      : null;
  if (!place || (ownDistrict === null && !(cls && scopeCoversUnit(scope, cls)))) throw notFound('person');
  const rows = cls ? await repo.classTeachers(ctx.db, cls.districtId, cls.id) : [];
  await auditPersonsRead(
    ctx,
    'person.read',
    [place.personId, ...rows.map((r) => r.personId)].map((id) => ({ districtId: place.districtId, id })),
    { targetType: 'person', targetId: place.personId, details: { view: 'personTeachers' } },
  );
  return presentPersonTeachers(place, rows);
}

// ---------------------------------------------------------------------------------------------
// Staff accounts

/**
 * `POST /staff/:personId/account`: a sign-in account for a staff member of a school the caller
 * manages, linked to the person; the one-time password is returned once and must be changed at
 * first sign-in. What the account may see comes from the person's posts and assignments.
 */
export async function createStaffAccount(
  ctx: Ctx,
  personId: string,
  input: { username: string },
): Promise<StaffAccountView> {
  const principal = requirePrincipal(ctx);
  const person = await staffPersonFor(ctx, personId);
  const manage = scopeOf(principal, 'staff.manage');
  const posts = await repo.currentPostsOf(ctx.db, person.districtId, person.id);
  if (!posts.some((p) => covers(manage, { districtId: p.districtId, path: p.schoolPath }))) {
    throwIfAny([fieldError('params.personId', 'staff.not_staff')]);
  }
  const password = generatePassword();
  const user = await inTransaction(ctx, async (tx) => {
    // Serialise account creation for the person: two at once must not both find "no account".
    await persons.lockPerson(tx, person.districtId, person.id);
    if (await repo.accountOfPerson(tx, person.districtId, person.id)) throw conflict('person.account_exists');
    const user = await createUserInTx(ctx, tx, {
      username: input.username,
      displayName: person.name,
      password,
      homeDistrictId: person.districtId,
      mustChangePassword: true,
    });
    await repo.insertPersonAccount(tx, {
      districtId: person.districtId,
      personId: person.id,
      userId: user.id,
    });
    await auditInTx(ctx, tx, staffAccountEvent(person, user.id));
    return user;
  });
  return { personId: person.id, userId: user.id, username: user.username, initialPassword: password };
}

const staffAccountEvent = (person: persons.PersonRow, userId: string): RequestAuditEvent => ({
  districtId: person.districtId,
  action: 'staff.createAccount',
  targetType: 'user',
  targetId: userId,
  subjectIds: [person.id],
  outcome: 'success',
});
