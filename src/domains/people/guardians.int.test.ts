import { eq, sql } from 'drizzle-orm';
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
import { insertCurrentYear, signInAs } from './people-test-fixtures';
import { guardianActivationCodes, persons } from './schema';
import { auditText, enrolViaApi, eventsOf, idNumber } from './students-test-support';

/** Guardian relations, activation codes and a guardian's own children — through the API. */
describe('guardians', () => {
  let t: TestApp;
  let d: SeededDistrict;
  const u: Record<string, TestUser> = {};
  /** Students: 小明 and 小红 (siblings) in school A's class, 小刚 in school B's. */
  const s = { ming: '', hong: '', gang: '' };
  const api = (who: string | null, method: 'GET' | 'POST', url: string, body?: unknown) =>
    request(t.app, who ? (u[who] ?? null) : null, method, `/api/v1${url}`, body);
  const mother = {
    name: '李秀英',
    idNumber: idNumber('19880315', 42),
    phone: '13812345678',
    relationCode: '52',
  };

  const addGuardian = async (child: string, body: Record<string, unknown>, who = 'adminA') => {
    const res = await api(who, 'POST', `/students/${child}/guardians`, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; guardian: { personId: string }; personCreated: boolean };
  };
  const activationCode = async (guardianId: string) => {
    const res = await api('adminA', 'POST', `/guardians/${guardianId}/activation-code`);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { code: string; expiresAt: string };
  };

  beforeAll(async () => {
    t = await createTestApp({ MINGDE_SIGNIN_RATE_LIMIT: '1000' });
    const db = t.database.db;
    d = await seedDistrict(db);
    await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    const grant = (role: 'bureauAdmin' | 'inspector' | 'principal' | 'schoolAdmin', unit: string) => ({
      grants: [{ role, districtId: d.districtId, orgUnitId: unit }],
    });
    u.bureauAdmin = await createUser(db, grant('bureauAdmin', d.rootId));
    u.inspector = await createUser(db, grant('inspector', d.rootId));
    u.principalA = await createUser(db, grant('principal', d.schoolA.id));
    u.adminA = await createUser(db, grant('schoolAdmin', d.schoolA.id));
    u.adminB = await createUser(db, grant('schoolAdmin', d.schoolB.id));
    const enrolA = async (name: string, birth: string, seq: number) =>
      (
        await enrolViaApi(t.app, u.adminA as TestUser, {
          schoolId: d.schoolA.id,
          classId: d.schoolA.classId,
          person: { name, idNumber: idNumber(birth, seq) },
        })
      ).person.id;
    s.ming = await enrolA('王小明', '20190101', 51);
    s.hong = await enrolA('王小红', '20200202', 52);
    s.gang = (
      await enrolViaApi(t.app, u.bureauAdmin as TestUser, {
        schoolId: d.schoolB.id,
        classId: d.schoolB.classId,
        person: { name: '赵小刚', idNumber: idNumber('20190303', 53) },
      })
    ).person.id;
  });
  afterAll(() => t.close());

  describe('relations', () => {
    it('registers a guardian with the phone encrypted and masked; audited naming child and guardian', async () => {
      const res = await api('adminA', 'POST', `/students/${s.ming}/guardians`, {
        ...mother,
        isPrimary: true,
      });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({
        childPersonId: s.ming,
        guardian: {
          name: '李秀英',
          idType: '1',
          idMasked: `110101********${mother.idNumber.slice(-4)}`,
          phoneMasked: '138****5678',
        },
        relationCode: '52',
        relationName: '母亲',
        relationNameEn: 'Mother',
        isPrimary: true,
        endedAt: null,
        personCreated: true,
      });
      const [stored] = await t.database.db
        .select()
        .from(persons)
        .where(eq(persons.id, body.guardian.personId));
      expect(stored?.phoneEnc).toMatch(/^v1:/);
      expect(stored?.phoneEnc).not.toContain('13812345678');
      const [event] = await eventsOf(t.database.db, d.districtId, 'guardian.add');
      expect(event).toMatchObject({ subjectIds: [s.ming, body.guardian.personId], targetId: body.id });
      const text = await auditText(t.database.db);
      expect(text).not.toContain('13812345678');
      expect(text).not.toContain(mother.idNumber);
    });

    it('finds the same guardian for a sibling by ID number; the same pair twice is refused', async () => {
      const first = await api('adminA', 'GET', `/students/${s.ming}/guardians`);
      const motherId = first.json().items[0].personId;
      const sibling = await addGuardian(s.hong, { ...mother, isPrimary: true });
      expect(sibling).toMatchObject({ guardian: { personId: motherId }, personCreated: false });
      const twice = await api('adminA', 'POST', `/students/${s.hong}/guardians`, {
        ...mother,
        isPrimary: false,
      });
      expect(twice.statusCode).toBe(409);
      expect(twice.json()).toMatchObject({ code: 'guardian.relation_exists' });
    });

    it('without an ID number finds the guardian again among the child’s guardians by name and phone', async () => {
      const father = { name: '王建国', phone: '139-0000-1111', relationCode: '51', isPrimary: false };
      const added = await addGuardian(s.ming, father);
      expect(added.personCreated).toBe(true);
      const again = await api('adminA', 'POST', `/students/${s.ming}/guardians`, {
        ...father,
        phone: '13900001111',
      });
      expect(again.statusCode).toBe(409);
      const otherPhone = await addGuardian(s.ming, { ...father, name: '王建军', relationCode: '83' });
      expect(otherPhone.guardian.personId).not.toBe(added.guardian.personId);
    });

    it('keeps one primary guardian per child', async () => {
      const grandma = await addGuardian(s.ming, {
        name: '张桂兰',
        phone: '13700002222',
        relationCode: '62',
        isPrimary: true,
      });
      const list = (await api('adminA', 'GET', `/students/${s.ming}/guardians`)).json().items as {
        personId: string;
        isPrimary: boolean;
      }[];
      expect(list.filter((g) => g.isPrimary).map((g) => g.personId)).toEqual([grandma.guardian.personId]);
    });

    it('lists every bad field at once: relation code, phone, ID number', async () => {
      const res = await api('adminA', 'POST', `/students/${s.ming}/guardians`, {
        name: '钱某',
        idNumber: '110101198803150000',
        phone: '12345',
        relationCode: '20',
        isPrimary: false,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
        ['body.idNumber', 'idNumber.check_digit'],
        ['body.phone', 'person.phone_invalid'],
        ['body.relationCode', 'guardian.relation_unknown'],
      ]);
    });

    it('is for school and bureau administrators over the child', async () => {
      const body = { name: '孙某', phone: '13600003333', relationCode: '51', isPrimary: false };
      expect((await api('principalA', 'POST', `/students/${s.ming}/guardians`, body)).statusCode).toBe(403);
      expect((await api('inspector', 'POST', `/students/${s.ming}/guardians`, body)).statusCode).toBe(403);
      expect((await api('adminB', 'POST', `/students/${s.ming}/guardians`, body)).statusCode).toBe(404);
      expect((await api('adminA', 'POST', `/students/${s.gang}/guardians`, body)).statusCode).toBe(404);
      expect((await api('bureauAdmin', 'POST', `/students/${s.gang}/guardians`, body)).statusCode).toBe(201);
    });

    it('ends a relation (kept, listed with includeEnded); ending it twice is refused', async () => {
      const uncle = await addGuardian(s.hong, {
        name: '李舅舅',
        phone: '13500004444',
        relationCode: '85',
        isPrimary: false,
      });
      expect((await api('adminB', 'POST', `/guardian-relations/${uncle.id}/end`)).statusCode).toBe(404);
      expect((await api('principalA', 'POST', `/guardian-relations/${uncle.id}/end`)).statusCode).toBe(403);
      const ended = await api('adminA', 'POST', `/guardian-relations/${uncle.id}/end`);
      expect(ended.statusCode, ended.body).toBe(200);
      expect(ended.json().endedAt).not.toBeNull();
      expect((await api('adminA', 'POST', `/guardian-relations/${uncle.id}/end`)).json()).toMatchObject({
        code: 'guardian.relation_already_ended',
      });
      const names = async (query: string) =>
        (
          (await api('bureauAdmin', 'GET', `/students/${s.hong}/guardians${query}`)).json().items as {
            name: string;
          }[]
        ).map((g) => g.name);
      expect(await names('')).not.toContain('李舅舅');
      expect(await names('?includeEnded=true')).toContain('李舅舅');
      const [event] = await eventsOf(t.database.db, d.districtId, 'guardian.end');
      expect(event?.subjectIds).toEqual([s.hong, uncle.guardian.personId]);
    });
  });

  describe('activation', () => {
    let motherId: string;
    beforeAll(async () => {
      motherId = (await api('adminA', 'GET', `/students/${s.ming}/guardians`))
        .json()
        .items.find((g: { name: string }) => g.name === '李秀英').personId;
    });

    it('hands out an 8-character code once, stores only its hash, revokes the previous one', async () => {
      const first = await activationCode(motherId);
      expect(first.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
      const days = (new Date(first.expiresAt).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(13.99);
      expect(days).toBeLessThanOrEqual(14);
      const rows = await t.database.db
        .select()
        .from(guardianActivationCodes)
        .where(eq(guardianActivationCodes.guardianPersonId, motherId));
      expect(rows).toHaveLength(1);
      expect(rows[0]?.codeHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.toContain(first.code);
      expect(await auditText(t.database.db)).not.toContain(first.code);

      const second = await activationCode(motherId);
      const [event] = await eventsOf(t.database.db, d.districtId, 'guardian.activationCode');
      expect(event).toMatchObject({ subjectIds: [motherId], details: { revokedCodes: 1 } });
      const old = await api(null, 'POST', '/guardian-activation', {
        code: first.code,
        username: 'li.xiuying',
        password: 'Family2035pass',
      });
      expect(old.statusCode).toBe(400);
      expect(old.json()).toMatchObject({ code: 'guardian.activation_invalid' });

      // Lower case and a hyphen in the middle are fine; the code works once.
      const typed = `${second.code.slice(0, 4)}-${second.code.slice(4)}`.toLowerCase();
      const ok = await api(null, 'POST', '/guardian-activation', {
        code: typed,
        username: 'li.xiuying',
        password: 'Family2035pass',
      });
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json()).toMatchObject({ username: 'li.xiuying' });
      const [activated] = await eventsOf(t.database.db, d.districtId, 'guardian.activate');
      expect(activated).toMatchObject({
        subjectIds: [motherId],
        outcome: 'success',
        targetId: ok.json().userId,
      });
      const reused = await api(null, 'POST', '/guardian-activation', {
        code: second.code,
        username: 'li.xiuying2',
        password: 'Family2035pass',
      });
      expect(reused.statusCode).toBe(400);
      expect(reused.json()).toMatchObject({ code: 'guardian.activation_invalid', title: old.json().title });

      // Already activated: no new code.
      const again = await api('adminA', 'POST', `/guardians/${motherId}/activation-code`);
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'guardian.already_activated' });
    });

    it('answers a wrong or expired code with the same message, and keeps a code when the username is taken', async () => {
      const father = await addGuardian(s.hong, {
        name: '王父',
        phone: '13100005555',
        relationCode: '51',
        isPrimary: false,
      });
      const { code } = await activationCode(father.guardian.personId);
      const body = (c: string, username = 'wang.father') => ({
        code: c,
        username,
        password: 'Family2035pass',
      });
      const wrong = await api(null, 'POST', '/guardian-activation', body('ZZZZZZZZ'));
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({
        code: 'guardian.activation_invalid',
        title: '激活码无效、已使用或已过期，请向学校索取新的激活码',
      });
      const weak = await api(null, 'POST', '/guardian-activation', { ...body(code), password: 'short' });
      expect(weak.statusCode).toBe(422);
      expect(weak.json().errors).toMatchObject([{ path: 'body.password', code: 'auth.weak_password' }]);
      const taken = await api(null, 'POST', '/guardian-activation', body(code, 'li.xiuying'));
      expect(taken.statusCode).toBe(409);
      expect(taken.json()).toMatchObject({ code: 'user.username_taken' });

      await t.database.db
        .update(guardianActivationCodes)
        .set({ expiresAt: sql`now() - interval '1 second'` })
        .where(eq(guardianActivationCodes.guardianPersonId, father.guardian.personId));
      const expired = await api(null, 'POST', '/guardian-activation', body(code));
      expect(expired.statusCode).toBe(400);
      expect(expired.json()).toMatchObject({ code: 'guardian.activation_invalid' });
      const failures = (
        await eventsOf(t.database.db, '00000000-0000-0000-0000-000000000000', 'guardian.activate')
      ).filter((e) => e.outcome === 'failure');
      expect(failures.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(failures)).not.toContain(code);
    });

    it('is only for guardians the caller manages', async () => {
      expect((await api('principalA', 'POST', `/guardians/${motherId}/activation-code`)).statusCode).toBe(
        403,
      );
      expect((await api('adminB', 'POST', `/guardians/${motherId}/activation-code`)).statusCode).toBe(404);
      // A student is nobody's guardian.
      const notGuardian = await api('adminA', 'POST', `/guardians/${s.ming}/activation-code`);
      expect(notGuardian.statusCode).toBe(409);
      expect(notGuardian.json()).toMatchObject({ code: 'guardian.no_children' });
    });

    it('the activated guardian sees exactly their children, with school and class; a removed relation is gone at once', async () => {
      u.mother = await signInAs(t.app, 'li.xiuying', 'Family2035pass');
      const res = await api('mother', 'GET', '/me/children');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items).toEqual([
        {
          personId: s.hong,
          districtId: d.districtId,
          name: '王小红',
          genderCode: '2',
          birthDate: '2020-02-02',
          relationCode: '52',
          relationName: '母亲',
          relationNameEn: 'Mother',
          isPrimary: true,
          school: { id: d.schoolA.id, name: '东城区第一实验小学', enrolmentStatus: 'active' },
          class: { id: d.schoolA.classId, name: '一年级1班' },
        },
        {
          personId: s.ming,
          districtId: d.districtId,
          name: '王小明',
          genderCode: '1',
          birthDate: '2019-01-01',
          relationCode: '52',
          relationName: '母亲',
          relationNameEn: 'Mother',
          // 张桂兰 became the primary guardian of 小明 later.
          isPrimary: false,
          school: { id: d.schoolA.id, name: '东城区第一实验小学', enrolmentStatus: 'active' },
          class: { id: d.schoolA.classId, name: '一年级1班' },
        },
      ]);
      const [event] = await eventsOf(t.database.db, d.districtId, 'person.read');
      expect(event?.subjectIds.sort()).toEqual([s.ming, s.hong].sort());
      expect(event?.details).toMatchObject({ view: 'myChildren' });

      const relation = (await api('adminA', 'GET', `/students/${s.hong}/guardians`))
        .json()
        .items.find((g: { name: string }) => g.name === '李秀英').relationId;
      expect((await api('mother', 'GET', `/persons/${s.hong}`)).statusCode).toBe(200);
      await api('adminA', 'POST', `/guardian-relations/${relation}/end`);
      // The very next request.
      expect(
        (await api('mother', 'GET', '/me/children')).json().items.map((c: { name: string }) => c.name),
      ).toEqual(['王小明']);
      expect((await api('mother', 'GET', `/persons/${s.hong}`)).statusCode).toBe(404);
      expect((await api('mother', 'GET', `/students/${s.hong}/guardians`)).statusCode).toBe(404);
    });
  });

  it('rate-limits activation like sign-in (429 after the limit)', async () => {
    const limited = await createTestApp({ MINGDE_SIGNIN_RATE_LIMIT: '2' });
    try {
      const attempt = () =>
        limited.app.inject({
          method: 'POST',
          url: '/api/v1/guardian-activation',
          payload: { code: 'ZZZZZZZZ', username: 'nobody.here', password: 'Family2035pass' },
        });
      expect((await attempt()).statusCode).toBe(400);
      expect((await attempt()).statusCode).toBe(400);
      expect((await attempt()).statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
