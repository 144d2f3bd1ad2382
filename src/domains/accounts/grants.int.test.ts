import { and, asc, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createUser,
  createUserWithRole,
  request,
  type SeededDistrict,
  seedDistrict,
  useTestApp,
} from '../../../test/support/app';
import { PLATFORM_DISTRICT_ID } from '../audit/log';
import { auditEvents } from '../audit/schema';
import { cityBureaus, districts, orgUnits } from '../org/schema';
import { grants } from './schema';

const t = useTestApp();
let d: SeededDistrict;
let other: SeededDistrict;
beforeAll(async () => {
  d = await seedDistrict(t.database.db);
  other = await seedDistrict(t.database.db, '110102');
});

const db = () => t.database.db;
const bureauAdmin = () => createUserWithRole(db(), 'bureauAdmin', d);
const schoolAdminOfA = () => createUserWithRole(db(), 'schoolAdmin', d, d.schoolA.id);
const inspector = () => createUserWithRole(db(), 'inspector', d);
const plainUser = () => createUser(db(), { homeDistrictId: d.districtId });

async function eventsFor(action: string, targetId: string) {
  return db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.targetId, targetId)))
    .orderBy(asc(auditEvents.seq));
}

describe('POST /grants', () => {
  it('lets a bureau admin grant a bureau role on the district root; audited in the district chain', async () => {
    const admin = await bureauAdmin();
    const grantee = await plainUser();
    const res = await request(t.app, admin, 'POST', '/api/v1/grants', {
      userId: grantee.userId,
      orgUnitId: d.rootId,
      role: 'inspector',
      expiresAt: '2099-12-31T16:00:00.000Z',
    });
    expect(res.statusCode).toBe(201);
    const grant = res.json();
    expect(grant).toMatchObject({
      userId: grantee.userId,
      districtId: d.districtId,
      orgUnitId: d.rootId,
      orgUnitName: '东城区教育委员会',
      orgUnitKind: 'districtBureau',
      role: 'inspector',
      roleName: { 'zh-CN': '督学', en: 'Inspector' },
      expiresAt: '2099-12-31T16:00:00.000Z',
      grantedBy: admin.userId,
      revokedAt: null,
      inForce: true,
    });

    const me = await request(t.app, grantee, 'GET', '/api/v1/auth/me');
    expect(me.json().grants.map((g: { id: string }) => g.id)).toEqual([grant.id]);

    const [event] = await eventsFor('grant.create', grant.id);
    expect(event).toMatchObject({
      districtId: d.districtId,
      actorId: admin.userId,
      actorKind: 'user',
      targetType: 'grant',
      outcome: 'success',
      details: {
        userId: grantee.userId,
        orgUnitId: d.rootId,
        role: 'inspector',
        expiresAt: '2099-12-31T16:00:00.000Z',
      },
    });
  });

  it('refuses a role on the wrong kind of unit and an expiry in the past, listing both fields', async () => {
    const admin = await bureauAdmin();
    const grantee = await plainUser();
    const res = await request(t.app, admin, 'POST', '/api/v1/grants', {
      userId: grantee.userId,
      orgUnitId: d.rootId,
      role: 'principal',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: 'body.role', code: 'grant.role_not_for_unit', message: '角色“校长”不能授予在区县教育局上' },
      { path: 'body.expiresAt', code: 'grant.expiry_in_past', message: '到期日期须晚于当前时间' },
    ]);
    const onClass = await request(
      t.app,
      admin,
      'POST',
      '/api/v1/grants',
      { userId: grantee.userId, orgUnitId: d.schoolA.classId, role: 'schoolAdmin' },
      { 'accept-language': 'en' },
    );
    expect(onClass.statusCode).toBe(422);
    expect(onClass.json().errors[0].message).toBe(
      'The role School administrator cannot be granted on a class',
    );
  });

  it('does not let a school admin grant bureauAdmin (403) nor reach another school (404)', async () => {
    const admin = await schoolAdminOfA();
    const grantee = await plainUser();
    const beyond = await request(t.app, admin, 'POST', '/api/v1/grants', {
      userId: grantee.userId,
      orgUnitId: d.schoolA.id,
      role: 'bureauAdmin',
    });
    expect(beyond.statusCode).toBe(403);
    expect(beyond.json()).toMatchObject({
      code: 'grant.beyond_own_rights',
      title: '不能授予超出自身权限的角色',
    });

    const principalRole = await request(t.app, admin, 'POST', '/api/v1/grants', {
      userId: grantee.userId,
      orgUnitId: d.schoolA.id,
      role: 'principal',
    });
    expect(principalRole.statusCode).toBe(403);
    expect(principalRole.json().code).toBe('grant.beyond_own_rights');

    const otherSchool = await request(t.app, admin, 'POST', '/api/v1/grants', {
      userId: grantee.userId,
      orgUnitId: d.schoolB.id,
      role: 'schoolAdmin',
    });
    expect(otherSchool.statusCode).toBe(404);
    expect(otherSchool.json()).toMatchObject({ code: 'resource.not_found', title: '组织不存在' });

    const root = await request(t.app, admin, 'POST', '/api/v1/grants', {
      userId: grantee.userId,
      orgUnitId: d.rootId,
      role: 'bureauAdmin',
    });
    expect(root.statusCode).toBe(404);

    const own = await request(t.app, admin, 'POST', '/api/v1/grants', {
      userId: grantee.userId,
      orgUnitId: d.schoolA.id,
      role: 'schoolAdmin',
    });
    expect(own.statusCode).toBe(201);
  });

  it('answers 403 to an inspector, whose role never manages grants', async () => {
    const insp = await inspector();
    const grantee = await plainUser();
    const res = await request(t.app, insp, 'POST', '/api/v1/grants', {
      userId: grantee.userId,
      orgUnitId: d.schoolA.id,
      role: 'principal',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'access.forbidden', title: '您的角色无权执行此操作' });
  });

  it('does not give a role to a user of another district the caller cannot see (404)', async () => {
    const admin = await bureauAdmin();
    const stranger = await createUser(db(), { homeDistrictId: other.districtId });
    const res = await request(t.app, admin, 'POST', '/api/v1/grants', {
      userId: stranger.userId,
      orgUnitId: d.schoolA.id,
      role: 'principal',
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().title).toBe('用户不存在');
  });

  it('refuses a grant on a closed organisation (409)', async () => {
    const admin = await bureauAdmin();
    const grantee = await plainUser();
    await db().update(orgUnits).set({ status: 'closed' }).where(eq(orgUnits.id, d.schoolB.gradeId));
    try {
      const res = await request(t.app, admin, 'POST', '/api/v1/grants', {
        userId: grantee.userId,
        orgUnitId: d.schoolB.gradeId,
        role: 'schoolAdmin',
      });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'grant.unit_closed', title: '不能在已撤销的组织上授权' });
    } finally {
      await db().update(orgUnits).set({ status: 'active' }).where(eq(orgUnits.id, d.schoolB.gradeId));
    }
  });

  it('refuses the same role twice on the same unit (409)', async () => {
    const admin = await bureauAdmin();
    const grantee = await plainUser();
    const body = { userId: grantee.userId, orgUnitId: d.schoolB.id, role: 'principal' };
    expect((await request(t.app, admin, 'POST', '/api/v1/grants', body)).statusCode).toBe(201);
    const again = await request(t.app, admin, 'POST', '/api/v1/grants', body);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('grant.duplicate');
  });
});

describe('grants in force', () => {
  it('gives nothing through a grant whose expiry has passed', async () => {
    const expired = await createUser(db(), {
      grants: [
        {
          role: 'schoolAdmin',
          districtId: d.districtId,
          orgUnitId: d.schoolA.id,
          expiresAt: new Date(Date.now() - 1000),
        },
      ],
    });
    const res = await request(t.app, expired, 'GET', '/api/v1/users');
    expect(res.statusCode).toBe(403);
    expect((await request(t.app, expired, 'GET', '/api/v1/auth/me')).json().grants).toEqual([]);
  });

  it('stops a grant at once when it expires during a session', async () => {
    const admin = await schoolAdminOfA();
    expect((await request(t.app, admin, 'GET', '/api/v1/users')).statusCode).toBe(200);
    await db()
      .update(grants)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(grants.userId, admin.userId));
    expect((await request(t.app, admin, 'GET', '/api/v1/users')).statusCode).toBe(403);
  });

  it('ends and begins grants by the clock alone, with no write in between', async () => {
    const soon = () => new Date(Date.now() + 1500);
    const grant = { role: 'schoolAdmin' as const, districtId: d.districtId, orgUnitId: d.schoolA.id };
    const ending = await createUser(db(), { grants: [{ ...grant, expiresAt: soon() }] });
    const starting = await createUser(db(), { grants: [{ ...grant, startsAt: soon() }] });
    expect((await request(t.app, ending, 'GET', '/api/v1/users')).statusCode).toBe(200);
    expect((await request(t.app, starting, 'GET', '/api/v1/users')).statusCode).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect((await request(t.app, ending, 'GET', '/api/v1/users')).statusCode).toBe(403);
    expect((await request(t.app, starting, 'GET', '/api/v1/users')).statusCode).toBe(200);
  });

  it('has every table a principal is made of move the access version on commit (and not before)', async () => {
    const feeds = [
      'users',
      'grants',
      'city_grants',
      'districts',
      'org_units',
      'person_accounts',
      'head_teacher_assignments',
      'teaching_assignments',
      'terms',
      'guardian_relations',
      'enrolments',
      'staff_posts',
    ];
    const { rows } = await db().execute<{ table: string }>(sql`
      select distinct c.relname as table from pg_trigger t join pg_class c on c.oid = t.tgrelid
      join pg_proc p on p.oid = t.tgfoid
      where p.proname = 'mingde_bump_access_version' and t.tgdeferrable and t.tginitdeferred`);
    expect(rows.map((r) => r.table).sort()).toEqual([...feeds].sort());

    const version = async () =>
      (await db().execute<{ version: number }>(sql`select version from access_version`)).rows[0]?.version;
    const before = await version();
    const admin = await schoolAdminOfA();
    const moved = await version();
    expect(moved).toBeGreaterThan(before ?? 0);
    await db().transaction(async (tx) => {
      await tx.update(grants).set({ expiresAt: sql`now()` }).where(eq(grants.userId, admin.userId));
      await tx.update(grants).set({ expiresAt: null }).where(eq(grants.userId, admin.userId));
      // Not yet committed: nobody else sees a new version (nor the change).
      expect(await version()).toBe(moved);
    });
    // One transaction, one step, however many rows and statements it changed.
    expect(await version()).toBe((moved ?? 0) + 1);
  });

  it('revokes at once, keeps the grant with who and when, audits it; a second revoke is 409', async () => {
    const admin = await bureauAdmin();
    const holder = await schoolAdminOfA();
    expect((await request(t.app, holder, 'GET', '/api/v1/users')).statusCode).toBe(200);
    const [held] = await db().select().from(grants).where(eq(grants.userId, holder.userId));
    if (!held) throw new Error('grant missing');

    const res = await request(t.app, admin, 'POST', `/api/v1/grants/${held.id}/revoke`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: held.id, revokedBy: admin.userId, inForce: false });
    expect(res.json().revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await request(t.app, holder, 'GET', '/api/v1/users')).statusCode).toBe(403);

    const listed = await request(t.app, admin, 'GET', `/api/v1/users/${holder.userId}/grants`);
    expect(listed.json().grants).toMatchObject([{ id: held.id, inForce: false, revokedBy: admin.userId }]);

    const [event] = await eventsFor('grant.revoke', held.id);
    expect(event).toMatchObject({
      districtId: d.districtId,
      actorId: admin.userId,
      details: { userId: holder.userId, orgUnitId: d.schoolA.id, role: 'schoolAdmin' },
    });

    const again = await request(t.app, admin, 'POST', `/api/v1/grants/${held.id}/revoke`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'grant.already_revoked', title: '该授权已撤销' });
  });

  it('lets a school admin revoke only roles it may grant, and only in its school', async () => {
    const admin = await schoolAdminOfA();
    const principalA = await createUser(db(), {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const principalB = await createUser(db(), {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolB.id }],
    });
    const grantOf = async (userId: string) =>
      (await db().select().from(grants).where(eq(grants.userId, userId)))[0];
    const inA = await grantOf(principalA.userId);
    const inB = await grantOf(principalB.userId);
    const beyond = await request(t.app, admin, 'POST', `/api/v1/grants/${inA?.id}/revoke`);
    expect(beyond.statusCode).toBe(403);
    expect(beyond.json().code).toBe('grant.beyond_own_rights');
    const elsewhere = await request(t.app, admin, 'POST', `/api/v1/grants/${inB?.id}/revoke`);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json().title).toBe('授权不存在');
  });
});

describe('city grants', () => {
  it('are given and revoked by platform administrators only, audited in the platform chain', async () => {
    const [city] = await db()
      .insert(cityBureaus)
      .values({ divisionCode: '110000', name: '北京市教育委员会' })
      .returning();
    if (!city) throw new Error('city missing');
    await db().update(districts).set({ cityBureauId: city.id }).where(eq(districts.id, d.districtId));
    const platform = await createUser(db(), { platformAdmin: true });
    const admin = await bureauAdmin();
    const grantee = await plainUser();
    const body = { userId: grantee.userId, cityBureauId: city.id, role: 'cityBureauAnalyst' };

    const refused = await request(t.app, admin, 'POST', '/api/v1/city-grants', body);
    expect(refused.statusCode).toBe(403);

    const res = await request(t.app, platform, 'POST', '/api/v1/city-grants', body);
    expect(res.statusCode).toBe(201);
    const grant = res.json();
    expect(grant).toMatchObject({
      userId: grantee.userId,
      cityBureauId: city.id,
      cityBureauName: '北京市教育委员会',
      role: 'cityBureauAnalyst',
      roleName: { 'zh-CN': '市教育局数据分析员', en: 'City bureau analyst' },
      inForce: true,
    });
    const me = await request(t.app, grantee, 'GET', '/api/v1/auth/me');
    expect(me.json().cityGrants).toMatchObject([{ id: grant.id }]);

    const revoked = await request(t.app, platform, 'POST', `/api/v1/city-grants/${grant.id}/revoke`);
    expect(revoked.statusCode).toBe(200);
    expect((await request(t.app, grantee, 'GET', '/api/v1/auth/me')).json().cityGrants).toEqual([]);

    const created = await eventsFor('cityGrant.create', grant.id);
    const revokedEvents = await eventsFor('cityGrant.revoke', grant.id);
    expect(created).toMatchObject([{ districtId: PLATFORM_DISTRICT_ID, actorId: platform.userId }]);
    expect(revokedEvents).toMatchObject([{ districtId: PLATFORM_DISTRICT_ID, actorId: platform.userId }]);
  });
});
