import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  createUser,
  request,
  type SeededDistrict,
  seedDistrict,
  type TestApp,
  type TestUser,
} from '../../../test/support/app';
import { type CurrentYear, daysFromToday, insertCurrentYear } from './people-test-fixtures';
import { enrolViaApi, eventsOf, idNumber, insertUnit, seededPaths } from './students-test-support';

describe('students: enrolment and 学籍异动', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let year: CurrentYear;
  let admin: TestUser;
  /** School A: 一年级2班 (same grade) and 二年级1班 (a higher grade), both this year. */
  let class2: string;
  let grade2Class: string;

  const change = (enrolmentId: string, body: Record<string, unknown>, user = admin) =>
    request(t.app, user, 'POST', `/api/v1/enrolments/${enrolmentId}/changes`, body);
  const history = (personId: string, user = admin) =>
    request(t.app, user, 'GET', `/api/v1/persons/${personId}/enrolment-history`);

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    d = await seedDistrict(db);
    year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    const paths = seededPaths(d, d.schoolA);
    class2 = (
      await insertUnit(db, {
        districtId: d.districtId,
        parentPath: paths.grade,
        kind: 'class',
        name: '一年级2班',
        gradeCode: '11',
        classNumber: 2,
        academicYearId: year.academicYearId,
      })
    ).id;
    const grade2 = await insertUnit(db, {
      districtId: d.districtId,
      parentPath: paths.campus,
      kind: 'grade',
      name: '二年级',
      gradeCode: '12',
    });
    grade2Class = (
      await insertUnit(db, {
        districtId: d.districtId,
        parentPath: grade2.path,
        kind: 'class',
        name: '二年级1班',
        gradeCode: '12',
        classNumber: 1,
        academicYearId: year.academicYearId,
      })
    ).id;
    admin = await createUser(db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
  });
  afterAll(() => t?.close());

  it('enrols a new student with a 学籍号, masked in the answer', async () => {
    const id = idNumber('20190910', 41);
    const result = await enrolViaApi(t.app, admin, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '钱一', idNumber: id, ethnicityCode: '01' },
      studentNumber: `g${id.toLowerCase()}`,
      enteredOn: daysFromToday(-30),
    });
    expect(result).toMatchObject({
      personCreated: true,
      person: { name: '钱一', genderCode: '1', birthDate: '2019-09-10', ethnicityCode: '01' },
      enrolment: {
        status: 'active',
        classId: d.schoolA.classId,
        enteredOn: daysFromToday(-30),
        leftOn: null,
        studentNumberMasked: `G110101********${id.slice(-4)}`,
      },
    });
    const [event] = await eventsOf(t.database.db, d.districtId, 'student.enrol');
    expect(event).toMatchObject({
      subjectIds: [result.person.id],
      targetId: result.enrolment.id,
      details: { schoolId: d.schoolA.id, classId: d.schoolA.classId, personCreated: true },
    });
  });

  it('refuses to enrol a student twice (that is a transfer), a taken 学籍号 and bad input', async () => {
    const id = idNumber('20190910', 41);
    const again = await request(t.app, admin, 'POST', '/api/v1/students', {
      schoolId: d.schoolA.id,
      classId: class2,
      person: { name: '钱一', idNumber: id },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'enrolment.already_enrolled',
      title: '该学生已在本区县学校在籍，请办理转学而不是重新注册',
    });
    const taken = await request(t.app, admin, 'POST', '/api/v1/students', {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '孙二', idNumber: idNumber('20190911', 42) },
      studentNumber: `G${id}`,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('enrolment.student_number_taken');

    const bad = await request(t.app, admin, 'POST', '/api/v1/students', {
      schoolId: d.schoolA.id,
      classId: d.schoolB.classId,
      person: { name: '孙二', idNumber: idNumber('20190911', 42) },
      studentNumber: 'X110101201909110420',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
      ['body.classId', 'enrolment.class_not_in_school'],
      ['body.studentNumber', 'studentNumber.prefix'],
    ]);
    const both = await request(t.app, admin, 'POST', '/api/v1/students', {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
    });
    expect(both.json().errors[0].code).toBe('person.person_or_registration');
  });

  it('answers 403 to a role that never manages people and 404 outside the scope', async () => {
    const principal = await createUser(t.database.db, {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const otherAdmin = await createUser(t.database.db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolB.id }],
    });
    const body = { schoolId: d.schoolA.id, classId: d.schoolA.classId, person: { name: '周三' } };
    expect((await request(t.app, principal, 'POST', '/api/v1/students', body)).statusCode).toBe(403);
    expect((await request(t.app, otherAdmin, 'POST', '/api/v1/students', body)).statusCode).toBe(404);
  });

  it('follows the change rules: 休学 → 复学 (into another class) → 留级 → 毕业', async () => {
    const s = await enrolViaApi(t.app, admin, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '吴四', idNumber: idNumber('20190101', 51) },
      enteredOn: daysFromToday(-40),
    });
    const e = s.enrolment.id;
    const resumeFirst = await change(e, { changeType: 'resume', effectiveOn: daysFromToday(-30) });
    expect(resumeFirst.statusCode).toBe(409);
    expect(resumeFirst.json().errors[0].message).toBe('学籍状态为“在读”时不能办理“复学”');

    const early = await change(e, { changeType: 'suspend', effectiveOn: daysFromToday(-41) });
    expect(early.json().errors[0]).toMatchObject({
      path: 'body.effectiveOn',
      code: 'enrolment.effective_before_history',
      message: `生效日期不能早于入学日期或上一次学籍异动的日期（${daysFromToday(-40)}）`,
    });
    const future = await change(e, { changeType: 'suspend', effectiveOn: daysFromToday(1) });
    expect(future.json().errors[0].code).toBe('enrolment.effective_in_future');
    const withClass = await change(e, {
      changeType: 'suspend',
      effectiveOn: daysFromToday(-30),
      toClassId: class2,
    });
    expect(withClass.json().errors[0].code).toBe('enrolment.to_class_not_allowed');

    const suspended = await change(e, {
      changeType: 'suspend',
      effectiveOn: daysFromToday(-30),
      reason: '病休',
    });
    expect(suspended.statusCode).toBe(201);
    expect(suspended.json()).toMatchObject({
      enrolment: { status: 'suspended', classId: d.schoolA.classId, leftOn: null },
      change: { changeType: 'suspend', fromClassId: d.schoolA.classId, toClassId: null },
    });
    // A suspended student stays on the class's books, with the status shown.
    const roster = await request(t.app, admin, 'GET', `/api/v1/classes/${d.schoolA.classId}/roster?q=吴`);
    expect(roster.json().items).toMatchObject([{ name: '吴四', status: 'suspended' }]);

    const resumed = await change(e, {
      changeType: 'resume',
      effectiveOn: daysFromToday(-20),
      toClassId: class2,
    });
    expect(resumed.json()).toMatchObject({ enrolment: { status: 'active', classId: class2 } });

    const repeatUp = await change(e, {
      changeType: 'repeat',
      effectiveOn: daysFromToday(-10),
      toClassId: grade2Class,
    });
    expect(repeatUp.json().errors[0].code).toBe('enrolment.repeat_to_higher_grade');
    const repeatNoClass = await change(e, { changeType: 'repeat', effectiveOn: daysFromToday(-10) });
    expect(repeatNoClass.json().errors[0].message).toBe('“留级”须指定新班级（toClassId）');
    const repeated = await change(e, {
      changeType: 'repeat',
      effectiveOn: daysFromToday(-10),
      toClassId: d.schoolA.classId,
    });
    expect(repeated.json()).toMatchObject({ enrolment: { status: 'active', classId: d.schoolA.classId } });

    const graduated = await change(e, { changeType: 'graduate', effectiveOn: daysFromToday(0) });
    expect(graduated.json()).toMatchObject({
      enrolment: { status: 'graduated', leftOn: daysFromToday(0), classId: null },
    });
    const afterwards = await change(e, { changeType: 'withdraw', effectiveOn: daysFromToday(0) });
    expect(afterwards.statusCode).toBe(409);
    expect(afterwards.json().errors[0].message).toBe('学籍状态为“已毕业”时不能办理“退学”');
    const gone = await request(t.app, admin, 'GET', `/api/v1/classes/${d.schoolA.classId}/roster?q=吴`);
    expect(gone.json().items).toEqual([]);

    // The school sees only students on its books; the bureau keeps seeing those who left.
    expect((await history(s.person.id)).statusCode).toBe(404);
    const bureau = await createUser(t.database.db, {
      grants: [{ role: 'bureauAdmin', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    const hr = await history(s.person.id, bureau);
    expect(hr.statusCode, hr.body).toBe(200);
    const h = hr.json();
    expect(h.enrolments).toHaveLength(1);
    expect(h.enrolments[0]).toMatchObject({ status: 'graduated', leftOn: daysFromToday(0) });
    expect(h.enrolments[0].changes.map((c: { changeType: string }) => c.changeType)).toEqual([
      'enrol',
      'suspend',
      'resume',
      'repeat',
      'graduate',
    ]);
    expect(h.enrolments[0].changes[1]).toMatchObject({ reason: '病休', fromClassName: '一年级1班' });
    expect(h.enrolments[0].memberships).toEqual([
      expect.objectContaining({
        className: '一年级1班',
        startedOn: daysFromToday(-40),
        endedOn: daysFromToday(-20),
      }),
      expect.objectContaining({
        className: '一年级2班',
        startedOn: daysFromToday(-20),
        endedOn: daysFromToday(-10),
      }),
      expect.objectContaining({
        className: '一年级1班',
        startedOn: daysFromToday(-10),
        endedOn: daysFromToday(0),
      }),
    ]);
    const [suspendEvent] = await eventsOf(t.database.db, d.districtId, 'enrolment.suspend');
    expect(suspendEvent).toMatchObject({ subjectIds: [s.person.id], targetId: e });
    expect(JSON.stringify(suspendEvent?.details)).not.toContain('病休');
  });

  it('closes the enrolment on 退学, 死亡 and 转出 (to outside Mingde)', async () => {
    for (const [i, changeType, status] of [
      [61, 'withdraw', 'withdrawn'],
      [62, 'death', 'deceased'],
      [63, 'transferOut', 'transferredOut'],
    ] as const) {
      const s = await enrolViaApi(t.app, admin, {
        schoolId: d.schoolA.id,
        classId: class2,
        person: { name: `郑${i}`, idNumber: idNumber('20190202', i) },
        enteredOn: daysFromToday(-5),
      });
      const res = await change(s.enrolment.id, { changeType, effectiveOn: daysFromToday(0) });
      expect(res.statusCode, changeType).toBe(201);
      expect(res.json().enrolment).toMatchObject({ status, leftOn: daysFromToday(0), classId: null });
    }
    const roster = await request(t.app, admin, 'GET', `/api/v1/classes/${class2}/roster?q=郑`);
    expect(roster.json().items).toEqual([]);
  });

  it('sorts rosters by name or by decrypted 学籍号, pages them, and audits each page', async () => {
    const fresh = await insertUnit(t.database.db, {
      districtId: d.districtId,
      parentPath: seededPaths(d, d.schoolA).grade,
      kind: 'class',
      name: '一年级3班',
      gradeCode: '11',
      classNumber: 3,
      academicYearId: year.academicYearId,
    });
    const ids: Record<string, string> = {};
    for (const [name, seq, number] of [
      ['张伟', 71, 'L110101201903031111'],
      ['艾米', 72, 'L110101201903030001'],
      ['马丽', 73, null],
    ] as const) {
      const s = await enrolViaApi(t.app, admin, {
        schoolId: d.schoolA.id,
        classId: fresh.id,
        person: { name, idNumber: idNumber('20190303', seq) },
        ...(number ? { studentNumber: number } : {}),
      });
      ids[name] = s.person.id;
    }
    const names = async (query: string) =>
      (await request(t.app, admin, 'GET', `/api/v1/classes/${fresh.id}/roster?${query}`))
        .json()
        .items.map((i: { name: string }) => i.name);
    expect(await names('sort=name')).toEqual(['艾米', '马丽', '张伟']);
    expect(await names('sort=name&order=desc')).toEqual(['张伟', '马丽', '艾米']);
    // By 学籍号: …0001 before …1111; a student without one comes last.
    expect(await names('sort=studentNumber')).toEqual(['艾米', '张伟', '马丽']);
    expect(await names('sort=studentNumber&order=desc')).toEqual(['张伟', '艾米', '马丽']);
    const page2 = await request(
      t.app,
      admin,
      'GET',
      `/api/v1/classes/${fresh.id}/roster?sort=name&pageSize=2&page=2`,
    );
    expect(page2.json()).toMatchObject({ total: 3, page: 2, pageSize: 2, items: [{ name: '张伟' }] });
    const [event] = await eventsOf(t.database.db, d.districtId, 'roster.read');
    expect(event?.subjectIds).toEqual([ids.张伟]);
    const past = await request(t.app, admin, 'GET', `/api/v1/classes/${fresh.id}/roster?pageSize=2&page=5`);
    expect(past.json()).toMatchObject({ total: 3, items: [] });
  });
});
