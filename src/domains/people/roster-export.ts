/**
 * A roster as a file (.xlsx or .csv), masked: the same masked identifiers the roster page shows;
 * unmasked only under a purpose (then the first line says so and names the purpose).
 * Every file says who exported it and when, on its first line and (xlsx) in its properties, so a
 * copy found elsewhere names its source.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { Lang } from '../../i18n/messages';
import { codeName } from '../../standards/codes';
import type { RosterRow } from './students-repository';
import { statusNames } from './students-rules';

export interface ExportMark {
  username: string;
  displayName: string;
  at: Date;
  /** Set for an unmasked export: the purpose it was made under, by name. */
  purposeName?: string;
}

/** Identifiers in clear, by person id: only for an unmasked export. */
export type ClearIdentifiers = Map<string, { idNumber: string | null; studentNumber: string | null }>;

const clearHeaders: Record<Lang, [string, string]> = {
  'zh-CN': ['身份证件号', '学籍号'],
  en: ['ID number', 'Student number'],
};

function headersOf(lang: Lang, clear: boolean): string[] {
  const h = [...headers[lang]];
  if (clear) h.splice(4, 2, ...clearHeaders[lang]);
  return h;
}

const headers: Record<Lang, string[]> = {
  'zh-CN': ['序号', '姓名', '性别', '出生日期', '身份证件号（脱敏）', '学籍号（脱敏）', '班级', '学籍状态'],
  en: [
    'No.',
    'Name',
    'Gender',
    'Date of birth',
    'ID number (masked)',
    'Student number (masked)',
    'Class',
    'Status',
  ],
};

/** China Standard Time, to the minute: what the exporter's clock showed. */
function chinaMinute(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export function markLine(mark: ExportMark, lang: Lang): string {
  const who = `${mark.displayName}（${mark.username}）`;
  if (lang === 'en') {
    const what = mark.purposeName
      ? `SENSITIVE: identifiers in clear, for "${mark.purposeName}"`
      : 'identifiers masked';
    return `Exported by ${mark.displayName} (${mark.username}) at ${chinaMinute(mark.at)} China time; ${what}`;
  }
  const what = mark.purposeName ? `含敏感信息（未脱敏），用途：${mark.purposeName}` : '证件号等已脱敏';
  return `导出人：${who}；导出时间：${chinaMinute(mark.at)}（北京时间）；${what}`;
}

function cells(rows: RosterRow[], lang: Lang, clear?: ClearIdentifiers): (string | number)[][] {
  return rows.map((r, i) => [
    i + 1,
    r.name,
    (r.genderCode && codeName('gender', r.genderCode)) ?? '',
    r.birthDate ?? '',
    (clear ? clear.get(r.personId)?.idNumber : r.idMasked) ?? '',
    (clear ? clear.get(r.personId)?.studentNumber : r.studentNumberMasked) ?? '',
    r.className ?? '',
    statusNames[r.status][lang],
  ]);
}

export async function rosterXlsx(
  rows: RosterRow[],
  mark: ExportMark,
  lang: Lang,
  title: string,
  clear?: ClearIdentifiers,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = `${mark.displayName} (${mark.username})`;
  workbook.created = mark.at;
  workbook.title = title;
  workbook.description = markLine(mark, lang);
  const sheet = workbook.addWorksheet(title.slice(0, 31));
  sheet.addRow([markLine(mark, lang)]);
  sheet.addRow(headersOf(lang, clear !== undefined)).font = { bold: true };
  for (const row of cells(rows, lang, clear)) sheet.addRow(row);
  sheet.columns.forEach((c, i) => {
    c.width = [6, 12, 6, 12, 22, 24, 16, 8][i] ?? 12;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function rosterCsv(rows: RosterRow[], mark: ExportMark, lang: Lang, clear?: ClearIdentifiers): Buffer {
  const text = Papa.unparse(
    [[markLine(mark, lang)], headersOf(lang, clear !== undefined), ...cells(rows, lang, clear)],
    {
      newline: '\r\n',
    },
  );
  // The byte-order mark makes Excel read the file as UTF-8 (Chinese names intact).
  return Buffer.from(`\uFEFF${text}\r\n`, 'utf8');
}
