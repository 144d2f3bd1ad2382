/**
 * Helpers for the roster import tests (integration tests and the benchmark): multipart bodies,
 * waiting for an import to settle, and rows of valid students with checksum-correct ID numbers.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { App } from '../../http/types';
import { residentIdCheckDigit } from '../../standards/id-number';
import { importColumns } from './imports-columns';

export interface Caller {
  cookie: string;
  csrfToken: string;
}

/** A multipart/form-data body with one file field named `file`. */
export function multipart(
  fileName: string,
  content: Buffer,
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----mingde${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, content, tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

export function upload(
  app: App,
  caller: Caller,
  schoolId: string,
  kind: 'students' | 'staff',
  fileName: string,
  content: Buffer,
) {
  const body = multipart(fileName, content);
  return app.inject({
    method: 'POST',
    url: `/api/v1/schools/${schoolId}/imports?kind=${kind}`,
    payload: body.payload,
    headers: { ...body.headers, cookie: caller.cookie, 'x-csrf-token': caller.csrfToken },
  });
}

export interface ImportJson {
  id: string;
  status: string;
  progress: number;
  totalRows: number;
  processedRows: number;
  validRows: number;
  invalidRows: number;
  problemCount: number;
  problems: { row: number; column: string; code: string; message: string }[];
  result: { created: number; updated: number; unchanged: number; skipped: number } | null;
  error: { code: string; message: string } | null;
  [key: string]: unknown;
}

/** Poll `GET /imports/:id` until the import leaves `validating`/`applying`; every answer goes to `seen`. */
export async function settle(
  app: App,
  caller: Caller,
  id: string,
  seen: ImportJson[] = [],
  headers: Record<string, string> = {},
): Promise<ImportJson> {
  for (let i = 0; i < 6000; i++) {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/imports/${id}`,
      headers: { cookie: caller.cookie, ...headers },
    });
    if (res.statusCode !== 200) throw new Error(`GET /imports/${id}: ${res.statusCode} ${res.body}`);
    const body = res.json() as ImportJson;
    seen.push(body);
    if (body.status !== 'validating' && body.status !== 'applying') return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`import ${id} did not settle`);
}

/** A valid 居民身份证 number born on `birth` (YYYYMMDD) with sequence `seq` (odd: male). */
export function residentId(area: string, birth: string, seq: number): string {
  const first17 = `${area}${birth}${String(seq).padStart(3, '0')}`;
  return first17 + residentIdCheckDigit(first17);
}

const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const given = ['子涵', '欣怡', '梓轩', '浩然', '雨桐', '一诺', '宇轩', '思彤', '俊熙', '可馨'];

function dayAfter(start: string, days: number): string {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * Student n as a row of the students template (the class given as grade + number): a distinct
 * valid ID number for every n (500 sequence numbers per birth date), and a father with his own.
 */
export function studentRecord(n: number, klass: { grade: string; number: string }): Record<string, string> {
  const seq = n % 500;
  const day = Math.floor(n / 500);
  return {
    姓名: `${surnames[n % 10]}${given[Math.floor(n / 10) % 10]}`,
    民族: '汉族',
    身份证件类型: '居民身份证',
    身份证件号: residentId('110101', dayAfter('2015-01-01', day), seq),
    年级: klass.grade,
    班级: klass.number,
    入学日期: '2024-09-01',
    监护人1姓名: `${surnames[n % 10]}建国`,
    监护人1关系: '父亲',
    监护人1电话: `138${String(n).padStart(8, '0')}`,
    监护人1身份证件号: residentId('110105', dayAfter('1985-01-01', day), seq + 500),
  };
}

/** CSV text (with a header) of the given students-template records. */
export function studentsCsv(records: Iterable<Record<string, string>>): string {
  const header = importColumns.students.map((c) => c.header);
  const lines = [header.join(',')];
  for (const r of records) lines.push(header.map((h) => r[h] ?? '').join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The same roster as an .xlsx (one sheet, the template's headers). */
export async function studentsXlsx(records: Iterable<Record<string, string>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('学生名册');
  const header = importColumns.students.map((c) => c.header);
  ws.addRow(header);
  for (const r of records) ws.addRow(header.map((h) => r[h] ?? null));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
