import fs from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser, seedDistrict, useTestApp } from '../../test/support/app';
import { decrypt, encrypt, loadDataKeys } from '../access/protect';
import { PLATFORM_DISTRICT_ID } from '../domains/audit/log';
import { auditEvents } from '../domains/audit/schema';
import { ENCRYPTED_COLUMNS } from '../domains/people/encrypted-columns-repository';
import { insertCurrentYear } from '../domains/people/people-test-fixtures';
import { persons, rosterImportRows, rosterImports } from '../domains/people/schema';
import { enrolViaApi } from '../domains/people/students-test-support';
import { runKeys } from './keys';
import type { Platform } from './platform';

const t = useTestApp();

/** Every encrypted value stored, by `table.column`, as [row key, blob]. */
async function blobs(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const c of ENCRYPTED_COLUMNS) {
    const { rows } = await t.database.db.execute<{ blob: string }>(
      sql`select ${sql.identifier(c.column)} as blob from ${sql.identifier(c.table)}
          where ${sql.identifier(c.column)} is not null order by 1`,
    );
    out.set(
      `${c.table}.${c.column}`,
      rows.map((r) => r.blob),
    );
  }
  return out;
}

describe('mingde keys rotate / reencrypt', () => {
  const lines: string[] = [];
  let platform: Platform;
  let personId = '';
  let districtId = '';

  beforeAll(async () => {
    const config = t.app.deps.config;
    platform = { config, database: t.database, embedded: false, stop: async () => {} };
    const d = await seedDistrict(t.database.db);
    districtId = d.districtId;
    await insertCurrentYear(t.database.db, d.districtId, [d.schoolA.classId]);
    const admin = await createUser(t.database.db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const enrolled = await enrolViaApi(t.app, admin, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '王小明', idNumber: '110101201903010110', phone: '13812345678' },
      studentNumber: 'G110101201903010110',
    });
    personId = enrolled.person.id;
    // A pending roster import row (its payload holds ID numbers, encrypted).
    const [imp] = await t.database.db
      .insert(rosterImports)
      .values({
        districtId: d.districtId,
        schoolId: d.schoolA.id,
        kind: 'students',
        fileName: 'a.csv',
        fileSha256: '0'.repeat(64),
        status: 'validated',
        createdBy: admin.userId,
      })
      .returning({ id: rosterImports.id });
    await t.database.db.insert(rosterImportRows).values({
      districtId: d.districtId,
      importId: imp?.id as string,
      rowNumber: 2,
      valid: true,
      payloadEnc: encrypt(t.app.deps.dataKeys, '{"name":"李小红"}'),
    });
  });

  it('every *_enc column of the schema is in the list the rotation walks', async () => {
    const { rows } = await t.database.db.execute<{ name: string }>(sql`
      select table_name || '.' || column_name as name from information_schema.columns
      where table_schema = 'public' and column_name like '%\\_enc' order by 1`);
    expect(rows.map((r) => r.name)).toEqual([
      'enrolments.student_number_enc',
      'persons.id_number_enc',
      'persons.phone_enc',
      'roster_import_rows.payload_enc',
    ]);
    expect(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort()).toEqual(rows.map((r) => r.name));
  });

  it('rotate: a second key version, current, in a 0600 file; every blob re-encrypted with it, same plaintext', async () => {
    const before = await blobs();
    for (const list of before.values()) {
      expect(list.length).toBeGreaterThan(0);
      for (const b of list) expect(b.startsWith('v1:')).toBe(true);
    }
    const oldKeys = loadDataKeys(t.app.deps.config);
    const plain = (keys: typeof oldKeys, m: Map<string, string[]>) =>
      [...m.values()]
        .flat()
        .map((b) => decrypt(keys, b))
        .sort();

    expect(await runKeys(platform, 'rotate', (l) => lines.push(l))).toBe(0);

    const file = t.app.deps.config.dataKeyFile;
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      current: number;
      encryption: object;
      hash: string;
    };
    expect(stored.current).toBe(2);
    expect(Object.keys(stored.encryption)).toEqual(['1', '2']);
    const newKeys = loadDataKeys(t.app.deps.config);
    expect(newKeys.hash.equals(oldKeys.hash)).toBe(true); // identity hashes stay valid

    const after = await blobs();
    for (const list of after.values()) for (const b of list) expect(b.startsWith('v2:')).toBe(true);
    expect(plain(newKeys, after)).toEqual(plain(oldKeys, before));
    const [person] = await t.database.db.select().from(persons).where(eq(persons.id, personId));
    expect(decrypt(newKeys, person?.idNumberEnc as string)).toBe('110101201903010110');
    expect(decrypt(newKeys, person?.phoneEnc as string)).toBe('13812345678');
    expect(lines).toContain('  persons.id_number_enc: 1 条已重新加密 / re-encrypted');

    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'keys.rotate'));
    expect(event).toMatchObject({
      districtId: PLATFORM_DISTRICT_ID,
      actorKind: 'system',
      outcome: 'success',
    });
    expect(event?.subjectIds).toEqual([]);
  });

  it('reencrypt again changes nothing', async () => {
    const before = await blobs();
    lines.length = 0;
    expect(await runKeys(platform, 'reencrypt', (l) => lines.push(l))).toBe(0);
    expect(await blobs()).toEqual(before);
    expect(lines).toContain('  persons.phone_enc: 0 条已重新加密 / re-encrypted');
  });

  it('a blob that cannot be decrypted is named by its row key, skipped, and fails the run; the rest is done', async () => {
    const oldKeys = { ...loadDataKeys(t.app.deps.config), currentVersion: 1 };
    await t.database.db
      .update(persons)
      .set({ phoneEnc: 'v9:AAAA', idNumberEnc: encrypt(oldKeys, '110101201903010110') })
      .where(eq(persons.id, personId));
    lines.length = 0;
    expect(await runKeys(platform, 'reencrypt', (l) => lines.push(l))).toBe(1);
    expect(lines).toContain(
      `  无法解密 / cannot decrypt persons.phone_enc (${districtId}, ${personId}): no key for version 9`,
    );
    expect(lines.join('\n')).not.toContain('110101201903010110');
    const [person] = await t.database.db.select().from(persons).where(eq(persons.id, personId));
    expect(person?.idNumberEnc?.startsWith('v2:')).toBe(true);
    expect(person?.phoneEnc).toBe('v9:AAAA');
  });
});
