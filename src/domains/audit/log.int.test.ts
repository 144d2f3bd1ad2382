import fs from 'node:fs';
import path from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashEvent } from './chain';
import { readHeadFile } from './head-file';
import { type AuditLog, createAuditLog } from './log';
import { auditEvents, auditHeads } from './schema';
import { type AuditTestDb, openAuditTestDb, sampleEvent } from './test-fixtures';
import { verifyAuditChain } from './verify';

let t: AuditTestDb;
beforeAll(async () => {
  t = await openAuditTestDb();
});
afterAll(async () => {
  await t.close();
});

const chainOf = (districtId: string) =>
  t.db.select().from(auditEvents).where(eq(auditEvents.districtId, districtId)).orderBy(asc(auditEvents.seq));

async function withLog<T>(fn: (log: AuditLog, headFile: string) => Promise<T>): Promise<T> {
  const headFile = path.join(t.dir, `heads-${Math.random().toString(36).slice(2)}.json`);
  const log = createAuditLog({ db: t.db, headFile });
  try {
    return await fn(log, headFile);
  } finally {
    await log.close();
  }
}

describe('audit log: hashes survive the database round trip', () => {
  it('hashes what it reads back exactly as what it wrote (Chinese, nested details, empty arrays, nulls)', async () => {
    const districtId = await t.addDistrict();
    await withLog(async (log) => {
      await log.record({
        districtId,
        action: 'org.update',
        actorId: '6F1C1E2A-5B7D-4C1E-9A0B-2F3D4E5F6A7B',
        actorKind: 'user',
        targetType: 'orgUnit',
        targetId: '东城区第一实验小学',
        subjectIds: [],
        purpose: null,
        requestId: null,
        ip: null,
        details: {
          zeta: { 乙: [1, 2.5, { y: null, x: '班级' }], 甲: [] },
          alpha: '北京市东城区',
          empty: {},
          nothing: null,
          gone: undefined,
          nul: 'a\u0000b',
          big: 1e21,
          tiny: 5e-324,
          float: 0.1 + 0.2,
        },
      });
      await log.record({
        districtId,
        action: 'auth.signIn',
        actorId: null,
        actorKind: 'anonymous',
        outcome: 'failure',
      });
      // Text that array literals and JSON must quote: quotes, backslashes, braces, commas, "NULL".
      await log.record({
        ...sampleEvent(districtId, 3),
        targetId: 'NULL',
        purpose: 'a "quoted" \\ {x,y} 名',
        subjectIds: ['NULL', '"', '\\', '{}', ''],
        details: { '"k"': '\\', 'a,b': '{1,2}' },
      });
    });

    const rows = await chainOf(districtId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    const [first, second, third] = rows;
    if (!first || !second || !third) throw new Error('rows missing');
    expect(first.actorId).toBe('6f1c1e2a-5b7d-4c1e-9a0b-2f3d4e5f6a7b');
    expect(first.targetId).toBe('东城区第一实验小学');
    expect(first.details).toEqual({
      zeta: { 乙: [1, 2.5, { y: null, x: '班级' }], 甲: [] },
      alpha: '北京市东城区',
      empty: {},
      nothing: null,
      nul: 'a\uFFFDb',
      big: 1e21,
      tiny: 5e-324,
      float: 0.30000000000000004,
    });
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(hashEvent(first)).toBe(first.hash);
    expect(second.prevHash).toBe(first.hash);
    expect(second.subjectIds).toEqual([]);
    expect(second.details).toEqual({});
    expect(second.outcome).toBe('failure');
    expect(hashEvent(second)).toBe(second.hash);
    expect([third.targetId, third.purpose]).toEqual(['NULL', 'a "quoted" \\ {x,y} 名']);
    expect(third.subjectIds).toEqual(['NULL', '"', '\\', '{}', '']);
    expect(third.details).toEqual({ '"k"': '\\', 'a,b': '{1,2}' });
    expect(hashEvent(third)).toBe(third.hash);
    const [head] = await t.db.select().from(auditHeads).where(eq(auditHeads.districtId, districtId));
    expect(head).toEqual({ districtId, seq: 3, hash: third.hash });
  });

  it('keeps the millisecond of `at` exactly', async () => {
    const districtId = await t.addDistrict();
    const before = Date.now();
    await withLog((log) => log.record(sampleEvent(districtId, 1)));
    const [row] = await chainOf(districtId);
    expect(row?.at.getTime()).toBeGreaterThanOrEqual(before);
    expect(row?.at.getTime()).toBeLessThanOrEqual(Date.now());
    const raw = await t.db.execute<{ ms: string }>(
      sql`select to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ms from audit_events where district_id = ${districtId}`,
    );
    expect(raw.rows[0]?.ms).toBe(row?.at.toISOString());
  });
});

describe('audit log: group commit', () => {
  it('links 200 concurrent events across 2 districts into contiguous, intact chains', async () => {
    const a = await t.addDistrict('甲区');
    const b = await t.addDistrict('乙区');
    await withLog(async (log, headFile) => {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => log.record(sampleEvent(i % 2 === 0 ? a : b, i))),
      );
      await log.afterCommit();

      for (const districtId of [a, b]) {
        const rows = await chainOf(districtId);
        expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
        let prev = GENESIS_HASH;
        for (const row of rows) {
          expect(row.prevHash).toBe(prev);
          expect(hashEvent(row)).toBe(row.hash);
          prev = row.hash;
        }
        // Within a district, chain order is the order record() was called in.
        expect(rows.map((r) => r.requestId)).toEqual(
          Array.from({ length: 100 }, (_, i) => `req-${districtId === a ? 2 * i : 2 * i + 1}`),
        );
      }

      const file = readHeadFile(headFile);
      const lastA = (await chainOf(a)).at(-1);
      const lastB = (await chainOf(b)).at(-1);
      expect(file.status).toBe('ok');
      if (file.status !== 'ok') return;
      expect(file.heads[a]).toEqual({ seq: 100, hash: lastA?.hash });
      expect(file.heads[b]).toEqual({ seq: 100, hash: lastB?.hash });
      expect(fs.statSync(headFile).mode & 0o777).toBe(0o600);

      const report = await verifyAuditChain(t.db, headFile, { districtIds: [a, b] });
      expect(report).toEqual({
        ok: true,
        headFile: 'checked',
        districts: [a, b].sort().map((districtId) => ({ districtId, events: 100, ok: true })),
      });
    });
  });

  it('rejects a malformed event at once, without touching its batch', async () => {
    const districtId = await t.addDistrict();
    await withLog(async (log) => {
      const results = await Promise.allSettled([
        log.record(sampleEvent(districtId, 1)),
        log.record({ ...sampleEvent(districtId, 2), districtId: 'not-a-uuid' }),
        log.record({ ...sampleEvent(districtId, 3), actorKind: 'robot' as 'user' }),
        log.record(sampleEvent(districtId, 4)),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    });
    expect((await chainOf(districtId)).map((r) => r.requestId)).toEqual(['req-1', 'req-4']);
  });

  it('rejects the callers of a district whose flush fails, and commits the other districts', async () => {
    const districtId = await t.addDistrict();
    const unknownDistrict = '0b7e7c2e-1111-4e4e-8a8a-000000000000';
    await withLog(async (log) => {
      const results = await Promise.allSettled([
        log.record(sampleEvent(districtId, 1)),
        log.record(sampleEvent(unknownDistrict, 2)),
        log.record(sampleEvent(districtId, 3)),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    });
    expect((await chainOf(districtId)).map((r) => [r.seq, r.requestId])).toEqual([
      [1, 'req-1'],
      [2, 'req-3'],
    ]);
    expect(await chainOf(unknownDistrict)).toEqual([]);
  });

  it('flushes pending events on close, then refuses new ones', async () => {
    const districtId = await t.addDistrict();
    const log = createAuditLog({ db: t.db, headFile: null });
    const pending = Array.from({ length: 30 }, (_, i) => log.record(sampleEvent(districtId, i)));
    await log.close();
    await Promise.all(pending);
    expect(await chainOf(districtId)).toHaveLength(30);
    await expect(log.record(sampleEvent(districtId, 99))).rejects.toThrow('audit log is closed');
  });

  it('brings the head file up to date on its own shortly after batched appends', async () => {
    const districtId = await t.addDistrict();
    await withLog(async (log, headFile) => {
      await log.record(sampleEvent(districtId, 1));
      await log.record(sampleEvent(districtId, 2));
      const [last] = (await chainOf(districtId)).slice(-1);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const file = readHeadFile(headFile);
      expect(file.status === 'ok' && file.heads[districtId]).toEqual({ seq: 2, hash: last?.hash });
    });
  });

  it('writes no head file when headFile is null', async () => {
    const districtId = await t.addDistrict();
    const before = fs.readdirSync(t.dir);
    const log = createAuditLog({ db: t.db, headFile: null });
    await log.record(sampleEvent(districtId, 1));
    await log.afterCommit();
    await log.close();
    expect(fs.readdirSync(t.dir)).toEqual(before);
  });

  it('records 10,000 events contiguously (and reports the rate)', async () => {
    const districtId = await t.addDistrict();
    await withLog(async (log) => {
      const started = performance.now();
      await Promise.all(Array.from({ length: 10_000 }, (_, i) => log.record(sampleEvent(districtId, i))));
      const seconds = (performance.now() - started) / 1000;
      console.info(
        `audit record: 10000 events in ${seconds.toFixed(2)} s = ${Math.round(10_000 / seconds)} events/s`,
      );
    });
    const [count] = (
      await t.db.execute<{ n: number; max: number }>(
        sql`select count(*)::int as n, max(seq)::int as max from audit_events where district_id = ${districtId}`,
      )
    ).rows;
    expect(count).toEqual({ n: 10_000, max: 10_000 });
    const report = await verifyAuditChain(t.db, null, { districtIds: [districtId] });
    expect(report.districts).toEqual([{ districtId, events: 10_000, ok: true }]);
  });
});

describe('audit log: inside the caller transaction', () => {
  it('leaves no event and no gap when the transaction rolls back', async () => {
    const districtId = await t.addDistrict();
    await withLog(async (log) => {
      await log.record(sampleEvent(districtId, 1));
      await expect(
        t.db.transaction(async (tx) => {
          await log.recordInTx(tx, [sampleEvent(districtId, 2), sampleEvent(districtId, 3)]);
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      await log.record(sampleEvent(districtId, 4));
    });
    const rows = await chainOf(districtId);
    expect(rows.map((r) => [r.seq, r.requestId])).toEqual([
      [1, 'req-1'],
      [2, 'req-4'],
    ]);
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
  });

  it('rolls back the head of a chain first used in the transaction', async () => {
    const districtId = await t.addDistrict();
    const log = createAuditLog({ db: t.db, headFile: null });
    await expect(
      t.db.transaction(async (tx) => {
        await log.recordInTx(tx, [sampleEvent(districtId, 1)]);
        tx.rollback();
      }),
    ).rejects.toThrow();
    await log.close();
    expect(await t.db.select().from(auditHeads).where(eq(auditHeads.districtId, districtId))).toEqual([]);
  });

  it('orders the chain by commit: a batched event waits for the transaction holding the head', async () => {
    const districtId = await t.addDistrict();
    await withLog(async (log, headFile) => {
      let batched: Promise<void> | undefined;
      await t.db.transaction(async (tx) => {
        await log.recordInTx(tx, [sampleEvent(districtId, 1)]);
        batched = log.record(sampleEvent(districtId, 2));
        // The batched writer is now blocked on this transaction's lock of the head.
        await new Promise((r) => setTimeout(r, 200));
        await log.recordInTx(tx, [sampleEvent(districtId, 3)]);
      });
      await log.afterCommit();
      await batched;
      await log.afterCommit();
      const rows = await chainOf(districtId);
      expect(rows.map((r) => [r.seq, r.requestId])).toEqual([
        [1, 'req-1'],
        [2, 'req-3'],
        [3, 'req-2'],
      ]);
      const file = readHeadFile(headFile);
      expect(file.status === 'ok' && file.heads[districtId]).toEqual({ seq: 3, hash: rows[2]?.hash });
    });
  });

  it('keeps one intact chain when two processes append to it in turn (a moved head is re-read)', async () => {
    const districtId = await t.addDistrict();
    const first = createAuditLog({ db: t.db, headFile: null });
    const second = createAuditLog({ db: t.db, headFile: null });
    try {
      // Each log learns the head from its own writes; every turn of the other log moves it.
      for (let i = 0; i < 6; i++) {
        await (i % 2 === 0 ? first : second).record(sampleEvent(districtId, i));
        await Promise.all([
          first.record(sampleEvent(districtId, 100 + i)),
          second.record(sampleEvent(districtId, 200 + i)),
        ]);
      }
    } finally {
      await first.close();
      await second.close();
    }
    const rows = await chainOf(districtId);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(18);
    let prev = GENESIS_HASH;
    for (const row of rows) {
      expect(row.prevHash).toBe(prev);
      expect(hashEvent(row)).toBe(row.hash);
      prev = row.hash;
    }
    const [head] = await t.db.select().from(auditHeads).where(eq(auditHeads.districtId, districtId));
    expect(head).toEqual({ districtId, seq: 18, hash: prev });
  });

  it('records events of several districts in one transaction', async () => {
    const a = await t.addDistrict();
    const b = await t.addDistrict();
    const log = createAuditLog({ db: t.db, headFile: null });
    await t.db.transaction((tx) =>
      log.recordInTx(tx, [sampleEvent(b, 1), sampleEvent(a, 2), sampleEvent(b, 3)]),
    );
    await log.close();
    expect((await chainOf(a)).map((r) => [r.seq, r.requestId])).toEqual([[1, 'req-2']]);
    expect((await chainOf(b)).map((r) => [r.seq, r.requestId])).toEqual([
      [1, 'req-1'],
      [2, 'req-3'],
    ]);
  });
});
