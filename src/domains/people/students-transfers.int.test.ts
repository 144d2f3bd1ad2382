import { and, eq, inArray } from 'drizzle-orm';
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
import { decrypt } from '../../access/protect';
import { cityGrants } from '../accounts/schema';
import { cityBureaus, districts } from '../org/schema';
import { daysFromToday, insertCurrentYear } from './people-test-fixtures';
import { enrolments, persons } from './schema';
import { enrolViaApi, eventsOf, idNumber } from './students-test-support';

describe('students: transfers keep the history', () => {
  let t: TestApp;
  /** 东城 (d1) and 西城 (d2), each with schools A and B. */
  let d1: SeededDistrict;
  let d2: SeededDistrict;
  const u: Record<string, TestUser> = {};

  const post = (who: string, url: string, body: unknown) => request(t.app, u[who] ?? null, 'POST', url, body);
  const get = (who: string, url: string) => request(t.app, u[who] ?? null, 'GET', url);
  const rosterNames = async (who: string, classId: string) =>
    (await get(who, `/api/v1/classes/${classId}/roster`)).json().items.map((i: { name: string }) => i.name);

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    d1 = await seedDistrict(db, '110101');
    d2 = await seedDistrict(db, '110102');
    await insertCurrentYear(db, d1.districtId, [d1.schoolA.classId, d1.schoolB.classId]);
    await insertCurrentYear(db, d2.districtId, [d2.schoolA.classId, d2.schoolB.classId]);
    const g = (role: 'bureauAdmin' | 'schoolAdmin', d: SeededDistrict, unit: string) => ({
      role,
      districtId: d.districtId,
      orgUnitId: unit,
    });
    u.schoolAdmin1A = await createUser(db, { grants: [g('schoolAdmin', d1, d1.schoolA.id)] });
    u.bureau1 = await createUser(db, { grants: [g('bureauAdmin', d1, d1.rootId)] });
    u.bureau2 = await createUser(db, { grants: [g('bureauAdmin', d2, d2.rootId)] });
    // Bureau administrator of one district who also manages people at a school of the other.
    u.bureau1school2 = await createUser(db, {
      grants: [g('bureauAdmin', d1, d1.rootId), g('schoolAdmin', d2, d2.schoolA.id)],
    });
    u.bureau2school1 = await createUser(db, {
      grants: [g('bureauAdmin', d2, d2.rootId), g('schoolAdmin', d1, d1.schoolA.id)],
    });
  });
  afterAll(() => t?.close());

  it('within a district: 转出 closes one enrolment, 转入 opens another on the same person', async () => {
    const s = await enrolViaApi(t.app, u.schoolAdmin1A as TestUser, {
      schoolId: d1.schoolA.id,
      classId: d1.schoolA.classId,
      person: { name: '高一', idNumber: idNumber('20190606', 81) },
      studentNumber: `G${idNumber('20190606', 81)}`,
      enteredOn: daysFromToday(-30),
    });
    const body = {
      personId: s.person.id,
      toSchoolId: d1.schoolB.id,
      toClassId: d1.schoolB.classId,
      effectiveOn: daysFromToday(-10),
    };
    // A school administrator cannot reach the receiving school.
    expect((await post('schoolAdmin1A', '/api/v1/transfers', body)).statusCode).toBe(404);
    const same = await post('bureau1', '/api/v1/transfers', {
      ...body,
      toSchoolId: d1.schoolA.id,
      toClassId: d1.schoolA.classId,
    });
    expect(same.json().errors[0].code).toBe('transfer.same_school');

    const res = await post('bureau1', '/api/v1/transfers', body);
    expect(res.statusCode, res.body).toBe(201);
    const moved = res.json();
    expect(moved).toMatchObject({
      from: {
        id: s.enrolment.id,
        status: 'transferredOut',
        leftOn: daysFromToday(-10),
        schoolId: d1.schoolA.id,
      },
      to: {
        personId: s.person.id,
        status: 'active',
        schoolId: d1.schoolB.id,
        classId: d1.schoolB.classId,
        enteredOn: daysFromToday(-10),
        studentNumberMasked: s.enrolment.studentNumberMasked,
      },
    });
    expect(await rosterNames('bureau1', d1.schoolA.classId)).toEqual([]);
    expect(await rosterNames('bureau1', d1.schoolB.classId)).toEqual(['高一']);
    // The old school no longer sees the student.
    expect((await get('schoolAdmin1A', `/api/v1/persons/${s.person.id}`)).statusCode).toBe(404);

    const h = (await get('bureau1', `/api/v1/persons/${s.person.id}/enrolment-history`)).json();
    expect(
      h.enrolments.map(
        (e: {
          schoolName: string;
          status: string;
          changes: { changeType: string; counterpartSchoolName: string | null }[];
        }) => ({
          school: e.schoolName,
          status: e.status,
          changes: e.changes.map((c) => [c.changeType, c.counterpartSchoolName]),
        }),
      ),
    ).toEqual([
      {
        school: '东城区第一实验小学',
        status: 'transferredOut',
        changes: [
          ['enrol', null],
          ['transferOut', '东城区第二实验小学'],
        ],
      },
      { school: '东城区第二实验小学', status: 'active', changes: [['transferIn', '东城区第一实验小学']] },
    ]);
    const [event] = await eventsOf(t.database.db, d1.districtId, 'student.transfer');
    expect(event).toMatchObject({
      subjectIds: [s.person.id],
      details: { fromSchoolId: d1.schoolA.id, toSchoolId: d1.schoolB.id },
    });
    // Transferring again needs an active enrolment; the closed one cannot change.
    const closedChange = await post('bureau1', `/api/v1/enrolments/${s.enrolment.id}/changes`, {
      changeType: 'resume',
      effectiveOn: daysFromToday(0),
    });
    expect(closedChange.statusCode).toBe(409);
  });

  it('between districts: each district keeps its own person record and history, linked by the identity hash', async () => {
    const number = idNumber('20180707', 91);
    const s = await enrolViaApi(t.app, u.schoolAdmin1A as TestUser, {
      schoolId: d1.schoolA.id,
      classId: d1.schoolA.classId,
      person: { name: '林二', idNumber: number, phone: '13900001111' },
      studentNumber: `G${number}`,
      enteredOn: daysFromToday(-60),
    });
    const body = {
      personId: s.person.id,
      toDistrictId: d2.districtId,
      toSchoolId: d2.schoolA.id,
      toClassId: d2.schoolA.classId,
      effectiveOn: daysFromToday(-5),
    };
    // Only part of the source district: 403 (the caller knows the student). No grant in the target: 404.
    expect((await post('schoolAdmin1A', '/api/v1/district-transfers', body)).statusCode).toBe(403);
    expect((await post('bureau1', '/api/v1/district-transfers', body)).statusCode).toBe(404);
    const res = await post('bureau1school2', '/api/v1/district-transfers', body);
    expect(res.statusCode, res.body).toBe(201);
    const moved = res.json();
    expect(moved).toMatchObject({
      personCreated: true,
      from: {
        districtId: d1.districtId,
        personId: s.person.id,
        status: 'transferredOut',
        leftOn: daysFromToday(-5),
      },
      to: {
        districtId: d2.districtId,
        status: 'active',
        schoolId: d2.schoolA.id,
        classId: d2.schoolA.classId,
      },
    });
    const targetPersonId = moved.to.personId as string;
    expect(targetPersonId).not.toBe(s.person.id);

    const db = t.database.db;
    const [source] = await db.select().from(persons).where(eq(persons.id, s.person.id));
    const [target] = await db.select().from(persons).where(eq(persons.id, targetPersonId));
    const keys = t.app.deps.dataKeys;
    expect(target).toMatchObject({
      districtId: d2.districtId,
      name: '林二',
      idHash: source?.idHash,
      idMasked: source?.idMasked,
    });
    expect(target?.idNumberEnc).not.toBe(source?.idNumberEnc); // re-encrypted
    expect(decrypt(keys, target?.idNumberEnc ?? '')).toBe(number);
    expect(decrypt(keys, target?.phoneEnc ?? '')).toBe('13900001111');
    const [targetEnrolment] = await db
      .select()
      .from(enrolments)
      .where(and(eq(enrolments.districtId, d2.districtId), eq(enrolments.personId, targetPersonId)));
    expect(targetEnrolment?.studentNumberHash).toBe(
      (await db.select().from(enrolments).where(eq(enrolments.id, s.enrolment.id)))[0]?.studentNumberHash,
    );
    expect(decrypt(keys, targetEnrolment?.studentNumberEnc ?? '')).toBe(`G${number}`);

    type HistoryBody = {
      enrolments: {
        status: string;
        changes: { changeType: string; counterpartDistrictId: string | null }[];
      }[];
    };
    const history = async (who: string, personId: string) => {
      const body = (await get(who, `/api/v1/persons/${personId}/enrolment-history`)).json() as HistoryBody;
      return body.enrolments.map((e) => ({
        status: e.status,
        changes: e.changes.map((c) => [c.changeType, c.counterpartDistrictId]),
      }));
    };
    expect(await history('bureau1', s.person.id)).toEqual([
      {
        status: 'transferredOut',
        changes: [
          ['enrol', null],
          ['transferOut', d2.districtId],
        ],
      },
    ]);
    expect(await history('bureau2', targetPersonId)).toEqual([
      { status: 'active', changes: [['transferIn', d1.districtId]] },
    ]);
    // Each district's audit chain names its own record.
    expect((await eventsOf(db, d1.districtId, 'student.transferOut'))[0]?.subjectIds).toEqual([s.person.id]);
    expect((await eventsOf(db, d2.districtId, 'student.transferIn'))[0]?.subjectIds).toEqual([
      targetPersonId,
    ]);
    // The source district's bureau cannot read the target district's record.
    expect((await get('bureau1', `/api/v1/persons/${targetPersonId}`)).statusCode).toBe(404);

    // Back again: the source district finds its own record by the identity hash.
    const back = await post('bureau2school1', '/api/v1/district-transfers', {
      personId: targetPersonId,
      toDistrictId: d1.districtId,
      toSchoolId: d1.schoolA.id,
      effectiveOn: daysFromToday(0),
    });
    expect(back.statusCode, back.body).toBe(201);
    expect(back.json()).toMatchObject({ personCreated: false, to: { personId: s.person.id, classId: null } });
    expect(await history('bureau1', s.person.id)).toEqual([
      {
        status: 'transferredOut',
        changes: [
          ['enrol', null],
          ['transferOut', d2.districtId],
        ],
      },
      { status: 'active', changes: [['transferIn', d2.districtId]] },
    ]);
  });

  it('lets a city administrator of both districts transfer between them', async () => {
    const db = t.database.db;
    const [city] = await db
      .insert(cityBureaus)
      .values({ divisionCode: '110000', name: '北京市教育委员会' })
      .returning();
    await db
      .update(districts)
      .set({ cityBureauId: city?.id })
      .where(inArray(districts.id, [d1.districtId, d2.districtId]));
    const cityAdmin = await createUser(db, { homeDistrictId: null });
    await db
      .insert(cityGrants)
      .values({ userId: cityAdmin.userId, cityBureauId: city?.id as string, role: 'cityBureauAdmin' });
    const s = await enrolViaApi(t.app, u.schoolAdmin1A as TestUser, {
      schoolId: d1.schoolA.id,
      classId: d1.schoolA.classId,
      person: { name: '城一', idNumber: idNumber('20180909', 93) },
      enteredOn: daysFromToday(-3),
    });
    const res = await request(t.app, cityAdmin, 'POST', '/api/v1/district-transfers', {
      personId: s.person.id,
      toDistrictId: d2.districtId,
      toSchoolId: d2.schoolB.id,
      toClassId: d2.schoolB.classId,
      effectiveOn: daysFromToday(0),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      personCreated: true,
      to: { districtId: d2.districtId, schoolId: d2.schoolB.id },
    });
  });

  it('refuses a transfer into the same district through the district route', async () => {
    const s = await enrolViaApi(t.app, u.schoolAdmin1A as TestUser, {
      schoolId: d1.schoolA.id,
      classId: d1.schoolA.classId,
      person: { name: '何三', idNumber: idNumber('20180808', 92) },
    });
    const res = await post('bureau1', '/api/v1/district-transfers', {
      personId: s.person.id,
      toDistrictId: d1.districtId,
      toSchoolId: d1.schoolB.id,
      effectiveOn: daysFromToday(0),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].code).toBe('transfer.same_district');
  });
});
