/**
 * Roster imports (名册导入): upload → check every row in the background → report → confirm (write
 * the valid rows) or cancel. Nothing reaches the people tables before confirmation. The file is
 * spooled to a private temporary file (hashed on the way), read back row by row and deleted; rows
 * are staged encrypted in batches, with the progress on the import after each batch.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { authorize } from '../../access/policy';
import { decrypt, encrypt, keysOf } from '../../access/protect';
import { chinaToday } from '../../china-time';
import { audit, auditInTx, type Ctx, inTransaction, requirePrincipal } from '../../context';
import { DomainError, invalidField, notFound } from '../../errors';
import type { Lang } from '../../i18n/messages';
import * as orgRepo from '../org/repository';
import { applyRow, type ClassCache } from './imports-apply';
import type { ImportKind } from './imports-columns';
import type { ImportJobs } from './imports-jobs';
import { type FailureCode, failureText } from './imports-messages';
import { type FileFormat, fileFormatOf, ImportFileError, readSheetRows } from './imports-parse';
import type { ImportRow, ReportedProblem, StagedRow } from './imports-repository';
import * as repo from './imports-repository';
import { isEmptyRow, mapHeader, type RowPayload, RowValidator, type ValidationEnv } from './imports-validate';

/** Rows per INSERT while staging, and per transaction while writing. */
export const STAGE_BATCH = 1000;
export const APPLY_BATCH = 500;
/** Data rows one file may hold. */
export const MAX_ROWS = 200_000;
/** Problems kept on the import itself for `GET /imports/:id`; all of them are paged by /problems. */
const PROBLEMS_ON_IMPORT = 50;

interface ApplyCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  /** Valid rows handled so far. */
  processed: number;
}

/** What the import's `result` column holds while and after it runs. */
interface ImportState {
  fileSize: number;
  bytesRead: number;
  problemCount: number;
  /** The file was checked through; confirmation may run (again, after a failed write). */
  validated?: boolean;
  apply?: ApplyCounts;
  error?: { code: FailureCode; params: Record<string, string | number>; stage: 'validate' | 'apply' };
}

const stateOf = (row: ImportRow): ImportState => ({
  fileSize: 0,
  bytesRead: 0,
  problemCount: 0,
  ...((row.result ?? {}) as Partial<ImportState>),
});

export interface ImportView {
  id: string;
  schoolId: string;
  kind: ImportKind;
  fileName: string;
  fileSha256: string;
  status: ImportRow['status'];
  totalRows: number;
  processedRows: number;
  validRows: number;
  invalidRows: number;
  /** 0–100: bytes of the file read while checking; rows written while confirming. */
  progress: number;
  problemCount: number;
  problems: { row: number; column: string; code: string; message: string }[];
  result: { created: number; updated: number; unchanged: number; skipped: number } | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  finishedAt: string | null;
}

function progressOf(row: ImportRow, state: ImportState): number {
  switch (row.status) {
    case 'validating':
      return state.fileSize > 0 ? Math.min(99, Math.floor((state.bytesRead / state.fileSize) * 100)) : 0;
    case 'applying':
      return row.validRows > 0
        ? Math.min(99, Math.floor(((state.apply?.processed ?? 0) / row.validRows) * 100))
        : 0;
    case 'validated':
    case 'applied':
      return 100;
    default:
      return state.validated && state.apply
        ? Math.floor(((state.apply.processed ?? 0) / Math.max(1, row.validRows)) * 100)
        : 0;
  }
}

const iso = (v: Date | string | null) =>
  v === null ? null : v instanceof Date ? v.toISOString() : new Date(v).toISOString();

function localProblem(p: ReportedProblem, lang: Lang) {
  return { row: p.row, column: p.column, code: p.code, message: p.message[lang] };
}

export function present(row: ImportRow, lang: Lang): ImportView {
  const state = stateOf(row);
  const error = state.error ? failureText(state.error.code, state.error.params) : null;
  const apply = state.apply;
  return {
    id: row.id,
    schoolId: row.schoolId,
    kind: row.kind,
    fileName: row.fileName,
    fileSha256: row.fileSha256,
    status: row.status,
    totalRows: row.totalRows,
    processedRows: row.processedRows,
    validRows: row.validRows,
    invalidRows: row.invalidRows,
    progress: progressOf(row, state),
    problemCount: state.problemCount,
    problems: (row.problems as ReportedProblem[]).map((p) => localProblem(p, lang)),
    result: apply
      ? { created: apply.created, updated: apply.updated, unchanged: apply.unchanged, skipped: apply.skipped }
      : null,
    error: state.error && error ? { code: state.error.code, message: error[lang] } : null,
    createdAt: iso(row.createdAt) ?? '',
    finishedAt: iso(row.finishedAt),
  };
}

// ---------------------------------------------------------------------------------------------
// Access

type School = orgRepo.OrgUnitRow;

/** The school, if the caller may import into it: 404 outside the caller's scope, 403 for a role without imports. */
async function importableSchool(ctx: Ctx, schoolId: string): Promise<School> {
  const principal = requirePrincipal(ctx);
  const unit = await orgRepo.findOrgUnit(ctx.db, schoolId);
  authorize(principal, 'roster.import', unit ?? null, 'orgUnit');
  if (unit?.kind !== 'school' || unit.status !== 'active') {
    throw invalidField('params.id', 'import.not_a_school');
  }
  return unit;
}

/** The import, if the caller may import into its school (else 404/403, as for the school). */
async function visibleImport(ctx: Ctx, id: string): Promise<{ imp: ImportRow; school: School }> {
  const principal = requirePrincipal(ctx);
  const imp = await repo.findImport(ctx.db, id);
  const school = imp ? await orgRepo.findOrgUnit(ctx.db, imp.schoolId) : undefined;
  authorize(principal, 'roster.import', school ?? null, 'rosterImport');
  if (!imp || !school) throw notFound('rosterImport');
  return { imp, school };
}

// ---------------------------------------------------------------------------------------------
// Upload and checking

export interface UploadTarget {
  school: School;
  kind: ImportKind;
  env: ValidationEnv;
}

/** Checked before the upload is read, so a refused request never spools a file. */
export async function prepareUpload(ctx: Ctx, schoolId: string, kind: ImportKind): Promise<UploadTarget> {
  const school = await importableSchool(ctx, schoolId);
  const today = chinaToday();
  const { yearNames, classes } = await repo.currentClasses(ctx.db, school, today);
  if (kind === 'students' && yearNames.length === 0)
    throw invalidField('params.id', 'import.no_current_year');
  return { school, kind, env: { today, yearName: yearNames.join('、'), classes } };
}

export interface UploadedFile {
  fileName: string;
  stream: Readable;
  /** True once the stream was cut at the upload size limit (the file is then refused, 413). */
  truncated: () => boolean;
}

function spoolDir(ctx: Ctx): string {
  const dir = path.join(ctx.config.dataDir, 'imports');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Write the upload to a private temporary file, hashing it on the way. */
async function spool(ctx: Ctx, file: UploadedFile, format: FileFormat) {
  const target = path.join(spoolDir(ctx), `${randomUUID()}.${format}`);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const out = fs.createWriteStream(target, { mode: 0o600 });
  try {
    await pipeline(file.stream, tap, out);
  } catch (error) {
    // A body failing at once fails the pipeline before the file is even opened; the destroyed
    // stream still opens (creates) it, then closes: remove it after that, not before.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    fs.rmSync(target, { force: true });
    throw error;
  }
  return { path: target, sha256: hash.digest('hex'), size };
}

export async function startUpload(
  ctx: Ctx,
  jobs: ImportJobs,
  target: UploadTarget,
  file: UploadedFile,
): Promise<ImportView> {
  const principal = requirePrincipal(ctx);
  const format = fileFormatOf(file.fileName);
  if (!format) {
    file.stream.resume();
    throw new DomainError(415, 'import.unsupported_file');
  }
  const spooled = await spool(ctx, file, format);
  if (file.truncated()) {
    fs.rmSync(spooled.path, { force: true });
    throw new DomainError(413, 'request.too_large');
  }
  if (spooled.size === 0) {
    fs.rmSync(spooled.path, { force: true });
    throw invalidField('file', 'import.file_empty');
  }
  const state: ImportState = { fileSize: spooled.size, bytesRead: 0, problemCount: 0 };
  const imp = await repo.insertImport(ctx.db, {
    districtId: target.school.districtId,
    schoolId: target.school.id,
    kind: target.kind,
    fileName: file.fileName.slice(0, 255),
    fileSha256: spooled.sha256,
    status: 'validating',
    result: { ...state },
    createdBy: principal.userId,
  });
  jobs.start((signal) => checkFile(ctx, imp, target, { path: spooled.path, format }, signal));
  return present(imp, ctx.lang);
}

class Cancelled extends Error {}

/**
 * An unexpected failure, logged without its message: database errors carry the statement's
 * parameters (staged rows, names) in their text. The class, the PostgreSQL error code and the stack
 * locate the fault.
 */
function logFailure(imp: ImportRow, error: unknown): void {
  const e = error instanceof Error ? error : new Error('non-error thrown');
  const pgCode = (e.cause as { code?: unknown } | undefined)?.code ?? (e as { code?: unknown }).code;
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((l) => l.trimStart().startsWith('at '))
    .slice(0, 5);
  console.error(
    `roster import ${imp.id} failed: ${e.name}${pgCode ? ` (${String(pgCode)})` : ''}\n${frames.join('\n')}`,
  );
}

/** The import was changed by someone else (cancelled) while this job held it. */
async function stillIn(
  tx: Parameters<typeof repo.lockImport>[0],
  imp: ImportRow,
  status: ImportRow['status'],
) {
  const current = await repo.lockImport(tx, imp);
  if (current?.status !== status) throw new Cancelled();
  return current;
}

/**
 * Read the file row by row; validate; stage rows 1,000 per INSERT together with the progress, in
 * one transaction per batch. Memory holds one batch plus the ID numbers seen (to catch a person
 * twice), never the file. Any failure leaves the import 'failed' with a reason and no staged rows.
 */
async function checkFile(
  ctx: Ctx,
  imp: ImportRow,
  target: UploadTarget,
  file: { path: string; format: FileFormat },
  signal: AbortSignal,
): Promise<void> {
  const keys = keysOf(ctx);
  const state: ImportState = stateOf(imp);
  const counts = { total: 0, valid: 0, invalid: 0 };
  const head: ReportedProblem[] = [];
  let batch: StagedRow[] = [];
  let validator: RowValidator | undefined;

  // One batch is written while the next is read and checked (the database and the parser overlap);
  // at most one write is in flight, so memory holds two batches at most.
  let writing: Promise<void> | undefined;
  const flush = async (last: boolean) => {
    const rows = batch;
    batch = [];
    const progress = {
      processedRows: counts.total,
      validRows: counts.valid,
      invalidRows: counts.invalid,
      problems: [...head],
      result: { ...state, ...(last ? { bytesRead: state.fileSize, validated: true } : {}) },
      ...(last ? { status: 'validated' as const, totalRows: counts.total, finishedAt: new Date() } : {}),
    };
    await writing;
    writing = ctx.db.transaction(async (tx) => {
      await stillIn(tx, imp, 'validating');
      await repo.insertStagedRows(tx, rows);
      await repo.transition(tx, imp, ['validating'], progress);
      // The import shows as validated only together with its upload event: one transaction.
      if (last) await auditInTx(ctx, tx, uploadEvent(imp, target, counts, 'success'));
    });
    // Handled here so a failure between two batches is no unhandled rejection; awaited later.
    writing.catch(() => {});
    if (last) {
      await writing;
      await ctx.auditLog.afterCommit();
    }
  };

  try {
    for await (const row of readSheetRows(file.path, file.format, (n) => {
      state.bytesRead += n;
    })) {
      if (signal.aborted) throw new ImportFileError('interrupted');
      if (isEmptyRow(row)) continue;
      if (!validator) {
        validator = new RowValidator(target.kind, mapHeader(target.kind, row.cells), target.env);
        continue;
      }
      if (counts.total >= MAX_ROWS) throw new ImportFileError('too_many_rows', { max: MAX_ROWS });
      counts.total += 1;
      const result = validator.validate(row);
      if (result.valid) counts.valid += 1;
      else {
        counts.invalid += 1;
        state.problemCount += result.problems.length;
        for (const p of result.problems) {
          if (head.length < PROBLEMS_ON_IMPORT) head.push({ row: row.rowNumber, ...p });
        }
      }
      batch.push({
        districtId: imp.districtId,
        importId: imp.id,
        rowNumber: row.rowNumber,
        valid: result.valid,
        // Bad rows are kept too (encrypted, as typed) so a corrected file can be compared later.
        payloadEnc: encrypt(keys, JSON.stringify(result.valid ? result.payload : { cells: row.cells })),
        problems: result.valid ? null : result.problems,
      });
      if (batch.length >= STAGE_BATCH) await flush(false);
    }
    if (!validator) throw new ImportFileError('file_empty');
    await flush(true);
  } catch (thrown) {
    // A write still in flight may have failed too (or been cancelled): settle it before cleaning up.
    const error =
      (await writing?.then(
        () => thrown,
        (e: unknown) => (e instanceof Cancelled ? e : thrown),
      )) ?? thrown;
    if (error instanceof Cancelled) {
      await repo.deleteStagedRows(ctx.db, imp);
      return;
    }
    const reason =
      error instanceof ImportFileError
        ? { code: error.reason, params: error.params }
        : { code: 'internal' as const, params: {} };
    if (reason.code === 'internal') logFailure(imp, error);
    await repo.deleteStagedRows(ctx.db, imp);
    await inTransaction(ctx, async (tx) => {
      await repo.transition(tx, imp, ['validating'], {
        status: 'failed',
        finishedAt: new Date(),
        processedRows: counts.total,
        validRows: 0,
        invalidRows: 0,
        problems: [],
        result: { ...state, problemCount: 0, error: { ...reason, stage: 'validate' } },
      });
      await auditInTx(ctx, tx, uploadEvent(imp, target, counts, 'failure', reason.code));
    });
    return;
  } finally {
    fs.rmSync(file.path, { force: true });
  }
}

function uploadEvent(
  imp: ImportRow,
  target: UploadTarget,
  counts: { total: number; valid: number; invalid: number },
  outcome: 'success' | 'failure',
  reason?: string,
) {
  return {
    districtId: imp.districtId,
    action: 'roster.import.upload',
    targetType: 'rosterImport',
    targetId: imp.id,
    subjectIds: [],
    outcome,
    details: {
      schoolId: target.school.id,
      kind: imp.kind,
      fileName: imp.fileName,
      fileSha256: imp.fileSha256,
      totalRows: counts.total,
      validRows: counts.valid,
      invalidRows: counts.invalid,
      ...(reason ? { reason } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function getImport(ctx: Ctx, id: string): Promise<ImportView> {
  const { imp } = await visibleImport(ctx, id);
  return present(imp, ctx.lang);
}

export async function listImports(ctx: Ctx, schoolId: string): Promise<ImportView[]> {
  const school = await importableSchool(ctx, schoolId);
  const rows = await repo.listImports(ctx.db, school.districtId, school.id, 50);
  return rows.map((r) => ({ ...present(r, ctx.lang), problems: [] }));
}

export async function listProblems(ctx: Ctx, id: string, page: number, pageSize: number) {
  const { imp } = await visibleImport(ctx, id);
  const { items, total } = await repo.listProblems(ctx.db, imp, (page - 1) * pageSize, pageSize);
  return { items: items.map((p) => localProblem(p, ctx.lang)), total, page, pageSize };
}

// ---------------------------------------------------------------------------------------------
// Confirm and cancel

/** A checked import, or one whose writing failed part-way (writing is idempotent, so it may run again). */
const confirmable = (imp: ImportRow) =>
  imp.status === 'validated' || (imp.status === 'failed' && stateOf(imp).validated === true);

export async function confirmImport(ctx: Ctx, jobs: ImportJobs, id: string): Promise<ImportView> {
  const { imp, school } = await visibleImport(ctx, id);
  if (!confirmable(imp)) throw new DomainError(409, 'import.not_confirmable', { status: imp.status });
  const state = stateOf(imp);
  const started = await repo.transition(ctx.db, imp, [imp.status], {
    status: 'applying',
    finishedAt: null,
    result: {
      ...state,
      error: undefined,
      apply: { created: 0, updated: 0, unchanged: 0, skipped: 0, processed: 0 },
    },
  });
  if (!started) throw new DomainError(409, 'import.not_confirmable', { status: imp.status });
  jobs.start((signal) => writeRows(ctx, started, school, signal));
  return present(started, ctx.lang);
}

/**
 * Write the valid rows APPLY_BATCH at a time, each batch in one transaction with its audit event
 * (the persons it wrote or found unchanged) and the progress. A row that cannot be written any
 * more (the student enrolled elsewhere meanwhile, the class closed) is skipped with a problem on
 * that row; anything else unexpected fails the import, and a new confirmation resumes safely.
 */
async function writeRows(ctx: Ctx, imp: ImportRow, school: School, signal: AbortSignal): Promise<void> {
  const keys = keysOf(ctx);
  const state = stateOf(imp);
  const counts: ApplyCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0, processed: 0 };
  let after = 0;
  let batchNo = 0;
  try {
    // A new confirmation after a failed one decides every row afresh.
    await repo.clearValidRowProblems(ctx.db, imp);
    for (;;) {
      if (signal.aborted) throw new ImportFileError('interrupted');
      const rows = await repo.validRowsAfter(ctx.db, imp, after, APPLY_BATCH);
      if (rows.length === 0) break;
      batchNo += 1;
      const batchCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
      const subjects = new Set<string>();
      await ctx.db.transaction(async (tx) => {
        await stillIn(tx, imp, 'applying');
        // As every enrolment does: the organisation tree cannot be restructured under the batch.
        await orgRepo.lockTree(tx, imp.districtId, 'shared');
        const today = chinaToday();
        const classes: ClassCache = new Map();
        for (const row of rows) {
          const payload = JSON.parse(decrypt(keys, row.payloadEnc)) as RowPayload;
          const outcome = await applyRow(ctx, tx, school, payload, today, classes);
          batchCounts[outcome.kind] += 1;
          for (const id of outcome.personIds) subjects.add(id);
          if (outcome.kind === 'skipped') await repo.setRowProblems(tx, imp, row.rowNumber, outcome.problems);
        }
        counts.created += batchCounts.created;
        counts.updated += batchCounts.updated;
        counts.unchanged += batchCounts.unchanged;
        counts.skipped += batchCounts.skipped;
        counts.processed += rows.length;
        await repo.transition(tx, imp, ['applying'], { result: { ...state, apply: { ...counts } } });
        await auditInTx(ctx, tx, confirmEvent(imp, [...subjects], batchNo, rows, batchCounts));
      });
      await ctx.auditLog.afterCommit();
      after = rows[rows.length - 1]?.rowNumber ?? after;
    }
    await ctx.db.transaction(async (tx) => {
      await stillIn(tx, imp, 'applying');
      if (batchNo === 0) await auditInTx(ctx, tx, confirmEvent(imp, [], 0, [], counts));
      const report = await repo.listProblems(tx, imp, 0, PROBLEMS_ON_IMPORT);
      await repo.transition(tx, imp, ['applying'], {
        status: 'applied',
        finishedAt: new Date(),
        problems: report.items,
        result: { ...state, problemCount: report.total, apply: { ...counts } },
      });
      await repo.wipeStagedPayloads(tx, imp);
    });
    await ctx.auditLog.afterCommit();
  } catch (error) {
    if (error instanceof Cancelled) return;
    const code: FailureCode = error instanceof ImportFileError ? error.reason : 'internal';
    if (code === 'internal') logFailure(imp, error);
    await repo.transition(ctx.db, imp, ['applying'], {
      status: 'failed',
      finishedAt: new Date(),
      result: { ...state, apply: { ...counts }, error: { code, params: {}, stage: 'apply' } },
    });
  }
}

function confirmEvent(
  imp: ImportRow,
  subjectIds: string[],
  batch: number,
  rows: { rowNumber: number }[],
  counts: { created: number; updated: number; unchanged: number; skipped: number },
) {
  return {
    districtId: imp.districtId,
    action: 'roster.import.confirm',
    targetType: 'rosterImport',
    targetId: imp.id,
    subjectIds,
    details: {
      schoolId: imp.schoolId,
      kind: imp.kind,
      batch,
      firstRow: rows[0]?.rowNumber ?? null,
      lastRow: rows[rows.length - 1]?.rowNumber ?? null,
      created: counts.created,
      updated: counts.updated,
      unchanged: counts.unchanged,
      skipped: counts.skipped,
    },
  };
}

/** Cancel before writing: the staged rows (personal data) are deleted at once. */
export async function cancelImport(ctx: Ctx, id: string): Promise<ImportView> {
  const { imp } = await visibleImport(ctx, id);
  const cancelled = await ctx.db.transaction(async (tx) => {
    const row = await repo.transition(tx, imp, ['validating', 'validated', 'failed'], {
      status: 'cancelled',
      finishedAt: new Date(),
    });
    if (row) await repo.deleteStagedRows(tx, imp);
    return row;
  });
  if (!cancelled) throw new DomainError(409, 'import.not_cancellable', { status: imp.status });
  await audit(ctx, {
    districtId: imp.districtId,
    action: 'roster.import.cancel',
    targetType: 'rosterImport',
    targetId: imp.id,
    subjectIds: [],
    details: { schoolId: imp.schoolId, kind: imp.kind },
  });
  return present(cancelled, ctx.lang);
}

/** At start: imports a stopped process left half-way can never finish; say so on them. */
export async function failInterrupted(ctx: Pick<Ctx, 'db'>): Promise<number> {
  const error = (stage: 'validate' | 'apply') => ({ error: { code: 'interrupted', params: {}, stage } });
  return repo.failUnfinished(ctx.db, {
    validating: { ...error('validate'), problemCount: 0, validated: false },
    applying: error('apply'),
  });
}
