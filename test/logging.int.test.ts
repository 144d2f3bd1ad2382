import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createUser, request, seedDistrict, useTestApp } from './support/app';

/** Log lines name the route and the request id, never what a user typed or any secret. */
let lines: string[] = [];
const stream = new PassThrough();
stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
const t = useTestApp({}, stream);

describe('request logs', () => {
  it('carry route, status and request id, and no names, passwords, cookies or query text', async () => {
    const d = await seedDistrict(t.database.db);
    const admin = await createUser(t.database.db, {
      grants: [{ role: 'bureauAdmin', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    lines = [];

    const signIn = await request(t.app, null, 'POST', '/api/v1/auth/sign-in', {
      username: admin.username,
      password: 'Secret-password-42',
    });
    expect(signIn.statusCode).toBe(401);
    const search = await request(t.app, admin, 'GET', '/api/v1/org-units?q=张小明110101200001011234');
    expect(search.statusCode).toBe(200);
    const rename = await request(t.app, admin, 'PATCH', `/api/v1/org-units/${d.schoolA.id}`, {
      name: '李四纪念小学',
      version: 1,
    });
    expect(rename.statusCode).toBe(200);

    const log = lines.join('\n');
    const entries = lines.map(
      (l) => JSON.parse(l) as { msg: string; route?: string; reqId?: string; status?: number },
    );
    const requests = entries.filter((e) => e.msg === 'request');
    expect(requests.map((e) => [e.route, e.status])).toEqual([
      ['/api/v1/auth/sign-in', 401],
      ['/api/v1/org-units', 200],
      ['/api/v1/org-units/:id', 200],
    ]);
    expect(requests.every((e) => typeof e.reqId === 'string' && e.reqId.length > 8)).toBe(true);
    for (const secret of [
      admin.username,
      'Secret-password-42',
      '张小明',
      '110101200001011234',
      '李四',
      admin.cookie.split('=')[1] ?? 'cookie',
      admin.csrfToken,
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it('never carry an API client’s secret or access token', async () => {
    const d = await seedDistrict(t.database.db, '110105');
    const admin = await createUser(t.database.db, {
      grants: [{ role: 'bureauAdmin', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    const registered = await request(t.app, admin, 'POST', '/api/v1/api-clients', {
      name: '日志测试应用',
      orgUnitIds: [d.schoolA.id],
      scopes: ['org:read'],
      legalBasis: '协议',
      retentionDays: 7,
    });
    const { client, clientSecret } = registered.json();
    lines = [];
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=${client.id}&client_secret=${clientSecret}`,
    });
    const accessToken = token.json().access_token as string;
    const call = await t.app.inject({
      method: 'GET',
      url: `/api/v1/org-units/${d.schoolA.id}`,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(call.statusCode).toBe(200);
    const log = lines.join('\n');
    expect(log).toContain('/api/v1/org-units/:id');
    expect(log).not.toContain(clientSecret);
    expect(log).not.toContain(accessToken.split('.')[2]);
  });

  it('echo the request id to the client', async () => {
    const res = await request(t.app, null, 'GET', '/healthz', undefined, {
      'x-request-id': 'trace-0123456789',
    });
    expect(res.headers['x-request-id']).toBe('trace-0123456789');
  });
});

describe('error logs', () => {
  it('withhold the SQL parameters of a failed query', async () => {
    const { safeError } = await import('../src/http/app');
    const failed = new Error('Failed query: select * from persons where name = $1\nparams: 王小明');
    const logged = safeError(failed);
    expect(JSON.stringify(logged)).not.toContain('王小明');
    expect(logged.message).toBe('Failed query (SQL and parameters withheld from the log)');
    expect(logged.stack).toContain('at ');
  });
});
