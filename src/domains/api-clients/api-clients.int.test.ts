import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  apiOf,
  createTestApp,
  createUserWithRole,
  type SeededDistrict,
  seedDistrict,
  type TestApp,
  type TestUser,
} from '../../../test/support/app';
import { enrolViaApi, eventsOf } from '../people/students-test-support';

const ID_WANG = '110101201907160335';
const ID_LI = '110101201805120228';

/** Authorised apps: registration, OAuth2 client-credentials tokens, scopes, L4 per field, limits, audit. */
describe('API clients', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let other: SeededDistrict;
  let api: ReturnType<typeof apiOf>;
  let admin: TestUser;
  let schoolAdmin: TestUser;
  let otherAdmin: TestUser;
  let wang = '';
  let li = '';

  const register = (body: Record<string, unknown>, as: TestUser = admin) =>
    api(as, 'POST', '/api-clients', body);
  const baseClient = () => ({
    name: '区智慧校园平台',
    orgUnitIds: [d.schoolA.id],
    scopes: ['persons:read'],
    legalBasis: '与区教育局签订的数据处理协议（2026）第 3 条',
    retentionDays: 30,
  });
  const token = (body: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  const tokenFor = async (id: string, secret: string, scope?: string) => {
    const res = await token(
      `grant_type=client_credentials${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`,
      { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json().access_token as string;
  };
  const asClient = (accessToken: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      payload: body as never,
      headers: { authorization: `Bearer ${accessToken}` },
    });

  beforeAll(async () => {
    t = await createTestApp();
    api = apiOf(t);
    const db = t.database.db;
    d = await seedDistrict(db);
    other = await seedDistrict(db, '110102');
    admin = await createUserWithRole(db, 'bureauAdmin', d);
    schoolAdmin = await createUserWithRole(db, 'schoolAdmin', d, d.schoolA.id);
    otherAdmin = await createUserWithRole(db, 'bureauAdmin', other);
    for (const [name, idNumber, school] of [
      ['王小明', ID_WANG, d.schoolA],
      ['李小红', ID_LI, d.schoolB],
    ] as const) {
      const res = await enrolViaApi(t.app, await createUserWithRole(db, 'schoolAdmin', d, school.id), {
        schoolId: school.id,
        classId: school.classId,
        person: { name, idNumber },
      });
      if (name === '王小明') wang = res.person.id;
      else li = res.person.id;
    }
  });
  afterAll(() => t?.close());

  it('a bureau administrator registers a client: the secret is shown once, the record names its legal basis', async () => {
    const res = await register(baseClient());
    expect(res.statusCode, res.body).toBe(201);
    const { client, clientSecret } = res.json();
    expect(clientSecret).toMatch(/^mdcs_[\w-]{43}$/);
    expect(client).toMatchObject({
      districtId: d.districtId,
      scopes: ['persons:read'],
      retentionDays: 30,
      rateLimitPerMinute: 600,
      enabled: true,
      sensitiveFields: [],
      createdBy: admin.userId,
    });
    const read = await api(admin, 'GET', `/api-clients/${client.id}`);
    expect(read.body).not.toContain(clientSecret);
    expect(read.json()).not.toHaveProperty('secretHash');
    const [event] = await eventsOf(t.database.db, d.districtId, 'apiClient.create');
    expect(event).toMatchObject({ actorId: admin.userId, targetId: client.id });
    expect(JSON.stringify(event)).not.toContain(clientSecret);
  });

  it('only bureau administrators of the district manage clients', async () => {
    expect((await register(baseClient(), schoolAdmin)).statusCode).toBe(403);
    const own = (await register(baseClient())).json().client;
    expect((await api(otherAdmin, 'GET', `/api-clients/${own.id}`)).statusCode).toBe(404);
    expect((await api(otherAdmin, 'GET', '/api-clients')).json().items).toEqual([]);
    // Another district's school, named by this district's administrator: not theirs to give.
    const foreign = await register({ ...baseClient(), orgUnitIds: [other.schoolA.id] });
    expect(foreign.statusCode).toBe(404);
    const mixed = await register({ ...baseClient(), orgUnitIds: [d.schoolA.id, other.schoolA.id] });
    expect(mixed.statusCode).toBe(422);
    const bad = await register({ ...baseClient(), scopes: ['persons:write'] });
    expect(bad.statusCode).toBe(400);
  });

  it('tokens: client credentials by Basic or body, RFC 6749 errors, refused attempts audited', async () => {
    const { client, clientSecret } = (await register(baseClient())).json();
    const viaBody = await token(
      `grant_type=client_credentials&client_id=${client.id}&client_secret=${encodeURIComponent(clientSecret)}`,
    );
    expect(viaBody.statusCode, viaBody.body).toBe(200);
    expect(viaBody.headers['cache-control']).toBe('no-store');
    expect(viaBody.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'persons:read' });
    const [header, payload] = viaBody.json().access_token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({
      alg: 'HS256',
      kid: 'k1',
    });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
      sub: client.id,
      aud: 'mingde-api',
      scope: 'persons:read',
    });

    const wrong = await token(`grant_type=client_credentials&client_id=${client.id}&client_secret=nope`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    const denied = (await eventsOf(t.database.db, d.districtId, 'apiClient.token')).find(
      (e) => e.outcome === 'denied',
    );
    expect(denied).toMatchObject({ actorKind: 'apiClient', actorId: client.id });

    const grant = await token(`grant_type=password&client_id=${client.id}&client_secret=${clientSecret}`);
    expect(grant.json().error).toBe('unsupported_grant_type');
    const scope = await token(
      `grant_type=client_credentials&client_id=${client.id}&client_secret=${clientSecret}&scope=org:read`,
    );
    expect(scope.statusCode).toBe(400);
    expect(scope.json().error).toBe('invalid_scope');
    const unknown = await token('grant_type=client_credentials&client_id=x&client_secret=y');
    expect(unknown.statusCode).toBe(401);
  });

  it('a client reads within its organisations and scopes, masked, and every call is audited', async () => {
    const { client, clientSecret } = (await register(baseClient())).json();
    const bearer = await tokenFor(client.id, clientSecret);
    const res = await asClient(bearer, 'GET', `/schools/${d.schoolA.id}/students`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({ name: '王小明', idMasked: '110101********0335' }),
    ]);
    expect(res.body).not.toContain(ID_WANG);
    expect((await asClient(bearer, 'GET', `/schools/${d.schoolB.id}/students`)).statusCode).toBe(404);
    expect((await asClient(bearer, 'GET', `/persons/${li}`)).statusCode).toBe(404);
    // No write scope exists: registering a student is refused outright.
    const write = await asClient(bearer, 'POST', '/students', {});
    expect(write.statusCode).toBeGreaterThanOrEqual(400);
    expect(write.statusCode).toBeLessThan(500);

    // The call is audited once its answer is sent (onResponse): wait for the last one to land.
    await vi.waitFor(async () => {
      const calls = (await eventsOf(t.database.db, d.districtId, 'apiClient.call')).filter(
        (e) => e.actorId === client.id,
      );
      expect(calls.map((e) => `${e.targetId} ${e.outcome}`).sort()).toEqual([
        'GET /api/v1/persons/:id failure',
        'GET /api/v1/schools/:id/students failure',
        'GET /api/v1/schools/:id/students success',
        `POST /api/v1/students ${write.statusCode === 403 ? 'denied' : 'failure'}`,
      ]);
    });
    const [read] = await eventsOf(t.database.db, d.districtId, 'roster.read');
    expect(read).toMatchObject({ actorKind: 'apiClient', actorId: client.id, subjectIds: [wang] });
  });

  it('a token narrowed to org:read cannot read persons; nor a token for a client since narrowed', async () => {
    const { client, clientSecret } = (
      await register({ ...baseClient(), scopes: ['org:read', 'persons:read'] })
    ).json();
    const orgOnly = await tokenFor(client.id, clientSecret, 'org:read');
    expect((await asClient(orgOnly, 'GET', `/schools/${d.schoolA.id}/students`)).statusCode).toBe(403);
    expect((await asClient(orgOnly, 'GET', `/org-units/${d.schoolA.id}`)).statusCode).toBe(200);
    const full = await tokenFor(client.id, clientSecret);
    expect((await asClient(full, 'GET', `/schools/${d.schoolA.id}/students`)).statusCode).toBe(200);
    await api(admin, 'PATCH', `/api-clients/${client.id}`, { scopes: ['org:read'] });
    expect((await asClient(full, 'GET', `/schools/${d.schoolA.id}/students`)).statusCode).toBe(403);
  });

  it('L4 only for fields a bureau administrator granted, for the purpose named, until they expire', async () => {
    const { client, clientSecret } = (await register(baseClient())).json();
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const early = await api(admin, 'PUT', `/api-clients/${client.id}/sensitive-fields`, {
      fields: [{ field: 'idNumber', purpose: 'financialAidReview', expiresAt: until }],
    });
    expect(early.statusCode).toBe(422);
    await api(admin, 'PATCH', `/api-clients/${client.id}`, { scopes: ['persons:read', 'persons:reveal'] });
    const before = await asClient(
      await tokenFor(client.id, clientSecret),
      'POST',
      `/persons/${wang}/reveal`,
      {
        purpose: 'financialAidReview',
        fields: ['idNumber'],
      },
    );
    expect(before.statusCode).toBe(403);
    const granted = await api(admin, 'PUT', `/api-clients/${client.id}/sensitive-fields`, {
      fields: [{ field: 'idNumber', purpose: 'financialAidReview', expiresAt: until }],
    });
    expect(granted.statusCode, granted.body).toBe(200);
    const bearer = await tokenFor(client.id, clientSecret);
    const shown = await asClient(bearer, 'POST', `/persons/${wang}/reveal`, {
      purpose: 'financialAidReview',
      fields: ['idNumber'],
    });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json().idNumber).toBe(ID_WANG);
    const [event] = await eventsOf(t.database.db, d.districtId, 'person.reveal');
    expect(event).toMatchObject({
      actorKind: 'apiClient',
      purpose: 'financialAidReview',
      subjectIds: [wang],
    });
    for (const body of [
      { purpose: 'financialAidReview', fields: ['phone'] },
      { purpose: 'supervisionCheck', fields: ['idNumber'] },
      { purposeId: client.id, fields: ['idNumber'] },
    ]) {
      expect((await asClient(bearer, 'POST', `/persons/${wang}/reveal`, body)).statusCode).toBe(403);
    }
    // Without persons:reveal in the token, the grant does not apply.
    const narrow = await tokenFor(client.id, clientSecret, 'persons:read');
    const res = await asClient(narrow, 'POST', `/persons/${wang}/reveal`, {
      purpose: 'financialAidReview',
      fields: ['idNumber'],
    });
    expect(res.statusCode).toBe(403);
  });

  it('a replaced secret, a disabled client or a forged token stops working at once', async () => {
    const { client, clientSecret } = (await register(baseClient())).json();
    const bearer = await tokenFor(client.id, clientSecret);
    const rotated = await api(admin, 'POST', `/api-clients/${client.id}/secret`);
    expect(rotated.statusCode).toBe(200);
    const refused = await asClient(bearer, 'GET', `/schools/${d.schoolA.id}/students`);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('invalid_token');
    const fresh = await tokenFor(client.id, rotated.json().clientSecret);
    expect((await asClient(fresh, 'GET', `/schools/${d.schoolA.id}/students`)).statusCode).toBe(200);

    const [h, p, s] = fresh.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()), did: other.districtId })).toString('base64url')}.${s}`;
    expect((await asClient(forged, 'GET', `/schools/${d.schoolA.id}/students`)).statusCode).toBe(401);

    await api(admin, 'POST', `/api-clients/${client.id}/disable`);
    expect((await asClient(fresh, 'GET', `/schools/${d.schoolA.id}/students`)).statusCode).toBe(401);
    const again = await token(
      `grant_type=client_credentials&client_id=${client.id}&client_secret=${rotated.json().clientSecret}`,
    );
    expect(again.statusCode).toBe(401);
  });

  it('a bearer header beside a session cookie never borrows the cookie’s rights (no CSRF bypass)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-clients',
      payload: baseClient(),
      headers: { cookie: admin.cookie, authorization: 'Bearer not-a-token' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('auth.token_invalid');
  });

  it('each client keeps to its own rate limit', async () => {
    const { client, clientSecret } = (await register({ ...baseClient(), rateLimitPerMinute: 3 })).json();
    const bearer = await tokenFor(client.id, clientSecret);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await asClient(bearer, 'GET', `/schools/${d.schoolA.id}/students`)).statusCode);
    }
    // Seven requests span at most two minute windows of three each: some are refused, whatever the clock.
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(6);
    const another = (await register(baseClient())).json();
    const ok = await asClient(
      await tokenFor(another.client.id, another.clientSecret),
      'GET',
      `/schools/${d.schoolA.id}/students`,
    );
    expect(ok.statusCode).toBe(200);
  });
});
