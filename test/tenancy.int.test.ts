import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestApp } from './support/app';

/**
 * DESIGN.md, Tenancy: every tenant-owned table carries district_id in its primary key, its unique
 * keys and its foreign keys to other tenant tables, so Citus can distribute by district_id.
 * Global tables are listed here by name; a new table is tenant-owned unless added to this list.
 */
const globalTables = new Set([
  'city_bureaus',
  'districts',
  'users',
  'sessions',
  'city_grants',
  'access_version',
]);

const t = useTestApp();

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await t.database.db.execute(query)).rows as T[];
}

async function tenancyProblems(): Promise<string[]> {
  const tables = await rows<{ table: string }>(sql`
      select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`);

  const keys = await rows<{
    table: string;
    name: string;
    type: string;
    columns: string[];
    ref_table: string | null;
    ref_columns: string[] | null;
  }>(sql`
      select rel.relname as table, con.conname as name, con.contype as type,
        (select array_agg(a.attname::text order by a.attnum) from pg_attribute a
          where a.attrelid = con.conrelid and a.attnum = any(con.conkey)) as columns,
        ref.relname as ref_table,
        (select array_agg(a.attname::text order by a.attnum) from pg_attribute a
          where a.attrelid = con.confrelid and a.attnum = any(con.confkey)) as ref_columns
      from pg_constraint con
      join pg_class rel on rel.oid = con.conrelid
      join pg_namespace n on n.oid = rel.relnamespace
      left join pg_class ref on ref.oid = con.confrelid
      where n.nspname = 'public' and con.contype in ('p', 'u', 'f')`);
  const uniqueIndexes = await rows<{ table: string; name: string; columns: string[] }>(sql`
      select t.relname as table, i.relname as name,
        (select array_agg(a.attname::text) from pg_attribute a
          where a.attrelid = t.oid and a.attnum = any(ix.indkey)) as columns
      from pg_index ix join pg_class i on i.oid = ix.indexrelid join pg_class t on t.oid = ix.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'public' and ix.indisunique`);

  const problems: string[] = [];
  for (const { table } of tables) {
    if (globalTables.has(table)) continue;
    const own = keys.filter((k) => k.table === table);
    const pk = own.find((k) => k.type === 'p');
    if (!pk) problems.push(`${table}: no primary key`);
    else if (!pk.columns.includes('district_id')) problems.push(`${table}: primary key without district_id`);
    for (const k of own.filter((k) => k.type === 'u')) {
      if (!k.columns.includes('district_id')) problems.push(`${table}: unique ${k.name} without district_id`);
    }
    for (const ix of uniqueIndexes.filter((i) => i.table === table)) {
      if (!(ix.columns ?? []).includes('district_id'))
        problems.push(`${table}: unique index ${ix.name} without district_id`);
    }
    for (const fk of own.filter((k) => k.type === 'f')) {
      if (fk.ref_table && globalTables.has(fk.ref_table)) continue;
      if (!fk.columns.includes('district_id') || !fk.ref_columns?.includes('district_id')) {
        problems.push(`${table}: foreign key ${fk.name} to ${fk.ref_table} without district_id`);
      }
    }
  }
  return problems.sort();
}

describe('tenancy rule, checked against the catalog', () => {
  it('holds for every table in the public schema', async () => {
    expect(await tenancyProblems()).toEqual([]);
  });

  it('reports a table keyed without district_id', async () => {
    await t.database.db.execute(sql`create table tenancy_probe (district_id uuid not null, id uuid primary key,
      code text unique, org_id uuid references tenancy_probe(id))`);
    try {
      expect(await tenancyProblems()).toEqual([
        'tenancy_probe: foreign key tenancy_probe_org_id_fkey to tenancy_probe without district_id',
        'tenancy_probe: primary key without district_id',
        'tenancy_probe: unique index tenancy_probe_code_key without district_id',
        'tenancy_probe: unique index tenancy_probe_pkey without district_id',
        'tenancy_probe: unique tenancy_probe_code_key without district_id',
      ]);
    } finally {
      await t.database.db.execute(sql`drop table tenancy_probe`);
    }
  });
});
