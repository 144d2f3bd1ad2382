import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app';
import { users } from '../domains/accounts/schema';
import { PLATFORM_DISTRICT_ID } from '../domains/audit/log';
import { auditEvents } from '../domains/audit/schema';
import { runAdminCreate } from './admin-create';

const t = useTestApp();

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

const signIn = (username: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });

describe('mingde admin create', () => {
  it('creates a platform administrator with a generated password printed once, who can sign in', async () => {
    const c = capture();
    const code = await runAdminCreate(t.app.deps.config, { username: 'root.admin' }, c.output);
    expect(code).toBe(0);
    expect(c.err).toEqual([]);
    expect(c.out[0]).toBe('已创建平台管理员 / platform administrator created: root.admin');
    const password = c.out[2]?.trim() ?? '';
    expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    expect(c.out.join('\n').split(password).length).toBe(2); // printed exactly once

    const [row] = await t.database.db.select().from(users).where(eq(users.username, 'root.admin'));
    expect(row).toMatchObject({
      isPlatformAdmin: true,
      homeDistrictId: null,
      displayName: '平台管理员',
      mustChangePassword: true,
    });

    const res = await signIn('root.admin', password);
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ isPlatformAdmin: true, mustChangePassword: true });

    const events = await t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, row?.id ?? ''));
    const created = events.find((e) => e.action === 'user.create');
    expect(created).toMatchObject({
      districtId: PLATFORM_DISTRICT_ID,
      actorKind: 'system',
      actorId: null,
      outcome: 'success',
    });
    expect(JSON.stringify(events)).not.toContain(password);
  });

  it('takes a given password without printing it, and refuses an existing username', async () => {
    const c = capture();
    const code = await runAdminCreate(
      t.app.deps.config,
      { username: 'second.admin', displayName: '市平台运维', password: 'Tianjin-2035-harbour' },
      c.output,
    );
    expect(code).toBe(0);
    expect(c.out).toEqual(['已创建平台管理员 / platform administrator created: second.admin']);
    expect((await signIn('second.admin', 'Tianjin-2035-harbour')).json().user.mustChangePassword).toBe(false);

    const again = capture();
    expect(await runAdminCreate(t.app.deps.config, { username: 'Second.Admin' }, again.output)).toBe(1);
    expect(again.out).toEqual([]);
    expect(again.err).toEqual(['用户名 Second.Admin 已被使用 / Username Second.Admin is already taken']);
  });

  it('refuses a weak password and a malformed username before touching the database', async () => {
    const weak = capture();
    expect(
      await runAdminCreate(t.app.deps.config, { username: 'third.admin', password: 'abc' }, weak.output),
    ).toBe(1);
    expect(weak.err[0]).toContain('密码至少 10 位');
    const bad = capture();
    expect(await runAdminCreate(t.app.deps.config, { username: 'a b' }, bad.output)).toBe(1);
    const rows = await t.database.db.select().from(users).where(eq(users.username, 'third.admin'));
    expect(rows).toEqual([]);
  });
});
