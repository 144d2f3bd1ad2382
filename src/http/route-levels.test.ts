import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FieldLevel, leafFields, personal, unmaskableReason } from '../access/levels';
import { generateDataKeys } from '../access/protect';
import { loadConfig } from '../config';
import type { Database } from '../db/client';
import type { AuditLog } from '../domains/audit/log';
import { buildApp } from './app';
import { registerDataLevels } from './data-levels';
import type { App } from './types';

/**
 * Every field of every response schema declares its data level (access/levels.ts): an undeclared
 * field counts as L4 and is masked for nearly everyone. Building the app only registers its routes,
 * so no database is needed; nothing here sends a request to the real app.
 */
let app: App;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-levels-'));
  const config = loadConfig({ MINGDE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const deps = {
    config,
    database: {} as Database,
    auditLog: {} as AuditLog,
    dataKeys: generateDataKeys(),
  };
  app = await buildApp(deps, { logger: false });
});

afterAll(async () => {
  await app?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type Responses = Record<string, z.ZodType>;
const responsesOf = (schema: unknown) => (schema as { response?: Responses } | undefined)?.response;
// A 204 answers z.null(): there is no body, so no field to declare.
const isNoBody = (schema: z.ZodType) =>
  (schema as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'null';

function routesWithResponses() {
  return app.routeTable.flatMap((route) =>
    Object.entries(responsesOf(route.schema) ?? {}).map(([status, schema]) => ({
      route: `${route.method} ${route.url} ${status}`,
      schema,
      config: route.config,
    })),
  );
}

function levelAt(method: string, url: string, status: number, field: string): FieldLevel | undefined {
  const route = app.routeTable.find((r) => r.method === method && r.url === url);
  const schema = responsesOf(route?.schema)?.[status];
  if (!schema) throw new Error(`no ${status} response for ${method} ${url}`);
  const leaf = leafFields(schema).find((l) => l.path === field);
  if (!leaf) throw new Error(`no field ${field} in ${method} ${url} ${status}`);
  return leaf.level;
}

describe('response schemas', () => {
  it('declare a maskable data level on every leaf field of every route', () => {
    const responses = routesWithResponses();
    // The walk must have found the API, or it proves nothing.
    expect(responses.length).toBeGreaterThan(60);
    const problems: string[] = [];
    for (const { route, schema } of responses) {
      if (isNoBody(schema)) continue;
      for (const leaf of leafFields(schema)) {
        const reason = leaf.level ? unmaskableReason(leaf.schema, leaf.level) : 'no data level declared';
        if (reason) problems.push(`${route}: ${leaf.path}: ${reason}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('name the data domain of every route with a response', () => {
    const missing = routesWithResponses()
      .filter((r) => !r.config?.dataDomain)
      .map((r) => r.route);
    expect(missing).toEqual([]);
  });

  it('put names and masked identifiers at L3, with their masks', () => {
    const roster = (field: string) => levelAt('GET', '/api/v1/classes/:id/roster', 200, field);
    expect(roster('items[].name')).toEqual({ level: 'personal', mask: 'name' });
    expect(roster('items[].idMasked')).toEqual({ level: 'personal', mask: 'idNumber' });
    expect(roster('items[].studentNumberMasked')).toEqual({ level: 'personal', mask: 'studentNumber' });
    expect(roster('items[].status')).toMatchObject({ level: 'internal' });
    expect(roster('total')).toMatchObject({ level: 'internal' });
    expect(levelAt('GET', '/api/v1/persons/:id', 200, 'phoneMasked')).toEqual({
      level: 'personal',
      mask: 'phone',
    });
    expect(levelAt('GET', '/api/v1/persons/:id', 200, 'guardians[].name')).toEqual({
      level: 'personal',
      mask: 'name',
    });
    expect(levelAt('GET', '/api/v1/users', 200, 'items[].displayName')).toEqual({
      level: 'personal',
      mask: 'name',
    });
    expect(levelAt('GET', '/api/v1/audit/events', 200, 'items[].details')).toMatchObject({
      level: 'personal',
    });
  });

  it('put the names and codes of schools and bureaus at L1', () => {
    const unit = (field: string) => levelAt('GET', '/api/v1/org-units/:id', 200, field);
    expect(unit('name')).toMatchObject({ level: 'public' });
    expect(unit('schoolCode')).toMatchObject({ level: 'public' });
    expect(unit('divisionCode')).toMatchObject({ level: 'public' });
    expect(unit('ancestors[].name')).toMatchObject({ level: 'public' });
    expect(unit('id')).toMatchObject({ level: 'internal' });
    expect(levelAt('GET', '/api/v1/districts', 200, '[].name')).toMatchObject({ level: 'public' });
    expect(levelAt('GET', '/api/v1/reference/school-types', 200, '[].grades[].name.zh-CN')).toMatchObject({
      level: 'public',
    });
  });

  it('declare the roster export file personal and the blank template internal', () => {
    expect(levelAt('GET', '/api/v1/classes/:id/roster/export', 200, '(body)')).toMatchObject({
      level: 'personal',
    });
    expect(levelAt('GET', '/api/v1/imports/templates/:file', 200, '(body)')).toMatchObject({
      level: 'internal',
    });
  });

  it('answer at the caller’s own level where the data is the caller’s own', () => {
    const domainOf = (method: string, url: string) =>
      app.routeTable.find((r) => r.method === method && r.url === url)?.config?.dataDomain;
    // Nobody is signed in yet: the answer is the account just opened.
    expect(domainOf('POST', '/api/v1/guardian-activation')).toBe('self');
    // Only the person and their guardians are answered; the actors' names are what they ask for.
    expect(domainOf('GET', '/api/v1/persons/:id/access-log')).toBe('self');
    expect(domainOf('GET', '/api/v1/audit/events')).toBe('audit');
  });
});

describe('masking on the way out', () => {
  // A small app with only the masking hook: no signed-in caller, so everything above L1 is masked.
  let mini: App;
  beforeAll(async () => {
    const f = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
    f.setValidatorCompiler(validatorCompiler);
    f.setSerializerCompiler(serializerCompiler);
    f.decorateRequest('principal', null);
    mini = f as unknown as App;
    registerDataLevels(mini);
    const tags = ['people'];
    mini.get('/file', { schema: { tags, response: { 200: personal(z.any()) } } }, async (_request, reply) =>
      reply.header('content-type', 'text/csv').send(Buffer.from('姓名\n张三\n')),
    );
    mini.get(
      '/json',
      { schema: { tags, response: { 200: z.object({ name: personal(z.string(), 'name') }) } } },
      async () => ({ name: '张三' }),
    );
    await mini.ready();
  });
  afterAll(async () => {
    await mini?.close();
  });

  it('masks a JSON body above the caller’s ceiling', async () => {
    const res = await mini.inject({ method: 'GET', url: '/json' });
    expect(res.json()).toEqual({ name: '张*' });
  });

  it('leaves a file (a Buffer) alone: preSerialization never sees it', async () => {
    const res = await mini.inject({ method: 'GET', url: '/file' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('姓名\n张三\n');
  });
});
