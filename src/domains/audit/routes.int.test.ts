import { and, asc, eq } from 'drizzle-orm';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createUser,
  createUserWithRole,
  request,
  type SeededDistrict,
  seedDistrict,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { PLATFORM_DISTRICT_ID } from './log';
import { auditEvents } from './schema';
import { sampleEvent } from './test-fixtures';

const t = useTestApp();
let a: SeededDistrict;
let b: SeededDistrict;
let adminA: TestUser;
let adminB: TestUser;
let principalA: TestUser;
let platformAdmin: TestUser;
let bothDistricts: TestUser;
let bothElsewhere: TestUser;

const ACTOR = '6f1c1e2a-5b7d-4c1e-9a0b-2f3d4e5f6a7b';

beforeAll(async () => {
  const db = t.database.db;
  a = await seedDistrict(db);
  b = await seedDistrict(db, '110102');
  adminA = await createUserWithRole(db, 'bureauAdmin', a);
  adminB = await createUserWithRole(db, 'bureauAdmin', b);
  principalA = await createUserWithRole(db, 'principal', a, a.schoolA.id);
  platformAdmin = await createUser(db, { platformAdmin: true });
  const bothGrants = [
    { role: 'bureauAdmin' as const, districtId: a.districtId, orgUnitId: a.rootId },
    { role: 'bureauAdmin' as const, districtId: b.districtId, orgUnitId: b.rootId },
  ];
  bothDistricts = await createUser(db, { grants: bothGrants, homeDistrictId: b.districtId });
  bothElsewhere = await createUser(db, { grants: bothGrants, homeDistrictId: PLATFORM_DISTRICT_ID });
  // District A's trail: seq 1–5, two of them about person-2, one by another actor.
  for (let i = 1; i <= 5; i++) {
    await t.auditLog.record({
      ...sampleEvent(a.districtId, i),
      action: i === 3 ? 'auth.signIn' : 'org.update',
      actorId: i === 5 ? adminB.userId : ACTOR,
      subjectIds: i % 2 === 0 ? ['person-2'] : [],
    });
  }
  await t.auditLog.record(sampleEvent(b.districtId, 1));
});

const eventsOf = (districtId: string) =>
  t.database.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.districtId, districtId))
    .orderBy(asc(auditEvents.seq));

const seqs = (body: { items: { seq: number }[] }) => body.items.map((e) => e.seq);

describe('GET /api/v1/audit/events', () => {
  it('asks for sign-in first (401)', async () => {
    const res = await request(t.app, null, 'GET', `/api/v1/audit/events?districtId=${a.districtId}`);
    expect(res.statusCode).toBe(401);
  });

  it('answers 403 to a role that never reads the audit trail', async () => {
    const res = await request(t.app, principalA, 'GET', `/api/v1/audit/events?districtId=${a.districtId}`);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'access.forbidden', title: '您的角色无权执行此操作' });
  });

  it('answers 404 for a district outside the caller’s grants', async () => {
    const res = await request(t.app, adminB, 'GET', `/api/v1/audit/events?districtId=${a.districtId}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'resource.not_found', title: '区县不存在' });
  });

  it('lists the district’s events newest first, with every column', async () => {
    const res = await request(
      t.app,
      adminA,
      'GET',
      `/api/v1/audit/events?districtId=${a.districtId}&limit=3`,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.districtId).toBe(a.districtId);
    expect(seqs(body)).toEqual([5, 4, 3]);
    expect(body.nextBefore).toBe(3);
    const [stored] = (await eventsOf(a.districtId)).filter((e) => e.seq === 4);
    expect(body.items[1]).toEqual({
      districtId: a.districtId,
      seq: 4,
      at: stored?.at.toISOString(),
      actorId: ACTOR,
      actorKind: 'user',
      // No account by that id (the fixture's actor): nobody to name.
      actor: { name: null, username: null },
      action: 'org.update',
      targetType: 'orgUnit',
      targetId: 'unit-4',
      subjectIds: ['person-2'],
      purpose: 'enrolment',
      outcome: 'success',
      requestId: 'req-4',
      ip: '192.0.2.7',
      details: { changed: ['name'], name: { before: '第4小学', after: '第4实验小学' } },
      prevHash: stored?.prevHash,
      hash: stored?.hash,
    });

    const next = await request(
      t.app,
      adminA,
      'GET',
      `/api/v1/audit/events?districtId=${a.districtId}&limit=3&before=3`,
    );
    expect(seqs(next.json())).toEqual([2, 1]);
    expect(next.json().nextBefore).toBeNull();
  });

  it('filters by actor, subject, action prefix, target and time', async () => {
    const base = `/api/v1/audit/events?districtId=${a.districtId}`;
    const get = async (query: string) => {
      const res = await request(t.app, adminA, 'GET', `${base}&${query}`);
      expect(res.statusCode).toBe(200);
      return seqs(res.json());
    };
    expect(await get(`actorId=${adminB.userId}`)).toEqual([5]);
    expect(await get('subjectId=person-2')).toEqual([4, 2]);
    expect(await get('action=org.')).toEqual([5, 4, 2, 1]);
    expect(await get('action=auth')).toEqual([3]);
    expect(await get('action=org%25')).toEqual([]);
    expect(await get('targetType=orgUnit&targetId=unit-2')).toEqual([2]);
    expect(await get(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(await get('from=2000-01-01&to=2000-01-02')).toEqual([]);
    // (before=6: each search adds an 'audit.read' event after seq 5)
    expect(await get('from=2000-01-01&before=6')).toEqual([5, 4, 3, 2, 1]);
    // Bounds beyond what the database holds (no year 0; the day after 9999-12-31) select as the
    // nearest edge would (found by test/robustness.int.test.ts: they answered 500).
    expect(await get('to=0000-01-01')).toEqual([]);
    expect(await get('to=0000-01-01T00%3A00%3A00Z')).toEqual([]);
    expect(await get('from=9999-12-31')).toEqual([]);
    expect(await get('from=0000-01-01&to=9999-12-31&before=6')).toEqual([5, 4, 3, 2, 1]);
  });

  it('audits the search itself', async () => {
    await request(t.app, adminA, 'GET', `/api/v1/audit/events?districtId=${a.districtId}&subjectId=person-2`);
    const [event] = (await eventsOf(a.districtId)).filter(
      (e) => e.action === 'audit.read' && e.actorId === adminA.userId && e.subjectIds.includes('person-2'),
    );
    expect(event).toMatchObject({
      actorKind: 'user',
      targetType: 'auditEvent',
      outcome: 'success',
      subjectIds: ['person-2'],
      details: {
        filters: {
          actorId: null,
          action: null,
          targetType: null,
          targetId: null,
          from: null,
          to: null,
          before: null,
          bySubject: true,
        },
        returned: 2,
      },
    });
  });

  it('defaults to the only district the caller covers', async () => {
    const res = await request(t.app, adminB, 'GET', '/api/v1/audit/events');
    expect(res.statusCode).toBe(200);
    expect(res.json().districtId).toBe(b.districtId);
    expect(res.json().items[0]).toMatchObject({ seq: 1, requestId: 'req-1' });
  });

  it('defaults to the home district of a caller covering several', async () => {
    const res = await request(t.app, bothDistricts, 'GET', '/api/v1/audit/events');
    expect(res.statusCode).toBe(200);
    expect(res.json().districtId).toBe(b.districtId);
  });

  it('asks a caller covering several districts, none of them home, to name one', async () => {
    const res = await request(t.app, bothElsewhere, 'GET', '/api/v1/audit/events', undefined, {
      'accept-language': 'en',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'request.invalid',
      errors: [
        {
          path: 'query.districtId',
          code: 'audit.district_required',
          message: 'You may read the audit trail of several districts; name one (districtId)',
        },
      ],
    });
    const named = await request(
      t.app,
      bothElsewhere,
      'GET',
      `/api/v1/audit/events?districtId=${b.districtId}`,
    );
    expect(named.statusCode).toBe(200);
  });

  it('lets a platform administrator read any district, and the platform chain', async () => {
    const res = await request(
      t.app,
      platformAdmin,
      'GET',
      `/api/v1/audit/events?districtId=${a.districtId}&limit=1`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(1);
    const platform = await request(t.app, platformAdmin, 'GET', '/api/v1/audit/events');
    expect(platform.statusCode).toBe(200);
    expect(platform.json().districtId).toBe(PLATFORM_DISTRICT_ID);
    const denied = await request(
      t.app,
      adminA,
      'GET',
      `/api/v1/audit/events?districtId=${PLATFORM_DISTRICT_ID}`,
    );
    expect(denied.statusCode).toBe(404);
    // An id that names no district has no trail (the search could not even be audited in it).
    const unknown = await request(
      t.app,
      platformAdmin,
      'GET',
      '/api/v1/audit/events?districtId=00000000-0000-4000-8000-000000000001',
    );
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'resource.not_found' });
  });

  it('rejects a limit above 200', async () => {
    const res = await request(
      t.app,
      adminA,
      'GET',
      `/api/v1/audit/events?districtId=${a.districtId}&limit=201`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('querystring.limit');
  });
});

describe('POST /api/v1/audit/verify', () => {
  it('answers 403 to a role without audit.verify and 404 for another district', async () => {
    expect((await request(t.app, principalA, 'POST', '/api/v1/audit/verify')).statusCode).toBe(403);
    const res = await request(t.app, adminB, 'POST', `/api/v1/audit/verify?districtId=${a.districtId}`);
    expect(res.statusCode).toBe(404);
  });

  it('verifies the caller’s districts, records the verification, then reports tampering', async () => {
    await t.auditLog.afterCommit();
    const eventsBefore = (await eventsOf(b.districtId)).length;
    const res = await request(t.app, adminB, 'POST', '/api/v1/audit/verify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ok: true,
      headFile: 'checked',
      districts: [{ districtId: b.districtId, events: eventsBefore, ok: true }],
    });
    const verifyEvent = (await eventsOf(b.districtId)).at(-1);
    expect(verifyEvent).toMatchObject({
      seq: eventsBefore + 1,
      action: 'audit.verify',
      actorId: adminB.userId,
      details: { ok: true, events: eventsBefore, firstBroken: null, headFile: 'checked' },
    });

    // A DBA rewrites the first event of district B.
    const dba = new pg.Client({ connectionString: t.database.pool.options.connectionString });
    await dba.connect();
    await dba.query('set session_replication_role = replica');
    await dba.query(`update audit_events set ip = '203.0.113.5' where district_id = $1 and seq = 1`, [
      b.districtId,
    ]);
    await dba.end();

    const tampered = await request(t.app, adminB, 'POST', `/api/v1/audit/verify?districtId=${b.districtId}`);
    expect(tampered.statusCode).toBe(200);
    expect(tampered.json()).toMatchObject({
      ok: false,
      districts: [{ districtId: b.districtId, ok: false, firstBroken: { seq: 1, reason: 'hash_mismatch' } }],
    });
    const platform = await request(t.app, platformAdmin, 'POST', '/api/v1/audit/verify');
    const byDistrict = new Map(
      (platform.json().districts as { districtId: string; ok: boolean }[]).map((d) => [d.districtId, d.ok]),
    );
    expect([byDistrict.get(a.districtId), byDistrict.get(b.districtId)]).toEqual([true, false]);
    const reads = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.districtId, a.districtId), eq(auditEvents.action, 'audit.verify')));
    expect(reads.map((e) => e.actorId)).toEqual([platformAdmin.userId]);
  });
});
