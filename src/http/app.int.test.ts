import { describe, expect, it } from 'vitest';
import { request, useTestApp } from '../../test/support/app';

/** The API's common behaviour: problem+json errors, OpenAPI, rate limits, security headers. */
const t = useTestApp({ MINGDE_RATE_LIMIT: '40' });

describe('API basics', () => {
  it('answers an unknown route with a problem in Chinese by default and English on request', async () => {
    const zh = await request(t.app, null, 'GET', '/api/v1/no-such-thing');
    expect(zh.statusCode).toBe(404);
    expect(zh.headers['content-type']).toContain('application/problem+json');
    expect(zh.json()).toMatchObject({ status: 404, code: 'request.not_found', title: '请求的地址不存在' });
    const en = await request(t.app, null, 'GET', '/api/v1/no-such-thing', undefined, {
      'accept-language': 'en-GB',
    });
    expect(en.json().title).toBe('No such route');
  });

  it('asks for sign-in on protected routes', async () => {
    const res = await request(t.app, null, 'GET', '/api/v1/org-units');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'auth.required', title: '请先登录' });
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": "a", ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('request.invalid');
  });

  it('answers text holding NUL (which PostgreSQL cannot store) with 400, not 500', async () => {
    // Found by test/robustness.int.test.ts: any text field or search term reaching a query.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: 'a\u0000b', password: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: 'request.invalid' });
    expect(res.json().detail).toContain('U+0000');
  });

  it('refuses the date 0000-01-01 (no year 0 in PostgreSQL) with 400, not 500', async () => {
    // Found by test/robustness.int.test.ts (PATCH /academic-years/:id { startsOn: '0000-01-01' }).
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/academic-years',
      payload: {
        districtId: '00000000-0000-4000-8000-000000000000',
        name: 'x',
        startsOn: '0000-01-01',
        endsOn: '2030-01-01',
        terms: [],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('body.startsOn');
  });

  it('sends security headers', async () => {
    const res = await request(t.app, null, 'GET', '/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes an OpenAPI document describing every API route with its responses', async () => {
    const res = await request(t.app, null, 'GET', '/api/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      openapi: string;
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${p}`, op })),
    );
    for (const route of [
      'POST /api/v1/auth/sign-in',
      'GET /api/v1/org-units/{id}',
      'POST /api/v1/grants',
      'GET /api/v1/audit/events',
    ]) {
      expect(documented.map((d) => d.route)).toContain(route);
    }
    const withoutSuccess = documented
      .filter(({ op }) => !Object.keys(op.responses ?? {}).some((s) => s.startsWith('2')))
      .map((d) => d.route);
    expect(withoutSuccess).toEqual([]);
  });

  it('limits requests per address with a problem response', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      statuses.push(
        (await request(t.app, null, 'GET', '/healthz', undefined, { 'x-forwarded-for': '1.2.3.4' }))
          .statusCode,
      );
    }
    expect(statuses).toContain(429);
    const limited = await request(t.app, null, 'GET', '/healthz');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'request.rate_limited', title: '请求过于频繁，请稍后再试' });
  });
});
