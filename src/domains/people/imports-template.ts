/**
 * The downloadable import templates: .xlsx with the header row, one example row (a fictitious
 * person whose ID number has a valid check digit) and a second sheet 填写说明 listing every column,
 * whether it is required, its format and the accepted codes and names; .csv with the header and the
 * example only (UTF-8 with BOM, so Excel opens the Chinese headers correctly).
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { type ImportColumn, type ImportKind, importColumns, requirementText } from './imports-columns';

export const templateNames: Record<ImportKind, { sheet: string; file: string }> = {
  students: { sheet: '学生名册', file: '学生名册导入模板' },
  staff: { sheet: '教职工名册', file: '教职工名册导入模板' },
};

export const INSTRUCTIONS_SHEET = '填写说明';
/** Rows of the data sheet given the helpers (text format, drop-down lists). */
const PREPARED_ROWS = 2000;

const isDateColumn = (c: ImportColumn) => c.type === 'date';
/** Columns Excel must keep as text: long digit strings lose their tail as numbers. */
const isTextColumn = (c: ImportColumn) =>
  c.type === 'idNumber' || c.type === 'studentNumber' || c.type === 'phone' || c.key === 'class';

/** exceljs has range data validations, missing from its type declarations. */
type WithValidations = { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } };

function exampleCell(c: ImportColumn): string | Date | null {
  if (c.example === '') return null;
  if (isDateColumn(c)) return new Date(`${c.example}T00:00:00Z`);
  return c.example;
}

function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** A drop-down list for short code lists (Excel limits the list text to 255 characters); codes may still be typed. */
function dropDown(c: ImportColumn): string | null {
  if (c.type === 'boolean') return '"是,否"';
  if (c.type !== 'code' || !c.options) return null;
  const names = c.options().map((o) => o.name);
  const list = `"${names.join(',')}"`;
  return names.length <= 40 && list.length <= 255 && !names.some((n) => n.includes(',')) ? list : null;
}

export async function templateXlsx(kind: ImportKind): Promise<Buffer> {
  const columns = importColumns[kind];
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '明德 Mingde';
  const sheet = workbook.addWorksheet(templateNames[kind].sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width,
    style: isTextColumn(c) ? { numFmt: '@' } : isDateColumn(c) ? { numFmt: 'yyyy-mm-dd' } : {},
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.font = { bold: true, color: { argb: c.required === 'always' ? 'FFC00000' : 'FF000000' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    cell.note = `${requirementText[c.required]['zh-CN']}：${c.note['zh-CN']}`;
  });
  sheet.addRow(columns.map(exampleCell));
  columns.forEach((c, i) => {
    const list = dropDown(c);
    if (!list) return;
    const letter = columnLetter(i);
    (sheet as unknown as WithValidations).dataValidations.add(`${letter}2:${letter}${PREPARED_ROWS}`, {
      type: 'list',
      allowBlank: true,
      formulae: [list],
      showErrorMessage: false,
    });
  });

  const help = workbook.addWorksheet(INSTRUCTIONS_SHEET);
  help.columns = [
    { header: '列名', key: 'header', width: 22 },
    { header: '是否必填', key: 'required', width: 26 },
    { header: '格式与说明', key: 'note', width: 90 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of columns) {
    const row = help.addRow({
      header: c.header,
      required: requirementText[c.required]['zh-CN'],
      note: c.note['zh-CN'],
    });
    row.alignment = { wrapText: true, vertical: 'top' };
  }
  help.addRow([]);
  help.addRow([
    '红色表头为必填列。示例行（第 2 行）为虚构人员，导入前请删除。编码列可填写代码或名称：',
  ]).font = {
    bold: true,
  };
  const listed = new Set<string>();
  for (const c of columns) {
    if (c.type !== 'code' || !c.options) continue;
    const title = c.header.replace(/^监护人\d/, '监护人');
    if (listed.has(title)) continue;
    listed.add(title);
    help.addRow([]);
    help.addRow([`${title}：代码`, '名称']).font = { bold: true };
    for (const o of c.options()) help.addRow([o.code, o.name]);
  }
  help.getColumn(1).numFmt = '@';
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function templateCsv(kind: ImportKind): Buffer {
  const columns = importColumns[kind];
  const text = Papa.unparse([columns.map((c) => c.header), columns.map((c) => c.example)], {
    newline: '\r\n',
  });
  return Buffer.from(`\uFEFF${text}\r\n`, 'utf8');
}
