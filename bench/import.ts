/**
 * `npm run bench:import [-- --rows 100000] [--confirm]`: upload a generated CSV of N students
 * (valid ID numbers, one guardian each) to a fresh database through the HTTP route, wait for the
 * background check, and print rows/s and the process's peak RSS and its growth over the baseline.
 * With --confirm, also write the rows and print that rate. Uses DATABASE_URL when set, otherwise
 * an embedded PostgreSQL in a temporary folder. The file is generated to disk and streamed into
 * the request, so the benchmark itself holds no row array either.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import pg from 'pg';
import { loadDataKeys } from '../src/access/protect';
import { addDays, chinaToday } from '../src/china-time';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/client';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { migrateDatabase } from '../src/db/migrate';
import { hashPassword } from '../src/domains/accounts/passwords';
import { grants, users } from '../src/domains/accounts/schema';
import { createSession } from '../src/domains/accounts/sessions';
import { createAuditLog } from '../src/domains/audit/log';
import { academicYears, districts, orgUnits } from '../src/domains/org/schema';
import { importColumns } from '../src/domains/people/imports-columns';
import { type ImportJson, studentRecord } from '../src/domains/people/imports-test-support';
import { buildApp } from '../src/http/app';
import { CSRF_HEADER, SESSION_COOKIE } from '../src/http/auth';

const args = process.argv.slice(2);
const rows = Number(args[args.indexOf('--rows') + 1] || 100_000) || 100_000;
const confirm = args.includes('--confirm');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function database(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const name = `mingde_bench_import_${Date.now().toString(36)}`;
  let serverUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!serverUrl) {
    const pgDir = path.join(dir, 'pg-data');
    fs.mkdirSync(pgDir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: pgDir });
    serverUrl = embedded.url;
    stopServer = () => embedded.stop();
  }
  const admin = (url: string) => {
    const u = new URL(url);
    u.pathname = '/postgres';
    return u.toString();
  };
  const client = new pg.Client({ connectionString: admin(serverUrl) });
  await client.connect();
  await client.query(`create database ${name} encoding 'UTF8' template template0`);
  await client.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    stop: async () => {
      const c = new pg.Client({ connectionString: admin(serverUrl) });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      await stopServer();
    },
  };
}

/** The CSV written row by row to disk. */
async function writeCsv(file: string, n: number): Promise<void> {
  const header = importColumns.students.map((c) => c.header);
  const out = fs.createWriteStream(file);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write(`\uFEFF${header.join(',')}\r\n`);
  for (let i = 0; i < n; i++) {
    const r = studentRecord(i, { grade: '一年级', number: String((i % 40) + 1) });
    await write(`${header.map((h) => r[h] ?? '').join(',')}\r\n`);
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-bench-import-'));
  const db = await database(dir);
  const config = loadConfig({
    DATABASE_URL: db.url,
    MINGDE_DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'silent',
  });
  const pool = openDatabase(db.url, { max: 5 });
  await migrateDatabase(pool);
  const auditLog = createAuditLog({ db: pool.db, headFile: config.auditHeadFile });
  const app = await buildApp(
    { config, database: pool, auditLog, dataKeys: loadDataKeys(config) },
    { logger: false },
  );
  await app.ready();

  // A district with one school, one grade and 40 classes in an academic year around today.
  const districtId = randomUUID();
  await pool.db
    .insert(districts)
    .values({ id: districtId, divisionCode: '110101', name: '东城区教育委员会' });
  const [year] = await pool.db
    .insert(academicYears)
    .values({
      districtId,
      name: '基准学年',
      startsOn: addDays(chinaToday(), -100),
      endsOn: addDays(chinaToday(), 200),
    })
    .returning();
  const [rootId, schoolId, campusId, gradeId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const root = `/${rootId}/`;
  const school = `${root}${schoolId}/`;
  const campus = `${school}${campusId}/`;
  const grade = `${campus}${gradeId}/`;
  await pool.db.insert(orgUnits).values([
    { districtId, id: rootId, kind: 'districtBureau', name: '东城区教育委员会', path: root },
    {
      districtId,
      id: schoolId,
      parentId: rootId,
      kind: 'school',
      name: '基准小学',
      path: school,
      schoolType: 'primary',
    },
    { districtId, id: campusId, parentId: schoolId, kind: 'campus', name: '本部', path: campus },
    {
      districtId,
      id: gradeId,
      parentId: campusId,
      kind: 'grade',
      name: '一年级',
      path: grade,
      gradeCode: '11',
    },
    ...Array.from({ length: 40 }, (_, i) => {
      const id = randomUUID();
      return {
        districtId,
        id,
        parentId: gradeId,
        kind: 'class' as const,
        name: `一年级${i + 1}班`,
        path: `${grade}${id}/`,
        gradeCode: '11',
        classNumber: i + 1,
        academicYearId: year?.id,
      };
    }),
  ]);
  const [user] = await pool.db
    .insert(users)
    .values({
      username: 'bench_admin',
      displayName: '基准管理员',
      passwordHash: await hashPassword('Mingde2035bench'),
      homeDistrictId: districtId,
    })
    .returning();
  if (!user) throw new Error('user insert failed');
  await pool.db
    .insert(grants)
    .values({ userId: user.id, role: 'schoolAdmin', districtId, orgUnitId: schoolId });
  const session = await createSession(pool.db, user.id, 8);
  const headers = { cookie: `${SESSION_COOKIE}=${session.token}`, [CSRF_HEADER]: session.csrfToken };

  const csv = path.join(dir, 'students.csv');
  const t0 = performance.now();
  await writeCsv(csv, rows);
  const size = fs.statSync(csv).size;
  console.log(`generated ${rows} rows, ${mb(size)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  global.gc?.();
  const baseline = process.memoryUsage();
  let peak = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 25);
  // With --expose-gc: live heap after a full collection, once a second (what is really retained).
  let peakLive = 0;
  const gcProbe = global.gc
    ? setInterval(() => {
        global.gc?.();
        peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
      }, 1000)
    : undefined;

  const boundary = `----mingde${randomUUID()}`;
  async function* body() {
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="students.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    );
    yield* fs.createReadStream(csv);
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  const start = performance.now();
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/schools/${schoolId}/imports?kind=students`,
    payload: Readable.from(body()),
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  if (res.statusCode !== 202) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  const uploaded = performance.now();
  const id = (res.json() as ImportJson).id;

  const wait = async (label: string, from: number) => {
    const progress: number[] = [];
    for (;;) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers });
      const view = r.json() as ImportJson;
      if (progress[progress.length - 1] !== view.progress) progress.push(view.progress);
      if (view.status !== 'validating' && view.status !== 'applying') {
        const seconds = (performance.now() - from) / 1000;
        console.log(
          `${label}: ${view.status}, ${seconds.toFixed(1)} s, ${Math.round(rows / seconds)} rows/s; ` +
            `progress seen: ${progress.length} distinct values (${progress.slice(0, 6).join(', ')}, …)`,
        );
        return view;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  console.log(`upload (spooled to disk): ${((uploaded - start) / 1000).toFixed(1)} s`);
  const checked = await wait('check + stage', start);
  console.log(`  valid ${checked.validRows}, invalid ${checked.invalidRows}`);
  const memory = () =>
    `peak RSS ${mb(peak)} (baseline ${mb(baseline.rss)}, growth ${mb(peak - baseline.rss)}); ` +
    `peak heap used ${mb(peakHeap)} (baseline ${mb(baseline.heapUsed)})`;
  console.log(memory());

  if (confirm) {
    const startApply = performance.now();
    const c = await app.inject({ method: 'POST', url: `/api/v1/imports/${id}/confirm`, headers });
    if (c.statusCode !== 202) throw new Error(`confirm: ${c.statusCode} ${c.body}`);
    const applied = await wait('confirm (write)', startApply);
    console.log(`  result ${JSON.stringify(applied.result)}`);
    console.log(memory());
  }

  clearInterval(sampler);
  if (gcProbe) {
    clearInterval(gcProbe);
    console.log(`peak live heap after full GC ${mb(peakLive)} (baseline ${mb(baseline.heapUsed)})`);
  }
  await app.close();
  await auditLog.close();
  await pool.close();
  await db.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
