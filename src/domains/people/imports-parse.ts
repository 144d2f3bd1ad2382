/**
 * Reading an uploaded roster file row by row, never the whole file at once: .xlsx through exceljs's
 * streaming WorkbookReader (the first sheet that is not 填写说明), .csv through papaparse's stream
 * mode after decoding (UTF-8 with or without BOM, UTF-16 with BOM, or GBK/GB18030 as Excel saves
 * "CSV" on a Chinese Windows). Rows come out as plain cell arrays with the row number the user sees
 * in Excel (the header is row 1).
 */
import fs from 'node:fs';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { FailureCode } from './imports-messages';

export type FileFormat = 'xlsx' | 'csv';
export type Cell = string | number | boolean | Date | null;

export interface SheetRow {
  rowNumber: number;
  /** Zero-based: cells[0] is column A. */
  cells: Cell[];
}

/** A file that cannot be read as a roster: the import fails with this reason. */
export class ImportFileError extends Error {
  constructor(
    readonly reason: FailureCode,
    readonly params: Record<string, string | number> = {},
    /** What the parser threw (kept for diagnosis; never shown to the user). */
    cause?: unknown,
  ) {
    super(reason, { cause });
  }
}

export function fileFormatOf(fileName: string): FileFormat | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xlsx')) return 'xlsx';
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'csv';
  return null;
}

/** Counts the raw bytes passing through, for the progress of a file whose row count is unknown. */
function byteCounter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
}

/**
 * Bytes → text. The encoding is decided on the first chunk: a BOM names it; otherwise UTF-8 if the
 * chunk decodes strictly, else GB18030 (a superset of GBK). A later invalid sequence fails the file
 * with a reason the user can act on instead of importing mojibake.
 */
class TextDecodeStream extends Transform {
  private decoder: TextDecoder | null = null;

  constructor() {
    super({ readableObjectMode: true });
  }

  private pick(chunk: Buffer): TextDecoder {
    if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
      return new TextDecoder('utf-8', { fatal: true });
    if (chunk[0] === 0xff && chunk[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true });
    if (chunk[0] === 0xfe && chunk[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true });
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(chunk, { stream: true });
      return new TextDecoder('utf-8', { fatal: true });
    } catch {
      return new TextDecoder('gb18030', { fatal: true });
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder ??= this.pick(chunk);
      const text = this.decoder.decode(chunk, { stream: true });
      callback(null, text.length > 0 ? text : undefined);
    } catch {
      callback(new ImportFileError('file_encoding'));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const text = this.decoder?.decode() ?? '';
      callback(null, text.length > 0 ? text : undefined);
    } catch {
      callback(new ImportFileError('file_encoding'));
    }
  }
}

/** Rows parsed ahead of the consumer before the file is paused (plus the rest of one chunk). */
const CSV_AHEAD = 2000;

/**
 * papaparse in step mode on the decoded stream. Backpressure is applied by pausing the source
 * stream while enough rows wait (papaparse's own pause/resume re-parses and polls with timers,
 * which made it several times slower here).
 */
async function* csvRows(filePath: string, onBytes: (n: number) => void): AsyncGenerator<SheetRow> {
  const decoded = new TextDecodeStream();
  let incoming: string[][] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const source = fs.createReadStream(filePath);
  pipeline(source, byteCounter(onBytes), decoded, (error) => {
    if (error && failure === undefined) failure = error;
    notify();
  });
  Papa.parse(decoded, {
    header: false,
    skipEmptyLines: false,
    step: (result) => {
      incoming.push(result.data as string[]);
      if (incoming.length >= CSV_AHEAD && !decoded.isPaused()) decoded.pause();
      notify();
    },
    complete: () => {
      ended = true;
      notify();
    },
    error: (error: unknown) => {
      if (failure === undefined) failure = error;
      notify();
    },
  });
  let rowNumber = 0;
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      if (incoming.length > 0) {
        const rows = incoming;
        incoming = [];
        if (decoded.isPaused() && !ended) decoded.resume();
        for (const cells of rows) {
          rowNumber += 1;
          yield { rowNumber, cells };
        }
        continue;
      }
      if (ended) return;
      if (decoded.isPaused()) decoded.resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    source.destroy();
    decoded.destroy();
  }
}

/** exceljs cell values (rich text, formulas, hyperlinks …) as the plain value a person sees. */
function plainCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as {
      richText?: { text?: string }[];
      result?: unknown;
      text?: unknown;
      error?: unknown;
      formula?: unknown;
    };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text ?? '').join('');
    if ('result' in v || 'formula' in v) return plainCell(v.result);
    if ('text' in v) return plainCell(v.text);
    if ('error' in v) return null;
  }
  return String(value);
}

const INSTRUCTIONS_SHEET = '填写说明';

async function* xlsxRows(filePath: string, onBytes: (n: number) => void): AsyncGenerator<SheetRow> {
  const input = fs.createReadStream(filePath).pipe(byteCounter(onBytes));
  // Styles are read (a small part) so that date-formatted cells come back as dates.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let done = false;
  try {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name?: string }).name ?? '';
      if (done || name === INSTRUCTIONS_SHEET) {
        // Read a skipped sheet through: exceljs keeps a sheet that precedes the shared strings in
        // a temporary file, opened as the sheet is handed out and deleted when the next one is
        // asked for. Unread, that file's pending open can fail with nobody listening (an
        // uncaught ENOENT, which would end the process).
        for await (const _row of sheet) {
          // skipped
        }
        continue;
      }
      done = true;
      for await (const row of sheet) {
        const values = row.values as unknown[];
        const cells: Cell[] = [];
        for (let i = 1; i < values.length; i++) cells.push(plainCell(values[i]));
        yield { rowNumber: row.number, cells };
      }
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError('file_unreadable', {}, error);
  } finally {
    input.destroy();
  }
}

/** The rows of the file in order, empty ones included (the caller skips them). */
export function readSheetRows(
  filePath: string,
  format: FileFormat,
  onBytes: (n: number) => void = () => {},
): AsyncGenerator<SheetRow> {
  return format === 'xlsx' ? xlsxRows(filePath, onBytes) : csvRows(filePath, onBytes);
}
