import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditVerify } from '../../cli/audit-verify';
import { loadConfig } from '../../config';
import { readHeadFile } from './head-file';
import { type AuditLog, createAuditLog } from './log';
import { type AuditTestDb, openAuditTestDb, sampleEvent } from './test-fixtures';
import { type BrokenReason, verifyAuditChain } from './verify';

let t: AuditTestDb;
beforeAll(async () => {
  t = await openAuditTestDb();
});
afterAll(async () => {
  await t.close();
});

interface Chain {
  districtId: string;
  headFile: string;
  log: AuditLog;
  warnings: string[];
  hashAt(seq: number): Promise<string>;
  verify(headFile?: string | null): ReturnType<typeof verifyAuditChain>;
}

/** A district with `n` events recorded through the log, the head file up to date. */
async function chainOf(n: number): Promise<Chain> {
  const districtId = await t.addDistrict();
  const headFile = path.join(t.dir, `${districtId}.json`);
  // Tests break the head file on purpose; the writer's complaints are kept for them to check.
  const warnings: string[] = [];
  const log = createAuditLog({ db: t.db, headFile, onError: (e) => warnings.push(String(e)) });
  for (let i = 1; i <= n; i++) await log.record(sampleEvent(districtId, i));
  await log.afterCommit();
  return {
    districtId,
    headFile,
    log,
    warnings,
    async hashAt(seq) {
      const { rows } = await t.asDba('select hash from audit_events where district_id = $1 and seq = $2', [
        districtId,
        seq,
      ]);
      return rows[0]?.hash as string;
    },
    verify: (file = headFile) => verifyAuditChain(t.db, file, { districtIds: [districtId] }),
  };
}

async function firstBroken(chain: Chain, headFile?: string | null) {
  const report = await chain.verify(headFile);
  return report.districts.find((d) => d.districtId === chain.districtId)?.firstBroken;
}

describe('audit verify: an intact chain', () => {
  it('reports every district ok with its event count', async () => {
    const chain = await chainOf(5);
    expect(await chain.verify()).toEqual({
      ok: true,
      headFile: 'checked',
      districts: [{ districtId: chain.districtId, events: 5, ok: true }],
    });
    expect(chain.warnings).toEqual([]);
    await chain.log.close();
  });

  it('pages through long chains and finds an edit on a later page', async () => {
    const districtId = await t.addDistrict();
    const log = createAuditLog({ db: t.db, headFile: null });
    await Promise.all(Array.from({ length: 12_000 }, (_, i) => log.record(sampleEvent(districtId, i))));
    await log.close();
    const only = { districtIds: [districtId] };
    expect((await verifyAuditChain(t.db, null, only)).districts).toEqual([
      { districtId, events: 12_000, ok: true },
    ]);
    await t.asDba(`update audit_events set ip = '198.51.100.9' where district_id = $1 and seq = 7501`, [
      districtId,
    ]);
    const report = await verifyAuditChain(t.db, null, only);
    expect(report.ok).toBe(false);
    expect(report.districts[0]?.events).toBe(12_000);
    expect(report.districts[0]?.firstBroken).toMatchObject({ seq: 7501, reason: 'hash_mismatch' });
  });
});

describe('audit verify: tampering', () => {
  it('reports an edit to any column of a middle row at exactly that seq', async () => {
    const chain = await chainOf(7);
    const spare = await t.addDistrict('空区');
    const { districtId } = chain;
    const edits: { column: string; set: string; reason: BrokenReason }[] = [
      { column: 'district_id', set: `district_id = '${spare}'`, reason: 'gap' },
      { column: 'seq', set: 'seq = seq + 1000000', reason: 'gap' },
      { column: 'at', set: `at = at + interval '1 millisecond'`, reason: 'hash_mismatch' },
      { column: 'actor_id', set: 'actor_id = gen_random_uuid()', reason: 'hash_mismatch' },
      { column: 'actor_kind', set: `actor_kind = 'system'`, reason: 'hash_mismatch' },
      { column: 'action', set: `action = 'org.read'`, reason: 'hash_mismatch' },
      { column: 'target_type', set: `target_type = 'school'`, reason: 'hash_mismatch' },
      { column: 'target_id', set: `target_id = 'unit-x'`, reason: 'hash_mismatch' },
      { column: 'subject_ids', set: `subject_ids = '["person-4","person-x"]'`, reason: 'hash_mismatch' },
      { column: 'purpose', set: 'purpose = null', reason: 'hash_mismatch' },
      { column: 'outcome', set: `outcome = 'denied'`, reason: 'hash_mismatch' },
      { column: 'request_id', set: `request_id = 'req-x'`, reason: 'hash_mismatch' },
      { column: 'ip', set: `ip = '198.51.100.1'`, reason: 'hash_mismatch' },
      {
        column: 'details',
        set: `details = jsonb_set(details, '{name,after}', '"篡改后"')`,
        reason: 'hash_mismatch',
      },
      { column: 'prev_hash', set: `prev_hash = repeat('f', 64)`, reason: 'prev_hash_mismatch' },
      { column: 'hash', set: `hash = repeat('e', 64)`, reason: 'hash_mismatch' },
    ];
    const columns = await t.db.execute<{ column_name: string }>(
      sql`select column_name from information_schema.columns where table_name = 'audit_events' order by column_name`,
    );
    expect(edits.map((e) => e.column).sort()).toEqual(columns.rows.map((r) => r.column_name));

    await t.asDba(
      'create table tamper_backup as select * from audit_events where district_id = $1 and seq = 4',
      [districtId],
    );
    for (const edit of edits) {
      await t.asDba(`update audit_events set ${edit.set} where district_id = $1 and seq = 4`, [districtId]);
      expect({ column: edit.column, broken: await firstBroken(chain) }).toMatchObject({
        column: edit.column,
        broken: { seq: 4, reason: edit.reason },
      });
      // Put the row back as it was, and check the chain is whole again.
      await t.asDba(
        'delete from audit_events where (district_id = $1 and seq in (4, 1000004)) or district_id = $2',
        [districtId, spare],
      );
      await t.asDba('insert into audit_events select * from tamper_backup');
      expect(await firstBroken(chain)).toBeUndefined();
    }
    await t.asDba('drop table tamper_backup');
    await chain.log.close();
  });

  it('reports a deleted middle row as a gap at its seq', async () => {
    const chain = await chainOf(7);
    await t.asDba('delete from audit_events where district_id = $1 and seq = 4', [chain.districtId]);
    expect(await firstBroken(chain)).toEqual({
      seq: 4,
      reason: 'gap',
      detail: 'seq 4 missing; the next event is seq 5',
    });
    await chain.log.close();
  });

  it('detects rows cut off the end through the head file, even with audit_heads rewritten', async () => {
    const chain = await chainOf(7);
    const { districtId, headFile } = chain;
    const anchor = { seq: 7, hash: await chain.hashAt(7) };
    await t.asDba('delete from audit_events where district_id = $1 and seq >= 5', [districtId]);
    await t.asDba('update audit_heads set seq = 4, hash = $2 where district_id = $1', [
      districtId,
      await chain.hashAt(4),
    ]);

    expect(await firstBroken(chain)).toEqual({
      seq: 5,
      reason: 'truncated',
      detail: 'head file records seq 7, the chain ends at seq 4',
    });
    // Without the head file the shortened chain looks whole: that is what the file is for.
    expect(await firstBroken(chain, null)).toBeUndefined();

    // The service goes on appending; the head file keeps its anchor instead of following the new chain.
    await chain.log.record(sampleEvent(districtId, 8));
    await chain.log.afterCommit();
    const file = readHeadFile(headFile);
    expect(file.status === 'ok' && file.heads[districtId]).toEqual(anchor);
    expect(chain.warnings).toEqual([
      `Error: 区县 ${districtId} 的审计链与链头文件（第 7 条）不符，请运行 mingde audit verify / ` +
        `the audit chain of district ${districtId} no longer matches the head file at seq 7; run mingde audit verify`,
    ]);
    expect(await firstBroken(chain)).toMatchObject({ seq: 6, reason: 'truncated' });

    // Once the new chain reaches the anchored seq, the rewrite shows there.
    await chain.log.record(sampleEvent(districtId, 9));
    await chain.log.record(sampleEvent(districtId, 10));
    await chain.log.afterCommit();
    expect(await firstBroken(chain)).toMatchObject({ seq: 7, reason: 'truncated' });
    expect((await firstBroken(chain))?.detail).toContain('rows were cut off and rewritten');
    await chain.log.close();
  });

  it('detects rows cut off the end through audit_heads when only the rows were deleted', async () => {
    const chain = await chainOf(7);
    await t.asDba('delete from audit_events where district_id = $1 and seq >= 6', [chain.districtId]);
    expect(await firstBroken(chain, null)).toEqual({
      seq: 6,
      reason: 'truncated',
      detail: 'audit_heads records seq 7, the chain ends at seq 5',
    });
    await chain.log.close();
  });

  it('reports an audit_heads row that disagrees with the chain', async () => {
    const chain = await chainOf(7);
    await t.asDba(`update audit_heads set hash = repeat('a', 64) where district_id = $1`, [chain.districtId]);
    expect(await firstBroken(chain, null)).toMatchObject({ seq: 7, reason: 'head_mismatch' });
    await t.asDba('update audit_heads set seq = 5, hash = $2 where district_id = $1', [
      chain.districtId,
      await chain.hashAt(5),
    ]);
    expect(await firstBroken(chain, null)).toMatchObject({ seq: 6, reason: 'head_mismatch' });
    await chain.log.close();
  });

  it('refuses a plain UPDATE, DELETE or TRUNCATE of audit events (append-only trigger)', async () => {
    const chain = await chainOf(2);
    await expect(
      t.db.execute(sql`update audit_events set action = 'x' where district_id = ${chain.districtId}`),
    ).rejects.toThrow();
    await expect(
      t.db.execute(sql`delete from audit_events where district_id = ${chain.districtId}`),
    ).rejects.toThrow();
    await expect(t.db.execute(sql`truncate audit_events`)).rejects.toThrow();
    const error = await t.db
      .execute(sql`update audit_events set action = 'x'`)
      .catch((e: { cause?: Error }) => e);
    expect(String((error as { cause?: Error }).cause?.message ?? error)).toContain(
      'audit_events is append-only',
    );
    expect(await chain.verify()).toMatchObject({ ok: true, districts: [{ events: 2, ok: true }] });
    await chain.log.close();
  });
});

describe('audit verify: the head file', () => {
  it('says when the head file is missing, and fails on an unreadable one', async () => {
    const chain = await chainOf(2);
    const missing = await chain.verify(path.join(t.dir, 'no-such-file.json'));
    expect(missing).toMatchObject({ ok: true, headFile: 'missing' });
    fs.writeFileSync(chain.headFile, 'not json');
    expect(await chain.verify()).toMatchObject({
      ok: false,
      headFile: 'unreadable',
      headFileError: 'not valid JSON',
    });
    await chain.log.close();
  });

  it('leaves an unreadable head file alone and reports it', async () => {
    const districtId = await t.addDistrict();
    const headFile = path.join(t.dir, `${districtId}.json`);
    fs.writeFileSync(headFile, '{"broken":');
    const errors: unknown[] = [];
    const log = createAuditLog({ db: t.db, headFile, onError: (e) => errors.push(e) });
    await log.record(sampleEvent(districtId, 1));
    await log.afterCommit();
    await log.close();
    expect(fs.readFileSync(headFile, 'utf8')).toBe('{"broken":');
    // Reported once, though the writer ran after the flush, on afterCommit and on close.
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('is unreadable (not valid JSON); left as is for audit verify');
  });

  it('rebuilds a deleted head file with the anchors it had', async () => {
    const chain = await chainOf(3);
    const before = readHeadFile(chain.headFile);
    fs.rmSync(chain.headFile);
    await chain.log.record(sampleEvent(chain.districtId, 4));
    await chain.log.afterCommit();
    const after = readHeadFile(chain.headFile);
    expect(before.status).toBe('ok');
    expect(after.status === 'ok' && after.heads[chain.districtId]).toEqual({
      seq: 4,
      hash: await chain.hashAt(4),
    });
    await chain.log.close();
  });
});

describe('mingde audit verify', () => {
  let own: AuditTestDb;
  beforeAll(async () => {
    own = await openAuditTestDb();
  });
  afterAll(async () => {
    await own.close();
  });

  it('prints a bilingual verdict and exits 0 when intact, 1 with the first broken link', async () => {
    const districtId = await own.addDistrict();
    const headFile = path.join(own.dir, 'audit-head.json');
    const log = createAuditLog({ db: own.db, headFile });
    for (let i = 1; i <= 3; i++) await log.record(sampleEvent(districtId, i));
    await log.close();
    const config = loadConfig({
      DATABASE_URL: own.url,
      MINGDE_DATA_DIR: own.dir,
      MINGDE_AUDIT_HEAD_FILE: headFile,
    });

    const intact: string[] = [];
    expect(await runAuditVerify(config, (line) => intact.push(line))).toBe(0);
    expect(intact).toEqual([
      '审计链完整 / audit chain intact: 1 个区县 / districts, 3 条事件 / events',
      `  ✓ ${districtId}  3 条事件 / events`,
      `链头文件已核对 / head file checked: ${headFile}`,
    ]);

    await own.asDba(`update audit_events set action = 'org.read' where district_id = $1 and seq = 2`, [
      districtId,
    ]);
    const broken: string[] = [];
    expect(await runAuditVerify(config, (line) => broken.push(line))).toBe(1);
    expect(broken.slice(0, 2)).toEqual([
      '审计链已损坏 / audit chain BROKEN',
      `  ✗ ${districtId}  第 2 条 / seq 2: 哈希不符，该条记录被修改 / hash mismatch: the event was edited`,
    ]);
    expect(broken[2]).toMatch(/^ {6}stored [0-9a-f]{12}…, recomputed [0-9a-f]{12}…$/);
  });
});
