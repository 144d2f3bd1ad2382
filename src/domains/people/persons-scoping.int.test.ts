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
} from './people-test-fixtures';
import { guardianRelations, teachingAssignments } from './schema';
import { enrolViaApi, eventsOf, idNumber } from './students-test-support';

/**
 * Who sees which students: grants (bureau admin, inspector, principal, school admin, analyst) and
 * relationships loaded per request (班主任, 任课教师, guardian, the student), including access that
 * ends at once when the relationship ends.
 */
describe('person scoping: rosters and profiles', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let year: CurrentYear;
  const users: Record<string, TestUser> = {};
  /** 张三 and 李四 in school A's class, 王五 in school B's; 赵母 is 张三's guardian. */
  const p: Record<string, string> = {};

  const get = (who: string, url: string) => request(t.app, users[who] ?? null, 'GET', url);
  const rosterA = () => `/api/v1/classes/${d.schoolA.classId}/roster`;
  const rosterB = () => `/api/v1/classes/${d.schoolB.classId}/roster`;
  const names = (body: string) =>
    (JSON.parse(body) as { items: { name: string }[] }).items.map((i) => i.name);

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
    users.bureauAdmin = await createUser(db, grant('bureauAdmin', d.rootId));
    users.inspector = await createUser(db, grant('inspector', d.rootId));
    users.analyst = await createUser(db, grant('bureauAnalyst', d.rootId));
    users.principalA = await createUser(db, grant('principal', d.schoolA.id));
    users.schoolAdminA = await createUser(db, grant('schoolAdmin', d.schoolA.id));

    const s1 = await enrolViaApi(t.app, users.schoolAdminA, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '张三', idNumber: idNumber('20190301', 11) },
    });
    const s2 = await enrolViaApi(t.app, users.schoolAdminA, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '李四', idNumber: idNumber('20190402', 12) },
    });
    const s3 = await enrolViaApi(t.app, users.bureauAdmin, {
      schoolId: d.schoolB.id,
      classId: d.schoolB.classId,
      person: { name: '王五', idNumber: idNumber('20190503', 13) },
    });
    p.s1 = s1.person.id;
    p.s2 = s2.person.id;
    p.s3 = s3.person.id;

    // Relationships, inserted directly (their own routes are tested elsewhere).
    const personWithAccount = async (who: string, name: string) => {
      const personId = await insertPerson(db, d.districtId, name);
      users[who] = await createUser(db, { homeDistrictId: d.districtId });
      await linkAccount(db, d.districtId, personId, (users[who] as TestUser).userId);
      p[who] = personId;
      return personId;
    };
    const head = await personWithAccount('headTeacher', '陈老师');
    await insertStaffPost(db, { districtId: d.districtId, personId: head, schoolId: d.schoolA.id });
    await insertHeadTeacher(db, {
      districtId: d.districtId,
      personId: head,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
    const teacher = await personWithAccount('subjectTeacher', '刘老师');
    await insertStaffPost(db, { districtId: d.districtId, personId: teacher, schoolId: d.schoolA.id });
    p.teaching = await insertTeaching(db, {
      districtId: d.districtId,
      personId: teacher,
      classId: d.schoolA.classId,
      termId: year.termId,
    });
    const former = await personWithAccount('formerTeacher', '周老师');
    await insertTeaching(db, {
      districtId: d.districtId,
      personId: former,
      classId: d.schoolA.classId,
      termId: year.termId,
      startedOn: daysFromToday(-50),
      endedOn: daysFromToday(-1),
    });
    const guardian = await personWithAccount('guardian', '赵母');
    p.relation = await insertGuardianRelation(db, {
      districtId: d.districtId,
      guardianPersonId: guardian,
      childPersonId: p.s1,
    });
    users.student = await createUser(db, { homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, p.s1, users.student.userId);
  });
  afterAll(() => t?.close());

  it('class roster: grants over the class and relationships with it', async () => {
    for (const who of [
      'bureauAdmin',
      'inspector',
      'principalA',
      'schoolAdminA',
      'headTeacher',
      'subjectTeacher',
    ]) {
      const res = await get(who, rosterA());
      expect(res.statusCode, who).toBe(200);
      // Pinyin order: 李 (lǐ) before 张 (zhāng).
      expect(names(res.body), who).toEqual(['李四', '张三']);
    }
  });

  it('class roster: 403 for the analyst, 404 outside the scope', async () => {
    expect((await get('analyst', rosterA())).statusCode).toBe(403);
    for (const who of [
      'principalA',
      'schoolAdminA',
      'headTeacher',
      'subjectTeacher',
      'guardian',
      'student',
      'formerTeacher',
    ]) {
      const res = await get(who, rosterB());
      expect(res.statusCode, who).toBe(404);
      expect(res.json().code).toBe('resource.not_found');
    }
    // A guardian or a student sees persons, not classes.
    expect((await get('guardian', rosterA())).statusCode).toBe(404);
    expect((await get('student', rosterA())).statusCode).toBe(404);
    expect((await get('bureauAdmin', rosterB())).json().items.map((i: { name: string }) => i.name)).toEqual([
      '王五',
    ]);
  });

  it('school student list: grants only; a head teacher uses the class roster', async () => {
    const url = (id: string) => `/api/v1/schools/${id}/students`;
    expect(names((await get('principalA', url(d.schoolA.id))).body)).toEqual(['李四', '张三']);
    expect((await get('principalA', url(d.schoolB.id))).statusCode).toBe(404);
    expect((await get('headTeacher', url(d.schoolA.id))).statusCode).toBe(404);
    expect((await get('analyst', url(d.schoolA.id))).statusCode).toBe(403);
    expect(names((await get('inspector', url(d.schoolB.id))).body)).toEqual(['王五']);
  });

  it('profile: each role sees exactly its people', async () => {
    const status = async (who: string, personId: string) =>
      (await get(who, `/api/v1/persons/${personId}`)).statusCode;
    const expected: Record<string, Record<string, number>> = {
      bureauAdmin: { s1: 200, s2: 200, s3: 200, guardian: 200 },
      inspector: { s1: 200, s2: 200, s3: 200, guardian: 200 },
      principalA: { s1: 200, s2: 200, s3: 404, guardian: 200 },
      schoolAdminA: { s1: 200, s2: 200, s3: 404, guardian: 200 },
      analyst: { s1: 403, s2: 403, s3: 403, guardian: 403 },
      // 班主任: the class's students and their guardians.
      headTeacher: { s1: 200, s2: 200, s3: 404, guardian: 200 },
      // 任课教师: the class's students, not their guardians.
      subjectTeacher: { s1: 200, s2: 200, s3: 404, guardian: 404 },
      formerTeacher: { s1: 404, s2: 404, s3: 404, guardian: 404 },
      guardian: { s1: 200, s2: 404, s3: 404, guardian: 200 },
      student: { s1: 200, s2: 404, s3: 404, guardian: 404 },
    };
    const actual: Record<string, Record<string, number>> = {};
    for (const [who, targets] of Object.entries(expected)) {
      actual[who] = {};
      for (const target of Object.keys(targets)) {
        (actual[who] as Record<string, number>)[target] = await status(who, p[target] as string);
      }
    }
    expect(actual).toEqual(expected);
  });

  it('profile shows roles, and only the relatives the caller may see', async () => {
    const byPrincipal = (await get('principalA', `/api/v1/persons/${p.s1}`)).json();
    expect(byPrincipal).toMatchObject({
      id: p.s1,
      name: '张三',
      genderCode: '1',
      birthDate: '2019-03-01',
      idType: '1',
      idMasked: `110101********${idNumber('20190301', 11).slice(-4)}`,
      enrolments: [
        {
          schoolId: d.schoolA.id,
          schoolName: '东城区第一实验小学',
          status: 'active',
          classId: d.schoolA.classId,
          className: '一年级1班',
          gradeCode: '11',
        },
      ],
      staffPosts: [],
      guardians: [{ personId: p.guardian, name: '赵母', relationCode: '52', isPrimary: true }],
      children: [],
    });
    const byTeacher = (await get('subjectTeacher', `/api/v1/persons/${p.s1}`)).json();
    expect(byTeacher.guardians).toEqual([]);
    const guardianSelf = (await get('guardian', `/api/v1/persons/${p.guardian}`)).json();
    expect(guardianSelf.children).toEqual([
      { personId: p.s1, name: '张三', relationCode: '52', isPrimary: true },
    ]);
    const teacherByPrincipal = (await get('principalA', `/api/v1/persons/${p.headTeacher}`)).json();
    expect(teacherByPrincipal.staffPosts).toMatchObject([{ schoolId: d.schoolA.id, postCode: '10' }]);
  });

  it('writes one audit event per request naming every person returned', async () => {
    await get('headTeacher', rosterA());
    const [roster] = await eventsOf(t.database.db, d.districtId, 'roster.read');
    expect(roster?.actorId).toBe(users.headTeacher?.userId);
    expect(roster?.targetId).toBe(d.schoolA.classId);
    expect([...(roster?.subjectIds ?? [])].sort()).toEqual([p.s1, p.s2].sort());
    await get('principalA', `/api/v1/persons/${p.s1}`);
    const [profile] = await eventsOf(t.database.db, d.districtId, 'person.read');
    expect(profile?.subjectIds).toEqual([p.s1, p.guardian]);
  });

  it('ends access at once: an ended assignment or guardian relation', async () => {
    const db = t.database.db;
    expect((await get('subjectTeacher', `/api/v1/persons/${p.s1}`)).statusCode).toBe(200);
    await db
      .update(teachingAssignments)
      .set({ endedOn: daysFromToday(0) })
      .where(eq(teachingAssignments.id, p.teaching as string));
    expect((await get('subjectTeacher', `/api/v1/persons/${p.s1}`)).statusCode).toBe(404);
    expect((await get('subjectTeacher', rosterA())).statusCode).toBe(404);

    expect((await get('guardian', `/api/v1/persons/${p.s1}`)).statusCode).toBe(200);
    await db
      .update(guardianRelations)
      .set({ endedAt: new Date(Date.now() - 1000) })
      .where(eq(guardianRelations.id, p.relation as string));
    expect((await get('guardian', `/api/v1/persons/${p.s1}`)).statusCode).toBe(404);
  });

  it('ends a student’s own class access at once when they leave the class', async () => {
    // A separately enrolled student (fixture rows) sees themselves but not classmates.
    const db = t.database.db;
    const personId = await insertPerson(db, d.districtId, '孙七');
    await enrol(db, {
      districtId: d.districtId,
      personId,
      schoolId: d.schoolB.id,
      classId: d.schoolB.classId,
      academicYearId: year.academicYearId,
    });
    const user = await createUser(db, { homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, personId, user.userId);
    expect((await request(t.app, user, 'GET', `/api/v1/persons/${personId}`)).statusCode).toBe(200);
    expect((await request(t.app, user, 'GET', `/api/v1/persons/${p.s3}`)).statusCode).toBe(404);
  });
});
