/**
 * A large roster file, generated at test time (never committed): 100,000 students checked and
 * staged in batches, with the progress observable while it runs (about 10 s on this 2-core
 * machine; MINGDE_IMPORT_TEST_ROWS=5000 for a quick run). `npm run bench:import` measures rows/s
 * and memory; this test reports RSS growth but asserts only correctness.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { count, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import {
  createUser,
  type SeededDistrict,
  seedDistrict,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { importColumns } from './imports-columns';
import { type ImportJson, studentRecord } from './imports-test-support';
import { insertCurrentYear } from './people-test-fixtures';
import { persons, rosterImportRows } from './schema';

const ROWS = Number(process.env.MINGDE_IMPORT_TEST_ROWS ?? 100_000);
const t = useTestApp();
let d: SeededDistrict;
let admin: TestUser;

beforeAll(async () => {
  d = await seedDistrict(t.database.db);
  await insertCurrentYear(t.database.db, d.districtId, [d.schoolA.classId]);
  admin = await createUser(t.database.db, {
    grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
  });
});

/** The CSV, written to disk row by row: the test holds no array of rows either. */
async function writeCsv(file: string): Promise<void> {
  const header = importColumns.students.map((c) => c.header);
  const out = fs.createWriteStream(file);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write(`\uFEFF${header.join(',')}\r\n`);
  for (let i = 0; i < ROWS; i++) {
    const r = studentRecord(i, { grade: '一年级', number: '1' });
    await write(`${header.map((h) => r[h] ?? '').join(',')}\r\n`);
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

it(`checks and stages ${ROWS} rows from CSV in batches, with progress`, { timeout: 300_000 }, async () => {
  const file = path.join(t.dataDir, 'large.csv');
  await writeCsv(file);
  const headers = { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken };
  const boundary = `----mingde${randomUUID()}`;
  async function* body() {
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="large.csv"\r\n\r\n`,
    );
    yield* fs.createReadStream(file);
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }

  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/schools/${d.schoolA.id}/imports?kind=students`,
    payload: Readable.from(body()),
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.statusCode, res.body).toBe(202);
  const id = (res.json() as ImportJson).id;

  // Poll often enough to see the batches land, and below the rate limit (600 requests a minute).
  const pause = ROWS > 20_000 ? 200 : 10;
  const seen: ImportJson[] = [];
  for (;;) {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers });
    expect(r.statusCode, r.body).toBe(200);
    const view = r.json() as ImportJson;
    seen.push(view);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (view.status !== 'validating') break;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const last = seen[seen.length - 1];
  expect(last).toMatchObject({
    status: 'validated',
    progress: 100,
    totalRows: ROWS,
    processedRows: ROWS,
    validRows: ROWS,
    invalidRows: 0,
    problemCount: 0,
  });

  const running = seen.filter((v) => v.status === 'validating');
  const progress = running.map((v) => v.progress);
  const processed = running.map((v) => v.processedRows);
  // Monotonic, in whole batches of 1,000 rows, and visibly moving before the end.
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(processed).toEqual([...processed].sort((a, b) => a - b));
  expect(processed.every((n) => n % 1000 === 0 && n <= ROWS)).toBe(true);
  expect(new Set(processed).size).toBeGreaterThanOrEqual(3);
  expect(progress.some((p) => p > 0 && p < 100)).toBe(true);

  const [staged] = await t.database.db
    .select({ n: count() })
    .from(rosterImportRows)
    .where(eq(rosterImportRows.importId, id));
  expect(staged?.n).toBe(ROWS);
  const [people] = await t.database.db
    .select({ n: count() })
    .from(persons)
    .where(eq(persons.districtId, d.districtId));
  expect(people?.n).toBe(0);

  // Reported, not asserted: timing and memory depend on the machine.
  console.log(
    `[imports-large] ${ROWS} rows; ${new Set(processed).size} progress steps seen; ` +
      `RSS before ${Math.round(rssBefore / 2 ** 20)} MB, peak ${Math.round(rssPeak / 2 ** 20)} MB ` +
      `(+${Math.round((rssPeak - rssBefore) / 2 ** 20)} MB)`,
  );
});
