import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTestApp,
  createUser,
  type SeededDistrict,
  seedDistrict,
  type TestApp,
} from '../../../test/support/app';
import { chinaToday } from '../../china-time';
import { loadSessionUser } from '../accounts/principal-repository';
import { orgUnits } from '../org/schema';
import {
  type CurrentYear,
  daysFromToday,
  enrol,
  insertCurrentYear,
  insertGuardianRelation,
  insertHeadTeacher,
  insertPerson,
  insertStaffPost,
  insertTeaching,
  linkAccount,
  today,
} from './people-test-fixtures';
import {
  enrolments,
  guardianRelations,
  headTeacherAssignments,
  staffPosts,
  teachingAssignments,
} from './schema';

/** Principal.relations as loaded per request (principal-repository + people/relations-sql). */
describe('relations in the principal', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let year: CurrentYear;
  const relationsOf = async (userId: string) =>
    (await loadSessionUser(t.database.db, userId))?.principal.relations;

  beforeAll(async () => {
    t = await createTestApp();
    d = await seedDistrict(t.database.db);
    year = await insertCurrentYear(t.database.db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
  });
  afterAll(() => t.close());

  it("uses China's date, not the server's or UTC's", async () => {
    const rows = await t.database.db.execute<{ d: string }>(
      sql`select to_char((now() at time zone 'Asia/Shanghai')::date, 'YYYY-MM-DD') as d`,
    );
    expect(rows.rows[0]?.d).toBe(chinaToday());
  });

  it('gives a user with no person record no relations, and keeps the grants', async () => {
    const admin = await createUser(t.database.db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const loaded = await loadSessionUser(t.database.db, admin.userId);
    expect(loaded?.principal.relations).toEqual({
      self: [],
      headTeacherOf: [],
      teaches: [],
      guardianOf: [],
      staffAt: [],
      studentAt: [],
    });
    expect(loaded?.principal.grants).toEqual([
      {
        grantId: expect.any(String),
        role: 'schoolAdmin',
        districtId: d.districtId,
        orgUnitId: d.schoolA.id,
        path: `/${d.rootId}/${d.schoolA.id}/`,
      },
    ]);
  });

  it('loads a teacher: post, head-teacher class, taught classes of the current term only', async () => {
    const db = t.database.db;
    const user = await createUser(db, { homeDistrictId: d.districtId });
    const teacher = await insertPerson(db, d.districtId, '王老师');
    await linkAccount(db, d.districtId, teacher, user.userId);
    await insertStaffPost(db, { districtId: d.districtId, personId: teacher, schoolId: d.schoolA.id });
    await insertStaffPost(db, {
      districtId: d.districtId,
      personId: teacher,
      schoolId: d.schoolB.id,
      endedOn: daysFromToday(-1),
    });
    const base = { districtId: d.districtId, personId: teacher };
    await insertHeadTeacher(db, { ...base, classId: d.schoolA.classId, academicYearId: year.academicYearId });
    // Two subjects in one class count once; other terms and ended assignments not at all.
    await insertTeaching(db, { ...base, classId: d.schoolA.classId, termId: year.termId, subjectCode: '13' });
    await insertTeaching(db, { ...base, classId: d.schoolA.classId, termId: year.termId, subjectCode: '14' });
    await insertTeaching(db, { ...base, classId: d.schoolB.classId, termId: year.nextTermId });
    await insertTeaching(db, { ...base, classId: d.schoolB.classId, termId: year.pastTermId });
    await insertTeaching(db, {
      ...base,
      classId: d.schoolB.classId,
      termId: year.termId,
      endedOn: today(),
    });

    const classA = { districtId: d.districtId, classId: d.schoolA.classId, schoolId: d.schoolA.id };
    expect(await relationsOf(user.userId)).toEqual({
      self: [{ districtId: d.districtId, personId: teacher }],
      headTeacherOf: [classA],
      teaches: [classA],
      guardianOf: [],
      staffAt: [{ districtId: d.districtId, schoolId: d.schoolA.id }],
      studentAt: [],
    });
  });

  it('ends a head-teacher or teaching assignment on the very next load; one starting today counts', async () => {
    const db = t.database.db;
    const user = await createUser(db, { homeDistrictId: d.districtId });
    const teacher = await insertPerson(db, d.districtId, '李老师');
    await linkAccount(db, d.districtId, teacher, user.userId);
    await insertStaffPost(db, { districtId: d.districtId, personId: teacher, schoolId: d.schoolB.id });
    const base = { districtId: d.districtId, personId: teacher, classId: d.schoolB.classId };
    const ht = await insertHeadTeacher(db, {
      ...base,
      academicYearId: year.academicYearId,
      startedOn: today(),
    });
    const ta = await insertTeaching(db, { ...base, termId: year.termId, startedOn: today() });
    const classB = { districtId: d.districtId, classId: d.schoolB.classId, schoolId: d.schoolB.id };
    expect((await relationsOf(user.userId))?.headTeacherOf).toEqual([classB]);
    expect((await relationsOf(user.userId))?.teaches).toEqual([classB]);

    await db
      .update(headTeacherAssignments)
      .set({ endedOn: today() })
      .where(eq(headTeacherAssignments.id, ht));
    expect((await relationsOf(user.userId))?.headTeacherOf).toEqual([]);
    expect((await relationsOf(user.userId))?.teaches).toEqual([classB]);

    await db.update(teachingAssignments).set({ endedOn: today() }).where(eq(teachingAssignments.id, ta));
    expect((await relationsOf(user.userId))?.teaches).toEqual([]);

    // An assignment starting tomorrow gives nothing yet.
    await insertTeaching(db, { ...base, termId: year.termId, startedOn: daysFromToday(1) });
    expect((await relationsOf(user.userId))?.teaches).toEqual([]);
  });

  it('drops a class that was closed, and a school post that ended', async () => {
    const db = t.database.db;
    const user = await createUser(db, { homeDistrictId: d.districtId });
    const teacher = await insertPerson(db, d.districtId, '赵老师');
    await linkAccount(db, d.districtId, teacher, user.userId);
    const post = await insertStaffPost(db, {
      districtId: d.districtId,
      personId: teacher,
      schoolId: d.schoolA.id,
    });
    // A class of its own, so closing it does not disturb the other tests.
    const [grade] = await db.select().from(orgUnits).where(eq(orgUnits.id, d.schoolA.gradeId));
    const classId = crypto.randomUUID();
    await db.insert(orgUnits).values({
      districtId: d.districtId,
      id: classId,
      parentId: d.schoolA.gradeId,
      kind: 'class',
      name: '一年级9班',
      path: `${grade?.path}${classId}/`,
      gradeCode: '11',
      classNumber: 9,
      academicYearId: year.academicYearId,
    });
    await insertHeadTeacher(db, {
      districtId: d.districtId,
      personId: teacher,
      classId,
      academicYearId: year.academicYearId,
    });
    expect((await relationsOf(user.userId))?.headTeacherOf).toEqual([
      { districtId: d.districtId, classId, schoolId: d.schoolA.id },
    ]);
    await db.update(orgUnits).set({ status: 'closed' }).where(eq(orgUnits.id, classId));
    expect((await relationsOf(user.userId))?.headTeacherOf).toEqual([]);

    expect((await relationsOf(user.userId))?.staffAt).toEqual([
      { districtId: d.districtId, schoolId: d.schoolA.id },
    ]);
    await db.update(staffPosts).set({ endedOn: today() }).where(eq(staffPosts.id, post));
    expect((await relationsOf(user.userId))?.staffAt).toEqual([]);
  });

  it('loads a guardian: children until the relation ends or the child has died', async () => {
    const db = t.database.db;
    const user = await createUser(db, { homeDistrictId: d.districtId });
    const mother = await insertPerson(db, d.districtId, '陈母');
    await linkAccount(db, d.districtId, mother, user.userId);
    const son = await insertPerson(db, d.districtId, '陈一');
    const daughter = await insertPerson(db, d.districtId, '陈二');
    const ofSon = await insertGuardianRelation(db, {
      districtId: d.districtId,
      guardianPersonId: mother,
      childPersonId: son,
    });
    await insertGuardianRelation(db, {
      districtId: d.districtId,
      guardianPersonId: mother,
      childPersonId: daughter,
    });
    const daughterEnrolment = await enrol(db, {
      districtId: d.districtId,
      personId: daughter,
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
    const ids = async () =>
      ((await relationsOf(user.userId))?.guardianOf ?? []).map((c) => c.personId).sort();
    expect(await ids()).toEqual([son, daughter].sort());

    await db.update(guardianRelations).set({ endedAt: new Date() }).where(eq(guardianRelations.id, ofSon));
    expect(await ids()).toEqual([daughter]);

    await db
      .update(enrolments)
      .set({ status: 'deceased', leftOn: today() })
      .where(eq(enrolments.id, daughterEnrolment.enrolmentId));
    expect(await ids()).toEqual([]);
  });

  it('loads a student: studentAt while enrolled or suspended, gone once transferred out', async () => {
    const db = t.database.db;
    const user = await createUser(db, { homeDistrictId: d.districtId });
    const student = await insertPerson(db, d.districtId, '周同学');
    await linkAccount(db, d.districtId, student, user.userId);
    const { enrolmentId } = await enrol(db, {
      districtId: d.districtId,
      personId: student,
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
    expect(await relationsOf(user.userId)).toMatchObject({
      self: [{ districtId: d.districtId, personId: student }],
      studentAt: [{ districtId: d.districtId, schoolId: d.schoolA.id }],
    });
    // 休学 keeps the student on the school's books (as in visibility-sql).
    await db.update(enrolments).set({ status: 'suspended' }).where(eq(enrolments.id, enrolmentId));
    expect((await relationsOf(user.userId))?.studentAt).toEqual([
      { districtId: d.districtId, schoolId: d.schoolA.id },
    ]);
    await db
      .update(enrolments)
      .set({ status: 'transferredOut', leftOn: today() })
      .where(eq(enrolments.id, enrolmentId));
    expect((await relationsOf(user.userId))?.studentAt).toEqual([]);
  });

  it('costs one round trip: user, grants, city grants and relations in one prepared statement', async () => {
    const user = await createUser(t.database.db, {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const teacher = await insertPerson(t.database.db, d.districtId, '孙老师');
    await linkAccount(t.database.db, d.districtId, teacher, user.userId);
    const spy = vi.spyOn(t.database.pool, 'query');
    try {
      const loaded = await loadSessionUser(t.database.db, user.userId);
      expect(loaded?.principal.grants).toHaveLength(1);
      expect(loaded?.principal.relations.self).toEqual([{ districtId: d.districtId, personId: teacher }]);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]?.[0]).toMatchObject({ name: 'mingde_load_session_user' });
    } finally {
      spy.mockRestore();
    }
  });

  it('loads the same inside a transaction (an ordinary query there)', async () => {
    const user = await createUser(t.database.db, { homeDistrictId: d.districtId });
    const student = await insertPerson(t.database.db, d.districtId, '钱同学');
    await linkAccount(t.database.db, d.districtId, student, user.userId);
    const inTx = await t.database.db.transaction((tx) => loadSessionUser(tx, user.userId));
    expect(inTx?.principal.relations).toEqual(
      (await loadSessionUser(t.database.db, user.userId))?.principal.relations,
    );
    expect(inTx?.principal.relations.self).toEqual([{ districtId: d.districtId, personId: student }]);
  });
});
