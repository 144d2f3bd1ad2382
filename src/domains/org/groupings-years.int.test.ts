import { and, asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiOf,
  createUserWithRole,
  type SeededDistrict,
  seedDistrict,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { auditEvents } from '../audit/schema';

const t = useTestApp();
const api = apiOf(t);
let d: SeededDistrict;
let admin: TestUser;
let principalA: TestUser;
beforeAll(async () => {
  d = await seedDistrict(t.database.db);
  admin = await createUserWithRole(t.database.db, 'bureauAdmin', d);
  principalA = await createUserWithRole(t.database.db, 'principal', d, d.schoolA.id);
});

async function actionsOn(targetId: string) {
  const rows = await t.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.districtId, d.districtId), eq(auditEvents.targetId, targetId)))
    .orderBy(asc(auditEvents.seq));
  return rows.map((r) => [r.action, r.details]);
}

describe('groupings', () => {
  it('creates a school zone, adds and removes schools, and closes it', async () => {
    const res = await api(admin, 'POST', '/groupings', {
      districtId: d.districtId,
      kind: 'schoolZone',
      name: '东城第一学区',
      leadSchoolId: d.schoolA.id,
    });
    expect(res.statusCode).toBe(201);
    const zone = res.json();
    expect(zone).toMatchObject({
      kind: 'schoolZone',
      name: '东城第一学区',
      leadSchoolId: d.schoolA.id,
      closedAt: null,
    });
    expect(zone.members.map((m: { schoolId: string }) => m.schoolId)).toEqual([d.schoolA.id]);

    const added = await api(admin, 'POST', `/groupings/${zone.id}/members`, { schoolId: d.schoolB.id });
    expect(added.statusCode).toBe(200);
    expect(added.json().members.map((m: { name: string }) => m.name)).toEqual([
      '东城区第一实验小学',
      '东城区第二实验小学',
    ]);
    const twice = await api(admin, 'POST', `/groupings/${zone.id}/members`, { schoolId: d.schoolB.id });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().title).toBe('该学校已在此分组中');
    const notSchool = await api(admin, 'POST', `/groupings/${zone.id}/members`, {
      schoolId: d.schoolA.classId,
    });
    expect(notSchool.statusCode).toBe(422);
    expect(notSchool.json().errors).toEqual([
      {
        path: 'body.schoolId',
        code: 'org.grouping_member_not_school',
        message: '只有本区县未撤销的学校可以加入分组',
      },
    ]);

    // A principal sees the zone, its own school's id, school B's name but not its id, and may not change it.
    const seen = await api(principalA, 'GET', `/groupings/${zone.id}`);
    expect(seen.statusCode).toBe(200);
    expect(
      seen.json().members.map((m: { schoolId: string | null; name: string }) => [m.schoolId, m.name]),
    ).toEqual([
      [d.schoolA.id, '东城区第一实验小学'],
      [null, '东城区第二实验小学'],
    ]);
    expect((await api(principalA, 'POST', `/groupings/${zone.id}/close`)).statusCode).toBe(403);

    const removed = await api(admin, 'DELETE', `/groupings/${zone.id}/members/${d.schoolB.id}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().members).toHaveLength(1);
    const again = await api(admin, 'DELETE', `/groupings/${zone.id}/members/${d.schoolB.id}`, undefined, {
      'accept-language': 'en',
    });
    expect(again.statusCode).toBe(404);
    expect(again.json().title).toBe('The school is not in this grouping');

    const closed = await api(admin, 'POST', `/groupings/${zone.id}/close`);
    expect(closed.statusCode).toBe(200);
    expect(closed.json().closedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const afterClose = await api(admin, 'POST', `/groupings/${zone.id}/members`, { schoolId: d.schoolB.id });
    expect(afterClose.statusCode).toBe(409);
    expect(afterClose.json().code).toBe('org.grouping_closed');

    const list = await api(admin, 'GET', `/groupings?districtId=${d.districtId}`);
    expect(list.json()).toEqual([]);
    const withClosed = await api(admin, 'GET', `/groupings?districtId=${d.districtId}&includeClosed=true`);
    expect(withClosed.json().map((g: { id: string }) => g.id)).toEqual([zone.id]);

    expect((await actionsOn(zone.id)).map(([action]) => action)).toEqual([
      'grouping.create',
      'grouping.addMember',
      'grouping.removeMember',
      'grouping.close',
    ]);
  });

  it('lets a school be in several groupings and refuses a duplicate name of the same kind', async () => {
    const body = { districtId: d.districtId, name: '东城教育集团', schoolIds: [d.schoolA.id, d.schoolB.id] };
    const group = await api(admin, 'POST', '/groupings', { ...body, kind: 'schoolGroup' });
    expect(group.statusCode).toBe(201);
    const alliance = await api(admin, 'POST', '/groupings', { ...body, kind: 'schoolAlliance' });
    expect(alliance.statusCode).toBe(201);
    const duplicate = await api(admin, 'POST', '/groupings', { ...body, kind: 'schoolGroup' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().title).toBe('同类分组中已有名为“东城教育集团”的分组');

    const groups = await api(admin, 'GET', `/groupings?kind=schoolGroup`);
    expect(groups.json().map((g: { name: string }) => g.name)).toEqual(['东城教育集团']);
  });
});

describe('academic years', () => {
  const year = {
    name: '2027-2028',
    startsOn: '2027-09-01',
    endsOn: '2028-08-31',
    terms: [
      { seq: 1, name: '第一学期', startsOn: '2027-09-01', endsOn: '2028-01-20' },
      { seq: 2, name: '第二学期', startsOn: '2028-02-20', endsOn: '2028-07-10' },
    ],
  };

  it('creates a year with its terms, lists it for a principal, and edits it', async () => {
    const res = await api(admin, 'POST', '/academic-years', { districtId: d.districtId, ...year });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ name: '2027-2028', startsOn: '2027-09-01', endsOn: '2028-08-31' });
    expect(created.terms.map((x: { seq: number; name: string }) => [x.seq, x.name])).toEqual([
      [1, '第一学期'],
      [2, '第二学期'],
    ]);

    const list = await api(principalA, 'GET', `/academic-years?districtId=${d.districtId}`);
    expect(list.statusCode).toBe(200);
    expect(list.json().map((y: { name: string }) => y.name)).toEqual(['2026-2027', '2027-2028']);
    expect(list.json()[0].terms).toEqual([]);

    const patched = await api(admin, 'PATCH', `/academic-years/${created.id}`, {
      terms: [
        { seq: 1, name: '秋季学期', startsOn: '2027-09-01', endsOn: '2028-01-15' },
        { seq: 2, name: '春季学期', startsOn: '2028-02-15', endsOn: '2028-07-05' },
      ],
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().terms.map((x: { name: string; endsOn: string }) => [x.name, x.endsOn])).toEqual([
      ['秋季学期', '2028-01-15'],
      ['春季学期', '2028-07-05'],
    ]);
    // Terms keep their ids when edited.
    expect(patched.json().terms.map((x: { id: string }) => x.id)).toEqual(
      created.terms.map((x: { id: string }) => x.id),
    );

    const refused = await api(principalA, 'PATCH', `/academic-years/${created.id}`, { name: '2027-2028' });
    expect(refused.statusCode).toBe(403);
    expect((await actionsOn(created.id)).map(([action]) => action)).toEqual([
      'academicYear.create',
      'academicYear.update',
    ]);
  });

  it('refuses a duplicate name and lists every bad date', async () => {
    const duplicate = await api(admin, 'POST', '/academic-years', {
      districtId: d.districtId,
      ...year,
      name: '2026-2027',
      startsOn: '2026-09-01',
      endsOn: '2027-08-31',
      terms: [{ seq: 1, name: '第一学期', startsOn: '2026-09-01', endsOn: '2027-01-20' }],
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().title).toBe('学年 2026-2027 已存在');

    const bad = await api(
      admin,
      'POST',
      '/academic-years',
      {
        districtId: d.districtId,
        name: '2028-2030',
        startsOn: '2028-09-01',
        endsOn: '2029-08-31',
        terms: [
          { seq: 1, name: '第一学期', startsOn: '2028-08-01', endsOn: '2029-01-20' },
          { seq: 2, name: '第二学期', startsOn: '2029-01-10', endsOn: '2029-07-10' },
        ],
      },
      { 'accept-language': 'en' },
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      {
        path: 'body.name',
        code: 'academicYear.invalid_name',
        message: 'An academic year is named after two consecutive years, e.g. 2026-2027 (got 2028-2030)',
      },
      {
        path: 'body.terms.0',
        code: 'academicYear.terms_outside_year',
        message: 'Terms must lie within the academic year and must not overlap',
      },
      {
        path: 'body.terms.1',
        code: 'academicYear.terms_outside_year',
        message: 'Terms must lie within the academic year and must not overlap',
      },
    ]);

    const malformed = await api(admin, 'POST', '/academic-years', {
      districtId: d.districtId,
      name: '2028-2029',
      startsOn: '2028-13-01',
      endsOn: '2029-08-31',
      terms: [],
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'body.startsOn',
      'body.terms',
    ]);
  });
});
