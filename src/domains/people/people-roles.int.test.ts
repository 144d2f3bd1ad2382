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
import { loadPrincipal } from '../accounts/principal-repository';
import {
  type CurrentYear,
  firstSignIn,
  insertCurrentYear,
  linkAccount,
  signInAs,
  today,
} from './people-test-fixtures';
import { enrolViaApi, eventsOf, idNumber } from './students-test-support';

/**
 * What every role sees on the staff, guardian and children routes and on the roster and profile
 * routes — with teachers, guardians and students set up through the API as a school would — and
 * how access ends on the very next request when an assignment ends, a student transfers or a
 * guardian relation is removed.
 */
describe('people routes by role', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let year: CurrentYear;
  const u: Record<string, TestUser> = {};
  /** Persons: students 张三, 李四 (class A), 王五 (class B); guardians 张母 (of 张三), 王父 (of 王五); teachers. */
  const p: Record<string, string> = {};
  /** Assignment and relation ids, to end them later. */
  const ids: Record<string, string> = {};
  const api = (who: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    request(t.app, u[who] ?? null, method, `/api/v1${url}`, body);
  const roles = [
    'bureauAdmin',
    'inspector',
    'principal',
    'schoolAdmin',
    'headTeacher',
    'subjectTeacher',
    'guardian',
    'student',
    'analyst',
  ] as const;

  /** Status and, for 200, the names in `items` (or the listed field). */
  async function seen(
    who: string,
    url: string,
    field: 'items' | 'teachers' = 'items',
  ): Promise<number | string[]> {
    const res = await api(who, 'GET', url);
    if (res.statusCode !== 200) return res.statusCode;
    const body = res.json();
    if (field === 'teachers') {
      return [
        ...(body.headTeacher ? [`班主任:${body.headTeacher.name}`] : []),
        ...body.teachers.map((x: { name: string }) => x.name),
      ];
    }
    return (body.items as { name: string }[]).map((i) => i.name).sort();
  }
  async function matrix(url: string, field: 'items' | 'teachers' = 'items') {
    const out: Record<string, number | string[]> = {};
    for (const r of roles) out[r] = await seen(r, url, field);
    return out;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    d = await seedDistrict(db);
    year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    const grant = (
      role: 'bureauAdmin' | 'inspector' | 'bureauAnalyst' | 'principal' | 'schoolAdmin',
      unit: string,
    ) => ({
      grants: [{ role, districtId: d.districtId, orgUnitId: unit }],
    });
    u.bureauAdmin = await createUser(db, grant('bureauAdmin', d.rootId));
    u.inspector = await createUser(db, grant('inspector', d.rootId));
    u.analyst = await createUser(db, grant('bureauAnalyst', d.rootId));
    u.principal = await createUser(db, grant('principal', d.schoolA.id));
    u.schoolAdmin = await createUser(db, grant('schoolAdmin', d.schoolA.id));
    u.schoolAdminB = await createUser(db, grant('schoolAdmin', d.schoolB.id));

    const enrol = async (who: string, school: typeof d.schoolA, name: string, birth: string, seq: number) =>
      (
        await enrolViaApi(t.app, u[who] as TestUser, {
          schoolId: school.id,
          classId: school.classId,
          person: { name, idNumber: idNumber(birth, seq) },
        })
      ).person.id;
    p.zhang = await enrol('schoolAdmin', d.schoolA, '张三', '20190301', 61);
    p.li = await enrol('schoolAdmin', d.schoolA, '李四', '20190402', 62);
    p.wang = await enrol('bureauAdmin', d.schoolB, '王五', '20190503', 63);

    // Teachers: hired, given accounts, assigned — all through the API.
    const hire = async (name: string, seq: number, username: string) => {
      const res = await api('schoolAdmin', 'POST', '/staff', {
        schoolId: d.schoolA.id,
        name,
        idNumber: idNumber('19800101', seq),
        postCode: '10',
        establishmentCode: '1',
        isFullTimeTeacher: true,
        startedOn: '2015-09-01',
      });
      expect(res.statusCode, res.body).toBe(201);
      const personId = res.json().person.id as string;
      const account = await api('schoolAdmin', 'POST', `/staff/${personId}/account`, { username });
      expect(account.statusCode, account.body).toBe(201);
      return { personId, user: await firstSignIn(t.app, username, account.json().initialPassword) };
    };
    const head = await hire('周老师', 71, 'zhou.teacher');
    const subject = await hire('吴老师', 73, 'wu.teacher');
    p.headTeacher = head.personId;
    p.subjectTeacher = subject.personId;
    u.headTeacher = head.user;
    u.subjectTeacher = subject.user;
    const ht = await api('schoolAdmin', 'POST', '/head-teacher-assignments', {
      personId: head.personId,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
    expect(ht.statusCode, ht.body).toBe(201);
    ids.headTeacher = ht.json().id;
    const ta = await api('schoolAdmin', 'POST', '/teaching-assignments', {
      personId: subject.personId,
      classId: d.schoolA.classId,
      subjectCode: '14',
      termId: year.termId,
    });
    expect(ta.statusCode, ta.body).toBe(201);
    ids.teaching = ta.json().id;

    // Guardians: registered by the schools, 张母 activates her account with the code.
    const mother = await api('schoolAdmin', 'POST', `/students/${p.zhang}/guardians`, {
      name: '张母',
      phone: '13812340001',
      relationCode: '52',
      isPrimary: true,
    });
    expect(mother.statusCode, mother.body).toBe(201);
    p.mother = mother.json().guardian.personId;
    ids.motherRelation = mother.json().id;
    const father = await api('schoolAdminB', 'POST', `/students/${p.wang}/guardians`, {
      name: '王父',
      phone: '13812340002',
      relationCode: '51',
      isPrimary: true,
    });
    expect(father.statusCode, father.body).toBe(201);
    const code = await api('schoolAdmin', 'POST', `/guardians/${p.mother}/activation-code`);
    const activated = await api('nobody', 'POST', '/guardian-activation', {
      code: code.json().code,
      username: 'zhang.mother',
      password: 'Family2035pass',
    });
    expect(activated.statusCode, activated.body).toBe(201);
    u.guardian = await signInAs(t.app, 'zhang.mother', 'Family2035pass');

    // The student's own account (student accounts have no route yet): linked directly.
    u.student = await createUser(db, { homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, p.zhang, u.student.userId);
  });
  afterAll(() => t.close());

  it('staff list of school A: grant holders with person.read; teachers, guardians, students, analysts never (403)', async () => {
    const staff = ['吴老师', '周老师'];
    expect(await matrix(`/schools/${d.schoolA.id}/staff`)).toEqual({
      bureauAdmin: staff,
      inspector: staff,
      principal: staff,
      schoolAdmin: staff,
      headTeacher: 403,
      subjectTeacher: 403,
      guardian: 403,
      student: 403,
      analyst: 403,
    });
  });

  it('guardians of 张三: the head teacher sees them, the subject teacher, the student and another guardian see none', async () => {
    expect(await matrix(`/students/${p.zhang}/guardians`)).toEqual({
      bureauAdmin: ['张母'],
      inspector: ['张母'],
      principal: ['张母'],
      schoolAdmin: ['张母'],
      headTeacher: ['张母'],
      subjectTeacher: [],
      guardian: ['张母'],
      student: [],
      analyst: 403,
    });
    // 王五 is in school B: outside every school-A role and relationship.
    expect(await matrix(`/students/${p.wang}/guardians`)).toEqual({
      bureauAdmin: ['王父'],
      inspector: ['王父'],
      principal: 404,
      schoolAdmin: 404,
      headTeacher: 404,
      subjectTeacher: 404,
      guardian: 404,
      student: 404,
      analyst: 403,
    });
  });

  it('my children: exactly the guardian’s own, everyone else none', async () => {
    expect(await matrix('/me/children')).toEqual({
      bureauAdmin: [],
      inspector: [],
      principal: [],
      schoolAdmin: [],
      headTeacher: [],
      subjectTeacher: [],
      guardian: ['张三'],
      student: [],
      analyst: [],
    });
  });

  it('teachers of class A: grant holders and the class’s own teachers', async () => {
    const team = ['班主任:周老师', '吴老师'];
    expect(await matrix(`/classes/${d.schoolA.classId}/teachers`, 'teachers')).toEqual({
      bureauAdmin: team,
      inspector: team,
      principal: team,
      schoolAdmin: team,
      headTeacher: team,
      subjectTeacher: team,
      guardian: 404,
      student: 404,
      analyst: 403,
    });
  });

  it('roster of class A and profiles (engineer A’s routes) follow the same relationships', async () => {
    const classA = ['张三', '李四'].sort();
    expect(await matrix(`/classes/${d.schoolA.classId}/roster`)).toEqual({
      bureauAdmin: classA,
      inspector: classA,
      principal: classA,
      schoolAdmin: classA,
      headTeacher: classA,
      subjectTeacher: classA,
      guardian: 404,
      student: 404,
      analyst: 403,
    });
    const status = async (url: string) => {
      const out: Record<string, number> = {};
      for (const r of roles) out[r] = (await api(r, 'GET', url)).statusCode;
      return out;
    };
    expect(await status(`/persons/${p.zhang}`)).toEqual({
      bureauAdmin: 200,
      inspector: 200,
      principal: 200,
      schoolAdmin: 200,
      headTeacher: 200,
      subjectTeacher: 200,
      guardian: 200,
      student: 200,
      analyst: 403,
    });
    expect(await status(`/persons/${p.li}`)).toMatchObject({
      headTeacher: 200,
      subjectTeacher: 200,
      guardian: 404,
      student: 404,
    });
    // A guardian's own record: the head teacher yes (班主任 reach the class's families), the subject teacher no.
    expect(await status(`/persons/${p.mother}`)).toMatchObject({
      schoolAdmin: 200,
      headTeacher: 200,
      subjectTeacher: 404,
      guardian: 200,
      student: 404,
    });
  });

  it('audits each read as one event naming every person it returned', async () => {
    await api('headTeacher', 'GET', `/students/${p.zhang}/guardians`);
    const [event] = await eventsOf(t.database.db, d.districtId, 'person.read');
    expect(event?.subjectIds).toEqual([p.zhang, p.mother]);
    expect(event?.details).toMatchObject({ view: 'guardians' });
    await api('principal', 'GET', `/schools/${d.schoolA.id}/staff`);
    const [list] = await eventsOf(t.database.db, d.districtId, 'person.read');
    expect(list?.subjectIds.sort()).toEqual([p.headTeacher, p.subjectTeacher].sort());
  });

  describe('stale access ends on the very next request', () => {
    it('a subject teacher whose teaching assignment ended', async () => {
      expect(await seen('subjectTeacher', `/classes/${d.schoolA.classId}/roster`)).toEqual(
        ['张三', '李四'].sort(),
      );
      const end = await api('schoolAdmin', 'POST', `/teaching-assignments/${ids.teaching}/end`, {});
      expect(end.json()).toMatchObject({ endedOn: today() });
      expect(await seen('subjectTeacher', `/classes/${d.schoolA.classId}/roster`)).toBe(404);
      expect((await api('subjectTeacher', 'GET', `/persons/${p.zhang}`)).statusCode).toBe(404);
    });

    it('a student who transferred: the old class’s head teacher loses them, the new school gains them', async () => {
      const transfer = await api('bureauAdmin', 'POST', '/transfers', {
        personId: p.zhang,
        toSchoolId: d.schoolB.id,
        toClassId: d.schoolB.classId,
        effectiveOn: today(),
      });
      expect(transfer.statusCode, transfer.body).toBe(201);
      expect(await seen('headTeacher', `/classes/${d.schoolA.classId}/roster`)).toEqual(['李四']);
      expect((await api('headTeacher', 'GET', `/persons/${p.zhang}`)).statusCode).toBe(404);
      expect((await api('headTeacher', 'GET', `/students/${p.zhang}/guardians`)).statusCode).toBe(404);
      expect((await api('schoolAdmin', 'GET', `/persons/${p.zhang}`)).statusCode).toBe(404);
      expect((await api('schoolAdminB', 'GET', `/persons/${p.zhang}`)).statusCode).toBe(200);
      // The student keeps their own record; their school is now B.
      expect((await api('student', 'GET', `/persons/${p.zhang}`)).statusCode).toBe(200);
      expect((await loadPrincipal(t.database.db, u.student?.userId ?? ''))?.relations.studentAt).toEqual([
        { districtId: d.districtId, schoolId: d.schoolB.id },
      ]);
      // The guardian follows the child to the new school.
      expect((await api('guardian', 'GET', '/me/children')).json().items).toMatchObject([
        { name: '张三', school: { id: d.schoolB.id }, class: { id: d.schoolB.classId } },
      ]);
    });

    it('a head teacher whose assignment ended', async () => {
      expect(await seen('headTeacher', `/classes/${d.schoolA.classId}/roster`)).toEqual(['李四']);
      await api('schoolAdmin', 'POST', `/head-teacher-assignments/${ids.headTeacher}/end`, {});
      expect(await seen('headTeacher', `/classes/${d.schoolA.classId}/roster`)).toBe(404);
      expect((await api('headTeacher', 'GET', `/persons/${p.li}`)).statusCode).toBe(404);
      expect(await seen('headTeacher', `/classes/${d.schoolA.classId}/teachers`, 'teachers')).toBe(404);
    });

    it('a guardian whose relation was removed', async () => {
      const end = await api('bureauAdmin', 'POST', `/guardian-relations/${ids.motherRelation}/end`);
      expect(end.statusCode, end.body).toBe(200);
      expect(await seen('guardian', '/me/children')).toEqual([]);
      expect((await api('guardian', 'GET', `/persons/${p.zhang}`)).statusCode).toBe(404);
      expect((await api('guardian', 'GET', `/students/${p.zhang}/guardians`)).statusCode).toBe(404);
    });
  });
});
