import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadDataKeys } from '../../src/access/protect';
import type { DistrictRole } from '../../src/access/roles';
import { loadConfig } from '../../src/config';
import { type Database, openDatabase } from '../../src/db/client';
import { hashPassword } from '../../src/domains/accounts/passwords';
import { grants, users } from '../../src/domains/accounts/schema';
import { createSession } from '../../src/domains/accounts/sessions';
import { type AuditLog, createAuditLog } from '../../src/domains/audit/log';
import { academicYears, districts, orgUnits } from '../../src/domains/org/schema';
import { buildApp } from '../../src/http/app';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/http/auth';
import type { App } from '../../src/http/types';
import { createTestDatabase, dropDatabase } from './databases';

export interface TestApp {
  app: App;
  database: Database;
  auditLog: AuditLog;
  dataDir: string;
  close(): Promise<void>;
}

/** A fresh migrated database and an app on it; env overrides go into the config; logs go to `logStream` if given. */
export async function createTestApp(
  env: Record<string, string> = {},
  logStream?: NodeJS.WritableStream,
  options: { web?: boolean } = {},
): Promise<TestApp> {
  const serverUrl = inject('testServerUrl');
  const { url, name } = await createTestDatabase(serverUrl, inject('testTemplate'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-app-'));
  const config = loadConfig({
    DATABASE_URL: url,
    MINGDE_DATA_DIR: dataDir,
    LOG_LEVEL: logStream ? 'debug' : 'silent',
    ...env,
  });
  const database = openDatabase(url, { max: 5 });
  const auditLog = createAuditLog({ db: database.db, headFile: config.auditHeadFile });
  const dataKeys = loadDataKeys(config);
  const deps = { config, database, auditLog, dataKeys };
  const app = await buildApp(deps, { ...(logStream ? { logStream } : { logger: false }), web: options.web });
  await app.ready();
  return {
    app,
    database,
    auditLog,
    dataDir,
    async close() {
      await app.close();
      await auditLog.close();
      await database.close();
      await dropDatabase(serverUrl, name);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One app for the whole test file: created in a beforeAll hook and closed in an afterAll hook.
 * The returned object reads through to that app, so a file keeps it in a module-level constant
 * and uses it in its tests and in hooks registered after this call.
 */
export function useTestApp(env: Record<string, string> = {}, logStream?: NodeJS.WritableStream): TestApp {
  let current: TestApp | undefined;
  beforeAll(async () => {
    current = await createTestApp(env, logStream);
  });
  afterAll(async () => {
    await current?.close();
  });
  const started = () => {
    if (!current) throw new Error('useTestApp: the app is created in beforeAll');
    return current;
  };
  return {
    get app() {
      return started().app;
    },
    get database() {
      return started().database;
    },
    get auditLog() {
      return started().auditLog;
    },
    get dataDir() {
      return started().dataDir;
    },
    close: () => started().close(),
  };
}

const pathOf = (parentPath: string, id: string) => `${parentPath}${id}/`;

export interface SeededDistrict {
  districtId: string;
  rootId: string;
  academicYearId: string;
  schoolA: { id: string; campusId: string; gradeId: string; classId: string };
  schoolB: { id: string; campusId: string; gradeId: string; classId: string };
}

/**
 * A district with two primary schools, each with a campus, grade 一年级 and class 1, inserted
 * directly (not through the org service) so tests of other domains do not depend on it.
 */
export async function seedDistrict(db: Database['db'], divisionCode = '110101'): Promise<SeededDistrict> {
  const districtId = randomUUID();
  await db.insert(districts).values({ id: districtId, divisionCode, name: '东城区教育委员会' });
  const [year] = await db
    .insert(academicYears)
    .values({ districtId, name: '2026-2027', startsOn: '2026-09-01', endsOn: '2027-08-31' })
    .returning();
  const academicYearId = year?.id ?? '';
  const rootId = randomUUID();
  const rootPath = `/${rootId}/`;
  await db
    .insert(orgUnits)
    .values({ districtId, id: rootId, kind: 'districtBureau', name: '东城区教育委员会', path: rootPath });
  const school = async (name: string, schoolCode: string) => {
    const id = randomUUID();
    const campusId = randomUUID();
    const gradeId = randomUUID();
    const classId = randomUUID();
    const p = pathOf(rootPath, id);
    const cp = pathOf(p, campusId);
    const gp = pathOf(cp, gradeId);
    await db.insert(orgUnits).values([
      {
        districtId,
        id,
        parentId: rootId,
        kind: 'school',
        name,
        path: p,
        schoolCode,
        schoolType: 'primary',
        operatingTypeCode: '211',
      },
      { districtId, id: campusId, parentId: id, kind: 'campus', name: `${name}本部`, path: cp },
      {
        districtId,
        id: gradeId,
        parentId: campusId,
        kind: 'grade',
        name: '一年级',
        path: gp,
        gradeCode: '11',
      },
      {
        districtId,
        id: classId,
        parentId: gradeId,
        kind: 'class',
        name: '一年级1班',
        path: pathOf(gp, classId),
        gradeCode: '11',
        classNumber: 1,
        academicYearId,
      },
    ]);
    return { id, campusId, gradeId, classId };
  };
  const schoolA = await school('东城区第一实验小学', '2111000001');
  const schoolB = await school('东城区第二实验小学', '2111000002');
  return { districtId, rootId, academicYearId, schoolA, schoolB };
}

export interface TestUser {
  userId: string;
  username: string;
  password: string;
  cookie: string;
  csrfToken: string;
}

let passwordHash: Promise<string> | undefined;
export const TEST_PASSWORD = 'Mingde2035test';

/** A user with the given grants (none = no grants), already signed in. */
export async function createUser(
  db: Database['db'],
  options: {
    grants?: {
      role: DistrictRole;
      districtId: string;
      orgUnitId: string;
      startsAt?: Date;
      expiresAt?: Date;
    }[];
    platformAdmin?: boolean;
    homeDistrictId?: string | null;
    username?: string;
  } = {},
): Promise<TestUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const username = options.username ?? `u_${randomUUID().slice(0, 8)}`;
  const [user] = await db
    .insert(users)
    .values({
      username,
      displayName: `测试用户 ${username}`,
      passwordHash: await passwordHash,
      isPlatformAdmin: options.platformAdmin ?? false,
      homeDistrictId: options.homeDistrictId ?? options.grants?.[0]?.districtId ?? null,
    })
    .returning();
  if (!user) throw new Error('user insert failed');
  for (const g of options.grants ?? []) {
    await db.insert(grants).values({ userId: user.id, ...g });
  }
  const session = await createSession(db, user.id, 8);
  return {
    userId: user.id,
    username,
    password: TEST_PASSWORD,
    cookie: `${SESSION_COOKIE}=${session.token}`,
    csrfToken: session.csrfToken,
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** app.inject as a signed-in user (cookie + CSRF header), or anonymously when `user` is null. */
export function request(
  app: App,
  user: TestUser | null,
  method: Method,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method,
    url,
    payload: body as never,
    headers: {
      ...(user ? { cookie: user.cookie, [CSRF_HEADER]: user.csrfToken } : {}),
      ...headers,
    },
  });
}

/** A signed-in user holding `role` on a unit of district `d` (its root unit unless given). */
export function createUserWithRole(
  db: Database['db'],
  role: DistrictRole,
  d: Pick<SeededDistrict, 'districtId' | 'rootId'>,
  orgUnitId: string = d.rootId,
): Promise<TestUser> {
  return createUser(db, { grants: [{ role, districtId: d.districtId, orgUnitId }] });
}

/** `request` with URLs relative to /api/v1. */
export function apiOf(t: Pick<TestApp, 'app'>) {
  return (
    user: TestUser | null,
    method: Method,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => request(t.app, user, method, `/api/v1${url}`, body, headers);
}
