import { asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  createUser,
  request,
  type SeededDistrict,
  seedDistrict,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { leafFields } from '../../access/levels';
import { users } from '../accounts/schema';
import { apiClients } from '../api-clients/schema';
import { auditEvents } from './schema';
import { sampleEvent } from './test-fixtures';

/** GET /audit/events names who acted, and finds a user's events by username. */
const t = useTestApp();
let a: SeededDistrict;
let b: SeededDistrict;
let adminA: TestUser;
let wang: TestUser;
let li: TestUser;
let root: TestUser;
let zhao: TestUser;
let appId: string;

beforeAll(async () => {
  const db = t.database.db;
  a = await seedDistrict(db);
  b = await seedDistrict(db, '110102');
  adminA = await createUser(db, {
    username: 'audit.admin',
    grants: [{ role: 'bureauAdmin', districtId: a.districtId, orgUnitId: a.rootId }],
  });
  const named = async (username: string, displayName: string, options: Parameters<typeof createUser>[1]) => {
    const user = await createUser(db, { ...options, username });
    await db.update(users).set({ displayName }).where(eq(users.id, user.userId));
    return user;
  };
  wang = await named('Wang.Fang', '王芳', { homeDistrictId: a.districtId });
  li = await named('li.na', '李娜', { homeDistrictId: a.districtId });
  // Users are global: a platform administrator (no home district) acts in district A too.
  root = await named('platform.root', '平台管理员', { platformAdmin: true, homeDistrictId: null });
  // A user of district B, who never acted in A.
  zhao = await named('zhao.lei', '赵磊', { homeDistrictId: b.districtId });
  const [app] = await db
    .insert(apiClients)
    .values({
      districtId: a.districtId,
      name: '智慧作业平台',
      orgUnitIds: [a.rootId],
      scopes: ['org:read'],
      legalBasis: '区教育局与供应商的服务合同',
      retentionDays: 30,
      rateLimitPerMinute: 60,
      secretHash: 'not-a-real-secret-hash',
    })
    .returning({ id: apiClients.id });
  appId = app?.id ?? '';

  // District A's trail, seq 1–6.
  const byUser = (user: TestUser, action = 'org.update') => ({
    actorId: user.userId,
    actorKind: 'user' as const,
    action,
  });
  const acts = [
    byUser(wang),
    { actorId: appId, actorKind: 'apiClient' as const, action: 'apiClient.call' },
    byUser(root),
    { actorId: null, actorKind: 'system' as const, action: 'demo.generate' },
    byUser(li),
    byUser(wang, 'person.read'),
  ];
  for (const [i, act] of acts.entries()) {
    await t.auditLog.record({ ...sampleEvent(a.districtId, i + 1), ...act });
  }
  await t.auditLog.record({ ...sampleEvent(b.districtId, 1), ...byUser(zhao) });
});

const search = (query: string, who: TestUser = adminA, headers: Record<string, string> = {}) =>
  request(t.app, who, 'GET', `/api/v1/audit/events?districtId=${a.districtId}&${query}`, undefined, headers);

interface Page {
  items: { seq: number; actorId: string | null; actorKind: string; actor: unknown }[];
  nextBefore: number | null;
}

// (before=7: each search adds an 'audit.read' event after seq 6)
describe('GET /api/v1/audit/events names the actors', () => {
  it('gives each event its actor: a user by display name and username, an app by name', async () => {
    const res = await search('before=7');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as Page;
    expect(body.items.map((e) => [e.seq, e.actorKind, e.actor])).toEqual([
      [6, 'user', { name: '王芳', username: 'Wang.Fang' }],
      [5, 'user', { name: '李娜', username: 'li.na' }],
      [4, 'system', { name: null, username: null }],
      [3, 'user', { name: '平台管理员', username: 'platform.root' }],
      [2, 'apiClient', { name: '智慧作业平台', username: null }],
      [1, 'user', { name: '王芳', username: 'Wang.Fang' }],
    ]);
    // The ids stay as they were.
    expect(body.items[4]?.actorId).toBe(appId);
    expect(body.items[0]?.actorId).toBe(wang.userId);
  });

  it('names the caller’s own search in the next page (the search is audited)', async () => {
    await search('limit=1');
    const res = await search('action=audit.read&limit=1');
    expect((res.json() as Page).items[0]?.actor).toEqual({
      name: '测试用户 audit.admin',
      username: 'audit.admin',
    });
  });

  it('declares the names personal (L3), the display name masked as a name', () => {
    const route = t.app.routeTable.find((r) => r.method === 'GET' && r.url === '/api/v1/audit/events');
    const responses = route?.schema?.response as Record<number, z.ZodType> | undefined;
    const schema = responses?.[200];
    if (!schema) throw new Error('GET /api/v1/audit/events has no 200 response schema');
    const levels = Object.fromEntries(leafFields(schema).map((l) => [l.path, l.level]));
    expect(levels['items[].actor.name']).toEqual({ level: 'personal', mask: 'name' });
    expect(levels['items[].actor.username']).toEqual({ level: 'personal' });
  });
});

describe('GET /api/v1/audit/events?actorUsername=', () => {
  it('finds that user’s events only, ignoring the case of the username', async () => {
    for (const username of ['Wang.Fang', 'wang.fang', 'WANG.FANG']) {
      const res = await search(`actorUsername=${username}&before=7`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as Page;
      expect(body.items.map((e) => [e.seq, e.actorId === wang.userId, e.actor])).toEqual([
        [6, true, { name: '王芳', username: 'Wang.Fang' }],
        [1, true, { name: '王芳', username: 'Wang.Fang' }],
      ]);
    }
    const byLi = (await search('actorUsername=li.na&before=7')).json() as Page;
    expect(byLi.items.map((e) => e.seq)).toEqual([5]);
  });

  it('combines with the other filters and pages', async () => {
    const res = await search('actorUsername=wang.fang&action=person.');
    expect((res.json() as Page).items.map((e) => e.seq)).toEqual([6]);
    const first = (await search('actorUsername=wang.fang&limit=1')).json() as Page;
    expect([first.items.map((e) => e.seq), first.nextBefore]).toEqual([[6], 6]);
    const second = (await search('actorUsername=wang.fang&limit=1&before=6')).json() as Page;
    expect([second.items.map((e) => e.seq), second.nextBefore]).toEqual([[1], null]);
  });

  it('answers an empty page for an unknown username, as for a user who never acted here', async () => {
    for (const username of ['no.such.user', 'zhao.lei']) {
      const res = await search(`actorUsername=${username}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ districtId: a.districtId, items: [], nextBefore: null });
    }
  });

  it('refuses actorId and actorUsername together (400 problem+json)', async () => {
    const res = await search(`actorId=${wang.userId}&actorUsername=Wang.Fang`, adminA, {
      'accept-language': 'en',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 400,
      code: 'request.invalid',
      errors: [
        {
          path: 'querystring.actorUsername',
          code: 'audit.actor_twice',
          message: 'Name the actor by actorId or by actorUsername, not both',
        },
      ],
    });
    const zh = await search(`actorId=${wang.userId}&actorUsername=Wang.Fang`);
    expect(zh.json().errors[0].message).toBe('操作人请只用 actorId 或 actorUsername 之一');
  });

  it('audits the search by the ids the username named, never by name; events hold no names', async () => {
    await search('actorUsername=WANG.FANG&before=2');
    await search('actorUsername=no.such.user&before=2');
    const reads = await t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.districtId, a.districtId))
      .orderBy(asc(auditEvents.seq));
    const filters = reads
      .filter((e) => e.action === 'audit.read' && e.details.filters)
      .map((e) => e.details.filters as { byActorUsername: unknown; before: unknown })
      .filter((f) => f.before === 2);
    expect(filters.map((f) => f.byActorUsername)).toEqual([[wang.userId], []]);
    const stored = JSON.stringify(reads);
    for (const name of [
      '王芳',
      '李娜',
      '平台管理员',
      '智慧作业平台',
      'Wang.Fang',
      'wang.fang',
      'WANG.FANG',
      'no.such.user',
    ]) {
      expect(stored).not.toContain(name);
    }
  });
});
