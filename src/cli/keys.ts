import { addEncryptionKey, type DataKeys, decrypt, encrypt, loadDataKeys } from '../access/protect';
import { createAuditLog, PLATFORM_DISTRICT_ID } from '../domains/audit/log';
import {
  blobsNotOnVersion,
  ENCRYPTED_COLUMNS,
  type EncryptedColumn,
  replaceBlobs,
} from '../domains/people/encrypted-columns-repository';
import type { Platform } from './platform';

/** Rows re-encrypted per transaction. */
const BATCH = 500;

export interface ReencryptReport {
  currentVersion: number;
  columns: { table: string; column: string; reencrypted: number; unreadable: number }[];
}

/**
 * Re-encrypt every blob not made with the current key version, batch by batch (each batch its own
 * transaction; a blob changed meanwhile keeps its new value). Safe to interrupt and run again: the
 * key file keeps every version, so a half-done pass leaves everything readable. A blob that cannot
 * be decrypted (unknown version, damaged) is counted, named by its row key only, and skipped.
 */
export async function reencryptAll(
  platform: Platform,
  keys: DataKeys,
  print: (line: string) => void,
): Promise<ReencryptReport> {
  const db = platform.database.db;
  const columns: ReencryptReport['columns'] = [];
  for (const c of ENCRYPTED_COLUMNS) {
    let reencrypted = 0;
    let unreadable = 0;
    let after: string[] | null = null;
    for (;;) {
      const blobs = await blobsNotOnVersion(db, c, keys.currentVersion, after, BATCH);
      if (blobs.length === 0) break;
      const replacements: { key: string[]; from: string; to: string }[] = [];
      for (const b of blobs) {
        try {
          replacements.push({ key: b.key, from: b.blob, to: encrypt(keys, decrypt(keys, b.blob)) });
        } catch (error) {
          unreadable++;
          print(
            `  无法解密 / cannot decrypt ${columnName(c)} (${b.key.join(', ')}): ${(error as Error).message}`,
          );
        }
      }
      reencrypted += await db.transaction((tx) => replaceBlobs(tx, c, replacements));
      after = blobs.at(-1)?.key ?? null;
    }
    columns.push({ table: c.table, column: c.column, reencrypted, unreadable });
    print(
      `  ${columnName(c)}: ${reencrypted} 条已重新加密 / re-encrypted${unreadable ? `, ${unreadable} 条无法解密 / unreadable` : ''}`,
    );
  }
  return { currentVersion: keys.currentVersion, columns };
}

const columnName = (c: EncryptedColumn) => `${c.table}.${c.column}`;

/**
 * `mingde keys rotate`: a new encryption key version in the key file, then every stored blob
 * re-encrypted with it. `mingde keys reencrypt`: only the second step (after an interrupted
 * rotation, or to catch blobs a running service wrote with the old key). Recorded on the platform
 * audit chain. 0 when every blob is on the current key, 1 otherwise.
 */
export async function runKeys(
  platform: Platform,
  step: 'rotate' | 'reencrypt',
  print: (line: string) => void,
): Promise<number> {
  const keys = step === 'rotate' ? await addEncryptionKey(platform.config) : loadDataKeys(platform.config);
  if (step === 'rotate') {
    print(
      `已生成加密密钥第 ${keys.currentVersion} 版 / new encryption key version ${keys.currentVersion} written to ${platform.config.dataKeyFile}`,
    );
  }
  const report = await reencryptAll(platform, keys, print);
  const unreadable = report.columns.reduce((n, c) => n + c.unreadable, 0);
  const auditLog = createAuditLog({ db: platform.database.db, headFile: platform.config.auditHeadFile });
  try {
    await auditLog.record({
      districtId: PLATFORM_DISTRICT_ID,
      action: `keys.${step}`,
      actorId: null,
      actorKind: 'system',
      outcome: unreadable === 0 ? 'success' : 'failure',
      details: { ...report },
    });
  } finally {
    await auditLog.close();
  }
  return unreadable === 0 ? 0 : 1;
}
