import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiOf,
  createTestApp,
  createUserWithRole,
  type SeededDistrict,
  seedDistrict,
  type TestApp,
  type TestUser,
} from '../../../test/support/app';
import { enrol, insertCurrentYear, insertPerson, insertStaffPost } from '../people/people-test-fixtures';
import { staffPosts } from '../people/schema';

/** The district overview: counts, 生师比, 编制 and 大班额, for those who read the whole district. */
describe('district overview', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let api: ReturnType<typeof apiOf>;
  const u: Record<string, TestUser> = {};

  beforeAll(async () => {
    t = await createTestApp();
    api = apiOf(t);
    const db = t.database.db;
    d = await seedDistrict(db);
    const other = await seedDistrict(db, '110102');
    const year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    const fill = async (school: SeededDistrict['schoolA'], students: number) => {
      for (let i = 0; i < students; i++) {
        const personId = await insertPerson(db, d.districtId, `学生${i}`);
        await enrol(db, {
          districtId: d.districtId,
          personId,
          schoolId: school.id,
          classId: school.classId,
          academicYearId: year.academicYearId,
        });
      }
    };
    await fill(d.schoolA, 57);
    await fill(d.schoolB, 3);
    const post = async (schoolId: string, isFullTimeTeacher: boolean) => {
      const personId = await insertPerson(db, d.districtId, '教师');
      const id = await insertStaffPost(db, { districtId: d.districtId, personId, schoolId });
      if (!isFullTimeTeacher) {
        await db.update(staffPosts).set({ isFullTimeTeacher: false }).where(eq(staffPosts.id, id));
      }
    };
    await post(d.schoolA.id, true);
    await post(d.schoolA.id, true);
    await post(d.schoolA.id, false);
    await post(d.schoolB.id, true);
    u.analyst = await createUserWithRole(db, 'bureauAnalyst', d);
    u.schoolAdmin = await createUserWithRole(db, 'schoolAdmin', d, d.schoolA.id);
    u.otherAdmin = await createUserWithRole(db, 'bureauAdmin', other);
  });
  afterAll(() => t?.close());

  it('counts schools, students, staff; 生师比, 编制 and 大班额 per school', async () => {
    const res = await api(u.analyst ?? null, 'GET', `/districts/${d.districtId}/overview`);
    expect(res.statusCode, res.body).toBe(200);
    const o = res.json();
    expect(o.totals).toEqual({ schools: 2, students: 60, staff: 4, fullTimeTeachers: 3, classes: 2 });
    expect(o.studentsByStage).toEqual([{ stage: 'primary', count: 60 }]);
    expect(o.studentsByGrade).toEqual([{ gradeCode: '11', name: '一年级', count: 60 }]);
    const [a, b] = [d.schoolA.id, d.schoolB.id].map((id) =>
      o.schools.find((s: { id: string }) => s.id === id),
    );
    expect(a).toMatchObject({
      students: 57,
      staff: 3,
      fullTimeTeachers: 2,
      studentTeacherRatio: 28.5,
      staffRequired: 3,
      classes: 1,
      largeClasses: 1,
    });
    expect(b).toMatchObject({
      students: 3,
      staff: 1,
      fullTimeTeachers: 1,
      studentTeacherRatio: 3,
      staffRequired: 1,
      largeClasses: 0,
    });
    expect(o.classSizes).toEqual([
      { band: '≤30', count: 1 },
      { band: '31–45', count: 0 },
      { band: '46–55', count: 0 },
      { band: '56–65', count: 1 },
      { band: '≥66', count: 0 },
    ]);
    expect(o.largeClasses).toEqual([
      {
        classId: d.schoolA.classId,
        name: '一年级1班',
        schoolId: d.schoolA.id,
        students: 57,
        oversize: false,
      },
    ]);
    expect(o.standards).toMatchObject({ largeClassSize: 56, oversizeClassSize: 66 });
  });

  it('is for the whole district: a school role gets 403, another district 404', async () => {
    expect((await api(u.schoolAdmin ?? null, 'GET', `/districts/${d.districtId}/overview`)).statusCode).toBe(
      403,
    );
    expect((await api(u.otherAdmin ?? null, 'GET', `/districts/${d.districtId}/overview`)).statusCode).toBe(
      404,
    );
  });
});
