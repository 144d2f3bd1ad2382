import { eq } from 'drizzle-orm';
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
import {
  accountFor,
  type CurrentYear,
  insertCurrentYear,
  insertGuardianRelation,
  insertHeadTeacher,
  insertPerson,
  insertStaffPost,
  insertTeaching,
  today,
} from './people-test-fixtures';
import { classMemberships } from './schema';
import { enrolViaApi, eventsOf, idNumber } from './students-test-support';

/**
 * `GET /persons/:id/teachers`: a student and their guardians see the names and subjects of the
 * teachers of the student's class — through the API.
 */
describe('GET /persons/:id/teachers', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let e: SeededDistrict;
  let year: CurrentYear;
  const u: Record<string, TestUser> = {};
  /** 王小明 in school A's class (its teachers below), 赵小刚 in school B's, 钱小丽 whose class ended today, 孙小宝 not enrolled. */
  const s = { ming: '', gang: '', li: '', bao: '' };
  /** Teachers of school A's class: head teacher 张, 数学 李, 语文 王; 陈 taught last term, 周 was head teacher before. */
  const teacher = { zhang: '', li: '', wang: '', chen: '', zhou: '' };
  let mingRelationId = '';
  const api = (who: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    request(t.app, u[who] ?? null, method, `/api/v1${url}`, body);

  /** A sign-in account for a person of district D. */
  const accountOf = (personId: string) => accountFor(t.database.db, d.districtId, personId);
  /** POST /students/:id/guardians as the school administrator, expecting 201. */
  const addGuardian = async (child: string, name: string, seq: number, who = 'adminA') => {
    const res = await api(who, 'POST', `/students/${child}/guardians`, {
      name,
      idType: '1',
      idNumber: idNumber('19860101', seq),
      phone: `1381234${String(1000 + seq)}`,
      relationCode: '52',
      isPrimary: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; guardian: { personId: string } };
  };

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    d = await seedDistrict(db);
    e = await seedDistrict(db, '110102');
    year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    await insertCurrentYear(db, e.districtId, [e.schoolA.classId]);
    const grant = (
      role: 'bureauAdmin' | 'bureauAnalyst' | 'schoolAdmin',
      districtId: string,
      orgUnitId: string,
    ) => ({ grants: [{ role, districtId, orgUnitId }] });
    u.bureauAdmin = await createUser(db, grant('bureauAdmin', d.districtId, d.rootId));
    u.analyst = await createUser(db, grant('bureauAnalyst', d.districtId, d.rootId));
    u.adminA = await createUser(db, grant('schoolAdmin', d.districtId, d.schoolA.id));
    u.adminB = await createUser(db, grant('schoolAdmin', d.districtId, d.schoolB.id));
    u.otherBureauAdmin = await createUser(db, grant('bureauAdmin', e.districtId, e.rootId));

    const enrol = async (who: string, schoolId: string, classId: string, name: string, seq: number) =>
      (
        await enrolViaApi(t.app, u[who] as TestUser, {
          schoolId,
          classId,
          person: { name, idNumber: idNumber('20190101', seq) },
        })
      ).person.id;
    s.ming = await enrol('adminA', d.schoolA.id, d.schoolA.classId, '王小明', 61);
    s.li = await enrol('adminA', d.schoolA.id, d.schoolA.classId, '钱小丽', 62);
    s.gang = await enrol('adminB', d.schoolB.id, d.schoolB.classId, '赵小刚', 63);
    s.bao = await insertPerson(db, d.districtId, '孙小宝');
    // 钱小丽's class membership ended today: she is enrolled at school A, in no class.
    await db.update(classMemberships).set({ endedOn: today() }).where(eq(classMemberships.personId, s.li));

    const staff = async (name: string) => {
      const id = await insertPerson(db, d.districtId, name);
      await insertStaffPost(db, { districtId: d.districtId, personId: id, schoolId: d.schoolA.id });
      return id;
    };
    const classA = { districtId: d.districtId, classId: d.schoolA.classId };
    teacher.zhang = await staff('张老师');
    teacher.li = await staff('李老师');
    teacher.wang = await staff('王老师');
    teacher.chen = await staff('陈老师');
    teacher.zhou = await staff('周老师');
    await insertHeadTeacher(db, {
      ...classA,
      personId: teacher.zhou,
      academicYearId: year.academicYearId,
      startedOn: '2020-09-01',
      endedOn: today(),
    });
    await insertHeadTeacher(db, { ...classA, personId: teacher.zhang, academicYearId: year.academicYearId });
    await insertTeaching(db, { ...classA, personId: teacher.li, termId: year.termId, subjectCode: '14' });
    await insertTeaching(db, { ...classA, personId: teacher.wang, termId: year.termId, subjectCode: '13' });
    await insertTeaching(db, {
      ...classA,
      personId: teacher.chen,
      termId: year.pastTermId,
      subjectCode: '15',
    });
    // School B's class has a teacher of its own.
    const zhao = await insertPerson(db, d.districtId, '赵老师');
    await insertStaffPost(db, { districtId: d.districtId, personId: zhao, schoolId: d.schoolB.id });
    await insertTeaching(db, {
      districtId: d.districtId,
      classId: d.schoolB.classId,
      personId: zhao,
      termId: year.termId,
      subjectCode: '14',
    });

    const mother = await addGuardian(s.ming, '李秀英', 71);
    mingRelationId = mother.id;
    u.mother = await accountOf(mother.guardian.personId);
    u.ming = await accountOf(s.ming);
    u.gangFather = await accountOf((await addGuardian(s.gang, '赵大山', 72, 'adminB')).guardian.personId);
    u.liMother = await accountOf((await addGuardian(s.li, '钱秀兰', 73)).guardian.personId);
    const baoGuardian = await insertPerson(db, d.districtId, '孙大海');
    await insertGuardianRelation(db, {
      districtId: d.districtId,
      guardianPersonId: baoGuardian,
      childPersonId: s.bao,
    });
    u.baoFather = await accountOf(baoGuardian);
    u.teacherLi = await accountOf(teacher.li);
  });
  afterAll(() => t.close());

  /** 王小明's class as every caller who may see it is answered. */
  const mingsClass = () => ({
    personId: s.ming,
    school: { id: d.schoolA.id, name: '东城区第一实验小学' },
    class: { id: d.schoolA.classId, name: '一年级1班' },
    headTeacher: { name: '张老师' },
    teachers: [
      { name: '王老师', subjectCode: '13', subjectName: '语文' },
      { name: '李老师', subjectCode: '14', subjectName: '数学' },
    ],
  });

  it("a guardian sees the head teacher and the teachers' names and subjects of the child's class; audited", async () => {
    const res = await api('mother', 'GET', `/persons/${s.ming}/teachers`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(mingsClass());
    const [event] = (await eventsOf(t.database.db, d.districtId, 'person.read')).filter(
      (x) => x.actorId === u.mother?.userId,
    );
    expect(event).toMatchObject({
      targetType: 'person',
      targetId: s.ming,
      details: { view: 'personTeachers' },
      outcome: 'success',
    });
    expect([...(event?.subjectIds ?? [])].sort()).toEqual(
      [s.ming, teacher.zhang, teacher.li, teacher.wang].sort(),
    );
  });

  it('the student sees them too', async () => {
    const res = await api('ming', 'GET', `/persons/${s.ming}/teachers`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(mingsClass());
  });

  it('carries no id, phone or assignment of any teacher', async () => {
    const res = await api('mother', 'GET', `/persons/${s.ming}/teachers`);
    expect(res.statusCode, res.body).toBe(200);
    for (const id of Object.values(teacher)) expect(res.body).not.toContain(id);
    const keys = JSON.stringify(res.json().teachers.map(Object.keys));
    expect(keys).toBe('[["name","subjectCode","subjectName"],["name","subjectCode","subjectName"]]');
    expect(Object.keys(res.json().headTeacher)).toEqual(['name']);
  });

  it("a teacher of the class and a bureau administrator of the district read it; another school's administrator does not", async () => {
    for (const who of ['teacherLi', 'bureauAdmin', 'adminA']) {
      const res = await api(who, 'GET', `/persons/${s.ming}/teachers`);
      expect(res.statusCode, `${who}: ${res.body}`).toBe(200);
      expect(res.json()).toEqual(mingsClass());
    }
    expect((await api('adminB', 'GET', `/persons/${s.ming}/teachers`)).statusCode).toBe(404);
    // 赵小刚's class is not 李老师's.
    expect((await api('teacherLi', 'GET', `/persons/${s.gang}/teachers`)).statusCode).toBe(404);
  });

  it('a guardian of another child, a bureau administrator of another district, anybody for an unknown id: 404', async () => {
    for (const who of ['gangFather', 'otherBureauAdmin']) {
      const res = await api(who, 'GET', `/persons/${s.ming}/teachers`);
      expect(res.statusCode, `${who}: ${res.body}`).toBe(404);
      expect(res.json()).toMatchObject({ code: 'resource.not_found' });
      expect(res.body).not.toContain('张老师');
    }
    const unknown = await api('mother', 'GET', '/persons/00000000-0000-4000-8000-000000000000/teachers');
    expect(unknown.statusCode).toBe(404);
    // 赵大山 sees his own child's teacher only.
    const own = await api('gangFather', 'GET', `/persons/${s.gang}/teachers`);
    expect(own.json()).toMatchObject({
      class: { id: d.schoolB.classId },
      headTeacher: null,
      teachers: [{ name: '赵老师', subjectCode: '14', subjectName: '数学' }],
    });
  });

  it('a role that never reads persons: 403, as for GET /persons/:id', async () => {
    expect((await api('analyst', 'GET', `/persons/${s.ming}/teachers`)).statusCode).toBe(403);
  });

  it('a person without a class today: class null and no teachers', async () => {
    const enrolled = await api('liMother', 'GET', `/persons/${s.li}/teachers`);
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    expect(enrolled.json()).toEqual({
      personId: s.li,
      school: { id: d.schoolA.id, name: '东城区第一实验小学' },
      class: null,
      headTeacher: null,
      teachers: [],
    });
    const notEnrolled = await api('baoFather', 'GET', `/persons/${s.bao}/teachers`);
    expect(notEnrolled.statusCode, notEnrolled.body).toBe(200);
    expect(notEnrolled.json()).toEqual({
      personId: s.bao,
      school: null,
      class: null,
      headTeacher: null,
      teachers: [],
    });
  });

  // Last: it ends the mother's relation.
  it('a guardian whose relation has ended: 404 on the next request', async () => {
    expect((await api('mother', 'GET', `/persons/${s.ming}/teachers`)).statusCode).toBe(200);
    const ended = await api('adminA', 'POST', `/guardian-relations/${mingRelationId}/end`);
    expect(ended.statusCode, ended.body).toBe(200);
    const res = await api('mother', 'GET', `/persons/${s.ming}/teachers`);
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json()).toMatchObject({ code: 'resource.not_found' });
  });
});
