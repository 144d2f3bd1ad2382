import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Database, Db } from './client';

export const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../migrations',
);

// Any fixed number: two processes migrating the same database wait for each other.
const MIGRATION_LOCK = 20_352_035;

/** Apply pending migrations (each in drizzle's transaction) while holding a session advisory lock. */
export async function migrateDatabase(database: Database): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query('set client_min_messages = warning');
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** The server's encoding: Chinese text needs UTF8 (a SQL_ASCII cluster silently mangles it). */
export async function assertUtf8(db: Db): Promise<void> {
  const result = await db.execute<{ server_encoding: string }>(sql`show server_encoding`);
  const encoding = result.rows[0]?.server_encoding;
  if (encoding !== 'UTF8') {
    throw new Error(
      `数据库编码为 ${encoding}，需要 UTF8 / database encoding is ${encoding}; Mingde needs UTF8 (create the database with ENCODING 'UTF8')`,
    );
  }
}
