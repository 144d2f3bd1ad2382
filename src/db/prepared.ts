import { fillPlaceholders, type Query, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import type { DbOrTx } from './client';

const dialect = new PgDialect();

/** Statement texts rendered once per process: the text never varies, only the parameters. */
const rendered = new Map<string, Query>();

/** Names a parameter of a prepared statement; `build` puts what it returns where the value goes. */
export type Param<V> = (key: keyof V & string) => unknown;

/**
 * Run the statement `build` makes as a named prepared statement when `db` is a pool-backed
 * database: PostgreSQL then plans it once per connection instead of on every request, and its
 * text is rendered once per process (rendering a large SQL tree costs the server more CPU than
 * PostgreSQL spends executing it). `name` must identify the statement's text: one name, one text.
 * `build` gets a function naming each parameter; inside a transaction (no `$client`) the statement
 * runs as an ordinary query with the values in place.
 */
export async function runPrepared<T, V extends Record<string, unknown>>(
  db: DbOrTx,
  name: string,
  values: V,
  build: (param: Param<V>) => SQL,
): Promise<T[]> {
  const client = (db as { $client?: { query?: unknown } }).$client;
  if (client && typeof client.query === 'function') {
    let query = rendered.get(name);
    if (!query) {
      query = dialect.sqlToQuery(build((key) => sql.placeholder(key)));
      rendered.set(name, query);
    }
    const params = fillPlaceholders(query.params, values);
    const result = await (client as Pick<Pool, 'query'>).query({ name, text: query.sql, values: params });
    return result.rows as T[];
  }
  return (await db.execute(build((key) => sql.param(values[key])))).rows as T[];
}

const preparedByDatabase = new WeakMap<object, Map<string, unknown>>();

/**
 * A query-builder statement (`make` ends in `.prepare(name)`, its values `sql.placeholder`s),
 * built and rendered once per database handle and planned once per connection. Inside a
 * transaction it is built afresh each time: transactions are not the hot path.
 */
export function preparedOnce<P>(db: DbOrTx, name: string, make: (db: DbOrTx) => P): P {
  if (!(db as { $client?: unknown }).$client) return make(db);
  let statements = preparedByDatabase.get(db);
  if (!statements) {
    statements = new Map();
    preparedByDatabase.set(db, statements);
  }
  let statement = statements.get(name) as P | undefined;
  if (!statement) {
    statement = make(db);
    statements.set(name, statement);
  }
  return statement;
}
