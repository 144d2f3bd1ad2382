import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createUser,
  createUserWithRole,
  request,
  type SeededDistrict,
  seedDistrict,
  TEST_PASSWORD,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { SESSION_COOKIE } from '../../http/auth';
import { auditEvents } from '../audit/schema';
import { users } from './schema';

const t = useTestApp({ MINGDE_SIGNIN_RATE_LIMIT: '1000' });
let d: SeededDistrict;
beforeAll(async () => {
  d = await seedDistrict(t.database.db);
});

const db = () => t.database.db;
const bureauAdmin = () => createUserWithRole(db(), 'bureauAdmin', d);
const schoolAdminOf = (schoolId: string) => createUserWithRole(db(), 'schoolAdmin', d, schoolId);
const principalOf = (schoolId: string) => createUserWithRole(db(), 'principal', d, schoolId);

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}.${Date.now().toString(36)}${counter++}`;

function signIn(username: string, password: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });
}

async function signedInAs(username: string, password: string): Promise<TestUser> {
  const res = await signIn(username, password);
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  return {
    userId: res.json().user.id,
    username,
    password,
    cookie: `${SESSION_COOKIE}=${cookie?.value}`,
    csrfToken: res.json().csrfToken,
  };
}

describe('POST /users', () => {
  it('creates a user with a generated one-time password, shown once, to be changed at first sign-in', async () => {
    const admin = await bureauAdmin();
    const username = uniqueName('zhang.wei');
    const res = await request(t.app, admin, 'POST', '/api/v1/users', {
      username,
      displayName: '张伟',
      homeDistrictId: d.districtId,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      user: {
        username,
        displayName: '张伟',
        homeDistrictId: d.districtId,
        status: 'active',
        mustChangePassword: true,
      },
      grant: null,
      initialPassword: expect.stringMatching(/^[a-km-zA-HJ-NP-Z2-9]{16}$/),
    });
    expect(JSON.stringify(body)).not.toMatch(/argon2|passwordHash|failedSignIns/);

    const again = await request(t.app, admin, 'GET', `/api/v1/users/${body.user.id}`);
    expect(JSON.stringify(again.json())).not.toContain(body.initialPassword);

    const signedIn = await signIn(username, body.initialPassword);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().user.mustChangePassword).toBe(true);

    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'user.create'), eq(auditEvents.targetId, body.user.id)));
    expect(event).toMatchObject({ districtId: d.districtId, actorId: admin.userId, outcome: 'success' });
    expect(JSON.stringify(event)).not.toContain(body.initialPassword);
  });

  it('takes a given initial password (not echoed), refuses a weak one and a taken username whatever its case', async () => {
    const admin = await bureauAdmin();
    const username = uniqueName('li.na');
    const res = await request(t.app, admin, 'POST', '/api/v1/users', {
      username,
      displayName: '李娜',
      homeDistrictId: d.districtId,
      initialPassword: 'Chunfeng-2035-yu',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().initialPassword).toBeNull();
    expect((await signIn(username, 'Chunfeng-2035-yu')).statusCode).toBe(200);

    const weak = await request(t.app, admin, 'POST', '/api/v1/users', {
      username: uniqueName('wang.fang'),
      displayName: '王芳',
      homeDistrictId: d.districtId,
      initialPassword: '12345678',
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().errors).toMatchObject([{ path: 'body.initialPassword', code: 'auth.weak_password' }]);

    const taken = await request(t.app, admin, 'POST', '/api/v1/users', {
      username: username.toUpperCase(),
      displayName: '李娜',
      homeDistrictId: d.districtId,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({
      code: 'user.username_taken',
      title: `用户名 ${username.toUpperCase()} 已被使用`,
    });
  });

  it('validates the username shape', async () => {
    const admin = await bureauAdmin();
    const res = await request(t.app, admin, 'POST', '/api/v1/users', {
      username: '张 伟',
      displayName: '',
      homeDistrictId: d.districtId,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'body.username',
      'body.displayName',
    ]);
  });

  it('makes a school admin create users together with a role in its own school', async () => {
    const admin = await schoolAdminOf(d.schoolA.id);
    const bare = await request(t.app, admin, 'POST', '/api/v1/users', {
      username: uniqueName('bare'),
      displayName: '赵敏',
      homeDistrictId: d.districtId,
    });
    expect(bare.statusCode).toBe(403);
    expect(bare.json()).toMatchObject({
      code: 'user.grant_required',
      title: '学校管理员创建用户时须同时授予其本校角色',
    });

    const elsewhere = await request(t.app, admin, 'POST', '/api/v1/users', {
      username: uniqueName('elsewhere'),
      displayName: '赵敏',
      homeDistrictId: d.districtId,
      grant: { orgUnitId: d.schoolB.id, role: 'schoolAdmin' },
    });
    expect(elsewhere.statusCode).toBe(404);

    const beyond = await request(t.app, admin, 'POST', '/api/v1/users', {
      username: uniqueName('beyond'),
      displayName: '赵敏',
      homeDistrictId: d.districtId,
      grant: { orgUnitId: d.schoolA.id, role: 'principal' },
    });
    expect(beyond.statusCode).toBe(403);
    expect(beyond.json().code).toBe('grant.beyond_own_rights');

    const username = uniqueName('zhao.min');
    const ok = await request(t.app, admin, 'POST', '/api/v1/users', {
      username,
      displayName: '赵敏',
      homeDistrictId: d.districtId,
      grant: { orgUnitId: d.schoolA.id, role: 'schoolAdmin' },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().grant).toMatchObject({ orgUnitId: d.schoolA.id, role: 'schoolAdmin', inForce: true });
    const list = await request(t.app, admin, 'GET', `/api/v1/users?q=${username}`);
    expect(list.json().items.map((u: { username: string }) => u.username)).toEqual([username]);

    const events = await db().select().from(auditEvents).where(eq(auditEvents.actorId, admin.userId));
    expect(events.map((e) => e.action).sort()).toEqual(['grant.create', 'user.create']);
  });

  it('answers 403 to roles that never manage users', async () => {
    const p = await principalOf(d.schoolA.id);
    const res = await request(t.app, p, 'POST', '/api/v1/users', {
      username: uniqueName('nope'),
      displayName: '钱多',
      homeDistrictId: d.districtId,
      grant: { orgUnitId: d.schoolA.id, role: 'schoolAdmin' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('access.forbidden');
  });
});

describe('GET /users', () => {
  it('shows each caller the users inside its scope, searchable, never with secrets', async () => {
    const tag = uniqueName('scope');
    const inA = await createUser(db(), {
      username: `${tag}.a`,
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const inB = await createUser(db(), {
      username: `${tag}.b`,
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolB.id }],
    });
    const homeOnly = await createUser(db(), { username: `${tag}.home`, homeDistrictId: d.districtId });
    const names = async (caller: TestUser, query = '') => {
      const res = await request(t.app, caller, 'GET', `/api/v1/users?q=${tag}${query}`);
      expect(res.statusCode).toBe(200);
      return res.json().items.map((u: { username: string }) => u.username);
    };

    expect(await names(await bureauAdmin())).toEqual([inA.username, inB.username, homeOnly.username]);
    expect(await names(await schoolAdminOf(d.schoolA.id))).toEqual([inA.username]);
    expect(await names(await principalOf(d.schoolB.id))).toEqual([inB.username]);

    await db().update(users).set({ status: 'disabled' }).where(eq(users.id, inB.userId));
    expect(await names(await bureauAdmin(), '&status=disabled')).toEqual([inB.username]);

    const res = await request(t.app, await bureauAdmin(), 'GET', `/api/v1/users?q=${tag}`);
    expect(res.json().total).toBe(3);
    expect(JSON.stringify(res.json())).not.toMatch(/argon2|passwordHash|tokenHash|failedSignIns/);

    const insp = await createUser(db(), {
      grants: [{ role: 'inspector', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    expect((await request(t.app, insp, 'GET', '/api/v1/users')).statusCode).toBe(403);
  });

  it('answers 404 for a user outside the scope, as for one that does not exist', async () => {
    const admin = await schoolAdminOf(d.schoolA.id);
    const inB = await principalOf(d.schoolB.id);
    const hidden = await request(t.app, admin, 'GET', `/api/v1/users/${inB.userId}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ code: 'resource.not_found', title: '用户不存在' });
    const missing = await request(t.app, admin, 'GET', '/api/v1/users/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    const hiddenGrants = await request(t.app, admin, 'GET', `/api/v1/users/${inB.userId}/grants`);
    expect(hiddenGrants.statusCode).toBe(404);
  });
});

describe('managing users', () => {
  it('disables a user: live sessions end at once, sign-in is refused; enabling restores it', async () => {
    const admin = await bureauAdmin();
    const target = await principalOf(d.schoolA.id);
    expect((await request(t.app, target, 'GET', '/api/v1/auth/me')).statusCode).toBe(200);

    const res = await request(t.app, admin, 'PATCH', `/api/v1/users/${target.userId}`, {
      status: 'disabled',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'disabled', disabledAt: expect.stringMatching(/^\d{4}-/) });
    expect((await request(t.app, target, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await signIn(target.username, TEST_PASSWORD)).statusCode).toBe(403);

    const enabled = await request(t.app, admin, 'PATCH', `/api/v1/users/${target.userId}`, {
      status: 'active',
      displayName: '孙校长',
    });
    expect(enabled.json()).toMatchObject({ status: 'active', disabledAt: null, displayName: '孙校长' });
    // Revoked sessions stay revoked; a fresh sign-in works.
    expect((await request(t.app, target, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await signIn(target.username, TEST_PASSWORD)).statusCode).toBe(200);

    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'user.update'), eq(auditEvents.targetId, target.userId)));
    expect(event).toMatchObject({
      actorId: admin.userId,
      details: { fields: ['status'], status: 'disabled' },
    });
  });

  it('does not let an administrator disable itself', async () => {
    const admin = await bureauAdmin();
    const res = await request(t.app, admin, 'PATCH', `/api/v1/users/${admin.userId}`, { status: 'disabled' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('user.cannot_disable_self');
  });

  it('answers an empty change with the user as it is, changing and auditing nothing', async () => {
    // Found by test/robustness.int.test.ts: `{}` reached an UPDATE with nothing to set (500).
    const admin = await bureauAdmin();
    const target = await principalOf(d.schoolA.id);
    const res = await request(t.app, admin, 'PATCH', `/api/v1/users/${target.userId}`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: target.userId, status: 'active' });
    const events = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'user.update'), eq(auditEvents.targetId, target.userId)));
    expect(events).toEqual([]);
  });

  it('resets a password: one-time password returned, sessions ended, old password dead', async () => {
    const admin = await schoolAdminOf(d.schoolA.id);
    const target = await principalOf(d.schoolA.id);
    const res = await request(t.app, admin, 'POST', `/api/v1/users/${target.userId}/reset-password`);
    expect(res.statusCode).toBe(200);
    const { password } = res.json();
    expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    expect((await request(t.app, target, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await signIn(target.username, TEST_PASSWORD)).statusCode).toBe(401);
    const fresh = await signedInAs(target.username, password);
    const me = await request(t.app, fresh, 'GET', '/api/v1/auth/me');
    expect(me.json().user.mustChangePassword).toBe(true);
  });

  it('does not let a school admin take over an account that also holds a role outside its school', async () => {
    const admin = await schoolAdminOf(d.schoolA.id);
    const both = await createUser(db(), {
      grants: [
        { role: 'principal', districtId: d.districtId, orgUnitId: d.schoolA.id },
        { role: 'bureauAdmin', districtId: d.districtId, orgUnitId: d.rootId },
      ],
    });
    const res = await request(t.app, admin, 'POST', `/api/v1/users/${both.userId}/reset-password`);
    expect(res.statusCode).toBe(403);
    const disable = await request(t.app, admin, 'PATCH', `/api/v1/users/${both.userId}`, {
      status: 'disabled',
    });
    expect(disable.statusCode).toBe(403);
    expect((await signIn(both.username, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('shows a lock and lifts it on request', async () => {
    const admin = await bureauAdmin();
    const target = await principalOf(d.schoolA.id);
    for (let i = 0; i < 5; i++) await signIn(target.username, 'Wrong-password-1');
    const locked = await request(t.app, admin, 'GET', `/api/v1/users/${target.userId}`);
    expect(locked.json().lockedUntil).toMatch(/^\d{4}-/);
    expect((await signIn(target.username, TEST_PASSWORD)).statusCode).toBe(423);

    const res = await request(t.app, admin, 'POST', `/api/v1/users/${target.userId}/unlock`);
    expect(res.statusCode).toBe(200);
    expect(res.json().lockedUntil).toBeNull();
    expect((await signIn(target.username, TEST_PASSWORD)).statusCode).toBe(200);
  });
});
