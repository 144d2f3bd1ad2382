import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { createTestDatabase, dropDatabase } from '../../../test/support/databases';
import { type Database, openDatabase } from '../../db/client';
import { districts } from '../org/schema';
import type { AuditEventInput } from './log';

/** For the audit integration tests: a fresh migrated database, a scratch folder, helpers. */
export interface AuditTestDb {
  url: string;
  database: Database;
  db: Database['db'];
  dir: string;
  /** Runs SQL as a DBA would: the test connection is a superuser; triggers are switched off. */
  asDba(sqlText: string, params?: unknown[]): Promise<pg.QueryResult>;
  addDistrict(name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function openAuditTestDb(): Promise<AuditTestDb> {
  const serverUrl = inject('testServerUrl');
  const { url, name } = await createTestDatabase(serverUrl, inject('testTemplate'));
  const database = openDatabase(url, { max: 8 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-audit-'));
  return {
    url,
    database,
    db: database.db,
    dir,
    async asDba(sqlText, params = []) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('set session_replication_role = replica');
        return await client.query(sqlText, params);
      } finally {
        await client.end();
      }
    },
    async addDistrict(districtName = '东城区教育委员会') {
      const id = randomUUID();
      await database.db.insert(districts).values({ id, name: districtName });
      return id;
    },
    async close() {
      await database.close();
      await dropDatabase(serverUrl, name);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A realistic event with every column filled in (so an edit to any column changes something). */
export function sampleEvent(districtId: string, n: number): AuditEventInput {
  return {
    districtId,
    action: 'org.update',
    actorId: '6f1c1e2a-5b7d-4c1e-9a0b-2f3d4e5f6a7b',
    actorKind: 'user',
    targetType: 'orgUnit',
    targetId: `unit-${n}`,
    subjectIds: [`person-${n}`],
    purpose: 'enrolment',
    outcome: 'success',
    requestId: `req-${n}`,
    ip: '192.0.2.7',
    details: { changed: ['name'], name: { before: `第${n}小学`, after: `第${n}实验小学` } },
  };
}
