import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiOf,
  createTestApp,
  createUser,
  createUserWithRole,
  type SeededDistrict,
  seedDistrict,
  type TestApp,
  type TestUser,
} from '../../../test/support/app';
import {
  insertCurrentYear,
  insertHeadTeacher,
  insertPerson,
  linkAccount,
} from '../people/people-test-fixtures';
import { enrolViaApi, eventsOf } from '../people/students-test-support';

const ID_WANG = '110101201907160335';
const PHONE_MOTHER = '13912345678';

/** Purposes for L4 data: declaring, approving, revealing, exporting unmasked, and their limits. */
describe('purposes and sensitive data', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let other: SeededDistrict;
  let api: ReturnType<typeof apiOf>;
  const u: Record<string, TestUser> = {};
  let wang = '';
  let mother = '';

  const declare = (who: string, body: Record<string, unknown>) =>
    api(u[who] ?? null, 'POST', '/purposes', body);
  const reveal = (who: string, personId: string, body: Record<string, unknown>) =>
    api(u[who] ?? null, 'POST', `/persons/${personId}/reveal`, body);

  beforeAll(async () => {
    t = await createTestApp();
    api = apiOf(t);
    const db = t.database.db;
    d = await seedDistrict(db);
    other = await seedDistrict(db, '110102');
    const year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    u.schoolAdmin = await createUserWithRole(db, 'schoolAdmin', d, d.schoolA.id);
    u.bureauAdmin = await createUserWithRole(db, 'bureauAdmin', d);
    u.bureauAdmin2 = await createUserWithRole(db, 'bureauAdmin', d);
    u.inspector = await createUserWithRole(db, 'inspector', d);
    u.otherAdmin = await createUserWithRole(db, 'bureauAdmin', other);
    u.doctor = await createUserWithRole(db, 'schoolDoctor', d, d.schoolA.id);
    u.adminBDoctorA = await createUser(db, {
      grants: [
        { role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolB.id },
        { role: 'schoolDoctor', districtId: d.districtId, orgUnitId: d.schoolA.id },
      ],
    });
    const enrolled = await enrolViaApi(t.app, u.schoolAdmin, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '王小明', idNumber: ID_WANG },
      studentNumber: `G${ID_WANG}`,
    });
    wang = enrolled.person.id;
    const added = await api(u.schoolAdmin ?? null, 'POST', `/students/${wang}/guardians`, {
      name: '李芳',
      phone: PHONE_MOTHER,
      relationCode: '52',
      isPrimary: true,
    });
    expect(added.statusCode, added.body).toBe(201);
    mother = added.json().guardian.personId;
    u.mother = await createUser(db, { homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, mother, u.mother.userId);
    const teacher = await insertPerson(db, d.districtId, '陈老师');
    u.head = await createUser(db, { homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, teacher, u.head.userId);
    await insertHeadTeacher(db, {
      districtId: d.districtId,
      personId: teacher,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
  });
  afterAll(() => t?.close());

  it('lists the fixed purposes with their Chinese names and longest windows', async () => {
    const res = await api(u.schoolAdmin ?? null, 'GET', '/purposes/catalogue');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { code: 'homeSchoolContact', name: '家校联系', maxHours: 8 },
      { code: 'healthFollowUp', name: '健康随访', maxHours: 24 },
      { code: 'financialAidReview', name: '资助审核', maxHours: 72 },
      { code: 'mentalHealthIntervention', name: '心理干预', maxHours: 24 },
      { code: 'supervisionCheck', name: '督导核查', maxHours: 72 },
    ]);
  });

  it('a school role: the purpose is in force at once; only the fields asked for are revealed, audited with the purpose', async () => {
    const res = await declare('schoolAdmin', {
      purpose: 'homeSchoolContact',
      reason: '联系家长办理转学手续',
      personId: wang,
      hours: 2,
    });
    expect(res.statusCode, res.body).toBe(201);
    const purpose = res.json();
    expect(purpose).toMatchObject({ status: 'active', inForce: true, hours: 2, purposeName: '家校联系' });
    const window = Date.parse(purpose.validUntil) - Date.parse(purpose.validFrom);
    expect(window).toBe(2 * 3_600_000);

    const shown = await reveal('schoolAdmin', wang, { purposeId: purpose.id, fields: ['idNumber'] });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toEqual({
      personId: wang,
      purpose: 'homeSchoolContact',
      purposeName: '家校联系',
      idNumber: ID_WANG,
    });
    const [event] = await eventsOf(t.database.db, d.districtId, 'person.reveal');
    expect(event).toMatchObject({
      purpose: 'homeSchoolContact',
      subjectIds: [wang],
      actorId: u.schoolAdmin?.userId,
    });
    expect(event?.details).toEqual({ purposeId: purpose.id, fields: ['idNumber'] });
    expect(JSON.stringify(event)).not.toContain(ID_WANG);

    const both = await reveal('schoolAdmin', wang, {
      purposeId: purpose.id,
      fields: ['studentNumber', 'phone'],
    });
    expect(both.json().studentNumbers).toEqual([
      expect.objectContaining({ studentNumber: `G${ID_WANG}`, schoolId: d.schoolA.id, status: 'active' }),
    ]);
    expect(both.json()).not.toHaveProperty('idNumber');
  });

  it('a purpose about one person does not cover another (the guardian), nor any other caller', async () => {
    const res = await declare('schoolAdmin', {
      purpose: 'homeSchoolContact',
      reason: '联系家长',
      personId: wang,
    });
    const purposeId = res.json().id;
    const onMother = await reveal('schoolAdmin', mother, { purposeId, fields: ['phone'] });
    expect(onMother.statusCode).toBe(403);
    expect(onMother.json().code).toBe('purpose.required');
    const byOther = await reveal('bureauAdmin', wang, { purposeId, fields: ['idNumber'] });
    expect(byOther.statusCode).toBe(403);
    expect(byOther.json().code).toBe('purpose.required');
  });

  it('refuses a window longer than the purpose allows, and a role that may not see L4 data here', async () => {
    const long = await declare('schoolAdmin', {
      purpose: 'homeSchoolContact',
      reason: '联系家长',
      personId: wang,
      hours: 9,
    });
    expect(long.statusCode).toBe(422);
    expect(long.json().errors[0]).toMatchObject({ path: 'hours' });
    expect(long.json().errors[0].message).toContain('8');
    // 校医: people ceiling L3 — no role of theirs ever sees L4 people data.
    const doctor = await declare('doctor', { purpose: 'healthFollowUp', reason: '视力复查', personId: wang });
    expect(doctor.statusCode).toBe(403);
    expect(doctor.json().code).toBe('access.forbidden');
    // School B's administrator who is also school A's doctor: sees the student, but L4 only at school B.
    const mixed = await declare('adminBDoctorA', {
      purpose: 'healthFollowUp',
      reason: '视力复查',
      personId: wang,
    });
    expect(mixed.statusCode).toBe(403);
    expect(mixed.json().code).toBe('purpose.no_sensitive_right');
    // Another district's administrator: the student does not exist for them.
    const outside = await declare('otherAdmin', {
      purpose: 'supervisionCheck',
      reason: '核查',
      personId: wang,
    });
    expect(outside.statusCode).toBe(404);
    const both = await declare('schoolAdmin', {
      purpose: 'homeSchoolContact',
      reason: '联系家长',
      personId: wang,
      orgUnitId: d.schoolA.id,
    });
    expect(both.statusCode).toBe(400);
  });

  it('a bureau role: pending until another bureau administrator approves; never self-approved', async () => {
    const res = await declare('inspector', {
      purpose: 'supervisionCheck',
      reason: '双随机抽查学籍真实性',
      personId: wang,
    });
    expect(res.statusCode, res.body).toBe(201);
    const purpose = res.json();
    expect(purpose).toMatchObject({ status: 'pending', inForce: false, validFrom: null, validUntil: null });
    const early = await reveal('inspector', wang, { purposeId: purpose.id, fields: ['idNumber'] });
    expect(early.json().code).toBe('purpose.required');

    const own = await declare('bureauAdmin', {
      purpose: 'financialAidReview',
      reason: '资助复核',
      personId: wang,
    });
    const self = await api(u.bureauAdmin ?? null, 'POST', `/purposes/${own.json().id}/approve`, {});
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('purpose.self_approval');

    const queue = await api(u.bureauAdmin2 ?? null, 'GET', '/purposes?view=toApprove');
    expect(
      queue
        .json()
        .items.map((p: { id: string }) => p.id)
        .sort(),
    ).toEqual([purpose.id, own.json().id].sort());
    const foreign = await api(u.otherAdmin ?? null, 'POST', `/purposes/${purpose.id}/approve`, {});
    expect(foreign.statusCode).toBe(404);
    const byInspector = await api(u.inspector ?? null, 'GET', '/purposes?view=toApprove');
    expect(byInspector.statusCode).toBe(403);

    const approved = await api(u.bureauAdmin2 ?? null, 'POST', `/purposes/${purpose.id}/approve`, {
      note: '同意',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'active',
      inForce: true,
      decidedBy: u.bureauAdmin2?.userId,
    });
    expect(Date.parse(approved.json().validUntil) - Date.parse(approved.json().validFrom)).toBe(
      72 * 3_600_000,
    );
    const again = await api(u.bureauAdmin2 ?? null, 'POST', `/purposes/${purpose.id}/approve`, {});
    expect(again.statusCode).toBe(409);

    const shown = await reveal('inspector', wang, { purposeId: purpose.id, fields: ['idNumber'] });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json().idNumber).toBe(ID_WANG);
    const [event] = await eventsOf(t.database.db, d.districtId, 'purpose.approve');
    expect(event).toMatchObject({
      actorId: u.bureauAdmin2?.userId,
      purpose: 'supervisionCheck',
      subjectIds: [wang],
    });

    const rejected = await api(u.bureauAdmin2 ?? null, 'POST', `/purposes/${own.json().id}/reject`, {
      note: '理由不足',
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected', inForce: false, decisionNote: '理由不足' });
  });

  it('ends when its window passes or its declarer ends it', async () => {
    const a = (
      await declare('schoolAdmin', { purpose: 'homeSchoolContact', reason: '联系', personId: wang })
    ).json();
    await t.database.db.execute(
      sql`update access_purposes set valid_until = now() - interval '1 second' where id = ${a.id}`,
    );
    const expired = await reveal('schoolAdmin', wang, { purposeId: a.id, fields: ['idNumber'] });
    expect(expired.statusCode).toBe(403);
    expect(expired.json().code).toBe('purpose.required');

    const b = (
      await declare('schoolAdmin', { purpose: 'homeSchoolContact', reason: '联系', personId: wang })
    ).json();
    const notYours = await api(u.head ?? null, 'POST', `/purposes/${b.id}/end`);
    expect(notYours.statusCode).toBe(404);
    const ended = await api(u.schoolAdmin ?? null, 'POST', `/purposes/${b.id}/end`);
    expect(ended.json()).toMatchObject({ status: 'ended', inForce: false });
    const after = await reveal('schoolAdmin', wang, { purposeId: b.id, fields: ['idNumber'] });
    expect(after.statusCode).toBe(403);
    const twice = await api(u.schoolAdmin ?? null, 'POST', `/purposes/${b.id}/end`);
    expect(twice.statusCode).toBe(409);
  });

  it('unmasked export: the head teacher’s purpose for the class; masked otherwise; marked and audited', async () => {
    const url = `/classes/${d.schoolA.classId}/roster/export?format=csv`;
    const refused = await api(u.head ?? null, 'GET', `${url}&unmasked=true`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('purpose.required');

    const onPerson = (
      await declare('head', { purpose: 'homeSchoolContact', reason: '家访', personId: wang })
    ).json();
    expect(onPerson.status).toBe('active');
    const narrow = await api(u.head ?? null, 'GET', `${url}&unmasked=true&purposeId=${onPerson.id}`);
    expect(narrow.statusCode).toBe(403);

    const res = await declare('head', {
      purpose: 'homeSchoolContact',
      reason: '期初家访名单',
      orgUnitId: d.schoolA.classId,
    });
    expect(res.statusCode, res.body).toBe(201);
    const file = await api(u.head ?? null, 'GET', `${url}&unmasked=true&purposeId=${res.json().id}`);
    expect(file.statusCode, file.body).toBe(200);
    const lines = file.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toContain('含敏感信息（未脱敏），用途：家校联系');
    expect(lines[1]).toBe('序号,姓名,性别,出生日期,身份证件号,学籍号,班级,学籍状态');
    expect(lines[2]).toContain(`王小明,男性,2019-07-16,${ID_WANG},G${ID_WANG}`);
    const [event] = await eventsOf(t.database.db, d.districtId, 'roster.exportUnmasked');
    expect(event).toMatchObject({ purpose: 'homeSchoolContact', subjectIds: [wang] });
    expect(event?.details).toMatchObject({ masked: false, purposeId: res.json().id, format: 'csv' });

    const masked = await api(u.head ?? null, 'GET', url);
    expect(masked.body).toContain('110101********0335');
    expect(masked.body).not.toContain(ID_WANG);
  });

  it('the guardian sees the reveals in the access log, with the purpose by name', async () => {
    const res = await api(u.mother ?? null, 'GET', `/persons/${wang}/access-log?limit=100`);
    expect(res.statusCode, res.body).toBe(200);
    const reveals = res.json().items.filter((i: { action: string }) => i.action === 'person.reveal');
    expect(reveals.length).toBeGreaterThanOrEqual(2);
    expect(reveals[0]).toMatchObject({
      actionLabel: '查看敏感信息（证件号、电话或学籍号）',
      purpose: expect.stringMatching(/^(家校联系|督导核查)$/),
    });
    const exported = res.json().items.find((i: { action: string }) => i.action === 'roster.exportUnmasked');
    expect(exported).toMatchObject({ actionLabel: '导出花名册（未脱敏）', purpose: '家校联系' });
  });
});
