import { authorizeDistrictWide } from '../../access/policy';
import { audit, type Ctx, requirePrincipal } from '../../context';
import { gradeName, type Stage, schoolTypeById, stageOfGrade } from '../../standards/school-types';
import { largeClassSize, oversizeClassSize, staffRequired, studentsPerStaff } from '../../standards/staffing';
import { findDistrict } from '../org/repository';
import { schoolTypeName } from '../org/rules';
import type { Overview } from './presenter';
import * as repo from './repository';

const BANDS: [label: string, upTo: number][] = [
  ['≤30', 30],
  ['31–45', 45],
  ['46–55', largeClassSize - 1],
  [`${largeClassSize}–${oversizeClassSize - 1}`, oversizeClassSize - 1],
  [`≥${oversizeClassSize}`, Number.POSITIVE_INFINITY],
];

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * A district at a glance (issue 5, point 2): schools by type, students by stage and grade, staff,
 * 生师比 (students per full-time teacher) and staffing against the 编制 standard per school, and
 * class sizes with 大班额 flagged. Aggregates only, for those who read the whole district.
 */
export async function districtOverview(ctx: Ctx, districtId: string): Promise<Overview> {
  const principal = requirePrincipal(ctx);
  const district = await findDistrict(ctx.db, districtId);
  authorizeDistrictWide(principal, 'org.read', district ? district.id : null, 'district', 'org.read');
  const [schools, students, classes, staff] = await Promise.all([
    repo.activeSchools(ctx.db, districtId),
    repo.studentsPerSchool(ctx.db, districtId),
    repo.classSizes(ctx.db, districtId),
    repo.staffPerSchool(ctx.db, districtId),
  ]);
  await audit(ctx, { districtId, action: 'overview.read', targetType: 'district', targetId: districtId });

  const count = <K extends string>(keys: K[]) => {
    const m = new Map<K, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const sum = <K extends string>(pairs: [K, number][]) => {
    const m = new Map<K, number>();
    for (const [k, n] of pairs) m.set(k, (m.get(k) ?? 0) + n);
    return m;
  };
  const byType = count(schools.map((s) => s.schoolType ?? 'other'));
  const byGrade = sum(classes.flatMap((c) => (c.gradeCode ? [[c.gradeCode, c.n] as [string, number]] : [])));
  const byStage = sum(
    [...byGrade].flatMap(([grade, n]) => {
      const stage = stageOfGrade(grade);
      return stage ? [[stage, n] as [Stage, number]] : [];
    }),
  );
  const enrolled = new Map(students.map((s) => [s.schoolId, s.n]));
  const staffOf = new Map(staff.map((s) => [s.schoolId, s]));

  const classesOf = new Map<string, typeof classes>();
  for (const c of classes) {
    const own = classesOf.get(c.schoolId);
    if (own) own.push(c);
    else classesOf.set(c.schoolId, [c]);
  }

  const perSchool = schools.map((s) => {
    const own = classesOf.get(s.id) ?? [];
    const teachers = staffOf.get(s.id)?.fullTimeTeachers ?? 0;
    const n = enrolled.get(s.id) ?? 0;
    return {
      id: s.id,
      name: s.name,
      schoolType: s.schoolType,
      students: n,
      staff: staffOf.get(s.id)?.staff ?? 0,
      fullTimeTeachers: teachers,
      studentTeacherRatio: teachers > 0 ? round1(n / teachers) : null,
      staffRequired: staffRequired(own.map((c) => ({ gradeCode: c.gradeCode, students: c.n }))),
      classes: own.length,
      largeClasses: own.filter((c) => c.n >= largeClassSize).length,
    };
  });

  return {
    schoolsByType: [...byType].map(([schoolType, n]) => ({
      schoolType,
      name: ((type) => (type ? schoolTypeName(type)[ctx.lang] : schoolType))(schoolTypeById(schoolType)),
      count: n,
    })),
    studentsByStage: [...byStage].map(([stage, n]) => ({ stage, count: n })),
    studentsByGrade: [...byGrade]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([gradeCode, n]) => ({ gradeCode, name: gradeName(gradeCode, ctx.lang) ?? gradeCode, count: n })),
    totals: {
      schools: schools.length,
      students: perSchool.reduce((t, s) => t + s.students, 0),
      staff: perSchool.reduce((t, s) => t + s.staff, 0),
      fullTimeTeachers: perSchool.reduce((t, s) => t + s.fullTimeTeachers, 0),
      classes: classes.length,
    },
    schools: perSchool,
    classSizes: BANDS.map(([band, upTo], i) => ({
      band,
      count: classes.filter((c) => c.n <= upTo && (i === 0 || c.n > (BANDS[i - 1]?.[1] ?? 0))).length,
    })),
    largeClasses: classes
      .filter((c) => c.n >= largeClassSize)
      .sort((a, b) => b.n - a.n)
      .map((c) => ({
        classId: c.classId,
        name: c.name,
        schoolId: c.schoolId,
        students: c.n,
        oversize: c.n >= oversizeClassSize,
      })),
    standards: { studentsPerStaff, largeClassSize, oversizeClassSize },
  };
}
