import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';

/**
 * Every column holding blobs made by access/protect.ts `encrypt` (`v<version>:…`), with the key
 * that names a row. `mingde keys reencrypt` walks these; a new encrypted column belongs here
 * (encrypted-columns.int.test.ts checks the catalog for `*_enc` columns missing from this list).
 */
export const ENCRYPTED_COLUMNS = [
  { table: 'persons', column: 'id_number_enc', key: ['district_id', 'id'] },
  { table: 'persons', column: 'phone_enc', key: ['district_id', 'id'] },
  { table: 'enrolments', column: 'student_number_enc', key: ['district_id', 'id'] },
  { table: 'roster_import_rows', column: 'payload_enc', key: ['district_id', 'import_id', 'row_number'] },
] as const;

export type EncryptedColumn = (typeof ENCRYPTED_COLUMNS)[number];

export interface StoredBlob {
  /** The row's key values, in `column.key` order, as text. */
  key: string[];
  blob: string;
}

const ident = (name: string) => sql.identifier(name);

/** Up to `limit` blobs of `column` not made with key version `current`, in key order after `after`. */
export async function blobsNotOnVersion(
  db: DbOrTx,
  c: EncryptedColumn,
  current: number,
  after: string[] | null,
  limit: number,
): Promise<StoredBlob[]> {
  const keyText = sql.join(
    c.key.map((k) => sql`${ident(k)}::text`),
    sql`, `,
  );
  const afterClause = after
    ? sql`and (${keyText}) > (${sql.join(
        after.map((v) => sql`${v}`),
        sql`, `,
      )})`
    : sql``;
  const { rows } = await db.execute<{ key: string[]; blob: string }>(sql`
    select array[${keyText}] as key, ${ident(c.column)} as blob
    from ${ident(c.table)}
    where ${ident(c.column)} is not null and ${ident(c.column)} not like ${`v${current}:%`}
      ${afterClause}
    order by ${keyText}
    limit ${limit}`);
  return rows;
}

/**
 * Replace each blob whose row still holds the blob that was read (a row changed meanwhile keeps
 * its new value, already on the current key). Returns how many rows were replaced.
 */
export async function replaceBlobs(
  db: DbOrTx,
  c: EncryptedColumn,
  replacements: { key: string[]; from: string; to: string }[],
): Promise<number> {
  if (replacements.length === 0) return 0;
  const values = sql.join(
    replacements.map(
      (r) =>
        sql`(${sql.join(
          [...r.key, r.from, r.to].map((v) => sql`${v}`),
          sql`, `,
        )})`,
    ),
    sql`, `,
  );
  const names = [...c.key, '__from', '__to'];
  const matches = sql.join(
    c.key.map((k) => sql`t.${ident(k)}::text = v.${ident(k)}`),
    sql` and `,
  );
  const result = await db.execute(sql`
    update ${ident(c.table)} t set ${ident(c.column)} = v.__to
    from (values ${values}) as v(${sql.join(names.map(ident), sql`, `)})
    where ${matches} and t.${ident(c.column)} = v.__from`);
  return result.rowCount ?? 0;
}
