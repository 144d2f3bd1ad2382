import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  createUser,
  request,
  type SeededDistrict,
  seedDistrict,
  type TestApp,
  type TestUser,
} from '../../../test/support/app';
import { insertCurrentYear, insertHeadTeacher, insertPerson, linkAccount } from './people-test-fixtures';
import { enrolViaApi, eventsOf } from './students-test-support';

/** 王小明: male (17th digit odd); 李小红: female. */
const ID_WANG = '110101201907160335';
const ID_LI = '110101201805120228';

async function sheetRows(body: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as never);
  const rows: string[][] = [];
  workbook.worksheets[0]?.eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? '')));
  });
  return rows;
}

/** Roster export: the whole roster the caller may see, masked, marked and audited. */
describe('roster export', () => {
  let t: TestApp;
  let d: SeededDistrict;
  const u: Record<string, TestUser> = {};
  const ids: string[] = [];
  const get = (who: string, url: string, headers: Record<string, string> = {}) =>
    request(t.app, u[who] ?? null, 'GET', `/api/v1${url}`, undefined, headers);

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    d = await seedDistrict(db);
    const year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    u.adminA = await createUser(db, {
      username: 'admin_a',
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    u.analyst = await createUser(db, {
      grants: [{ role: 'bureauAnalyst', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    for (const [name, idNumber, studentNumber] of [
      ['王小明', ID_WANG, `G${ID_WANG}`],
      ['李小红', ID_LI, null],
    ] as const) {
      const res = await enrolViaApi(t.app, u.adminA, {
        schoolId: d.schoolA.id,
        classId: d.schoolA.classId,
        person: { name, idNumber },
        ...(studentNumber ? { studentNumber } : {}),
      });
      ids.push(res.person.id);
    }
    const teacher = await insertPerson(db, d.districtId, '陈老师');
    u.head = await createUser(db, { username: 'chen_head', homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, teacher, u.head.userId);
    await insertHeadTeacher(db, {
      districtId: d.districtId,
      personId: teacher,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
  });
  afterAll(() => t?.close());

  it('xlsx: marked with who and when, masked identifiers, every student the head teacher sees', async () => {
    const res = await get('head', `/classes/${d.schoolA.classId}/roster/export`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="roster\.xlsx"; filename\*=UTF-8''/,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const rows = await sheetRows(res.rawPayload);
    expect(rows[0]?.[0]).toMatch(
      /^导出人：测试用户 chen_head（chen_head）；导出时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）；证件号等已脱敏$/,
    );
    expect(rows[1]).toEqual([
      '序号',
      '姓名',
      '性别',
      '出生日期',
      '身份证件号（脱敏）',
      '学籍号（脱敏）',
      '班级',
      '学籍状态',
    ]);
    expect(rows.slice(2).map((r) => r.slice(0, 6))).toEqual([
      ['1', '李小红', '女性', '2018-05-12', '110101********0228', ''],
      ['2', '王小明', '男性', '2019-07-16', '110101********0335', 'G110101********0335'],
    ]);
    const text = rows.flat().join('\n');
    expect(text).not.toContain(ID_WANG);
    expect(text).not.toContain(ID_LI);
  });

  it('csv: the same, with a byte-order mark for Excel; English on request', async () => {
    const res = await get('adminA', `/classes/${d.schoolA.classId}/roster/export?format=csv`, {
      'accept-language': 'en',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.rawPayload.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toMatch(
      /^Exported by 测试用户 admin_a \(admin_a\) at \d{4}-\d{2}-\d{2} \d{2}:\d{2} China time; identifiers masked$/,
    );
    expect(lines[1]).toBe(
      'No.,Name,Gender,Date of birth,ID number (masked),Student number (masked),Class,Status',
    );
    expect(lines[3]).toContain('王小明');
    expect(lines[3]).toContain('110101********0335');
    expect(res.rawPayload.toString('utf8')).not.toContain(ID_WANG);
  });

  it('is audited, naming every student in the file', async () => {
    await get('head', `/schools/${d.schoolA.id}/students/export`).then((r) => expect(r.statusCode).toBe(404));
    const res = await get('adminA', `/schools/${d.schoolA.id}/students/export`);
    expect(res.statusCode).toBe(200);
    const [event] = await eventsOf(t.database.db, d.districtId, 'roster.export');
    expect(event?.subjectIds.slice().sort()).toEqual(ids.slice().sort());
    expect(event?.details).toMatchObject({ kind: 'school', format: 'xlsx', masked: true, count: 2 });
  });

  it('404 for a class outside the scope, 403 for a role that never reads persons, 400 for an unknown format', async () => {
    expect((await get('head', `/classes/${d.schoolB.classId}/roster/export`)).statusCode).toBe(404);
    expect((await get('analyst', `/classes/${d.schoolA.classId}/roster/export`)).statusCode).toBe(403);
    expect((await get('adminA', `/classes/${d.schoolA.classId}/roster/export?format=pdf`)).statusCode).toBe(
      400,
    );
  });
});
