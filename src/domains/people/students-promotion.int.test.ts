import { and, eq } from 'drizzle-orm';
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
import { academicYears, orgUnits } from '../org/schema';
import { type CurrentYear, daysFromToday, insertCurrentYear } from './people-test-fixtures';
import { classMemberships, enrolmentChanges } from './schema';
import { enrolViaApi, eventsOf, idNumber, insertUnit, seededPaths } from './students-test-support';

describe('students: promotion of a whole school (升级)', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let y1: CurrentYear;
  let y2: string;
  let admin: TestUser;
  /** School A this year: 一年级1班 (seeded), 一年级2班, 五年级1班, 六年级1班; next year only 六年级1班 exists. */
  const c: Record<string, string> = {};
  const s: Record<string, string> = {};

  const promote = (body: Record<string, unknown>, schoolId = d.schoolA.id, user = admin) =>
    request(t.app, user, 'POST', `/api/v1/schools/${schoolId}/promotion`, {
      fromAcademicYearId: y1.academicYearId,
      toAcademicYearId: y2,
      effectiveOn: daysFromToday(201),
      ...body,
    });

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    d = await seedDistrict(db);
    y1 = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    const [next] = await db
      .insert(academicYears)
      .values({
        districtId: d.districtId,
        name: '下一学年',
        startsOn: daysFromToday(201),
        endsOn: daysFromToday(565),
      })
      .returning();
    y2 = next?.id as string;
    const paths = seededPaths(d, d.schoolA);
    const unit = (
      parentPath: string,
      kind: 'grade' | 'class',
      name: string,
      gradeCode: string,
      n?: number,
      yearId?: string,
    ) =>
      insertUnit(db, {
        districtId: d.districtId,
        parentPath,
        kind,
        name,
        gradeCode,
        classNumber: n,
        academicYearId: yearId,
      });
    c.g1c1 = d.schoolA.classId;
    c.g1c2 = (await unit(paths.grade, 'class', '一年级2班', '11', 2, y1.academicYearId)).id;
    const g5 = await unit(paths.campus, 'grade', '五年级', '15');
    c.g5c1 = (await unit(g5.path, 'class', '五年级1班', '15', 1, y1.academicYearId)).id;
    const g6 = await unit(paths.campus, 'grade', '六年级', '16');
    c.g6c1 = (await unit(g6.path, 'class', '六年级1班', '16', 1, y1.academicYearId)).id;
    c.next6c1 = (await unit(g6.path, 'class', '六年级1班', '16', 1, y2)).id;
    admin = await createUser(db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const add = async (key: string, classId: string, seq: number) => {
      const r = await enrolViaApi(t.app, admin, {
        schoolId: d.schoolA.id,
        classId,
        person: { name: `学生${seq}`, idNumber: idNumber('20150505', seq) },
        enteredOn: daysFromToday(-100),
      });
      s[key] = r.person.id;
      s[`${key}.enrolment`] = r.enrolment.id;
    };
    await add('a', c.g1c1, 101);
    await add('b', c.g1c1, 102);
    await add('c', c.g1c2, 103);
    await add('e', c.g5c1, 104);
    await add('f', c.g6c1, 105);
    await add('suspended', c.g1c1, 106);
    await request(t.app, admin, 'POST', `/api/v1/enrolments/${s['suspended.enrolment']}/changes`, {
      changeType: 'suspend',
      effectiveOn: daysFromToday(-50),
    });
  });
  afterAll(() => t?.close());

  it('refuses bad years and dates, and roles that do not manage people', async () => {
    const wrongOrder = await promote({
      fromAcademicYearId: y2,
      toAcademicYearId: y1.academicYearId,
      dryRun: true,
    });
    expect(wrongOrder.json().errors.map((e: { code: string }) => e.code)).toEqual([
      'promotion.years_out_of_order',
      'promotion.effective_outside_year',
    ]);
    const outside = await promote({ effectiveOn: daysFromToday(100), dryRun: true });
    expect(outside.json().errors[0]).toMatchObject({
      path: 'body.effectiveOn',
      message: '生效日期须在目标学年之内',
    });
    const principal = await createUser(t.database.db, {
      grants: [{ role: 'principal', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    expect((await promote({ dryRun: true }, d.schoolA.id, principal)).statusCode).toBe(403);
  });

  it('dry run: the plan, and nothing written', async () => {
    const before = await t.database.db.select().from(orgUnits).where(eq(orgUnits.districtId, d.districtId));
    const res = await promote({ dryRun: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      schoolId: d.schoolA.id,
      fromAcademicYearId: y1.academicYearId,
      toAcademicYearId: y2,
      effectiveOn: daysFromToday(201),
      dryRun: true,
      classes: [
        // The suspended student of 一年级1班 stays behind.
        {
          fromClassId: c.g1c1,
          fromClassName: '一年级1班',
          students: 2,
          action: 'promote',
          toClassId: null,
          toClassName: '二年级1班',
          createsClass: true,
        },
        {
          fromClassId: c.g1c2,
          fromClassName: '一年级2班',
          students: 1,
          action: 'promote',
          toClassId: null,
          toClassName: '二年级2班',
          createsClass: true,
        },
        {
          fromClassId: c.g5c1,
          fromClassName: '五年级1班',
          students: 1,
          action: 'promote',
          toClassId: c.next6c1,
          toClassName: '六年级1班',
          createsClass: false,
        },
        {
          fromClassId: c.g6c1,
          fromClassName: '六年级1班',
          students: 1,
          action: 'graduate',
          toClassId: null,
          toClassName: null,
          createsClass: false,
        },
      ],
      totals: { students: 5, promoted: 4, graduated: 1, classesCreated: 2 },
      problems: [],
    });
    const after = await t.database.db.select().from(orgUnits).where(eq(orgUnits.districtId, d.districtId));
    expect(after).toHaveLength(before.length);
    const changes = await t.database.db
      .select()
      .from(enrolmentChanges)
      .where(and(eq(enrolmentChanges.districtId, d.districtId), eq(enrolmentChanges.changeType, 'promote')));
    expect(changes).toEqual([]);
  });

  it('applies: new classes, one change per student, graduates closed, one audit event', async () => {
    const res = await promote({});
    expect(res.statusCode, res.body).toBe(200);
    const plan = res.json();
    expect(plan.totals).toEqual({ students: 5, promoted: 4, graduated: 1, classesCreated: 2 });
    const [to1, to2] = [plan.classes[0].toClassId as string, plan.classes[1].toClassId as string];
    const db = t.database.db;
    const created = await db
      .select()
      .from(orgUnits)
      .where(and(eq(orgUnits.districtId, d.districtId), eq(orgUnits.gradeCode, '12')));
    expect(created.map((u) => [u.kind, u.name, u.classNumber, u.academicYearId]).sort()).toEqual([
      ['class', '二年级1班', 1, y2],
      ['class', '二年级2班', 2, y2],
      ['grade', '二年级', null, null],
    ]);
    expect(
      created
        .filter((u) => u.kind === 'class')
        .map((u) => u.id)
        .sort(),
    ).toEqual([to1, to2].sort());

    const changes = await db
      .select()
      .from(enrolmentChanges)
      .where(eq(enrolmentChanges.districtId, d.districtId));
    const promoted = changes.filter((ch) => ch.changeType === 'promote');
    expect(promoted.map((ch) => [ch.personId, ch.fromClassId, ch.toClassId, ch.effectiveOn]).sort()).toEqual(
      [
        [s.a, c.g1c1, to1, daysFromToday(201)],
        [s.b, c.g1c1, to1, daysFromToday(201)],
        [s.c, c.g1c2, to2, daysFromToday(201)],
        [s.e, c.g5c1, c.next6c1, daysFromToday(201)],
      ].sort(),
    );
    expect(changes.filter((ch) => ch.changeType === 'graduate').map((ch) => ch.personId)).toEqual([s.f]);

    const memberships = await db
      .select()
      .from(classMemberships)
      .where(eq(classMemberships.personId, s.a as string));
    expect(memberships.map((m) => [m.classId, m.academicYearId, m.startedOn, m.endedOn]).sort()).toEqual(
      [
        [c.g1c1, y1.academicYearId, daysFromToday(-100), daysFromToday(201)],
        [to1, y2, daysFromToday(201), null],
      ].sort(),
    );
    // Until the new year starts the students stay on this year's roster.
    const roster = await request(t.app, admin, 'GET', `/api/v1/classes/${c.g1c1}/roster`);
    expect(roster.json().total).toBe(3);
    const graduate = await request(t.app, admin, 'GET', `/api/v1/schools/${d.schoolA.id}/students?q=学生105`);
    expect(graduate.json().items).toEqual([]);

    const [event] = await eventsOf(db, d.districtId, 'student.promotion');
    expect(event).toMatchObject({
      targetId: d.schoolA.id,
      details: { promoted: 4, graduated: 1, classesCreated: 2 },
    });
    expect([...(event?.subjectIds ?? [])].sort()).toEqual([s.a, s.b, s.c, s.e, s.f].sort());

    // Applying again finds nobody left in last year's classes.
    const again = await promote({});
    expect(again.json().totals).toEqual({ students: 0, promoted: 0, graduated: 0, classesCreated: 0 });
  });

  it('lists what blocks a promotion, and refuses to apply it', async () => {
    const db = t.database.db;
    const paths = seededPaths(d, d.schoolB);
    const odd = await insertUnit(db, {
      districtId: d.districtId,
      parentPath: paths.grade,
      kind: 'class',
      name: '兴趣班',
      gradeCode: '11',
      academicYearId: y1.academicYearId,
    });
    const bureau = await createUser(db, {
      grants: [{ role: 'bureauAdmin', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    await enrolViaApi(t.app, bureau, {
      schoolId: d.schoolB.id,
      classId: odd.id,
      person: { name: '无班号', idNumber: idNumber('20150505', 120) },
      enteredOn: daysFromToday(-10),
    });
    const dry = await promote({ dryRun: true }, d.schoolB.id, bureau);
    expect(dry.json().problems).toEqual([
      {
        path: `classes.${odd.id}`,
        code: 'promotion.class_without_grade',
        message: '班级“兴趣班”没有年级代码或班号，无法确定升级后的班级',
      },
    ]);
    const apply = await promote({}, d.schoolB.id, bureau);
    expect(apply.statusCode).toBe(422);
    expect(apply.json()).toMatchObject({
      code: 'promotion.blocked',
      title: '升级无法执行：有 1 个问题，请先处理',
    });
  });
});
