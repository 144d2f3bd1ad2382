import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';

/** How the service hands out the built console (src/http/web.ts). */
describe('serving the console', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, undefined, { web: true });
  });
  afterAll(() => t?.close());

  it('answers the console page for its own routes, never cached, with the security headers', async () => {
    for (const url of ['/', '/classes/123', '/persons/x/access-log']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.body).toContain('<div id="root"></div>');
    }
  });

  it('caches hashed assets for a year', async () => {
    const index = await t.app.inject({ method: 'GET', url: '/' });
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeDefined();
    const res = await t.app.inject({ method: 'GET', url: script ?? '' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps unknown API addresses as problem+json, not the page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const post = await t.app.inject({ method: 'POST', url: '/somewhere' });
    expect(post.statusCode).toBe(404);
    expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
