/**
 * Robustness (issue 4, point 6): every route of the API and the roster import are fed malformed
 * ids, query strings, bodies and files, as a platform administrator and as a school administrator
 * (so that authorisation lets the requests through to validation and to the services). Whatever
 * arrives, the answer is never a 500, every 4xx is problem+json, and a refused request writes
 * nothing: the row count of every table (but the audit trail and sessions) is the same after it.
 *
 * The routes come from the app's own route table, so a new route is fuzzed without anyone listing
 * it here; a route no request could reach (past routing, sign-in and validation) fails its test.
 *
 * ROBUSTNESS_RUNS (runs per route) and ROBUSTNESS_IMPORT_RUNS hunt longer; ROBUSTNESS_REPORT=1
 * prints the answers each route gave and what became of the uploads.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateDataKeys } from '../src/access/protect';
import { loadConfig } from '../src/config';
import type { Database } from '../src/db/client';
import { createSession } from '../src/domains/accounts/sessions';
import type { AuditLog } from '../src/domains/audit/log';
import { importColumns } from '../src/domains/people/imports-columns';
import {
  residentId,
  studentRecord,
  studentsCsv,
  studentsXlsx,
} from '../src/domains/people/imports-test-support';
import {
  enrol,
  insertGuardianRelation,
  insertHeadTeacher,
  insertPerson,
  insertStaffPost,
  insertTeaching,
  onlyCurrentYear,
  today,
} from '../src/domains/people/people-test-fixtures';
import { idNumber } from '../src/domains/people/students-test-support';
import { buildApp } from '../src/http/app';
import { CSRF_HEADER, SESSION_COOKIE } from '../src/http/auth';
import type { RouteEntry } from '../src/http/route-table';
import {
  createUser,
  request,
  type SeededDistrict,
  seedDistrict,
  TEST_PASSWORD,
  type TestUser,
  useTestApp,
} from './support/app';

/** Runs per route: about 100 routes, so ~5,000 requests (each refused one between two row counts). */
const RUNS_PER_ROUTE = Number(process.env.ROBUSTNESS_RUNS ?? 50);
const IMPORT_RUNS = Number(process.env.ROBUSTNESS_IMPORT_RUNS ?? 200);
const ROSTER_RUNS = Number(process.env.ROBUSTNESS_IMPORT_RUNS ?? 200) / 2;
const SKIPPED = (url: string) => url === '/healthz' || url.startsWith('/api/docs');

// ---------------------------------------------------------------------------------------------
// The routes, read from an app built without a database (nothing is sent to it), so that each
// route gets a test of its own. The fuzzed app's table is checked against this list.

async function listRoutes(): Promise<{ method: string; url: string }[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-routes-'));
  try {
    const config = loadConfig({ MINGDE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const deps = { config, database: {} as Database, auditLog: {} as AuditLog, dataKeys: generateDataKeys() };
    const app = await buildApp(deps, { logger: false });
    const routes = app.routeTable
      .filter((r) => !SKIPPED(r.url))
      .map((r) => ({ method: r.method, url: r.url }));
    await app.close();
    return routes;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const routes = await listRoutes();

// ---------------------------------------------------------------------------------------------
// The app, its district and the callers

/** The server's error lines (a 500 names its cause in the failure message). */
const serverErrors: string[] = [];
const errorLog = new Writable({
  write(chunk, _encoding, done) {
    const line = String(chunk);
    if (line.includes('"level":50')) serverErrors.push(line);
    done();
  },
});
const t = useTestApp(
  { MINGDE_RATE_LIMIT: '10000000', MINGDE_SIGNIN_RATE_LIMIT: '10000000', LOG_LEVEL: 'error' },
  errorLog,
);
const lastServerError = () => {
  const line = serverErrors.at(-1);
  if (!line) return '';
  const { err } = JSON.parse(line) as {
    err?: { type?: string; code?: string; message?: string; stack?: string };
  };
  return ` [server: ${err?.type} ${err?.code ?? ''} ${err?.message} ${err?.stack?.split('\n').slice(0, 4).join(' ')}]`;
};
let d: SeededDistrict;
const callers: Record<'admin' | 'schoolAdmin', TestUser> = {} as never;
type As = keyof typeof callers | 'anonymous';
/** Valid ids by table (the callers' own users and grants left out, so fuzzing cannot lock them out). */
const idsByTable = new Map<string, string[]>();
let allIds: string[] = [];
/** Strings that mean something here: usernames, ID numbers, codes, names. */
let knownStrings: string[] = [];
let countSql = '';

const db = () => t.database.db;

async function api(user: TestUser, method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await request(t.app, user, method, `/api/v1${url}`, body);
  if (res.statusCode >= 300) throw new Error(`seeding ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

async function waitForImports(): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    const { rows } = await t.database.pool.query<{ n: number }>(
      `select count(*)::int as n from roster_imports where status in ('validating', 'applying')`,
    );
    if (rows[0]?.n === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('roster imports did not settle');
}

beforeAll(async () => {
  d = await seedDistrict(db());
  // Imports and assignments need a current year.
  const year = await onlyCurrentYear(db(), d, [d.schoolA.classId, d.schoolB.classId]);
  const { districtId } = d;

  callers.admin = await createUser(db(), { platformAdmin: true });
  callers.schoolAdmin = await createUser(db(), {
    grants: [{ role: 'schoolAdmin', districtId, orgUnitId: d.schoolA.id }],
  });
  const victim = await createUser(db(), {
    grants: [{ role: 'principal', districtId, orgUnitId: d.schoolB.id }],
  });

  // People of both schools, with every relation the routes act on.
  const guardians: string[] = [];
  for (const [school, n] of [
    [d.schoolA, 0],
    [d.schoolB, 10],
  ] as const) {
    for (let i = 0; i < 2; i++) {
      const student = await insertPerson(db(), districtId, `学生${n + i}`);
      await enrol(db(), {
        districtId,
        personId: student,
        schoolId: school.id,
        classId: school.classId,
        ...year,
      });
      const guardian = await insertPerson(db(), districtId, `家长${n + i}`);
      await insertGuardianRelation(db(), { districtId, guardianPersonId: guardian, childPersonId: student });
      guardians.push(guardian);
    }
    const teacher = await insertPerson(db(), districtId, `教师${n}`);
    await insertStaffPost(db(), { districtId, personId: teacher, schoolId: school.id });
    await insertTeaching(db(), {
      districtId,
      personId: teacher,
      classId: school.classId,
      termId: year.termId,
    });
    await insertHeadTeacher(db(), { districtId, personId: teacher, classId: school.classId, ...year });
  }
  // A student with an ID number, registered through the API (encrypted columns are filled).
  const enrolled = await api(callers.admin, 'POST', '/students', {
    schoolId: d.schoolA.id,
    classId: d.schoolA.classId,
    person: { name: '王小明', idType: '1', idNumber: idNumber('20150101', 11), phone: '13800138000' },
    enteredOn: today(),
  });
  const enrolledPersonId = (enrolled.person as { id: string }).id;
  await api(callers.admin, 'POST', `/guardians/${guardians[0]}/activation-code`);
  await api(callers.schoolAdmin, 'POST', '/purposes', {
    purpose: 'homeSchoolContact',
    reason: '家访联系',
    personId: enrolledPersonId,
  });
  await api(callers.admin, 'POST', '/groupings', {
    districtId,
    kind: 'schoolZone',
    name: '第一学区',
    schoolIds: [d.schoolA.id, d.schoolB.id],
  });
  const city = await api(callers.admin, 'POST', '/city-bureaus', {
    divisionCode: '110000',
    name: '北京市教育委员会',
  });
  await api(callers.admin, 'POST', '/city-grants', {
    userId: victim.userId,
    cityBureauId: city.id,
    role: 'cityBureauAnalyst',
  });
  await api(callers.admin, 'POST', '/districts', {
    divisionCode: '110102',
    name: '西城区教育委员会',
    cityBureauId: city.id,
  });
  // One import checked and waiting for confirmation, one that failed.
  const csv = Buffer.from(studentsCsv([0, 1].map((n) => studentRecord(n, { grade: '一年级', number: '1' }))));
  for (const file of [csv, Buffer.from('not,a,roster\n1,2,3\n')]) {
    const res = await uploadFile(
      callers.schoolAdmin,
      d.schoolA.id,
      'students',
      multipartBody([filePart('file', 'roster.csv', file)]),
    );
    if (res.statusCode !== 202) throw new Error(`seeding upload: ${res.statusCode} ${res.body}`);
  }
  await waitForImports();

  await loadIdPools();
  knownStrings = [
    victim.username,
    TEST_PASSWORD,
    idNumber('20150101', 11),
    idNumber('20150101', 13),
    idNumber('19850101', 21),
    '13800138000',
    '110101',
    '110000',
    '2111000001',
    '1',
    '2',
    '01',
    '10',
    '14',
    '51',
    '52',
    '211',
    '一年级',
    '王小明',
    '张三',
    '东城区第一实验小学',
  ];

  // One statement counting the rows of every table the fuzzing may not change on a refusal.
  const { rows: tables } = await t.database.pool.query<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'
        and table_name not in ('audit_events', 'audit_heads', 'sessions') order by 1`,
  );
  countSql = tables
    .map(({ table_name: name }) => `select '${name}' as t, count(*)::int as n from "${name}"`)
    .join(' union all ');
}, 120_000);

/**
 * Every id of every table, by table, and narrower pools where a path or field names a kind of
 * unit or person. Read again before each route, so what earlier routes created is fuzzed too.
 */
async function loadIdPools(): Promise<void> {
  const callerIds = [callers.admin.userId, callers.schoolAdmin.userId];
  const { rows: idTables } = await t.database.pool.query<{ table_name: string }>(
    `select c.table_name from information_schema.columns c
       join information_schema.tables t using (table_schema, table_name)
      where c.table_schema = 'public' and c.column_name = 'id' and c.data_type = 'uuid'
        and t.table_type = 'BASE TABLE' order by 1`,
  );
  const queries: Record<string, string> = {
    'org_units:school': `select id::text from org_units where kind = 'school'`,
    'org_units:class': `select id::text from org_units where kind = 'class'`,
    'persons:student': 'select distinct person_id::text as id from enrolments',
    'persons:guardian': 'select distinct guardian_person_id::text as id from guardian_relations',
    'persons:staff': 'select distinct person_id::text as id from staff_posts',
  };
  for (const { table_name: table } of idTables) {
    // The callers' own account and grants stay out: fuzzing must not lock them out.
    const exclude =
      table === 'grants' ? 'where user_id <> all($1)' : table === 'users' ? 'where id <> all($1)' : '';
    queries[table] = `select id::text from "${table}" ${exclude} order by id limit 40`;
  }
  idsByTable.clear();
  for (const [pool, query] of Object.entries(queries)) {
    const { rows } = await t.database.pool.query<{ id: string }>(
      query,
      query.includes('$1') ? [callerIds] : [],
    );
    idsByTable.set(
      pool,
      rows.map((r) => r.id),
    );
  }
  allIds = idTables.flatMap(({ table_name: table }) => idsByTable.get(table) ?? []);
}

afterAll(() => {
  // What the fuzzing reached, for the record (a route that never got past validation fails its test).
  const lines = [...stats.entries()].map(
    ([route, s]) =>
      `${route.padEnd(60)} ${Object.entries(s.statuses)
        .sort()
        .map(([k, v]) => `${k}×${v}`)
        .join(' ')}`,
  );
  if (process.env.ROBUSTNESS_REPORT) console.log(lines.join('\n'));
});

// ---------------------------------------------------------------------------------------------
// Checks shared by the route and the import properties

async function rowCounts(): Promise<Map<string, number>> {
  const { rows } = await t.database.pool.query<{ t: string; n: number }>(countSql);
  return new Map(rows.map((r) => [r.t, r.n]));
}

function changedTables(before: Map<string, number>, after: Map<string, number>, ignore: string[] = []) {
  return [...before.keys()]
    .filter((table) => !ignore.includes(table) && before.get(table) !== after.get(table))
    .map((table) => `${table}: ${before.get(table)} → ${after.get(table)}`);
}

interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
}

/**
 * A 4xx answer: JSON, and problem+json (RFC 9457: `status` and `code`) unless the route declares a
 * body of its own for that status (the OAuth token endpoint answers as RFC 6749 §5.2 says).
 * Throws, failing the run, when it is neither. Returns the problem's code ('' for a declared body).
 */
function problemOf(res: Answer, what: string, route?: RouteEntry): { status: number; code: string } {
  let body: { status?: unknown; code?: unknown };
  try {
    body = JSON.parse(res.body) as typeof body;
  } catch {
    throw new Error(
      `${what}: ${res.statusCode} answered with a body that is not JSON: ${res.body.slice(0, 300)}`,
    );
  }
  const declared = (route?.schema as { response?: Record<string, z.ZodType> } | undefined)?.response?.[
    res.statusCode
  ];
  if (declared) {
    const parsed = declared.safeParse(body);
    expect(parsed.success, `${what}: ${res.statusCode} does not match its declared body: ${res.body}`).toBe(
      true,
    );
    return { status: res.statusCode, code: '' };
  }
  expect(String(res.headers['content-type']), `${what}: ${res.body.slice(0, 300)}`).toMatch(
    /^application\/problem\+json/,
  );
  expect(body.status, `${what}: problem status`).toBe(res.statusCode);
  expect(typeof body.code, `${what}: problem code`).toBe('string');
  return body as { status: number; code: string };
}

/** fast-check's report with every line cut short (a counterexample may hold a 400 kB string). */
const shortReport = <T>() => ({
  reporter(details: fc.RunDetails<T>) {
    if (!details.failed) return;
    const text = fc.defaultReportMessage(details) ?? 'property failed';
    const lines = text
      .split('\n')
      .map((l) => (l.length > 1500 ? `${l.slice(0, 1500)}… (${l.length} chars)` : l));
    throw new Error(lines.join('\n'), { cause: details.errorInstance });
  },
});

/** The callers may have signed themselves out (POST /auth/sign-out): give them a session again. */
async function keepSignedIn(): Promise<void> {
  for (const [name, user] of Object.entries(callers)) {
    const me = await request(t.app, user, 'GET', '/api/v1/auth/me');
    if (me.statusCode === 200) continue;
    const session = await createSession(db(), user.userId, 8);
    user.cookie = `${SESSION_COOKIE}=${session.token}`;
    user.csrfToken = session.csrfToken;
    const again = await request(t.app, user, 'GET', '/api/v1/auth/me');
    if (again.statusCode !== 200) throw new Error(`caller ${name} can no longer act: ${again.body}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Values: valid ones read from a route's JSON schema, wrong ones of every kind

type JsonSchema = {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
};

function jsonSchemaOf(schema: unknown): JsonSchema | undefined {
  if (!schema) return undefined;
  return z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

const snake = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
const ALIASES: Record<string, string> = {
  class: 'org_units:class',
  classes: 'org_units:class',
  school: 'org_units:school',
  schools: 'org_units:school',
  member: 'org_units:school',
  members: 'org_units:school',
  parent: 'org_units',
  student: 'persons:student',
  students: 'persons:student',
  guardian: 'persons:guardian',
  guardians: 'persons:guardian',
  staff: 'persons:staff',
  person: 'persons',
};

/** Ids of the table a name points at: `users/:id`, `schoolId`, `orgUnitId`, `toClassId` … */
function idsFor(name: string): string[] {
  const word = snake(name.replace(/Ids?$/, ''));
  const candidates = [word, word.split('_').at(-1) ?? word];
  for (const w of candidates) {
    for (const table of [ALIASES[w], w, `${w}s`].filter(Boolean) as string[]) {
      const exact = idsByTable.get(table);
      if (exact?.length) return exact;
      const suffix = [...idsByTable.entries()].find(([tbl, ids]) => tbl.endsWith(`_${table}`) && ids.length);
      if (suffix) return suffix[1];
    }
  }
  return allIds;
}

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0644\u0627',
  '😀'.repeat(40),
  '\r\n\t',
  '../../../etc/passwd',
  '..%2F..%2F',
  "' or 1=1 --",
  '"; drop table persons; --',
  '%',
  '_',
  '\\',
  '$1',
  '::uuid',
  '<script>alert(1)</script>',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  'true',
  '__proto__',
  'constructor',
  '０１２３',
  '張三 李四',
  'x'.repeat(300),
];
const WEIRD_DATES = [
  '0000-01-01',
  '0001-01-01',
  '9999-12-31',
  '1900-02-29',
  '2000-02-29',
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2026-9-1',
  '2026/09/01',
  '20260901',
  '+275760-09-13',
  '-001000-01-01',
  'infinity',
  '-infinity',
  'epoch',
  'today',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '2026-09-01T25:00:00Z',
  '2026-09-01T00:00:00+25:00',
  '1970-01-01T00:00:00Z',
];
const WEIRD_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 63,
  1e308,
  -1e308,
  Number.MIN_VALUE,
];

const weirdString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WEIRD_STRINGS, ...WEIRD_DATES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uuid() },
  // Long, but far below the 1 MB body limit.
  { weight: 1, arbitrary: fc.constantFrom(5_000, 100_000, 400_000).map((n) => '名'.repeat(n / 3)) },
);

/** A value nested `depth` levels deep. */
const nested = (depth: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: weirdString },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }, ...WEIRD_NUMBERS),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(50, 2_000).map((n) => nested(n, 'x')) },
  { weight: 1, arbitrary: fc.array(fc.uuid(), { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
    ),
  },
);

const datesAround = () => [
  '2026-09-01',
  '2027-07-01',
  '2024-09-01',
  today(),
  '2000-02-29',
  '0001-01-01',
  '9999-12-31',
  '0000-01-01',
];

/** A value the schema accepts (mostly: patterns and refinements are not all honoured). */
function validValue(schema: JsonSchema | undefined, name = '', depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(s, name, depth + 1)));
  if (schema.allOf?.[0]) return validValue(schema.allOf[0], name, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = Math.max(schema.minimum ?? -1e6, Number.MIN_SAFE_INTEGER);
      const max = Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER);
      const edges = [min, max, Math.min(max, Math.max(min, 1))];
      return fc.oneof(
        fc.constantFrom(...edges),
        fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) }),
      );
    }
    case 'string':
      return validString(schema, name);
    case 'array': {
      const maxLength = Math.min(schema.maxItems ?? 4, 4);
      const minLength = Math.min(schema.minItems ?? 0, maxLength);
      return fc.array(validValue(schema.items, name, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, s]) => [key, validValue(s, key, depth + 1)]),
      );
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in model) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: JsonSchema, name: string): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 200, 200);
  const fits = (s: string) => s.length >= min && s.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
  switch (schema.format) {
    case 'uuid':
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...idsFor(name)) },
        { weight: 1, arbitrary: fc.uuid() },
      );
    case 'date':
      return fc.constantFrom(...datesAround());
    case 'date-time':
      return fc.constantFrom(
        new Date().toISOString(),
        new Date(Date.now() + 86_400_000).toISOString(),
        '2026-09-01T00:00:00+08:00',
        '0000-01-01T00:00:00Z',
        '9999-12-31T23:59:59.999Z',
      );
  }
  const known = knownStrings.filter(fits);
  const options: fc.Arbitrary<string>[] = [fc.string({ minLength: min, maxLength: max })];
  if (known.length) options.push(fc.constantFrom(...known));
  const weird = [...WEIRD_STRINGS, ...WEIRD_DATES].filter(fits);
  if (weird.length) options.push(fc.constantFrom(...weird));
  if (schema.pattern && !schema.format) {
    try {
      options.push(fc.stringMatching(new RegExp(schema.pattern)).filter(fits));
    } catch {
      // a pattern fast-check cannot generate from: the other options remain
    }
  }
  return fc.oneof(...options);
}

/** Mostly right, sometimes wrong, field by field. */
function fieldValue(schema: JsonSchema | undefined, name: string, depth = 0): fc.Arbitrary<unknown> {
  const inner =
    schema?.properties && depth < 3
      ? objectOfFields(schema, depth + 1)
      : schema?.items && depth < 3
        ? fc.array(fieldValue(schema.items, name, depth + 1), { maxLength: 3 })
        : validValue(schema, name, depth);
  return fc.oneof({ weight: 5, arbitrary: inner }, { weight: 1, arbitrary: wrongValue });
}

function objectOfFields(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => objectOfFields(s, depth)));
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, fieldValue(s, k, depth)]));
  return fc
    .tuple(fc.record(model, { requiredKeys: [] }), fc.option(fc.tuple(weirdString, wrongValue), { freq: 5 }))
    .map(([record, extra]) => (extra ? { ...record, [extra[0]]: extra[1] } : record));
}

// ---------------------------------------------------------------------------------------------
// Requests

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; payload: string | Buffer; contentType?: string };

interface Fuzzed {
  as: As;
  params: Record<string, string>;
  query: string;
  body: Body;
  lang?: string;
  /** Forged credentials: an Authorization header, or a session cookie and CSRF token of our own. */
  forged?: Record<string, string>;
}

/** Percent-encodes every byte but the unreserved ones (lone surrogates become U+FFFD). */
function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const RAW_SEGMENTS = [
  '..',
  '.',
  '%00',
  '%ZZ',
  '%',
  '%E4%B8',
  '%C0%AF',
  '%2e%2e%2f',
  '%u0041',
  '%25',
  '%2F',
  ';',
  ',',
];
const RAW_QUERIES = [
  'a=1&a=2',
  '&&&',
  '=',
  '%ZZ=1',
  'q=%E4',
  'page[]=1',
  'page[a]=1',
  '__proto__=1',
  'constructor[prototype][x]=1',
  'page=1&page=2',
  'lang=en',
  'lang=xx',
  `q=${'%E5%90%8D'.repeat(3000)}`,
];

function paramArb(name: string, schema: JsonSchema | undefined, segment: string): fc.Arbitrary<string> {
  const ids = idsFor(name === 'id' ? segment : name);
  const encoded = (a: fc.Arbitrary<string>) => a.map(percentEncode);
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: encoded(validValue(schema, name).map(String)) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: encoded(weirdString.filter((s) => s.length < 3000)) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
    { weight: 1, arbitrary: fc.uuid().map((u) => `${u}x`) },
  );
}

/** A query value as text, or several (a repeated key). */
function queryText(value: unknown): string[] {
  if (Array.isArray(value)) return value.length ? value.flatMap(queryText) : [''];
  if (value === null) return ['null'];
  if (typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

function queryArb(schema: JsonSchema | undefined): fc.Arbitrary<string> {
  const own = schema?.properties ?? {};
  const ownPairs = Object.keys(own).length
    ? objectOfFields({ properties: own }).map((o) => Object.entries(o as Record<string, unknown>))
    : fc.constant([] as [string, unknown][]);
  const randomPairs = fc.oneof(
    { weight: 2, arbitrary: fc.constant([] as [string, unknown][]) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.tuple(fc.oneof(fc.constantFrom('lang', 'page', 'limit', 'q', 'id'), weirdString), wrongValue),
        { minLength: 1, maxLength: 2 },
      ),
    },
  );
  const built = fc
    .tuple(ownPairs, randomPairs)
    .map(([a, b]) =>
      [...a, ...b]
        .flatMap(([k, v]) =>
          queryText(v).map((text) => `${percentEncode(k)}=${percentEncode(text.slice(0, 20_000))}`),
        )
        .join('&'),
    );
  return fc.oneof({ weight: 6, arbitrary: built }, { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) });
}

const RAW_BODIES = [
  '{',
  '{"a":',
  'not json',
  '\u0000',
  'null',
  '[]',
  '"text"',
  '1e999',
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '\ufeff{}',
  '{}{}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=latin1',
  'application/problem+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json; charset=utf-16',
];

const rawBody: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      payload: fc.oneof(fc.constantFrom(...RAW_BODIES), fc.string({ unit: 'binary', maxLength: 60 })),
      contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.constant<Body>({ kind: 'raw', payload: '', contentType: 'application/json' }) },
  // Over the 1 MB body limit.
  {
    weight: 1,
    arbitrary: fc.constant<Body>({
      kind: 'raw',
      payload: `{"a":"${'x'.repeat(1_100_000)}"}`,
      contentType: 'application/json',
    }),
  },
);

function bodyArb(route: RouteEntry, bodySchema: JsonSchema | undefined): fc.Arbitrary<Body> {
  const json = (a: fc.Arbitrary<unknown>) => a.map((value): Body => ({ kind: 'json', value }));
  if (route.method === 'GET') return fc.constant({ kind: 'none' });
  if (!bodySchema) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant<Body>({ kind: 'none' }) },
      { weight: 1, arbitrary: json(fc.jsonValue({ maxDepth: 3 })) },
      { weight: 1, arbitrary: rawBody },
    );
  }
  return fc.oneof(
    { weight: 5, arbitrary: json(objectOfFields(bodySchema)) },
    { weight: 3, arbitrary: json(validValue(bodySchema)) },
    { weight: 1, arbitrary: json(fc.oneof(fc.jsonValue({ maxDepth: 4 }), wrongValue)) },
    { weight: 1, arbitrary: rawBody },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: 'none' }) },
  );
}

const asArb = fc.constantFrom<As>('admin', 'admin', 'admin', 'schoolAdmin', 'schoolAdmin', 'anonymous');
const langArb = fc.option(fc.constantFrom('en', 'zh-CN', 'xx', '*', 'en;q=abc', ''), { nil: undefined });
const headerText = fc.stringMatching(/^[\x21-\x7e]{0,120}$/);
const base64Of = (a: fc.Arbitrary<string>) => a.map((v) => Buffer.from(v).toString('base64'));
const forgedArb = fc.option(
  fc.oneof(
    fc.record({
      authorization: fc.oneof(
        headerText.map((v) => `Bearer ${v}`),
        fc.constantFrom(
          'Bearer',
          'Bearer ',
          'bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
          'Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA',
          'Basic',
          'Basic !!!',
          'Digest username="x"',
        ),
        base64Of(fc.constantFrom('%E4:%ZZ', ':', 'id:', ':secret', '\u0000:\u0000')).map((v) => `Basic ${v}`),
        base64Of(fc.string({ unit: 'binary', maxLength: 40 })).map((v) => `Basic ${v}`),
      ),
    }),
    fc.record({ cookie: headerText.map((v) => `mingde_session=${v}`), [CSRF_HEADER]: headerText }),
  ),
  { freq: 8, nil: undefined },
);

function fuzzedArb(route: RouteEntry): fc.Arbitrary<Fuzzed> {
  const schema = (route.schema ?? {}) as { params?: unknown; querystring?: unknown; body?: unknown };
  const paramsSchema = jsonSchemaOf(schema.params);
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  const segments = route.url.split('/');
  const paramModel = Object.fromEntries(
    names.map((n) => [
      n,
      paramArb(n, paramsSchema?.properties?.[n], segments[segments.indexOf(`:${n}`) - 1] ?? ''),
    ]),
  );
  return fc.record({
    as: asArb,
    params: fc.record(paramModel),
    query: queryArb(jsonSchemaOf(schema.querystring)),
    body: bodyArb(route, jsonSchemaOf(schema.body)),
    lang: langArb,
    forged: forgedArb,
  });
}

/** Well-formed requests (valid ids, values the schemas accept), tried first on every route. */
function wellFormedArb(route: RouteEntry): fc.Arbitrary<Fuzzed> {
  const schema = (route.schema ?? {}) as { params?: unknown; querystring?: unknown; body?: unknown };
  const paramsSchema = jsonSchemaOf(schema.params);
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  const segments = route.url.split('/');
  const paramModel = Object.fromEntries(
    names.map((n) => {
      const ids = idsFor(n === 'id' ? (segments[segments.indexOf(`:${n}`) - 1] ?? '') : n);
      const prop = paramsSchema?.properties?.[n];
      return [
        n,
        prop?.format === 'uuid' || !prop
          ? fc.constantFrom(...ids)
          : validValue(prop, n).map((v) => percentEncode(String(v))),
      ];
    }),
  );
  const query = jsonSchemaOf(schema.querystring);
  const body = jsonSchemaOf(schema.body);
  return fc.record({
    as: fc.constantFrom<As>('admin', 'schoolAdmin'),
    params: fc.record(paramModel),
    query: query
      ? validValue(query).map((o) =>
          Object.entries(o as Record<string, unknown>)
            .flatMap(([k, v]) => queryText(v).map((text) => `${percentEncode(k)}=${percentEncode(text)}`))
            .join('&'),
        )
      : fc.constant(''),
    body: body
      ? validValue(body).map((value): Body => ({ kind: 'json', value }))
      : fc.constant<Body>({ kind: 'none' }),
    lang: fc.constant(undefined),
  });
}

async function send(route: RouteEntry, req: Fuzzed) {
  const url =
    route.url.replace(/:(\w+)/g, (_, name: string) => req.params[name] ?? '') +
    (req.query ? `?${req.query}` : '');
  const headers: Record<string, string> = {};
  const user = req.as === 'anonymous' ? null : callers[req.as];
  if (user) {
    headers.cookie = user.cookie;
    headers[CSRF_HEADER] = user.csrfToken;
  }
  if (req.lang !== undefined) headers['accept-language'] = req.lang;
  Object.assign(headers, req.forged);
  let payload: string | Buffer | undefined;
  if (req.body.kind === 'json') {
    payload = JSON.stringify(req.body.value) ?? '';
    headers['content-type'] = 'application/json';
  } else if (req.body.kind === 'raw') {
    payload = req.body.payload;
    if (req.body.contentType) headers['content-type'] = req.body.contentType;
  }
  const res = await t.app.inject({
    method: route.method as 'GET',
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
  return { url, res };
}

const describeRequest = (route: RouteEntry, url: string, req: Fuzzed) => {
  const body =
    req.body.kind === 'json'
      ? JSON.stringify(req.body.value)
      : req.body.kind === 'raw'
        ? String(req.body.payload)
        : '';
  return `${route.method} ${url.slice(0, 300)} as ${req.as}${req.forged ? ` with ${JSON.stringify(req.forged)}` : ''} body ${(body ?? '').slice(0, 400)}`;
};

interface RouteStats {
  statuses: Record<string, number>;
  /** Answers that got past routing and sign-in. */
  reached: number;
  /** Answers that also got past schema validation (a handler ran). */
  handled: number;
}
const stats = new Map<string, RouteStats>();
const NOT_REACHED = new Set([
  'request.not_found',
  'auth.required',
  'auth.csrf_invalid',
  'request.rate_limited',
  'auth.password_change_required',
]);

async function exercise(route: RouteEntry, req: Fuzzed, s: RouteStats): Promise<void> {
  const before = await rowCounts();
  serverErrors.length = 0;
  const { url, res } = await send(route, req);
  const what = describeRequest(route, url, req);
  s.statuses[res.statusCode] = (s.statuses[res.statusCode] ?? 0) + 1;
  expect(res.statusCode, `${what} → ${res.body.slice(0, 500)}${lastServerError()}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const problem = problemOf(res, what, route);
    if (!NOT_REACHED.has(problem.code)) {
      s.reached += 1;
      if (problem.code !== 'request.invalid' || res.statusCode !== 400) s.handled += 1;
    }
    const after = await rowCounts();
    expect(changedTables(before, after), `${what} → ${res.statusCode} ${problem.code} wrote rows`).toEqual(
      [],
    );
    return;
  }
  s.reached += 1;
  s.handled += 1;
  if (route.method !== 'GET') {
    // A write may have started background work (a confirmed import) or ended the callers' sessions.
    await waitForImports();
    await keepSignedIn();
  }
}

// ---------------------------------------------------------------------------------------------
// Roster imports: random and broken files, broken multipart

interface Part {
  name: string;
  fileName?: string;
  content: Buffer;
}

const filePart = (name: string, fileName: string, content: Buffer): Part => ({ name, fileName, content });

function multipartBody(parts: Part[], options: { close?: boolean; boundary?: string } = {}) {
  const boundary = `----mingde${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.fileName !== undefined ? `; filename="${p.fileName}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      p.content,
      Buffer.from('\r\n'),
    );
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${options.boundary ?? boundary}`,
  };
}

function uploadFile(
  user: TestUser | null,
  schoolId: string,
  kind: string | undefined,
  body: { payload: Buffer; contentType?: string },
) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/schools/${schoolId}/imports${kind === undefined ? '' : `?kind=${percentEncode(kind)}`}`,
    payload: body.payload,
    headers: {
      ...(user ? { cookie: user.cookie, [CSRF_HEADER]: user.csrfToken } : {}),
      ...(body.contentType ? { 'content-type': body.contentType } : {}),
    },
  });
}

/** A zip of stored (uncompressed) entries: enough to build broken .xlsx files. */
function zipOf(entries: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const CONTENT_TYPES_XML = Buffer.from(
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
);
const WORKBOOK_XML = Buffer.from(
  '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    '<sheets><sheet name="学生名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
);
const WORKBOOK_RELS = Buffer.from(
  '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
);
const sheetXml = (rows: string) =>
  Buffer.from(
    `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`,
  );
const BROKEN_SHEETS = [
  '<row r="1"><c r="A1" t="s"><v>99999</v></c></row>', // a shared string that does not exist
  '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row><row r="2"><c r="A2" s="999"><v>45000</v></c></row>',
  '<row r="1"><c r="A1"><v>1e999</v></c></row>',
  '<row r="0"><c r="ZZZZZ1"><v>x</v></c></row>',
  '<row r="-5"><c r="A-5" t="d"><v>not a date</v></c></row>',
  '<row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c><c r="B1"><f>1/0</f></c></row>',
  '<row r="1"><c r="A1"><v>unclosed',
  '<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
  '&undefined;',
];

const studentsHeader = importColumns.students.map((c) => c.header);

/** An .xlsx made by exceljs whose cells hold odd values (formulas, errors, rich text, dates, huge numbers). */
async function oddXlsx(cells: unknown[][], header = studentsHeader): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  if (cells.length % 2) wb.addWorksheet('填写说明').addRow(['说明']);
  const ws = wb.addWorksheet('名册');
  ws.addRow(header);
  for (const row of cells) ws.addRow(row as ExcelJS.CellValue[]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const oddCell = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    { formula: '1/0', result: { error: '#DIV/0!' } },
    { error: '#N/A' },
    { richText: [{ text: '王' }, { text: '小明' }] },
    { text: 'link', hyperlink: 'javascript:alert(1)' },
    new Date('2015-02-30'),
    new Date(-8.64e15),
    new Date(8.64e15),
    1e308,
    -0,
    true,
    '=cmd|calc!A1',
  ),
  weirdString.filter((s) => s.length < 1000),
  fc.constantFrom(...Object.values(studentRecord(7, { grade: '一年级', number: '1' }))),
);

type Encoding = 'utf8' | 'utf8bom' | 'utf16le' | 'utf16be' | 'latin1' | 'lateInvalid';

function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text);
    case 'utf8bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    case 'utf16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16be': {
      const le = Buffer.from(text, 'utf16le');
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le.swap16()]);
    }
    case 'latin1':
      return Buffer.from(text, 'latin1');
    case 'lateInvalid':
      // Valid UTF-8 for the first read chunk, then a byte sequence that is not.
      return Buffer.concat([
        Buffer.from(text),
        Buffer.from(`,${'a'.repeat(70_000)}\r\n`),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      ]);
  }
}

const csvRow = fc.array(
  fc.oneof(
    oddCell.map((c) => String(c ?? '')),
    fc.constantFrom('"', '""', '"a,b"', ',', '\r', '\n'),
  ),
  {
    maxLength: 25,
  },
);

type FileSpec = { fileName: string; content: Buffer | (() => Promise<Buffer>) };

const fileNameArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('roster.csv', 'roster.xlsx') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'roster.txt',
      'ROSTER.CSV',
      'roster.xls',
      'roster',
      '名册.xlsx',
      '../../etc/passwd.csv',
      'a"b.csv',
      `${'x'.repeat(300)}.csv`,
      '.csv',
      'roster.csv\u0000.exe',
      '',
    ),
  },
);

/** Characters and snippets slipped into an otherwise valid cell. */
const SNIPPETS = [
  '\u0000',
  '\ud800',
  '\u202e',
  '😀',
  '\r\n',
  '"',
  ',',
  '\t',
  '\u3000',
  '\ufeff',
  'x'.repeat(300),
];

/** Rows of a valid person of the kind, often with a cell or two replaced or tampered with. */
function tamperedRow(kind: 'students' | 'staff', valid: (n: number) => string[]) {
  const columns = importColumns[kind];
  // Any column, or one of free text (the kind a check lets most through).
  const freeText = columns.flatMap((c, i) => (c.type === 'text' ? [i] : []));
  const change = fc.tuple(
    fc.oneof(fc.nat(columns.length - 1), fc.constantFrom(...freeText)),
    fc.oneof(
      oddCell.map((cell) => () => String(cell ?? '')),
      fc.tuple(fc.constantFrom(...SNIPPETS), fc.boolean()).map(
        ([snippet, before]) =>
          (value: string) =>
            before ? `${snippet}${value}` : `${value.slice(0, 1)}${snippet}${value.slice(1)}`,
      ),
    ),
  );
  return fc.tuple(fc.nat(400), fc.array(change, { maxLength: 2 })).map(([n, changes]) => {
    const cells = valid(n);
    for (const [at, apply] of changes) cells[at] = apply(cells[at] ?? '');
    return cells;
  });
}

/** Students of school A's class 一年级1班; staff like the template's example, each with an ID number of their own. */
const studentRow = tamperedRow('students', (n) => {
  const record = studentRecord(n + 100, { grade: '一年级', number: '1' });
  return importColumns.students.map((c) => record[c.header] ?? '');
});
const staffRow = tamperedRow('staff', (n) =>
  importColumns.staff.map((c) =>
    c.type === 'idNumber' ? residentId('110101', '19900203', 2 * n + 2) : c.example,
  ),
);

const fileArb: fc.Arbitrary<FileSpec> = fc.oneof(
  // Random bytes.
  {
    weight: 1,
    arbitrary: fc.record({
      fileName: fileNameArb,
      content: fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
    }),
  },
  // An empty file.
  { weight: 1, arbitrary: fc.record({ fileName: fileNameArb, content: fc.constant(Buffer.alloc(0)) }) },
  // CSV with the template's header (or a shuffled, shortened, wrong one) and rows of students or
  // of junk, in some encoding.
  {
    weight: 6,
    arbitrary: fc
      .record({
        fileName: fc.constantFrom('roster.csv', 'roster.csv', 'roster.txt'),
        header: fc.oneof(
          { weight: 5, arbitrary: fc.constant(studentsHeader) },
          { weight: 1, arbitrary: fc.shuffledSubarray(studentsHeader) },
          { weight: 1, arbitrary: fc.constant(importColumns.staff.map((c) => c.header)) },
          { weight: 1, arbitrary: csvRow },
        ),
        rows: fc.array(fc.oneof({ weight: 3, arbitrary: studentRow }, { weight: 1, arbitrary: csvRow }), {
          maxLength: 8,
        }),
        encoding: fc.constantFrom<Encoding>(
          'utf8',
          'utf8',
          'utf8',
          'utf8bom',
          'utf16le',
          'utf16be',
          'latin1',
          'lateInvalid',
        ),
      })
      .map(({ fileName, header, rows, encoding }) => ({
        fileName,
        content: encode([header, ...rows].map((r) => r.join(',')).join('\r\n'), encoding),
      })),
  },
  // The same as .xlsx.
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.oneof(
          { weight: 3, arbitrary: studentRow },
          { weight: 1, arbitrary: fc.array(oddCell, { maxLength: 14 }) },
        ),
        {
          maxLength: 6,
        },
      )
      .map((rows) => ({ fileName: 'roster.xlsx', content: () => oddXlsx(rows) })),
  },
  // A real .xlsx cut short or with bytes overwritten.
  {
    weight: 1,
    arbitrary: fc
      .record({
        cut: fc.double({ min: 0, max: 1, noNaN: true }),
        flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(255)), { maxLength: 8 }),
      })
      .map(({ cut, flips }) => ({
        fileName: 'roster.xlsx',
        content: async () => {
          const good = await studentsXlsx(
            [0, 1, 2].map((n) => studentRecord(n + 200, { grade: '一年级', number: '1' })),
          );
          const bytes = Buffer.from(good);
          for (const [at, value] of flips) bytes[Math.floor(at * (bytes.length - 1))] = value;
          return flips.length ? bytes : bytes.subarray(0, Math.floor(cut * bytes.length));
        },
      })),
  },
  // A zip that is an .xlsx in name only: parts missing, broken sheet XML.
  {
    weight: 1,
    arbitrary: fc
      .record({ sheet: fc.constantFrom(...BROKEN_SHEETS), drop: fc.constantFrom(-1, 0, 1, 2) })
      .map(({ sheet, drop }) => {
        const entries: [string, Buffer][] = [
          ['[Content_Types].xml', CONTENT_TYPES_XML],
          ['xl/workbook.xml', WORKBOOK_XML],
          ['xl/_rels/workbook.xml.rels', WORKBOOK_RELS],
          ['xl/worksheets/sheet1.xml', sheetXml(sheet)],
        ];
        if (drop >= 0) entries.splice(drop, 1);
        return { fileName: 'roster.xlsx', content: zipOf(entries) };
      }),
  },
);

type Envelope =
  | 'file'
  | 'wrongField'
  | 'noFile'
  | 'fieldAndFile'
  | 'twoFiles'
  | 'manyFields'
  | 'unclosed'
  | 'badBoundary'
  | 'noBoundary'
  | 'asJson'
  | 'empty';

const importArb = fc.record({
  as: fc.constantFrom<As>(
    'schoolAdmin',
    'schoolAdmin',
    'schoolAdmin',
    'schoolAdmin',
    'admin',
    'admin',
    'anonymous',
  ),
  school: fc.constantFrom('A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'B', 'class', 'random'),
  kind: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom('students', 'students', 'students', 'students', 'staff') },
    { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'teachers', 'students&kind=staff') },
  ),
  envelope: fc.oneof(
    { weight: 12, arbitrary: fc.constant<Envelope>('file') },
    {
      weight: 3,
      arbitrary: fc.constantFrom<Envelope>(
        'wrongField',
        'noFile',
        'fieldAndFile',
        'twoFiles',
        'manyFields',
        'unclosed',
        'badBoundary',
        'noBoundary',
        'asJson',
        'empty',
      ),
    },
  ),
  file: fileArb,
  next: fc.constantFrom('confirm', 'confirm', 'cancel', 'nothing'),
});

type ImportRun = typeof importArb extends fc.Arbitrary<infer R> ? R : never;

function envelopeOf(
  envelope: Envelope,
  fileName: string,
  content: Buffer,
): { payload: Buffer; contentType?: string } {
  const file = filePart('file', fileName, content);
  switch (envelope) {
    case 'file':
      return multipartBody([file]);
    case 'wrongField':
      return multipartBody([filePart('upload', fileName, content)]);
    case 'noFile':
      return multipartBody([{ name: 'file', content }]);
    case 'fieldAndFile':
      return multipartBody([{ name: 'note', content: Buffer.from('说明') }, file]);
    case 'twoFiles':
      return multipartBody([file, filePart('file2', fileName, content)]);
    case 'manyFields':
      return multipartBody([
        ...Array.from({ length: 7 }, (_, i) => ({ name: `f${i}`, content: Buffer.from('x') })),
        file,
      ]);
    case 'unclosed':
      return multipartBody([file], { close: false });
    case 'badBoundary':
      return multipartBody([file], { boundary: 'not-the-boundary' });
    case 'noBoundary':
      return { payload: multipartBody([file]).payload, contentType: 'multipart/form-data' };
    case 'asJson':
      return { payload: content, contentType: 'application/json' };
    case 'empty':
      return { payload: Buffer.alloc(0), contentType: 'multipart/form-data; boundary=x' };
  }
}

const PEOPLE_TABLES_MAY_CHANGE = ['roster_imports', 'roster_import_rows'];

interface Settled {
  status: string;
  validRows: number;
  error: { code: string } | null;
  result: { created: number; updated: number; unchanged: number; skipped: number } | null;
}

async function settleImport(user: TestUser, id: string): Promise<Settled> {
  await waitForImports();
  const res = await request(t.app, user, 'GET', `/api/v1/imports/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/**
 * Uploads spooled to disk and not yet deleted: none once every import has settled (a check job
 * deletes its file just after recording its outcome, so give it a moment).
 */
async function spooledFiles(): Promise<string[]> {
  const dir = path.join(t.dataDir, 'imports');
  let files: string[] = [];
  for (let i = 0; i < 100; i++) {
    files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    if (files.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return files;
}

async function stagedRows(importId: string): Promise<number> {
  const { rows } = await t.database.pool.query<{ n: number }>(
    'select count(*)::int as n from roster_import_rows where import_id = $1',
    [importId],
  );
  return rows[0]?.n ?? 0;
}

describe('roster imports, fed random and broken files', () => {
  it('never answer 500, and write nothing but the import itself until confirmed', async () => {
    const s: RouteStats = { statuses: {}, reached: 0, handled: 0 };
    stats.set('roster import files', s);
    const outcomes: Record<string, number> = {};
    const tally = (key: string) => {
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    };
    await fc.assert(
      fc.asyncProperty(importArb, async (run) => {
        const user = run.as === 'anonymous' ? null : callers[run.as];
        const schoolId =
          run.school === 'A'
            ? d.schoolA.id
            : run.school === 'B'
              ? d.schoolB.id
              : run.school === 'class'
                ? d.schoolA.classId
                : randomUUID();
        const content = typeof run.file.content === 'function' ? await run.file.content() : run.file.content;
        const body = envelopeOf(run.envelope, run.file.fileName, content);
        const what = `upload ${run.envelope} ${JSON.stringify(run.file.fileName)} (${content.length} bytes: ${content.subarray(0, 80).toString('hex')}) kind=${run.kind} school=${run.school} as ${run.as}`;
        const before = await rowCounts();
        serverErrors.length = 0;
        const res = await uploadFile(user, schoolId, run.kind, body);
        s.statuses[res.statusCode] = (s.statuses[res.statusCode] ?? 0) + 1;
        expect(res.statusCode, `${what} → ${res.body.slice(0, 500)}${lastServerError()}`).toBeLessThan(500);
        if (res.statusCode >= 400) {
          const problem = problemOf(res, what);
          tally(`${res.statusCode} ${problem.code}`);
          expect(changedTables(before, await rowCounts()), `${what} → ${res.statusCode} wrote rows`).toEqual(
            [],
          );
          expect(await spooledFiles(), `${what} → ${res.statusCode} left its upload on disk`).toEqual([]);
          return;
        }
        expect(res.statusCode, what).toBe(202);
        if (!user) throw new Error(`${what}: accepted without a session`);
        const id = (res.json() as { id: string }).id;
        const imp = await settleImport(user, id);
        tally(`${imp.status}${imp.error ? ` ${imp.error.code}` : ''}`);
        // Checking a file is no write: the people tables stay as they were.
        expect(
          changedTables(before, await rowCounts(), PEOPLE_TABLES_MAY_CHANGE),
          `${what}: checking wrote rows`,
        ).toEqual([]);
        expect(await spooledFiles(), `${what}: the checked upload stayed on disk`).toEqual([]);
        expect(['validated', 'failed'], `${what}: ${JSON.stringify(imp)}`).toContain(imp.status);
        if (imp.status === 'failed') {
          // A file that cannot be read fails for a reason the user is told, never an internal error.
          expect(imp.error?.code, `${what}: ${JSON.stringify(imp)}`).not.toBe('internal');
          expect(await stagedRows(id), `${what}: a failed import keeps staged rows`).toBe(0);
          return;
        }
        if (run.next === 'cancel') {
          const cancelled = await request(t.app, user, 'POST', `/api/v1/imports/${id}/cancel`);
          expect(cancelled.statusCode, cancelled.body).toBe(200);
          expect(await stagedRows(id)).toBe(0);
          expect(changedTables(before, await rowCounts(), PEOPLE_TABLES_MAY_CHANGE)).toEqual([]);
        } else if (run.next === 'confirm') {
          const confirmed = await request(t.app, user, 'POST', `/api/v1/imports/${id}/confirm`);
          expect(confirmed.statusCode, confirmed.body).toBe(202);
          const applied = await settleImport(user, id);
          tally(`confirm → ${applied.status}${applied.error ? ` ${applied.error.code}` : ''}`);
          expect(applied.status, `${what}: confirmed ${JSON.stringify(applied)}`).toBe('applied');
        }
      }),
      { numRuns: IMPORT_RUNS, ...shortReport<[ImportRun]>() },
    );
    if (process.env.ROBUSTNESS_REPORT) console.log('import outcomes', outcomes);
  }, 180_000);
});

const rosterArb = fc.oneof(
  ...(['students', 'staff'] as const).map((kind) =>
    fc.record({
      as: fc.constantFrom<'admin' | 'schoolAdmin'>('schoolAdmin', 'admin'),
      kind: fc.constant(kind),
      format: fc.constantFrom<'csv' | 'xlsx'>('csv', 'xlsx'),
      rows: fc.array(kind === 'students' ? studentRow : staffRow, { minLength: 1, maxLength: 6 }),
    }),
  ),
);
type RosterRun = typeof rosterArb extends fc.Arbitrary<infer R> ? R : never;

describe('roster imports, fed well-formed files of odd values', () => {
  // Whatever the check lets through, the confirmation writes: a cell the database cannot store
  // (or a rule the check and the writer disagree on) would fail the confirmed import part-way.
  it('writes every row the check accepted, and nothing before confirmation', async () => {
    const outcomes: Record<string, number> = {};
    const tally = (key: string) => {
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    };
    await fc.assert(
      fc.asyncProperty(rosterArb, async (run) => {
        const user = callers[run.as];
        const header = importColumns[run.kind].map((c) => c.header);
        const content =
          run.format === 'csv'
            ? Buffer.from([header, ...run.rows].map((r) => r.join(',')).join('\r\n'))
            : await oddXlsx(run.rows, header);
        const what = `${run.kind} ${run.format} as ${run.as}: ${JSON.stringify(run.rows).slice(0, 1500)}`;
        const before = await rowCounts();
        serverErrors.length = 0;
        const res = await uploadFile(
          user,
          d.schoolA.id,
          run.kind,
          multipartBody([filePart('file', `roster.${run.format}`, content)]),
        );
        expect(res.statusCode, `${what} → ${res.body.slice(0, 500)}${lastServerError()}`).toBe(202);
        const id = (res.json() as { id: string }).id;
        const checked = await settleImport(user, id);
        expect(
          changedTables(before, await rowCounts(), PEOPLE_TABLES_MAY_CHANGE),
          `${what}: checking wrote rows`,
        ).toEqual([]);
        tally(`${run.kind} ${run.format} ${checked.status} ${checked.error?.code ?? ''}`);
        if (checked.status === 'failed') {
          // A CSV row broken by a quote or a line break, say: a reason, never an internal error.
          expect(checked.error?.code, `${what}: ${JSON.stringify(checked)}`).not.toBe('internal');
          return;
        }
        expect(checked.status, `${what}: ${JSON.stringify(checked)}`).toBe('validated');
        const confirmed = await request(t.app, user, 'POST', `/api/v1/imports/${id}/confirm`);
        expect(confirmed.statusCode, confirmed.body).toBe(202);
        const applied = await settleImport(user, id);
        expect(applied.status, `${what}: confirmed ${JSON.stringify(applied)}`).toBe('applied');
        const r = applied.result;
        expect(r && r.created + r.updated + r.unchanged + r.skipped, what).toBe(applied.validRows);
        if (r?.created) tally(`${run.kind} created`);
      }),
      { numRuns: ROSTER_RUNS, ...shortReport<[RosterRun]>() },
    );
    if (process.env.ROBUSTNESS_REPORT) console.log('roster outcomes', outcomes);
  }, 180_000);
});

describe('every route, fed malformed ids, query strings and bodies', () => {
  it('fuzzes the routes the app has (the list below is the app’s route table)', () => {
    const fuzzed = t.app.routeTable.filter((r) => !SKIPPED(r.url)).map((r) => `${r.method} ${r.url}`);
    expect(fuzzed).toEqual(routes.map((r) => `${r.method} ${r.url}`));
    expect(fuzzed.length).toBeGreaterThan(60);
  });

  it('counts the rows of every table but the audit trail and sessions', async () => {
    const counts = await rowCounts();
    expect(counts.size).toBeGreaterThan(20);
    expect(counts.get('persons')).toBeGreaterThan(0);
    expect(counts.has('audit_events') || counts.has('sessions')).toBe(false);
  });

  it('answers a URL it cannot decode, or an over-long path parameter, with problem+json', async () => {
    for (const url of ['/api/v1/users/%ZZ', `/api/v1/users/${'a'.repeat(200)}`]) {
      const res = await request(t.app, callers.admin, 'GET', url);
      expect(res.statusCode).toBeLessThan(500);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
  });

  for (const { method, url } of routes) {
    it(`${method} ${url}`, async () => {
      const route = t.app.routeTable.find((r) => r.method === method && r.url === url);
      if (!route) throw new Error(`${method} ${url} is not in the app's route table`);
      await loadIdPools();
      const s: RouteStats = { statuses: {}, reached: 0, handled: 0 };
      stats.set(`${method} ${url}`, s);
      const examples = fc.sample(wellFormedArb(route), { numRuns: 4 }).map((r) => [r] as [Fuzzed]);
      await fc.assert(
        fc.asyncProperty(fuzzedArb(route), (req) => exercise(route, req, s)),
        { numRuns: RUNS_PER_ROUTE, examples, ...shortReport<[Fuzzed]>() },
      );
      // The route was exercised: some request got past routing, sign-in and validation.
      expect(
        s.handled,
        `${method} ${url} was never exercised (answers: ${JSON.stringify(s.statuses)})`,
      ).toBeGreaterThan(0);
    }, 120_000);
  }
});
