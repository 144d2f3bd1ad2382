import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiOf,
  createUser,
  createUserWithRole,
  type SeededDistrict,
  seedDistrict,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { cityGrants } from '../accounts/schema';
import { PLATFORM_DISTRICT_ID } from '../audit/log';
import { auditEvents } from '../audit/schema';
import { cityBureaus, districts, orgUnits } from './schema';

const t = useTestApp();
const api = apiOf(t);
let d1: SeededDistrict;
let d2: SeededDistrict;
let cityId: string;

beforeAll(async () => {
  d1 = await seedDistrict(t.database.db, '110101');
  d2 = await seedDistrict(t.database.db, '110102');
  const [city] = await t.database.db
    .insert(cityBureaus)
    .values({ divisionCode: '110000', name: '北京市教育委员会' })
    .returning();
  cityId = city?.id ?? '';
  await t.database.db
    .update(districts)
    .set({ cityBureauId: cityId })
    .where(inArray(districts.id, [d1.districtId, d2.districtId]));
});

const db = () => t.database.db;
const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((u) => u.id);

const principalOf = (d: SeededDistrict, school: 'schoolA' | 'schoolB') =>
  createUserWithRole(db(), 'principal', d, d[school].id);
const onRoot = (role: 'bureauAdmin' | 'inspector', d: SeededDistrict) => createUserWithRole(db(), role, d);

async function cityAdmin(): Promise<TestUser> {
  const user = await createUser(db(), { homeDistrictId: d1.districtId });
  await db()
    .insert(cityGrants)
    .values({ userId: user.userId, cityBureauId: cityId, role: 'cityBureauAdmin' });
  return user;
}

describe('a principal of school A', () => {
  it('gets 404 for school B’s class and never sees it in lists or search', async () => {
    const p = await principalOf(d1, 'schoolA');
    const res = await api(p, 'GET', `/org-units/${d1.schoolB.classId}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'resource.not_found', title: '组织不存在' });
    expect((await api(p, 'GET', `/org-units/${d1.schoolB.classId}/history`)).statusCode).toBe(404);
    expect((await api(p, 'GET', `/org-units/${d1.rootId}/children`)).statusCode).toBe(404);

    const search = await api(p, 'GET', '/org-units?q=一年级1班&status=all');
    expect(ids(search)).toEqual([d1.schoolA.classId]);
    const everything = await api(p, 'GET', '/org-units?pageSize=200');
    expect(ids(everything).sort()).toEqual(
      [d1.schoolA.id, d1.schoolA.campusId, d1.schoolA.gradeId, d1.schoolA.classId].sort(),
    );
  });

  it('reads its own school without learning the ids above it', async () => {
    const p = await principalOf(d1, 'schoolA');
    const res = await api(p, 'GET', `/org-units/${d1.schoolA.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: d1.schoolA.id, parentId: null });
    expect(res.json().ancestors).toEqual([{ id: null, kind: 'districtBureau', name: '东城区教育委员会' }]);
    const district = await api(p, 'GET', `/districts/${d1.districtId}`);
    expect(district.statusCode).toBe(200);
    expect(district.json()).toMatchObject({ id: d1.districtId, rootId: null, divisionName: '北京市 东城区' });
  });

  it('may rename its school but not create units under it', async () => {
    const p = await principalOf(d1, 'schoolA');
    const rename = await api(p, 'PATCH', `/org-units/${d1.schoolA.id}`, {
      version: 1,
      nameEn: 'Dongcheng No.1',
    });
    expect(rename.statusCode).toBe(200);
    expect(rename.json()).toMatchObject({ nameEn: 'Dongcheng No.1', version: 2 });
    const create = await api(p, 'POST', '/org-units', {
      parentId: d1.schoolA.id,
      kind: 'campus',
      name: '分校',
    });
    expect(create.statusCode).toBe(403);
    expect(create.json()).toMatchObject({ code: 'access.forbidden', title: '您的角色无权执行此操作' });
  });
});

describe('an inspector', () => {
  it('reads the whole district but gets 403 on every change', async () => {
    const inspector = await onRoot('inspector', d1);
    expect((await api(inspector, 'GET', `/org-units/${d1.schoolB.classId}`)).statusCode).toBe(200);
    const create = await api(inspector, 'POST', '/org-units', {
      parentId: d1.rootId,
      kind: 'school',
      name: '督学建的学校',
      schoolType: 'primary',
    });
    expect(create.statusCode).toBe(403);
    expect(create.json().code).toBe('access.forbidden');
    const patch = await api(inspector, 'PATCH', `/org-units/${d1.schoolA.id}`, { version: 1, name: '改名' });
    expect(patch.statusCode).toBe(403);
    const close = await api(inspector, 'POST', `/org-units/${d1.schoolA.classId}/close`, { reason: '测试' });
    expect(close.statusCode).toBe(403);
  });
});

describe('a school admin of school A', () => {
  it('creates a class in its school and gets 404 for a parent in school B', async () => {
    const admin = await createUser(db(), {
      grants: [{ role: 'schoolAdmin', districtId: d1.districtId, orgUnitId: d1.schoolA.id }],
    });
    const body = { kind: 'class', name: '一年级2班', classNumber: 2, academicYearId: d1.academicYearId };
    const own = await api(admin, 'POST', '/org-units', { ...body, parentId: d1.schoolA.gradeId });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ parentId: d1.schoolA.gradeId, gradeCode: '11', classNumber: 2 });

    const other = await api(admin, 'POST', '/org-units', { ...body, parentId: d1.schoolB.gradeId });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('resource.not_found');
    const [row] = await db()
      .select()
      .from(orgUnits)
      .where(and(eq(orgUnits.parentId, d1.schoolB.gradeId), eq(orgUnits.classNumber, 2)));
    expect(row).toBeUndefined();

    // Moving its class into school B is refused the same way.
    const move = await api(admin, 'POST', `/org-units/${own.json().id}/move`, {
      newParentId: d1.schoolB.gradeId,
    });
    expect(move.statusCode).toBe(404);
  });
});

describe('a bureau admin of district 1', () => {
  it('gets 404 for district 2 and sees none of its units or groupings', async () => {
    const admin = await onRoot('bureauAdmin', d1);
    expect((await api(admin, 'GET', `/org-units/${d2.schoolA.id}`)).statusCode).toBe(404);
    expect((await api(admin, 'GET', `/org-units/${d2.rootId}`)).statusCode).toBe(404);
    const patch = await api(admin, 'PATCH', `/org-units/${d2.schoolA.id}`, { version: 1, name: '越权' });
    expect(patch.statusCode).toBe(404);
    expect((await api(admin, 'GET', `/districts/${d2.districtId}`)).statusCode).toBe(404);
    expect((await api(admin, 'GET', `/academic-years?districtId=${d2.districtId}`)).statusCode).toBe(404);

    const list = await api(admin, 'GET', '/districts');
    expect(list.json().map((x: { id: string }) => x.id)).toEqual([d1.districtId]);
    const schools = await api(admin, 'GET', '/org-units?kind=school&pageSize=200');
    expect(ids(schools).sort()).toEqual([d1.schoolA.id, d1.schoolB.id].sort());
    const foreign = await api(admin, 'GET', `/org-units?districtId=${d2.districtId}`);
    expect(foreign.json()).toMatchObject({ items: [], total: 0 });

    const grouping = await api(admin, 'POST', '/groupings', {
      districtId: d2.districtId,
      kind: 'schoolZone',
      name: '越权学区',
    });
    expect(grouping.statusCode).toBe(404);
  });
});

describe('a city bureau admin', () => {
  it('sees both districts of its city', async () => {
    const admin = await cityAdmin();
    const list = await api(admin, 'GET', '/districts');
    expect(
      list
        .json()
        .map((x: { id: string }) => x.id)
        .sort(),
    ).toEqual([d1.districtId, d2.districtId].sort());
    expect(list.json().every((x: { cityBureauId: string }) => x.cityBureauId === cityId)).toBe(true);
    expect((await api(admin, 'GET', `/org-units/${d2.schoolB.classId}`)).statusCode).toBe(200);
    const schools = await api(admin, 'GET', '/org-units?kind=school&pageSize=200');
    expect(ids(schools).sort()).toEqual([d1.schoolA.id, d1.schoolB.id, d2.schoolA.id, d2.schoolB.id].sort());
    const cities = await api(admin, 'GET', '/city-bureaus');
    expect(cities.json()).toEqual([expect.objectContaining({ id: cityId, name: '北京市教育委员会' })]);
  });

  it('creates a district of its city with its root unit, but none in another city', async () => {
    const admin = await cityAdmin();
    const res = await api(admin, 'POST', '/districts', {
      divisionCode: '110105',
      name: '朝阳区教育委员会',
      cityBureauId: cityId,
    });
    expect(res.statusCode).toBe(201);
    const district = res.json();
    expect(district).toMatchObject({
      name: '朝阳区教育委员会',
      divisionCode: '110105',
      divisionName: '北京市 朝阳区',
      cityBureauId: cityId,
    });
    const root = await api(admin, 'GET', `/org-units/${district.rootId}`);
    expect(root.json()).toMatchObject({
      kind: 'districtBureau',
      name: '朝阳区教育委员会',
      parentId: null,
      districtId: district.id,
      ancestors: [],
    });
    const events = await db().select().from(auditEvents).where(eq(auditEvents.districtId, district.id));
    expect(events.map((e) => [e.action, e.targetId])).toEqual([
      ['district.create', district.id],
      ['org.create', district.rootId],
    ]);

    const outside = await api(admin, 'POST', '/districts', {
      divisionCode: '120101',
      name: '和平区教育局',
      cityBureauId: cityId,
    });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().errors).toEqual([
      {
        path: 'body.divisionCode',
        code: 'district.division_outside_city',
        message: '行政区划代码 120101 不属于北京市教育委员会',
      },
    ]);
    const taken = await api(admin, 'POST', '/districts', {
      divisionCode: '110105',
      name: '重复',
      cityBureauId: cityId,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().title).toBe('行政区划代码 110105 已有区县');
    const noCity = await api(admin, 'POST', '/districts', {
      divisionCode: '110106',
      name: '丰台区教育委员会',
    });
    expect(noCity.statusCode).toBe(403);
  });
});

describe('platform administration', () => {
  it('lets only platform administrators create city bureaus', async () => {
    const platform = await createUser(db(), { platformAdmin: true });
    const res = await api(platform, 'POST', '/city-bureaus', {
      divisionCode: '130100',
      name: '石家庄市教育局',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      divisionCode: '130100',
      divisionName: '河北省 石家庄市',
      name: '石家庄市教育局',
    });
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.districtId, PLATFORM_DISTRICT_ID), eq(auditEvents.targetId, res.json().id)));
    expect(event).toMatchObject({
      action: 'cityBureau.create',
      targetType: 'cityBureau',
      actorId: platform.userId,
    });

    const county = await api(platform, 'POST', '/city-bureaus', { divisionCode: '130102', name: '长安区' });
    expect(county.statusCode).toBe(422);
    expect(county.json().errors[0].code).toBe('cityBureau.division_not_city');

    const bureauAdmin = await onRoot('bureauAdmin', d1);
    const refused = await api(bureauAdmin, 'POST', '/city-bureaus', {
      divisionCode: '130200',
      name: '唐山市教育局',
    });
    expect(refused.statusCode).toBe(403);

    const district = await api(platform, 'POST', '/districts', {
      divisionCode: '130102',
      name: '长安区教育局',
    });
    expect(district.statusCode).toBe(201);
    expect(district.json()).toMatchObject({ cityBureauId: null, divisionName: '河北省 石家庄市 长安区' });
  });

  it('requires sign-in for the code lists and serves them to any signed-in user', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/reference/school-types' });
    expect(anonymous.statusCode).toBe(401);
    const nobody = await createUser(db());
    const types = await api(nobody, 'GET', '/reference/school-types');
    expect(types.statusCode).toBe(200);
    expect(types.json()).toHaveLength(11);
    expect(types.json().find((x: { id: string }) => x.id === 'primary')).toMatchObject({
      name: { 'zh-CN': '小学', en: 'Primary School' },
      operatingTypes: [
        { code: '211', name: '小学' },
        { code: '218', name: '小学教学点' },
      ],
      defaultOperatingType: '211',
      hasGrades: true,
    });
    expect(types.json().find((x: { id: string }) => x.id === 'elderlyUniversity')).toMatchObject({
      hasGrades: false,
      grades: [],
    });
    const relations = await api(nobody, 'GET', '/reference/guardian-relations');
    expect(relations.statusCode).toBe(200);
    expect(relations.json()).toHaveLength(29);
    expect(relations.json()[0]).toEqual({ code: '51', name: { 'zh-CN': '父亲', en: 'Father' } });
    expect(relations.json()).toContainEqual({
      code: '64',
      name: { 'zh-CN': '外祖母', en: 'Maternal grandmother' },
    });
    const division = await api(nobody, 'GET', '/reference/divisions/130102');
    expect(division.json()).toEqual({
      code: '130102',
      level: 'area',
      name: '河北省 石家庄市 长安区',
      chain: [
        { code: '130000', name: '河北省', level: 'province' },
        { code: '130100', name: '石家庄市', level: 'city' },
        { code: '130102', name: '长安区', level: 'area' },
      ],
    });
    const unknown = await api(nobody, 'GET', '/reference/divisions/999999');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().title).toBe('行政区划不存在');

    // Without any grant there is nothing to read.
    expect((await api(nobody, 'GET', '/districts')).json()).toEqual([]);
    expect((await api(nobody, 'GET', `/org-units/${d1.schoolA.id}`)).statusCode).toBe(403);
  });
});
