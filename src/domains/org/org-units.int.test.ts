import { and, asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiOf,
  createUser,
  createUserWithRole,
  type SeededDistrict,
  seedDistrict,
  type TestUser,
  useTestApp,
} from '../../../test/support/app';
import { auditEvents } from '../audit/schema';
import { orgUnits, orgUnitVersions } from './schema';

const t = useTestApp();
const api = apiOf(t);
let d: SeededDistrict;
let admin: TestUser;
beforeAll(async () => {
  d = await seedDistrict(t.database.db);
  admin = await createUserWithRole(t.database.db, 'bureauAdmin', d);
});

const db = () => t.database.db;
const en = { 'accept-language': 'en' };

async function create(body: Record<string, unknown>, user = admin) {
  const res = await api(user, 'POST', '/org-units', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function eventsFor(targetId: string) {
  return db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.districtId, d.districtId), eq(auditEvents.targetId, targetId)))
    .orderBy(asc(auditEvents.seq));
}

async function versionsOf(orgUnitId: string) {
  return db()
    .select()
    .from(orgUnitVersions)
    .where(eq(orgUnitVersions.orgUnitId, orgUnitId))
    .orderBy(asc(orgUnitVersions.version));
}

async function pathOf(id: string) {
  const [row] = await db().select({ path: orgUnits.path }).from(orgUnits).where(eq(orgUnits.id, id));
  return row?.path;
}

/** A new primary school with one campus, grade 一年级 and class 1 (through the API). */
async function schoolTree(name: string, schoolCode: string) {
  const school = await create({
    parentId: d.rootId,
    kind: 'school',
    name,
    schoolType: 'primary',
    schoolCode,
  });
  const campus = await create({ parentId: school.id, kind: 'campus', name: '本部' });
  const grade = await create({ parentId: campus.id, kind: 'grade', name: '一年级', gradeCode: '11' });
  const klass = await create({
    parentId: grade.id,
    kind: 'class',
    name: '一年级1班',
    classNumber: 1,
    academicYearId: d.academicYearId,
  });
  return { school, campus, grade, klass };
}

describe('create and read', () => {
  it('creates a school with codes defaulted and named, and reads it back with its ancestors', async () => {
    const school = await create({
      parentId: d.rootId,
      kind: 'school',
      name: '  东城区第三实验小学 ',
      nameEn: 'Dongcheng No.3 Experimental Primary School',
      schoolType: 'primary',
      schoolCode: '2111010003',
    });
    expect(school).toMatchObject({
      districtId: d.districtId,
      parentId: d.rootId,
      kind: 'school',
      name: '东城区第三实验小学',
      nameEn: 'Dongcheng No.3 Experimental Primary School',
      schoolCode: '2111010003',
      schoolType: 'primary',
      schoolTypeName: { 'zh-CN': '小学', en: 'Primary School' },
      operatingTypeCode: '211',
      operatingTypeName: '小学',
      divisionCode: '110101',
      divisionName: '北京市 东城区',
      gradeCode: null,
      status: 'active',
      closedAt: null,
      version: 1,
    });
    expect(school).not.toHaveProperty('path');

    const campus = await create({ parentId: school.id, kind: 'campus', name: '本部' });
    const grade = await create({ parentId: campus.id, kind: 'grade', name: '一年级', gradeCode: '11' });
    expect(grade.gradeName).toEqual({ 'zh-CN': '一年级', en: 'Grade 1' });
    const klass = await create({
      parentId: grade.id,
      kind: 'class',
      name: '一年级1班',
      classNumber: 1,
      academicYearId: d.academicYearId,
    });
    // The class takes its grade's code.
    expect(klass).toMatchObject({ gradeCode: '11', classNumber: 1, academicYearId: d.academicYearId });
    expect(await pathOf(klass.id)).toBe(`/${d.rootId}/${school.id}/${campus.id}/${grade.id}/${klass.id}/`);

    const res = await api(admin, 'GET', `/org-units/${klass.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().ancestors).toEqual([
      { id: d.rootId, kind: 'districtBureau', name: '东城区教育委员会' },
      { id: school.id, kind: 'school', name: '东城区第三实验小学' },
      { id: campus.id, kind: 'campus', name: '本部' },
      { id: grade.id, kind: 'grade', name: '一年级' },
    ]);
    const schoolRes = await api(admin, 'GET', `/org-units/${school.id}`);
    expect(schoolRes.json().childCounts).toEqual({ active: 1, closed: 0 });

    const versions = await versionsOf(klass.id);
    expect(versions.map((v) => [v.version, v.change])).toEqual([[1, 'create']]);
    expect(versions[0]?.data).toMatchObject({ id: klass.id, name: '一年级1班', classNumber: 1 });
    expect(versions[0]?.changedBy).toBe(admin.userId);
    const events = await eventsFor(klass.id);
    expect(events.map((e) => [e.action, e.targetType, e.actorId])).toEqual([
      ['org.create', 'orgUnit', admin.userId],
    ]);
    expect(events[0]?.details).toMatchObject({
      kind: 'class',
      changes: { name: { old: null, new: '一年级1班' }, classNumber: { old: null, new: 1 } },
    });
  });

  it('creates classes directly under the campus of an elderly university', async () => {
    const school = await create({
      parentId: d.rootId,
      kind: 'school',
      name: '东城区老年大学',
      schoolType: 'elderlyUniversity',
    });
    expect(school.operatingTypeCode).toBe('933');
    const campus = await create({ parentId: school.id, kind: 'campus', name: '本部' });
    const klass = await create({
      parentId: campus.id,
      kind: 'class',
      name: '书法班',
      classNumber: 1,
      academicYearId: d.academicYearId,
    });
    expect(klass.gradeCode).toBeNull();

    const grade = await api(admin, 'POST', '/org-units', {
      parentId: campus.id,
      kind: 'grade',
      name: '一年级',
      gradeCode: '11',
    });
    expect(grade.statusCode).toBe(422);
    expect(grade.json().errors).toEqual([
      { path: 'body.parentId', code: 'org.invalid_parent', message: '年级不能建在校区之下' },
    ]);
  });

  it('lists children by status and searches by name and school code', async () => {
    const res = await api(admin, 'GET', `/org-units/${d.rootId}/children?kind=school&pageSize=2`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ page: 1, pageSize: 2 });
    expect(res.json().items).toHaveLength(2);
    expect(res.json().total).toBeGreaterThanOrEqual(2);

    const school = await create({
      parentId: d.rootId,
      kind: 'school',
      name: '东城区第四实验小学',
      schoolType: 'primary',
      schoolCode: '2111010004',
    });
    const byCode = await api(admin, 'GET', '/org-units?q=2111010004');
    expect(byCode.json().items.map((u: { id: string }) => u.id)).toEqual([school.id]);
    const byName = await api(admin, 'GET', `/org-units?districtId=${d.districtId}&q=第一实验&kind=school`);
    expect(byName.json().items.map((u: { name: string }) => u.name)).toEqual(['东城区第一实验小学']);
  });
});

describe('validation messages', () => {
  it('refuses a class directly under a school, in Chinese and in English', async () => {
    const body = {
      parentId: d.schoolA.id,
      kind: 'class',
      name: '一年级9班',
      classNumber: 9,
      academicYearId: d.academicYearId,
    };
    const zh = await api(admin, 'POST', '/org-units', body);
    expect(zh.statusCode).toBe(422);
    expect(zh.headers['content-type']).toContain('application/problem+json');
    expect(zh.json()).toMatchObject({
      code: 'request.invalid',
      title: '请求参数有误',
      errors: [{ path: 'body.parentId', code: 'org.invalid_parent', message: '班级不能建在学校之下' }],
    });
    const english = await api(admin, 'POST', '/org-units', body, en);
    expect(english.json().errors).toEqual([
      {
        path: 'body.parentId',
        code: 'org.invalid_parent',
        message: 'A class cannot be placed under a school',
      },
    ]);
  });

  it('lists every bad code of a school at once', async () => {
    const body = {
      parentId: d.rootId,
      kind: 'school',
      name: '码错小学',
      schoolType: 'primary',
      operatingTypeCode: '311',
      schoolCode: '21110100',
      divisionCode: '120101',
    };
    const zh = await api(admin, 'POST', '/org-units', body);
    expect(zh.statusCode).toBe(422);
    expect(zh.json().errors).toEqual([
      {
        path: 'body.operatingTypeCode',
        code: 'org.operating_type_not_for_school_type',
        message: '办学类型代码 311 不适用于小学（可用：211, 218）',
      },
      {
        path: 'body.schoolCode',
        code: 'org.school_code_invalid',
        message: '学校标识码 21110100 无效：须为 10 位数字，前两位为学校类别码，第三、四位为省级行政区划代码',
      },
      {
        path: 'body.divisionCode',
        code: 'org.division_outside_district',
        message: '行政区划代码 120101 不在本区县（北京市 东城区）范围内',
      },
    ]);
    const english = await api(admin, 'POST', '/org-units', body, en);
    expect(english.json().errors.map((e: { message: string }) => e.message)).toEqual([
      'Operating type code 311 does not fit a Primary School (allowed: 211, 218)',
      'School code 21110100 is invalid: 10 digits, a school category code, then a province code',
      'Division code 120101 lies outside the district (北京市 东城区)',
    ]);
  });

  it('refuses a grade the school type does not have and a school code in use', async () => {
    const grade = await api(admin, 'POST', '/org-units', {
      parentId: d.schoolA.campusId,
      kind: 'grade',
      name: '七年级',
      gradeCode: '21',
    });
    expect(grade.statusCode).toBe(422);
    expect(grade.json().errors).toEqual([
      { path: 'body.gradeCode', code: 'org.grade_not_for_school_type', message: '年级代码 21 不适用于小学' },
    ]);

    await create({
      parentId: d.rootId,
      kind: 'school',
      name: '原码小学',
      schoolType: 'primary',
      schoolCode: '2111010020',
    });
    const taken = await api(
      admin,
      'POST',
      '/org-units',
      {
        parentId: d.rootId,
        kind: 'school',
        name: '重码小学',
        schoolType: 'primary',
        schoolCode: '2111010020',
      },
      en,
    );
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({
      code: 'org.school_code_taken',
      title: 'School code 2111010020 is already in use',
    });

    const sameGrade = await api(admin, 'POST', '/org-units', {
      parentId: d.schoolA.campusId,
      kind: 'grade',
      name: '一年级',
      gradeCode: '11',
    });
    expect(sameGrade.statusCode).toBe(409);
    expect(sameGrade.json().title).toBe('该校区已有年级代码为 11 的年级');

    const sameClass = await api(admin, 'POST', '/org-units', {
      parentId: d.schoolA.gradeId,
      kind: 'class',
      name: '一年级1班',
      classNumber: 1,
      academicYearId: d.academicYearId,
    });
    expect(sameClass.statusCode).toBe(409);
    expect(sameClass.json().title).toBe('该学年此年级已有 1 班');
  });

  it('lists every missing or malformed field before any rule runs', async () => {
    const res = await api(admin, 'POST', '/org-units', { parentId: 'nope', kind: 'school', name: '   ' });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.name', 'body.parentId', 'body.schoolType']);
  });
});

describe('update', () => {
  it('bumps the version, audits old and new values, and refuses a stale version', async () => {
    const school = await create({
      parentId: d.rootId,
      kind: 'school',
      name: '东城区第五小学',
      schoolType: 'primary',
      schoolCode: '2111010005',
    });
    const res = await api(admin, 'PATCH', `/org-units/${school.id}`, {
      version: 1,
      name: '东城区第五实验小学',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: '东城区第五实验小学', version: 2 });

    const stale = await api(admin, 'PATCH', `/org-units/${school.id}`, { version: 1, name: '另一个名字' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      code: 'org.version_conflict',
      title: '该组织已被他人修改，请刷新后重试',
    });

    const events = await eventsFor(school.id);
    expect(events.map((e) => e.action)).toEqual(['org.create', 'org.update']);
    expect(events[1]?.details).toEqual({
      kind: 'school',
      version: 2,
      changes: { name: { old: '东城区第五小学', new: '东城区第五实验小学' } },
    });
    expect((await versionsOf(school.id)).map((v) => [v.version, v.change])).toEqual([
      [1, 'create'],
      [2, 'update'],
    ]);
  });

  it('refuses fields of another kind and a school type its grades do not fit', async () => {
    const wrongKind = await api(admin, 'PATCH', `/org-units/${d.schoolA.classId}`, {
      version: 1,
      schoolCode: '2111010009',
    });
    expect(wrongKind.statusCode).toBe(422);
    expect(wrongKind.json().errors).toEqual([
      { path: 'body.schoolCode', code: 'org.field_not_for_kind', message: '该字段不适用于班级' },
    ]);

    const { school } = await schoolTree('东城区第六小学', '2111010006');
    const toJunior = await api(admin, 'PATCH', `/org-units/${school.id}`, {
      version: 1,
      schoolType: 'junior',
    });
    expect(toJunior.statusCode).toBe(422);
    expect(toJunior.json().errors).toEqual([
      {
        path: 'body.schoolType',
        code: 'org.school_type_conflicts_with_units',
        message: '现有的年级或班级不适用于初级中学，请先调整',
      },
    ]);
    // A nine-year school has grades 1–9, so the same school may become one; 312 replaces 211.
    const toNineYear = await api(admin, 'PATCH', `/org-units/${school.id}`, {
      version: 1,
      schoolType: 'nineYear',
    });
    expect(toNineYear.statusCode).toBe(200);
    expect(toNineYear.json()).toMatchObject({ schoolType: 'nineYear', operatingTypeCode: '312', version: 2 });
  });
});

describe('move', () => {
  it('moves a campus with its subtree to another school and rewrites every path', async () => {
    const a = await schoolTree('东城区第七小学', '2111010007');
    const b = await schoolTree('东城区第八小学', '2111010008');
    const principalA = await createUser(db(), {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: a.school.id }],
    });
    const principalB = await createUser(db(), {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: b.school.id }],
    });
    expect((await api(principalA, 'GET', `/org-units/${a.klass.id}`)).statusCode).toBe(200);

    const res = await api(admin, 'POST', `/org-units/${a.campus.id}/move`, { newParentId: b.school.id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ parentId: b.school.id, version: 2 });
    const base = `/${d.rootId}/${b.school.id}/${a.campus.id}/`;
    expect(await pathOf(a.campus.id)).toBe(base);
    expect(await pathOf(a.grade.id)).toBe(`${base}${a.grade.id}/`);
    expect(await pathOf(a.klass.id)).toBe(`${base}${a.grade.id}/${a.klass.id}/`);

    // School B's grant now covers the moved classes; school A's no longer does.
    expect((await api(principalB, 'GET', `/org-units/${a.klass.id}`)).statusCode).toBe(200);
    expect((await api(principalA, 'GET', `/org-units/${a.klass.id}`)).statusCode).toBe(404);

    const events = await eventsFor(a.campus.id);
    expect(events.map((e) => e.action)).toEqual(['org.create', 'org.move']);
    expect(events[1]?.details).toMatchObject({
      changes: { parentId: { old: a.school.id, new: b.school.id } },
      descendantsMoved: 2,
    });
    expect((await versionsOf(a.campus.id)).map((v) => v.change)).toEqual(['create', 'move']);
  });

  it('moves a class to the same grade of another school, and refuses another grade code', async () => {
    const a = await schoolTree('东城区第九小学', '2111010010');
    const b = await schoolTree('东城区第十小学', '2111010011');
    const grade2 = await create({ parentId: b.campus.id, kind: 'grade', name: '二年级', gradeCode: '12' });
    const principalB = await createUser(db(), {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: b.school.id }],
    });

    const mismatch = await api(admin, 'POST', `/org-units/${a.klass.id}/move`, { newParentId: grade2.id });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().errors).toEqual([
      {
        path: 'body.newParentId',
        code: 'org.grade_code_mismatch',
        message: '班级的年级代码 11 与所属年级的代码 12 不一致',
      },
    ]);

    // School B already has class 1 of this year in its 一年级.
    const clash = await api(admin, 'POST', `/org-units/${a.klass.id}/move`, { newParentId: b.grade.id });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().code).toBe('org.class_number_taken');

    const renumbered = await api(admin, 'PATCH', `/org-units/${a.klass.id}`, { version: 1, classNumber: 2 });
    expect(renumbered.statusCode).toBe(200);
    const moved = await api(admin, 'POST', `/org-units/${a.klass.id}/move`, { newParentId: b.grade.id });
    expect(moved.statusCode).toBe(200);
    expect(await pathOf(a.klass.id)).toBe(
      `/${d.rootId}/${b.school.id}/${b.campus.id}/${b.grade.id}/${a.klass.id}/`,
    );
    expect((await api(principalB, 'GET', `/org-units/${a.klass.id}`)).statusCode).toBe(200);
  });

  it('refuses moves into the own subtree, of the root, and against the nesting rules', async () => {
    const a = await schoolTree('东城区第十一小学', '2111010012');
    const own = await api(admin, 'POST', `/org-units/${a.campus.id}/move`, { newParentId: a.grade.id }, en);
    expect(own.statusCode).toBe(422);
    expect(own.json().errors).toEqual([
      {
        path: 'body.newParentId',
        code: 'org.move_into_own_subtree',
        message: 'An organisation cannot move under itself or its descendants',
      },
    ]);
    const root = await api(admin, 'POST', `/org-units/${d.rootId}/move`, { newParentId: a.school.id });
    expect(root.statusCode).toBe(409);
    expect(root.json().title).toBe('区县教育局节点不能移动或撤销');
    const nesting = await api(admin, 'POST', `/org-units/${a.grade.id}/move`, { newParentId: d.schoolB.id });
    expect(nesting.statusCode).toBe(422);
    expect(nesting.json().errors[0].message).toBe('年级不能建在学校之下');
  });
});

describe('close and reopen', () => {
  it('refuses to close a unit with active children unless cascading, and keeps the history', async () => {
    const a = await schoolTree('东城区第十二小学', '2111010013');
    const refused = await api(admin, 'POST', `/org-units/${a.school.id}/close`, { reason: '撤并' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'org.has_active_children',
      title: '该组织下仍有未撤销的下级组织（1 个），请先处理',
    });

    const closed = await api(admin, 'POST', `/org-units/${a.school.id}/close`, {
      reason: '撤并',
      cascade: true,
    });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed', closedReason: '撤并', version: 2 });
    expect(closed.json().closedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const rows = await db().select().from(orgUnits).where(eq(orgUnits.districtId, d.districtId));
    for (const id of [a.school.id, a.campus.id, a.grade.id, a.klass.id]) {
      expect(rows.find((r) => r.id === id)).toMatchObject({ status: 'closed', closedReason: '撤并' });
    }
    expect((await eventsFor(a.klass.id)).map((e) => e.action)).toEqual(['org.create', 'org.close']);
    expect((await eventsFor(a.klass.id))[1]?.details).toMatchObject({
      reason: '撤并',
      cascadeFrom: a.school.id,
    });

    const again = await api(admin, 'POST', `/org-units/${a.school.id}/close`, { reason: '撤并' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('org.already_closed');

    // Closed units stay readable and listed on request.
    const active = await api(admin, 'GET', `/org-units/${a.school.id}/children`);
    expect(active.json().items).toEqual([]);
    const all = await api(admin, 'GET', `/org-units/${a.school.id}/children?status=all`);
    expect(all.json().items.map((u: { id: string; status: string }) => [u.id, u.status])).toEqual([
      [a.campus.id, 'closed'],
    ]);

    const reopenClass = await api(admin, 'POST', `/org-units/${a.klass.id}/reopen`, {});
    expect(reopenClass.statusCode).toBe(409);
    expect(reopenClass.json().code).toBe('org.closed_parent');

    const reopened = await api(admin, 'POST', `/org-units/${a.school.id}/reopen`, {});
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({
      status: 'active',
      closedAt: null,
      closedReason: null,
      version: 3,
    });

    const history = await api(admin, 'GET', `/org-units/${a.school.id}/history`);
    expect(history.statusCode).toBe(200);
    expect(
      history
        .json()
        .map((v: { version: number; change: string; data: { status: string } }) => [
          v.version,
          v.change,
          v.data.status,
        ]),
    ).toEqual([
      [1, 'create', 'active'],
      [2, 'close', 'closed'],
      [3, 'reopen', 'active'],
    ]);
    expect((await eventsFor(a.school.id)).map((e) => e.action)).toEqual([
      'org.create',
      'org.close',
      'org.reopen',
    ]);

    // Never deleted: the row and all its versions are still there.
    expect(await versionsOf(a.klass.id)).toHaveLength(2);
  });
});

describe('concurrency', () => {
  it('keeps every path consistent when classes are created while their campus moves', async () => {
    const a = await schoolTree('东城区第十三小学', '2111010014');
    const b = await schoolTree('东城区第十四小学', '2111010015');
    const creates = [2, 3, 4, 5, 6, 7].map((n) =>
      api(admin, 'POST', '/org-units', {
        parentId: a.grade.id,
        kind: 'class',
        name: `一年级${n}班`,
        classNumber: n,
        academicYearId: d.academicYearId,
      }),
    );
    const move = api(admin, 'POST', `/org-units/${a.campus.id}/move`, { newParentId: b.school.id });
    const results = await Promise.all([...creates, move]);
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201, 201, 200]);

    const rows = await db().select().from(orgUnits).where(eq(orgUnits.parentId, a.grade.id));
    expect(rows).toHaveLength(7);
    const gradePath = `/${d.rootId}/${b.school.id}/${a.campus.id}/${a.grade.id}/`;
    for (const row of rows) expect(row.path).toBe(`${gradePath}${row.id}/`);
  });
});
