import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The same server, database `postgres`, for CREATE/DROP DATABASE. */
export const adminUrl = (url: string) => withDatabase(url, 'postgres');

async function onAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(serverUrl) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database copied from the migrated template; returns its URL. */
export async function createTestDatabase(
  serverUrl: string,
  template: string,
): Promise<{ url: string; name: string }> {
  const name = `mingde_t_${randomBytes(6).toString('hex')}`;
  // Copying a template fails while another session is connected to it; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await onAdmin(serverUrl, (c) => c.query(`create database ${name} template ${template}`));
      break;
    } catch (error) {
      if (attempt >= 20 || !String(error).includes('being accessed by other users')) throw error;
      await new Promise((r) => setTimeout(r, 100 + attempt * 50));
    }
  }
  return { url: withDatabase(serverUrl, name), name };
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onAdmin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
}
