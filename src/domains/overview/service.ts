import { authorizeDistrictWide } from '../../access/policy';
import { audit, type Ctx, requirePrincipal } from '../../context';
import { gradeName, type Stage, schoolTypeById } from '../../standards/school-types';
import { largeClassSize, oversizeClassSize, stageOfGrade, studentsPerStaff } from '../../standards/staffing';
import { findDistrict } from '../org/repository';
import * as repo from './repository';

/**
 * A district at a glance (issue 5, point 2): schools by type, students by stage and grade, staff,
 * 生师比 (students per full-time teacher) and staffing against the 编制 standard per school, and
 * class sizes with 大班额 flagged. Aggregates only, for those who read the whole district.
 */
export interface Overview {
  schoolsByType: { schoolType: string; name: string; count: number }[];
  studentsByStage: { stage: Stage; count: number }[];
  studentsByGrade: { gradeCode: string; name: string; count: number }[];
  totals: { schools: number; students: number; staff: number; fullTimeTeachers: number; classes: number };
  schools: {
    id: string;
    name: string;
    schoolType: string | null;
    students: number;
    staff: number;
    fullTimeTeachers: number;
    /** Students per full-time teacher (null without teachers). */
    studentTeacherRatio: number | null;
    /** Staff the 编制 standard calls for, from the students of each stage (null: no standard applies). */
    staffRequired: number | null;
    classes: number;
    largeClasses: number;
  }[];
  classSizes: { band: string; count: number }[];
  largeClasses: { classId: string; name: string; schoolId: string; students: number; oversize: boolean }[];
  standards: { studentsPerStaff: typeof studentsPerStaff; largeClassSize: number; oversizeClassSize: number };
}

const BANDS: [label: string, upTo: number][] = [
  ['≤30', 30],
  ['31–45', 45],
  ['46–55', largeClassSize - 1],
  [`${largeClassSize}–${oversizeClassSize - 1}`, oversizeClassSize - 1],
  [`≥${oversizeClassSize}`, Number.POSITIVE_INFINITY],
];

const round1 = (n: number) => Math.round(n * 10) / 10;

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

  const perSchool = schools.map((s) => {
    const own = classes.filter((c) => c.schoolId === s.id);
    const teachers = staffOf.get(s.id)?.fullTimeTeachers ?? 0;
    const n = enrolled.get(s.id) ?? 0;
    let required: number | null = null;
    for (const c of own) {
      const stage = c.gradeCode ? stageOfGrade(c.gradeCode) : null;
      const ratio = stage ? studentsPerStaff[stage] : null;
      if (ratio) required = (required ?? 0) + c.n / ratio;
    }
    return {
      id: s.id,
      name: s.name,
      schoolType: s.schoolType,
      students: n,
      staff: staffOf.get(s.id)?.staff ?? 0,
      fullTimeTeachers: teachers,
      studentTeacherRatio: teachers > 0 ? round1(n / teachers) : null,
      staffRequired: required === null ? null : Math.ceil(required),
      classes: own.length,
      largeClasses: own.filter((c) => c.n >= largeClassSize).length,
    };
  });

  return {
    schoolsByType: [...byType].map(([schoolType, n]) => ({
      schoolType,
      name:
        (ctx.lang === 'en' ? schoolTypeById(schoolType)?.nameEn : schoolTypeById(schoolType)?.nameZh) ??
        schoolType,
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
