import { createHash } from 'node:crypto';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

export type Db = NodePgDatabase<typeof schema>;
/** A database handle or an open transaction: repositories accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

// Dates and timestamps come back as strings where the column says so; int8 counts as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Our scoped reads are long statements whose planning costs more than their execution (the access
 * predicates join several tables). Send every long statement as a named prepared statement, so
 * each connection parses and plans its text once; PostgreSQL then reuses the plan. Short
 * statements, and those inside COPY or multi-statement strings, go as they are.
 */
const PREPARE_FROM_LENGTH = 300;

function preparePlannedQueries(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
    const c = config as { text?: unknown; name?: unknown; values?: unknown } | null;
    if (
      c &&
      typeof c === 'object' &&
      typeof c.text === 'string' &&
      c.name === undefined &&
      c.text.length >= PREPARE_FROM_LENGTH &&
      !c.text.includes(';')
    ) {
      const name = `m${createHash('sha1').update(c.text).digest('hex').slice(0, 20)}`;
      return query({ ...c, name }, ...rest);
    }
    return query(config, ...rest);
  };
}

export function openDatabase(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: 'mingde',
    // Keep idle connections for minutes, not pg's 10 s: each new connection plans the long
    // prepared statements again (milliseconds each), which would land on the first requests after a lull.
    idleTimeoutMillis: 5 * 60_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  pool.on('connect', preparePlannedQueries);
  const db = drizzle(pool, { schema });
  return {
    db,
    pool,
    close: () => pool.end(),
  };
}
