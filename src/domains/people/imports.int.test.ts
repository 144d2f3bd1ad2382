import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { and, count, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createUser,
  request,
  type SeededDistrict,
  seedDistrict,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { auditEvents } from '../audit/schema';
import { importColumns } from './imports-columns';
import { failInterrupted } from './imports-service';
import {
  type ImportJson,
  settle,
  studentRecord,
  studentsCsv,
  studentsXlsx,
  upload,
} from './imports-test-support';
import { onlyCurrentYear } from './people-test-fixtures';
import {
  enrolments,
  guardianRelations,
  persons,
  rosterImportRows,
  rosterImports,
  staffPosts,
} from './schema';

const t = useTestApp();
let d: SeededDistrict;
let adminA: TestUser;
let adminB: TestUser;
let principalA: TestUser;

beforeAll(async () => {
  d = await seedDistrict(t.database.db);
  await onlyCurrentYear(t.database.db, d, [d.schoolA.classId, d.schoolB.classId]);
  adminA = await createUser(t.database.db, {
    grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
  });
  adminB = await createUser(t.database.db, {
    grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolB.id }],
  });
  principalA = await createUser(t.database.db, {
    grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolA.id }],
  });
});

const klass = { grade: '一年级', number: '1' };

/** Four students of school A's class 一年级1班; rows 3 and 5 (2nd and 4th) are bad. */
function fourStudents(offset: number): Record<string, string>[] {
  const rows = [0, 1, 2, 3].map((i) => studentRecord(offset + i, klass));
  rows[1] = {
    ...(rows[1] as Record<string, string>),
    身份证件号: '110101201501010012',
    入学日期: '2024-02-30',
  };
  rows[3] = { ...(rows[3] as Record<string, string>), 班级: '7', 监护人1电话: '1234' };
  return rows;
}

async function peopleCounts() {
  const db = t.database.db;
  const [p] = await db.select({ n: count() }).from(persons).where(eq(persons.districtId, d.districtId));
  const [e] = await db.select({ n: count() }).from(enrolments).where(eq(enrolments.districtId, d.districtId));
  const [g] = await db
    .select({ n: count() })
    .from(guardianRelations)
    .where(eq(guardianRelations.districtId, d.districtId));
  return { persons: p?.n, enrolments: e?.n, guardianRelations: g?.n };
}

async function uploadAndSettle(
  caller: TestUser,
  fileName: string,
  content: Buffer,
  kind: 'students' | 'staff' = 'students',
) {
  const res = await upload(t.app, caller, d.schoolA.id, kind, fileName, content);
  expect(res.statusCode, res.body).toBe(202);
  const started = res.json() as ImportJson;
  expect(started.status).toBe('validating');
  return settle(t.app, caller, started.id);
}

describe('templates', () => {
  it('serves the xlsx template with the headers and the example row', async () => {
    const res = await request(t.app, adminA, 'GET', '/api/v1/imports/templates/students.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="students-template.xlsx"; filename*=UTF-8''${encodeURIComponent('学生名册导入模板.xlsx')}`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = wb.worksheets[0];
    if (!sheet) throw new Error('data sheet missing');
    expect((sheet.getRow(1).values as unknown[]).slice(1, 7)).toEqual([
      '姓名',
      '性别',
      '出生日期',
      '民族',
      '身份证件类型',
      '身份证件号',
    ]);
    expect((sheet.getRow(2).values as unknown[]).slice(1, 2)).toEqual(['张小明']);
    expect(wb.worksheets[1]?.name).toBe('填写说明');
  });

  it('serves the csv template and needs a signed-in user', async () => {
    const res = await request(t.app, adminA, 'GET', '/api/v1/imports/templates/staff.csv');
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith('\uFEFF姓名,性别,出生日期,身份证件类型,身份证件号,岗位')).toBe(true);
    expect((await request(t.app, null, 'GET', '/api/v1/imports/templates/staff.csv')).statusCode).toBe(401);
  });
});

describe('checking a file', () => {
  let csvImport: ImportJson;

  it('reports each bad row, column and reason, and writes nothing to the people records', async () => {
    const before = await peopleCounts();
    csvImport = await uploadAndSettle(adminA, '一年级1班名册.csv', Buffer.from(studentsCsv(fourStudents(0))));
    expect(csvImport).toMatchObject({
      status: 'validated',
      fileName: '一年级1班名册.csv',
      progress: 100,
      totalRows: 4,
      processedRows: 4,
      validRows: 2,
      invalidRows: 2,
      problemCount: 4,
      result: null,
      error: null,
    });
    expect(csvImport.problems).toEqual([
      {
        row: 3,
        column: '身份证件号',
        code: 'idNumber.check_digit',
        message: '身份证件号：号码校验位不正确（GB 11643 第 18 位）',
      },
      {
        row: 3,
        column: '入学日期',
        code: 'invalid_date',
        message: '入学日期：不是有效日期，请写成 2019-03-07 的形式',
      },
      {
        row: 5,
        column: '班级',
        code: 'class_not_found',
        message: '班级：本校当前学年（测试学年）没有这个班级',
      },
      {
        row: 5,
        column: '监护人1电话',
        code: 'phone_invalid',
        message: '监护人1电话：须为 11 位手机号码，如 13800138000',
      },
    ]);
    expect(await peopleCounts()).toEqual(before);
    // Every row is staged, encrypted: no ID number in clear in the staging table.
    const staged = await t.database.db
      .select()
      .from(rosterImportRows)
      .where(eq(rosterImportRows.importId, csvImport.id));
    expect(staged.map((r) => [r.rowNumber, r.valid])).toEqual([
      [2, true],
      [3, false],
      [4, true],
      [5, false],
    ]);
    for (const r of staged) {
      expect(r.payloadEnc.startsWith('v1:')).toBe(true);
      expect(r.payloadEnc).not.toContain('110101');
    }
  });

  it('reports in English with Accept-Language: en, and pages through every problem', async () => {
    const res = await request(t.app, adminA, 'GET', `/api/v1/imports/${csvImport.id}`, undefined, {
      'accept-language': 'en',
    });
    expect((res.json() as ImportJson).problems[2]).toEqual({
      row: 5,
      column: '班级',
      code: 'class_not_found',
      message: '班级 (Class): the school has no such class in the current academic year (测试学年)',
    });
    const page = await request(
      t.app,
      adminA,
      'GET',
      `/api/v1/imports/${csvImport.id}/problems?page=2&pageSize=3`,
    );
    expect(page.json()).toEqual({
      items: [
        {
          row: 5,
          column: '监护人1电话',
          code: 'phone_invalid',
          message: '监护人1电话：须为 11 位手机号码，如 13800138000',
        },
      ],
      total: 4,
      page: 2,
      pageSize: 3,
    });
  });

  it('records the upload in the audit trail without naming anyone', async () => {
    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'roster.import.upload'), eq(auditEvents.targetId, csvImport.id)));
    expect(event?.subjectIds).toEqual([]);
    expect(event?.actorId).toBe(adminA.userId);
    expect(event?.details).toEqual({
      schoolId: d.schoolA.id,
      kind: 'students',
      fileName: '一年级1班名册.csv',
      fileSha256: csvImport.fileSha256,
      totalRows: 4,
      validRows: 2,
      invalidRows: 2,
    });
  });

  it('gives the same report for the same rows in an xlsx file', async () => {
    const xlsx = await uploadAndSettle(adminA, 'roster.xlsx', await studentsXlsx(fourStudents(0)));
    expect(xlsx).toMatchObject({ status: 'validated', totalRows: 4, validRows: 2, invalidRows: 2 });
    expect(xlsx.problems).toEqual(csvImport.problems);
  });

  it('fails a file without the required columns, naming them', async () => {
    const failed = await uploadAndSettle(
      adminA,
      'staff.csv',
      Buffer.from('姓名,岗位\r\n张三,教师\r\n'),
      'staff',
    );
    expect(failed).toMatchObject({
      status: 'failed',
      error: {
        code: 'missing_columns',
        message:
          '文件缺少必需的列：身份证件类型、身份证件号、编制类别、是否专任教师、入职日期；请使用导入模板',
      },
    });
    const staged = await t.database.db
      .select({ n: count() })
      .from(rosterImportRows)
      .where(eq(rosterImportRows.importId, failed.id));
    expect(staged[0]?.n).toBe(0);
  });

  it('fails a damaged xlsx with a reason, and refuses other file types at once', async () => {
    const failed = await uploadAndSettle(adminA, 'roster.xlsx', Buffer.from('not a zip'));
    expect(failed.error?.code).toBe('file_unreadable');
    const res = await upload(t.app, adminA, d.schoolA.id, 'students', 'roster.xls', Buffer.from('x'));
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('import.unsupported_file');
  });

  it('answers a broken upload with 4xx and records nothing (no boundary, cut short, a part without a file name)', async () => {
    // Found by test/robustness.int.test.ts: each of these answered 500.
    const boundary = '----mingde-broken';
    const part = (disposition: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${studentsCsv([studentRecord(900, klass)])}\r\n`;
    const send = (payload: string, contentType = `multipart/form-data; boundary=${boundary}`) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/schools/${d.schoolA.id}/imports?kind=students`,
        payload,
        headers: { 'content-type': contentType, cookie: adminA.cookie, 'x-csrf-token': adminA.csrfToken },
      });
    const before = await t.database.db.select({ n: count() }).from(rosterImports);
    const whole = `${part('name="file"; filename="roster.csv"')}--${boundary}--\r\n`;
    const noBoundary = await send(whole, 'multipart/form-data');
    expect(noBoundary.statusCode).toBe(400);
    expect(noBoundary.json().code).toBe('request.invalid');
    const cutShort = await send(part('name="file"; filename="roster.csv"'));
    expect(cutShort.statusCode).toBe(400);
    expect(cutShort.json().code).toBe('request.invalid');
    const noName = await send(`${part('name="file"')}--${boundary}--\r\n`);
    expect(noName.statusCode).toBe(415);
    expect(noName.json().code).toBe('import.unsupported_file');
    expect(await t.database.db.select({ n: count() }).from(rosterImports)).toEqual(before);
    expect(fs.readdirSync(path.join(t.dataDir, 'imports'))).toEqual([]);
  });

  it('refuses a file over 50 MB (413) and keeps nothing of it', async () => {
    const boundary = '----mingde-large';
    async function* body() {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n`,
      );
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      for (let i = 0; i < 51; i++) yield chunk;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/schools/${d.schoolA.id}/imports?kind=students`,
      payload: Readable.from(body()),
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie: adminA.cookie,
        'x-csrf-token': adminA.csrfToken,
      },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('request.too_large');
    expect(fs.readdirSync(path.join(t.dataDir, 'imports'))).toEqual([]);
  });

  it('cancels a checked import and deletes its staged rows', async () => {
    const checked = await uploadAndSettle(adminA, 'c.csv', Buffer.from(studentsCsv(fourStudents(100))));
    const res = await request(t.app, adminA, 'POST', `/api/v1/imports/${checked.id}/cancel`);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    const staged = await t.database.db
      .select({ n: count() })
      .from(rosterImportRows)
      .where(eq(rosterImportRows.importId, checked.id));
    expect(staged[0]?.n).toBe(0);
    const confirm = await request(t.app, adminA, 'POST', `/api/v1/imports/${checked.id}/confirm`);
    expect(confirm.statusCode).toBe(409);
    expect(confirm.json().code).toBe('import.not_confirmable');
  });
});

describe('scoping', () => {
  it("hides school A from school B's administrator (404) and refuses a role without imports (403)", async () => {
    const csv = Buffer.from(studentsCsv(fourStudents(200)));
    const intoA = await upload(t.app, adminB, d.schoolA.id, 'students', 'r.csv', csv);
    expect(intoA.statusCode).toBe(404);
    expect(intoA.json().code).toBe('resource.not_found');
    const byPrincipal = await upload(t.app, principalA, d.schoolA.id, 'students', 'r.csv', csv);
    expect(byPrincipal.statusCode).toBe(403);

    const own = await uploadAndSettle(adminA, 'r.csv', csv);
    for (const [method, url] of [
      ['GET', `/api/v1/imports/${own.id}`],
      ['GET', `/api/v1/imports/${own.id}/problems`],
      ['POST', `/api/v1/imports/${own.id}/confirm`],
      ['POST', `/api/v1/imports/${own.id}/cancel`],
    ] as const) {
      const res = await request(t.app, adminB, method, url);
      expect([url, res.statusCode]).toEqual([url, 404]);
    }
    const listB = await request(t.app, adminB, 'GET', `/api/v1/schools/${d.schoolA.id}/imports`);
    expect(listB.statusCode).toBe(404);
    const listA = await request(t.app, adminA, 'GET', `/api/v1/schools/${d.schoolA.id}/imports`);
    expect((listA.json() as ImportJson[]).map((i) => i.id)).toContain(own.id);
  });
});

describe('confirming', () => {
  let first: ImportJson;
  const file = () => Buffer.from(studentsCsv(fourStudents(300)));

  it('writes exactly the valid rows, with one audit event naming every person written', async () => {
    const before = await peopleCounts();
    const idsBefore = new Set(
      (await t.database.db.select({ id: persons.id }).from(persons)).map((p) => p.id),
    );
    first = await uploadAndSettle(adminA, 'first.csv', file());
    expect(first).toMatchObject({ status: 'validated', validRows: 2, invalidRows: 2 });
    const res = await request(t.app, adminA, 'POST', `/api/v1/imports/${first.id}/confirm`);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().status).toBe('applying');
    const done = await settle(t.app, adminA, first.id);
    expect(done).toMatchObject({
      status: 'applied',
      progress: 100,
      result: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
      problemCount: 4,
    });
    // Two students and their two fathers; two enrolments; two guardian relations.
    expect(await peopleCounts()).toEqual({
      persons: (before.persons ?? 0) + 4,
      enrolments: (before.enrolments ?? 0) + 2,
      guardianRelations: (before.guardianRelations ?? 0) + 2,
    });
    const written = await t.database.db
      .select({ id: persons.id, name: persons.name, idMasked: persons.idMasked })
      .from(persons)
      .where(eq(persons.districtId, d.districtId));
    const expectedStudents = [studentRecord(300, klass), studentRecord(302, klass)];
    for (const r of expectedStudents) {
      const masked = `${r.身份证件号?.slice(0, 6)}********${r.身份证件号?.slice(14)}`;
      expect(written.some((p) => p.name === r.姓名 && p.idMasked === masked)).toBe(true);
    }
    const events = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'roster.import.confirm'), eq(auditEvents.targetId, first.id)));
    expect(events).toHaveLength(1);
    const newIds = written.map((p) => p.id).filter((id) => !idsBefore.has(id));
    expect(newIds).toHaveLength(4);
    expect([...(events[0]?.subjectIds ?? [])].sort()).toEqual(newIds.sort());
    expect(events[0]?.details).toMatchObject({
      batch: 1,
      firstRow: 2,
      lastRow: 4,
      created: 2,
      updated: 0,
      unchanged: 0,
      skipped: 0,
    });
    // The staged personal data is gone; the report stays.
    const staged = await t.database.db
      .select({ payloadEnc: rosterImportRows.payloadEnc })
      .from(rosterImportRows)
      .where(eq(rosterImportRows.importId, first.id));
    expect(staged.map((r) => r.payloadEnc)).toEqual(['', '', '', '']);
    const again = await request(t.app, adminA, 'POST', `/api/v1/imports/${first.id}/confirm`);
    expect(again.statusCode).toBe(409);
  });

  it('changes nothing when the same file is imported again (csv and xlsx)', async () => {
    const before = await peopleCounts();
    for (const [name, content] of [
      ['again.csv', file()],
      ['again.xlsx', await studentsXlsx(fourStudents(300))],
    ] as const) {
      const checked = await uploadAndSettle(adminA, name, content);
      expect(checked.fileSha256 === first.fileSha256).toBe(name === 'again.csv');
      await request(t.app, adminA, 'POST', `/api/v1/imports/${checked.id}/confirm`);
      const done = await settle(t.app, adminA, checked.id);
      expect([name, done.status, done.result]).toEqual([
        name,
        'applied',
        { created: 0, updated: 0, unchanged: 2, skipped: 0 },
      ]);
    }
    expect(await peopleCounts()).toEqual(before);
  });

  it('skips, with the reason on the row, a student enrolled at another school meanwhile', async () => {
    const record = studentRecord(400, klass);
    const intoB = await upload(
      t.app,
      adminB,
      d.schoolB.id,
      'students',
      'b.csv',
      Buffer.from(studentsCsv([record])),
    );
    const checkedB = await settle(t.app, adminB, (intoB.json() as ImportJson).id);
    const checkedA = await uploadAndSettle(
      adminA,
      'a.csv',
      Buffer.from(studentsCsv([record, studentRecord(401, klass)])),
    );
    await request(t.app, adminB, 'POST', `/api/v1/imports/${checkedB.id}/confirm`);
    expect((await settle(t.app, adminB, checkedB.id)).result).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      skipped: 0,
    });

    await request(t.app, adminA, 'POST', `/api/v1/imports/${checkedA.id}/confirm`);
    const done = await settle(t.app, adminA, checkedA.id);
    expect(done.result).toEqual({ created: 1, updated: 0, unchanged: 0, skipped: 1 });
    const problems = await request(t.app, adminA, 'GET', `/api/v1/imports/${checkedA.id}/problems`);
    expect(problems.json()).toEqual({
      items: [
        {
          row: 2,
          column: '身份证件号',
          code: 'enrolled_elsewhere',
          message: '身份证件号：该学生在其他学校有在籍学籍，请走转学流程，未导入',
        },
      ],
      total: 1,
      page: 1,
      pageSize: 100,
    });
  });

  it('imports staff, and a second import of the same file changes nothing', async () => {
    const header = importColumns.staff.map((c) => c.header).join(',');
    // The second is the father of a student imported above: already a person, now also staff.
    const father = studentRecord(300, klass);
    const csv = Buffer.from(
      `${header}\r\n` +
        '赵老师,,,居民身份证,11010519900303004X,教师,专任教师,是,2015-08-25,13900139000\r\n' +
        `${father.监护人1姓名},,,1,${father.监护人1身份证件号},校领导,1,否,2010/9/1,\r\n`,
    );
    const before = await t.database.db
      .select({ n: count() })
      .from(staffPosts)
      .where(eq(staffPosts.districtId, d.districtId));
    for (const expected of [
      { created: 1, updated: 1, unchanged: 0, skipped: 0 },
      { created: 0, updated: 0, unchanged: 2, skipped: 0 },
    ]) {
      const checked = await uploadAndSettle(adminA, 'staff.csv', csv, 'staff');
      expect(checked).toMatchObject({ status: 'validated', validRows: 2, invalidRows: 0 });
      await request(t.app, adminA, 'POST', `/api/v1/imports/${checked.id}/confirm`);
      expect((await settle(t.app, adminA, checked.id)).result).toEqual(expected);
    }
    const after = await t.database.db
      .select({ n: count() })
      .from(staffPosts)
      .where(eq(staffPosts.districtId, d.districtId));
    expect((after[0]?.n ?? 0) - (before[0]?.n ?? 0)).toBe(2);
  });
});

describe('interrupted work', () => {
  it('marks imports a stopped process left half-way as failed; a half-written one may be confirmed again', async () => {
    const checking = await uploadAndSettle(adminA, 'x.csv', Buffer.from(studentsCsv(fourStudents(500))));
    const writing = await uploadAndSettle(adminA, 'y.csv', Buffer.from(studentsCsv(fourStudents(510))));
    // As a process killed while checking one file and writing another would leave them.
    await t.database.db
      .update(rosterImports)
      .set({ status: 'validating' })
      .where(eq(rosterImports.id, checking.id));
    await t.database.db
      .update(rosterImports)
      .set({ status: 'applying' })
      .where(eq(rosterImports.id, writing.id));

    expect(await failInterrupted({ db: t.database.db })).toBe(2);
    const staged = async (id: string) =>
      (
        await t.database.db
          .select({ n: count() })
          .from(rosterImportRows)
          .where(eq(rosterImportRows.importId, id))
      )[0]?.n;
    const a = (await request(t.app, adminA, 'GET', `/api/v1/imports/${checking.id}`)).json() as ImportJson;
    expect([a.status, a.error?.code, await staged(checking.id)]).toEqual(['failed', 'interrupted', 0]);
    const b = (await request(t.app, adminA, 'GET', `/api/v1/imports/${writing.id}`)).json() as ImportJson;
    expect([b.status, b.error?.message, await staged(writing.id)]).toEqual([
      'failed',
      '处理被中断（服务重启或关闭），请重新上传或重新确认',
      4,
    ]);
    expect((await request(t.app, adminA, 'POST', `/api/v1/imports/${checking.id}/confirm`)).statusCode).toBe(
      409,
    );
    expect((await request(t.app, adminA, 'POST', `/api/v1/imports/${writing.id}/confirm`)).statusCode).toBe(
      202,
    );
    expect(await settle(t.app, adminA, writing.id)).toMatchObject({
      status: 'applied',
      error: null,
      result: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
    });
  });
});
