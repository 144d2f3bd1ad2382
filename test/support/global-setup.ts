import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { migrateDatabase } from '../../src/db/migrate';
import { adminUrl, dropDatabase, withDatabase } from './databases';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL (any database) and the migrated template each test file copies. */
    testServerUrl: string;
    testTemplate: string;
  }
}

/** Start (or reach) the target server once, migrate a template database, hand both to the files. */
export default async function setup(project: TestProject) {
  const target = project.config.env?.MINGDE_TEST_TARGET;
  let stopServer = async () => {};
  let serverUrl: string;
  if (target === 'server') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set');
    serverUrl = url;
  } else {
    // A 0755 folder, so the postgres system user can reach it when tests run as root.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-test-'));
    fs.chmodSync(dir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: dir });
    serverUrl = embedded.url;
    stopServer = async () => {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }

  const template = `mingde_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl(serverUrl) });
  await admin.connect();
  await admin.query(`create database ${template} encoding 'UTF8' template template0`);
  await admin.end();
  const database = openDatabase(withDatabase(serverUrl, template), { max: 2 });
  await migrateDatabase(database);
  await database.close();

  project.provide('testServerUrl', serverUrl);
  project.provide('testTemplate', template);

  return async () => {
    await dropDatabase(serverUrl, template);
    await stopServer();
  };
}
