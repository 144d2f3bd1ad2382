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
  enrol,
  insertCurrentYear,
  insertGuardianRelation,
  insertHeadTeacher,
  insertPerson,
  insertStaffPost,
  linkAccount,
} from '../people/people-test-fixtures';
import { eventsOf } from '../people/students-test-support';

interface AccessLog {
  items: {
    at: string;
    actor: { kind: string; name: string | null; isYou: boolean };
    action: string;
    actionLabel: string;
    purpose: string | null;
    outcome: string;
  }[];
  nextBefore: number | null;
}

/** A guardian (and the person themselves) sees who viewed or handled the person's data. */
describe('access log of a person', () => {
  let t: TestApp;
  let d: SeededDistrict;
  const u: Record<string, TestUser> = {};
  /** 小明 and 小红 in school A's class; 小明's mother has an account, so does 小明. */
  const p = { ming: '', hong: '', teacher: '', mother: '' };
  const get = (who: string, url: string, headers: Record<string, string> = {}) =>
    request(t.app, u[who] ?? null, 'GET', `/api/v1${url}`, undefined, headers);
  const log = (who: string, person: string, query = '') => get(who, `/persons/${person}/access-log${query}`);

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    d = await seedDistrict(db);
    const year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId]);
    const student = async (name: string) => {
      const id = await insertPerson(db, d.districtId, name);
      await enrol(db, {
        districtId: d.districtId,
        personId: id,
        schoolId: d.schoolA.id,
        classId: d.schoolA.classId,
        academicYearId: year.academicYearId,
      });
      return id;
    };
    p.ming = await student('王小明');
    p.hong = await student('李小红');
    const withAccount = async (who: string, name: string) => {
      const id = await insertPerson(db, d.districtId, name);
      u[who] = await createUser(db, { username: who, homeDistrictId: d.districtId });
      await linkAccount(db, d.districtId, id, (u[who] as TestUser).userId);
      return id;
    };
    p.teacher = await withAccount('chen_teacher', '陈老师');
    await insertStaffPost(db, { districtId: d.districtId, personId: p.teacher, schoolId: d.schoolA.id });
    await insertHeadTeacher(db, {
      districtId: d.districtId,
      personId: p.teacher,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
    p.mother = await withAccount('ming_mother', '王母');
    await insertGuardianRelation(db, {
      districtId: d.districtId,
      guardianPersonId: p.mother,
      childPersonId: p.ming,
    });
    u.ming_self = await createUser(db, { username: 'ming_self', homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, p.ming, u.ming_self.userId);
    u.adminB = await createUser(db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolB.id }],
    });

    // The head teacher reads the class roster (naming both children), then 小明's profile.
    expect((await get('chen_teacher', `/classes/${d.schoolA.classId}/roster`)).statusCode).toBe(200);
    expect((await get('chen_teacher', `/persons/${p.ming}`)).statusCode).toBe(200);
  });
  afterAll(() => t?.close());

  it("shows a guardian who viewed the child's data, newest first, in Chinese by default", async () => {
    const res = await log('ming_mother', p.ming);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as AccessLog;
    expect(body.items.map((i) => [i.actor.name, i.action, i.actionLabel, i.actor.isYou, i.outcome])).toEqual([
      ['测试用户 chen_teacher', 'person.read', '查看个人信息', false, 'success'],
      ['测试用户 chen_teacher', 'roster.read', '查看班级花名册', false, 'success'],
    ]);
    expect(body.nextBefore).toBeNull();
    expect(new Date(body.items[0]?.at ?? '').getTime()).toBeGreaterThanOrEqual(
      new Date(body.items[1]?.at ?? '').getTime(),
    );
  });

  it('never shows the other persons an event names, nor addresses, request ids or hashes', async () => {
    const res = await log('ming_mother', p.ming);
    expect(res.body).not.toContain(p.hong);
    expect(res.body).not.toContain('李小红');
    for (const hidden of ['subjectIds', 'ip', 'requestId', 'hash', 'details', 'targetId']) {
      expect(Object.keys((res.json() as AccessLog).items[0] ?? {})).not.toContain(hidden);
    }
  });

  it('answers in English when asked', async () => {
    const res = await get('ming_mother', `/persons/${p.ming}/access-log`, { 'accept-language': 'en' });
    const labels = (res.json() as AccessLog).items.map((i) => i.actionLabel);
    expect(labels).toContain('Viewed personal data');
    expect(labels).toContain('Viewed this access log');
  });

  it('the person sees it too, including the guardian looking, and that view is audited', async () => {
    const res = await log('ming_self', p.ming);
    expect(res.statusCode, res.body).toBe(200);
    const first = (res.json() as AccessLog).items[0];
    expect(first?.actor.name).toBe('测试用户 ming_mother');
    expect(first?.action).toBe('person.accessLog.read');
    expect(first?.actionLabel).toBe('查看访问记录');
    const events = await eventsOf(t.database.db, d.districtId, 'person.accessLog.read');
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => JSON.stringify(e.subjectIds) === JSON.stringify([p.ming]))).toBe(true);
  });

  it('pages with nextBefore', async () => {
    const first = (await log('ming_mother', p.ming, '?limit=1')).json() as AccessLog;
    expect(first.items).toHaveLength(1);
    expect(first.nextBefore).not.toBeNull();
    const second = (
      await log('ming_mother', p.ming, `?limit=1&before=${first.nextBefore}`)
    ).json() as AccessLog;
    expect(second.items).toHaveLength(1);
    expect((second.items[0]?.at ?? '') <= (first.items[0]?.at ?? '')).toBe(true);
  });

  it("403 for a teacher who may read the child; 404 for another child's guardian view and for strangers", async () => {
    expect((await log('chen_teacher', p.ming)).statusCode).toBe(403);
    expect((await log('ming_mother', p.hong)).statusCode).toBe(404);
    expect((await log('ming_self', p.hong)).statusCode).toBe(404);
    expect((await log('adminB', p.ming)).statusCode).toBe(404);
    expect((await log('ming_mother', '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await request(t.app, null, 'GET', `/api/v1/persons/${p.ming}/access-log`)).statusCode).toBe(401);
  });
});
