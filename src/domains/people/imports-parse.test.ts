import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { fileFormatOf, ImportFileError, readSheetRows, type SheetRow } from './imports-parse';
import { INSTRUCTIONS_SHEET, templateCsv, templateXlsx } from './imports-template';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-parse-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: Buffer | string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

async function rows(p: string, format: 'csv' | 'xlsx'): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const r of readSheetRows(p, format)) out.push(r);
  return out;
}

async function failure(p: string, format: 'csv' | 'xlsx'): Promise<string> {
  try {
    await rows(p, format);
  } catch (error) {
    if (error instanceof ImportFileError) return error.reason;
    throw error;
  }
  return 'none';
}

describe('file formats', () => {
  it('knows a format by the file name', () => {
    expect(fileFormatOf('学生名册.XLSX')).toBe('xlsx');
    expect(fileFormatOf('roster.csv')).toBe('csv');
    expect(fileFormatOf('roster.xls')).toBeNull();
  });
});

describe('CSV decoding', () => {
  const expected = [
    { rowNumber: 1, cells: ['姓名', '性别'] },
    { rowNumber: 2, cells: ['张三', '男'] },
  ];

  it('reads UTF-8 with and without BOM', async () => {
    expect(await rows(file('bom.csv', '\uFEFF姓名,性别\r\n张三,男'), 'csv')).toEqual(expected);
    expect(await rows(file('plain.csv', '姓名,性别\n张三,男\n'), 'csv')).toEqual(expected);
  });

  it('reads GBK, as Excel saves "CSV" on a Chinese Windows', async () => {
    // 姓名,性别 CRLF 张三,男 in GBK.
    const gbk = Buffer.from([
      0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xd0, 0xd4, 0xb1, 0xf0, 0x0d, 0x0a, 0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0xc4,
      0xd0,
    ]);
    expect(await rows(file('gbk.csv', gbk), 'csv')).toEqual(expected);
  });

  it('reads UTF-16 with BOM (Excel "Unicode text", tab-separated)', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('姓名\t性别\r\n张三\t男', 'utf16le'),
    ]);
    expect(await rows(file('utf16.csv', utf16), 'csv')).toEqual(expected);
  });

  it('keeps quoted commas and line breaks inside a cell', async () => {
    expect(await rows(file('quoted.csv', '姓名,备注\r\n"张,三","第一行\r\n第二行"'), 'csv')).toEqual([
      { rowNumber: 1, cells: ['姓名', '备注'] },
      { rowNumber: 2, cells: ['张,三', '第一行\r\n第二行'] },
    ]);
  });

  it('fails with a clear reason when a UTF-8 file turns invalid further on', async () => {
    const body = Buffer.concat([
      Buffer.from(`姓名,性别\n${'张三,男\n'.repeat(10_000)}`),
      Buffer.from([0xff, 0xfe, 0x0a]),
    ]);
    expect(await failure(file('broken.csv', body), 'csv')).toBe('file_encoding');
  });
});

describe('xlsx', () => {
  it('reads the data sheet of the template and skips 填写说明', async () => {
    const read = await rows(file('template.xlsx', await templateXlsx('staff')), 'xlsx');
    expect(read).toEqual([
      {
        rowNumber: 1,
        cells: [
          '姓名',
          '性别',
          '出生日期',
          '身份证件类型',
          '身份证件号',
          '岗位',
          '编制类别',
          '是否专任教师',
          '入职日期',
          '手机号',
        ],
      },
      {
        rowNumber: 2,
        cells: [
          '李文华',
          '女',
          new Date(Date.UTC(1990, 1, 3)),
          '居民身份证',
          '110101199002030026',
          '教师',
          '专任教师',
          '是',
          new Date(Date.UTC(2015, 7, 25)),
          '13900139000',
        ],
      },
    ]);
  });

  it('gives plain values for rich text and formulas, and real row numbers past gaps', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    ws.getCell('A1').value = '姓名';
    ws.getCell('B1').value = '出生日期';
    ws.getCell('A4').value = { richText: [{ text: '张' }, { text: '三', font: { bold: true } }] };
    ws.getCell('B4').value = { formula: 'DATE(2019,3,7)', result: new Date(Date.UTC(2019, 2, 7)) };
    ws.getCell('B4').numFmt = 'yyyy-mm-dd';
    // The streaming reader gives a formula's result as stored, a date serial (validation reads serials).
    const p = file('rich.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(await rows(p, 'xlsx')).toEqual([
      { rowNumber: 1, cells: ['姓名', '出生日期'] },
      { rowNumber: 4, cells: ['张三', 43531] },
    ]);
  });

  it('reads through the sheets it skips, so no deleted temporary file is opened unheard', async () => {
    // exceljs sets sheets that precede the shared strings (as exceljs writes them) aside in
    // temporary files, each opened as it is handed out and deleted once the next is asked for.
    // Opens that are slow (a busy disk) then failed with ENOENT and nobody listening: an uncaught
    // exception, which ends the server. The regression was found by test/robustness.int.test.ts.
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('学生名册').addRow(['姓名']);
    wb.addWorksheet(INSTRUCTIONS_SHEET).addRow(['说明']);
    wb.addWorksheet('其他').addRow(['x']);
    const p = file('three-sheets.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const open = fs.open;
    const slowOpen = (...args: unknown[]) => {
      const call = () => (open as (...a: unknown[]) => void)(...args);
      if (args[1] === 'r') setTimeout(call, 50);
      else call();
    };
    (fs as unknown as { open: unknown }).open = slowOpen;
    try {
      expect(await rows(p, 'xlsx')).toEqual([{ rowNumber: 1, cells: ['姓名'] }]);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      (fs as unknown as { open: unknown }).open = open;
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('fails with a clear reason for a file that is not xlsx', async () => {
    expect(await failure(file('fake.xlsx', '姓名,性别\n张三,男\n'), 'xlsx')).toBe('file_unreadable');
  });
});

describe('templates', () => {
  it('xlsx: headers, the example row and a 填写说明 sheet listing every column and the codes', async () => {
    const wb = new ExcelJS.Workbook();
    // exceljs declares an older Buffer type than @types/node's.
    await wb.xlsx.load((await templateXlsx('students')) as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['学生名册', INSTRUCTIONS_SHEET]);
    const sheet = wb.getWorksheet('学生名册');
    if (!sheet) throw new Error('data sheet missing');
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual([
      '姓名',
      '性别',
      '出生日期',
      '民族',
      '身份证件类型',
      '身份证件号',
      '学籍号',
      '年级',
      '班级',
      '入学日期',
      '监护人1姓名',
      '监护人1关系',
      '监护人1电话',
      '监护人1身份证件号',
      '监护人2姓名',
      '监护人2关系',
      '监护人2电话',
      '监护人2身份证件号',
    ]);
    expect(values(2)).toEqual([
      '张小明',
      '男',
      new Date(Date.UTC(2019, 2, 7)),
      '汉族',
      '居民身份证',
      '110101201903070033',
      'G110101201903070033',
      '一年级',
      '1',
      new Date(Date.UTC(2025, 8, 1)),
      '张建国',
      '父亲',
      '13800138000',
      '110101198805120012',
    ]);
    // ID numbers are kept as text, so Excel cannot round them.
    expect(sheet.getColumn(6).numFmt).toBe('@');
    const help = wb.getWorksheet(INSTRUCTIONS_SHEET);
    const helpRows = (help?.getSheetValues() ?? []).map((r) => (Array.isArray(r) ? r.slice(1) : []));
    expect(helpRows[1]).toEqual(['列名', '是否必填', '格式与说明']);
    expect(helpRows[2]?.slice(0, 2)).toEqual(['姓名', '必填']);
    expect(helpRows[3]?.slice(0, 2)).toEqual(['性别', '必填（居民身份证可不填）']);
    expect(helpRows[16]?.slice(0, 2)).toEqual(['监护人2姓名', '填写该监护人时必填']);
    const flat = helpRows.map((r) => r.join('|'));
    expect(flat).toContain('01|汉族');
    expect(flat).toContain('1|居民身份证');
    expect(flat).toContain('51|父亲');
  });

  it('csv: UTF-8 with BOM, header and example row', () => {
    const text = templateCsv('staff').toString('utf8');
    expect(text).toBe(
      '\uFEFF姓名,性别,出生日期,身份证件类型,身份证件号,岗位,编制类别,是否专任教师,入职日期,手机号\r\n' +
        '李文华,女,1990-02-03,居民身份证,110101199002030026,教师,专任教师,是,2015-08-25,13900139000\r\n',
    );
  });
});
