import { and, desc, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  createUser,
  createUserWithRole,
  request,
  type SeededDistrict,
  seedDistrict,
  TEST_PASSWORD,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { CSRF_HEADER, SESSION_COOKIE } from '../../http/auth';
import { PLATFORM_DISTRICT_ID } from '../audit/log';
import { auditEvents } from '../audit/schema';
import { users } from './schema';

// Many sign-ins from one address in this file: the per-address limit is tested in its own app.
const t = useTestApp({ MINGDE_SIGNIN_RATE_LIMIT: '1000' });
let d: SeededDistrict;
beforeAll(async () => {
  d = await seedDistrict(t.database.db);
});

const db = () => t.database.db;

function signIn(username: string, password: string, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username, password },
    headers,
  });
}

/** The session cookie a response set, as a `cookie` header value. */
function sessionCookieOf(res: Awaited<ReturnType<typeof signIn>>): string {
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error('no session cookie');
  return `${SESSION_COOKIE}=${cookie.value}`;
}

/** Sign in over HTTP and return a TestUser bound to the new session. */
async function signedIn(user: TestUser, password = user.password): Promise<TestUser> {
  const res = await signIn(user.username, password);
  expect(res.statusCode).toBe(200);
  return { ...user, password, cookie: sessionCookieOf(res), csrfToken: res.json().csrfToken };
}

const schoolAdminOfA = () => createUserWithRole(db(), 'schoolAdmin', d, d.schoolA.id);

async function lastSignInEvent(userId: string | null, districtId: string) {
  const [row] = await db()
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.districtId, districtId),
        eq(auditEvents.action, 'auth.signIn'),
        userId === null ? sql`${auditEvents.targetId} is null` : eq(auditEvents.targetId, userId),
      ),
    )
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row;
}

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie on / and returns the user and a CSRF token', async () => {
    const u = await schoolAdminOfA();
    const res = await signIn(u.username, TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeUndefined(); // plain HTTP with MINGDE_COOKIE_SECURE=auto
    expect(cookie?.value).toMatch(/^[\w-]{43}$/);
    const body = res.json();
    expect(body).toEqual({
      user: {
        id: u.userId,
        username: u.username,
        displayName: `测试用户 ${u.username}`,
        isPlatformAdmin: false,
        mustChangePassword: false,
      },
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(JSON.stringify(body)).not.toMatch(/argon2|hash/i);

    const event = await lastSignInEvent(u.userId, d.districtId);
    expect(event).toMatchObject({ outcome: 'success', actorId: u.userId, actorKind: 'user', details: {} });
  });

  it('marks the cookie Secure behind HTTPS (auto) and always when MINGDE_COOKIE_SECURE=true', async () => {
    const secureOf = async (env: Record<string, string>, headers: Record<string, string>) => {
      const other = await createTestApp(env);
      try {
        const v = await createUser(other.database.db, {});
        const res = await other.app.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { username: v.username, password: TEST_PASSWORD },
          headers,
        });
        expect(res.statusCode).toBe(200);
        return res.cookies.find((c) => c.name === SESSION_COOKIE)?.secure ?? false;
      } finally {
        await other.close();
      }
    };
    // app.inject cannot speak TLS; HTTPS arrives through a trusted reverse proxy.
    const proxied = { MINGDE_TRUST_PROXY: 'true' };
    expect(await secureOf(proxied, { 'x-forwarded-proto': 'https' })).toBe(true);
    expect(await secureOf(proxied, { 'x-forwarded-proto': 'http' })).toBe(false);
    expect(await secureOf({}, { 'x-forwarded-proto': 'https' })).toBe(false); // untrusted header ignored
    expect(await secureOf({ MINGDE_COOKIE_SECURE: 'true' }, {})).toBe(true);
  });

  it('answers a wrong password with 401 and the same title for an unknown user, in Chinese and English', async () => {
    const u = await schoolAdminOfA();
    const wrong = await signIn(u.username, 'Wrong-password-1');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.json()).toMatchObject({
      status: 401,
      code: 'auth.invalid_credentials',
      title: '用户名或密码错误',
    });
    expect(wrong.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();

    const english = await signIn(u.username, 'Wrong-password-1', { 'accept-language': 'en-US,en;q=0.9' });
    expect(english.json()).toMatchObject({
      code: 'auth.invalid_credentials',
      title: 'Wrong username or password',
    });

    const unknown = await signIn('no.such.user', 'Wrong-password-1');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ code: 'auth.invalid_credentials', title: '用户名或密码错误' });

    const failure = await lastSignInEvent(u.userId, d.districtId);
    expect(failure).toMatchObject({
      outcome: 'failure',
      actorId: null,
      actorKind: 'anonymous',
      details: { reason: 'wrong_password' },
    });
    // Unknown accounts go to the platform chain without the attempted name.
    const anonymous = await lastSignInEvent(null, PLATFORM_DISTRICT_ID);
    expect(anonymous).toMatchObject({
      outcome: 'failure',
      targetId: null,
      details: { reason: 'unknown_user' },
    });
    expect(JSON.stringify(anonymous)).not.toContain('no.such.user');
    expect(JSON.stringify(anonymous)).not.toContain('Wrong-password-1');
  });

  it('locks the account after 5 failures, even against the right password, until the lock runs out', async () => {
    const u = await schoolAdminOfA();
    for (let i = 1; i <= 4; i++) {
      expect((await signIn(u.username, `Wrong-password-${i}`)).statusCode).toBe(401);
    }
    const fifth = await signIn(u.username, 'Wrong-password-5');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json()).toMatchObject({
      code: 'auth.account_locked',
      title: '登录失败次数过多，账号已锁定，请于 15 分钟后再试',
    });

    const right = await signIn(u.username, TEST_PASSWORD, { 'accept-language': 'en' });
    expect(right.statusCode).toBe(423);
    expect(right.json().title).toBe('Too many failed sign-ins; the account is locked for 15 minutes');
    expect(await lastSignInEvent(u.userId, d.districtId)).toMatchObject({
      outcome: 'denied',
      details: { reason: 'locked' },
    });

    // Let the lock run out instead of waiting 15 minutes.
    await db()
      .update(users)
      .set({ lockedUntil: sql`now() - interval '1 second'` })
      .where(eq(users.id, u.userId));
    const after = await signIn(u.username, TEST_PASSWORD);
    expect(after.statusCode).toBe(200);
    const [row] = await db().select().from(users).where(eq(users.id, u.userId));
    expect(row?.failedSignIns).toBe(0);
    expect(row?.lockedUntil).toBeNull();
  });

  it('starts the count afresh after a success', async () => {
    const u = await schoolAdminOfA();
    for (let i = 0; i < 4; i++) await signIn(u.username, 'Wrong-password-1');
    expect((await signIn(u.username, TEST_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) {
      expect((await signIn(u.username, 'Wrong-password-1')).statusCode).toBe(401);
    }
    expect((await signIn(u.username, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('refuses a disabled account with 403 only after the right password', async () => {
    const u = await schoolAdminOfA();
    await db().update(users).set({ status: 'disabled' }).where(eq(users.id, u.userId));
    const wrong = await signIn(u.username, 'Wrong-password-1');
    expect(wrong.statusCode).toBe(401);
    const right = await signIn(u.username, TEST_PASSWORD);
    expect(right.statusCode).toBe(403);
    expect(right.json()).toMatchObject({ code: 'auth.account_disabled', title: '账号已停用' });
    expect(await lastSignInEvent(u.userId, d.districtId)).toMatchObject({
      outcome: 'denied',
      details: { reason: 'disabled' },
    });
  });

  it('refuses a sign-in posted from another site (Origin) with 403, accepts its own origin', async () => {
    const u = await schoolAdminOfA();
    const foreign = await signIn(u.username, TEST_PASSWORD, { origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('auth.origin_mismatch');
    expect(foreign.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    const nullOrigin = await signIn(u.username, TEST_PASSWORD, { origin: 'null' });
    expect(nullOrigin.statusCode).toBe(403);
    const own = await signIn(u.username, TEST_PASSWORD, {
      origin: 'http://localhost:80',
      host: 'localhost:80',
    });
    expect(own.statusCode).toBe(200);
  });

  it('validates the body as problem+json listing the bad fields', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'request.invalid', errors: [{ path: 'body.password' }] });
  });

  it('limits sign-in attempts per address per minute (429)', async () => {
    const limited = await createTestApp({ MINGDE_SIGNIN_RATE_LIMIT: '3' });
    try {
      const attempt = () =>
        limited.app.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { username: 'nobody.here', password: 'Wrong-password-1' },
        });
      for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
      const fourth = await attempt();
      expect(fourth.statusCode).toBe(429);
      expect(fourth.json()).toMatchObject({
        code: 'request.rate_limited',
        title: '请求过于频繁，请稍后再试',
      });
    } finally {
      await limited.close();
    }
  });
});

describe('sessions and CSRF', () => {
  it('refuses a state-changing request on a cookie session without the right x-csrf-token', async () => {
    const u = await signedIn(await schoolAdminOfA());
    const body = { currentPassword: 'Wrong-password-1', newPassword: 'Another-pass-2035' };
    const without = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: body,
      headers: { cookie: u.cookie },
    });
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({
      code: 'auth.csrf_invalid',
      title: 'CSRF 校验失败，请刷新页面后重试',
    });

    const wrong = await request(
      t.app,
      { ...u, csrfToken: `${u.csrfToken.slice(0, -2)}xx` },
      'POST',
      '/api/v1/auth/sign-out',
    );
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('auth.csrf_invalid');
    // Still signed in: the forged sign-out did nothing.
    expect((await request(t.app, u, 'GET', '/api/v1/auth/me')).statusCode).toBe(200);

    const right = await request(t.app, u, 'POST', '/api/v1/auth/sign-out');
    expect(right.statusCode).toBe(204);
  });

  it('gives a new session token at every sign-in and revokes the one presented (no fixation)', async () => {
    const u = await schoolAdminOfA();
    const before = await signedIn(u);
    const res = await signIn(u.username, TEST_PASSWORD, { cookie: before.cookie });
    expect(res.statusCode).toBe(200);
    const after = sessionCookieOf(res);
    expect(after).not.toBe(before.cookie);
    expect((await request(t.app, before, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: after } });
    expect(me.statusCode).toBe(200);
  });

  it('hands the CSRF token out again on GET /auth/me, with the grants in force and their names', async () => {
    const u = await signedIn(await schoolAdminOfA());
    const res = await request(t.app, u, 'GET', '/api/v1/auth/me', undefined, { 'accept-language': 'en' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { id: u.userId, username: u.username, homeDistrictId: d.districtId, mustChangePassword: false },
      grants: [
        {
          role: 'schoolAdmin',
          roleName: { 'zh-CN': '学校管理员', en: 'School administrator' },
          orgUnitId: d.schoolA.id,
          orgUnitName: '东城区第一实验小学',
          orgUnitKind: 'school',
          inForce: true,
        },
      ],
      cityGrants: [],
      csrfToken: u.csrfToken,
      // A school administrator grants school roles only; each role the console shows comes named.
      assignableRoles: ['schoolAdmin', 'schoolDoctor', 'counsellor'],
      roleNames: [
        { role: 'schoolAdmin', name: { 'zh-CN': '学校管理员', en: 'School administrator' } },
        { role: 'schoolDoctor', name: { 'zh-CN': '校医', en: 'School doctor' } },
        { role: 'counsellor', name: { 'zh-CN': '心理教师', en: 'Counsellor' } },
      ],
    });
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'auth.required', title: '请先登录' });
  });

  it('signs out: the cookie is cleared and the token stops working', async () => {
    const u = await signedIn(await schoolAdminOfA());
    const res = await request(t.app, u, 'POST', '/api/v1/auth/sign-out');
    expect(res.statusCode).toBe(204);
    const cleared = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime()).toBeLessThan(Date.now());
    expect((await request(t.app, u, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'auth.signOut'), eq(auditEvents.targetId, u.userId)));
    expect(event).toMatchObject({ actorId: u.userId, outcome: 'success', districtId: d.districtId });
  });

  it("stops a disabled user's live session at once", async () => {
    const u = await signedIn(await schoolAdminOfA());
    expect((await request(t.app, u, 'GET', '/api/v1/auth/me')).statusCode).toBe(200);
    await db().update(users).set({ status: 'disabled' }).where(eq(users.id, u.userId));
    expect((await request(t.app, u, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
  });
});

describe('password change', () => {
  it('changes the password, signs out the other sessions, keeps this one; the old password stops working', async () => {
    const base = await schoolAdminOfA();
    const here = await signedIn(base);
    const elsewhere = await signedIn(base);
    const res = await request(t.app, here, 'POST', '/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'Qingshan-2035-river',
    });
    expect(res.statusCode).toBe(204);
    expect((await request(t.app, here, 'GET', '/api/v1/auth/me')).statusCode).toBe(200);
    expect((await request(t.app, elsewhere, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await signIn(base.username, TEST_PASSWORD)).statusCode).toBe(401);
    expect((await signIn(base.username, 'Qingshan-2035-river')).statusCode).toBe(200);
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'auth.passwordChange'), eq(auditEvents.targetId, base.userId)));
    expect(event).toMatchObject({ outcome: 'success', actorId: base.userId });
    expect(JSON.stringify(event)).not.toContain('Qingshan');
  });

  it('lists every bad field: wrong current password and a weak new one', async () => {
    const u = await signedIn(await schoolAdminOfA());
    const res = await request(t.app, u, 'POST', '/api/v1/auth/password', {
      currentPassword: 'Wrong-password-1',
      newPassword: 'short1',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'request.invalid',
      errors: [
        { path: 'body.currentPassword', code: 'auth.wrong_password', message: '当前密码不正确' },
        {
          path: 'body.newPassword',
          code: 'auth.weak_password',
          message: '密码至少 10 位，须包含字母和数字，且不能是常见密码',
        },
      ],
    });
  });

  it('refuses a new password equal to the current one', async () => {
    const u = await signedIn(await schoolAdminOfA());
    const res = await request(t.app, u, 'POST', '/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: TEST_PASSWORD,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: 'body.newPassword', code: 'auth.password_reused', message: '新密码不能与当前密码相同' },
    ]);
  });

  it('holds a user with a one-time password to changing it before any other API call', async () => {
    const base = await schoolAdminOfA();
    await db().update(users).set({ mustChangePassword: true }).where(eq(users.id, base.userId));
    const u = await signedIn(base);
    const blocked = await request(t.app, u, 'GET', '/api/v1/users');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({
      code: 'auth.password_change_required',
      title: '请先修改初始密码',
    });
    expect((await request(t.app, u, 'GET', '/api/v1/auth/me')).json().user.mustChangePassword).toBe(true);
    const change = await request(t.app, u, 'POST', '/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'Qingshan-2035-river',
    });
    expect(change.statusCode).toBe(204);
    expect((await request(t.app, u, 'GET', '/api/v1/users')).statusCode).toBe(200);
  });
});

describe('cookie-less requests', () => {
  it('do not need a CSRF token but are anonymous', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/grants',
      payload: { userId: d.rootId, orgUnitId: d.rootId, role: 'inspector' },
      headers: { [CSRF_HEADER]: 'anything' },
    });
    expect(res.statusCode).toBe(401);
  });
});
