import { gradesFor, type SchoolTypeId } from '../src/standards/school-types';
import type { DemoPlan, PlannedUnit } from './plan';
import type { Random } from './random';

/** The plan's schools and current classes as the people generator sees them, with students allocated. */

export interface ClassLayout {
  id: string;
  name: string;
  schoolId: string;
  /** null: a course of an adult institution. */
  gradeCode: string | null;
  /** Position of the grade in the school's grades (0 = its first grade). */
  gradeIndex: number;
  /** Position of the first grade of this grade's stage (小学 / 初中 / 高中) in the school. */
  stageStart: number;
  /** The cohort's class 1, 2, … years ago. */
  pastIds: readonly string[];
  /** Nominal class size, the weight students are spread by (0: no K-12 students). */
  capacity: number;
  /** Active students allocated to the class. */
  students: number;
}

export interface SchoolLayout {
  id: string;
  name: string;
  type: SchoolTypeId;
  /** Community and elderly education: adult learners, no 学籍. */
  adult: boolean;
  classes: ClassLayout[];
}

const adultTypes: ReadonlySet<SchoolTypeId> = new Set([
  'communityCollege',
  'communitySchool',
  'elderlyUniversity',
]);

/** '0' 幼儿园, '1' 小学, '2' 初中, '3' 高中, '5' 中职: the first digit of the grade code. */
export const stageOf = (gradeCode: string) => gradeCode[0] ?? '';

function capacityOf(type: SchoolTypeId, gradeCode: string | null): number {
  if (gradeCode === null) return 0;
  if (type === 'special') return 10;
  const byGrade: Record<string, number> = { '01': 25, '02': 30, '03': 32 };
  const byStage: Record<string, number> = { '1': 40, '2': 45, '3': 46, '5': 40 };
  return byGrade[gradeCode] ?? byStage[stageOf(gradeCode)] ?? 40;
}

/** Age on 1 September of the year a grade is in (幼儿园 小班 3, 一年级 6, 高一 / 中职一年级 15). */
export function entryAge(gradeCode: string): number {
  const g = Number(gradeCode);
  if (g <= 3) return g + 2;
  if (g <= 16) return g - 5;
  if (g <= 23) return g - 9;
  if (g <= 33) return g - 16;
  return g - 36;
}

/** Schools with their current classes (the plan's units regrouped), in plan order. */
export function layoutSchools(plan: DemoPlan): SchoolLayout[] {
  const byId = new Map(plan.units.map((u) => [u.id, u]));
  const schools = new Map<string, SchoolLayout>();
  const schoolOf = new Map<string, PlannedUnit>();
  const findSchool = (unit: PlannedUnit): PlannedUnit => {
    const known = schoolOf.get(unit.id);
    if (known) return known;
    const parent = byId.get(unit.parentId);
    const school = unit.kind === 'school' || !parent ? unit : findSchool(parent);
    schoolOf.set(unit.id, school);
    return school;
  };
  for (const s of plan.schools) {
    schools.set(s.id, { id: s.id, name: s.name, type: s.type, adult: adultTypes.has(s.type), classes: [] });
  }
  for (const unit of plan.units) {
    if (unit.kind !== 'class' || (unit.yearsAgo ?? 0) !== 0) continue;
    const schoolUnit = findSchool(unit);
    const school = schools.get(schoolUnit.id);
    if (!school) continue;
    const grades: readonly string[] = gradesFor(school.type, schoolUnit.operatingTypeCode);
    const gradeCode = unit.gradeCode ?? null;
    const stageStart =
      gradeCode && school.type !== 'special' ? grades.findIndex((g) => stageOf(g) === stageOf(gradeCode)) : 0;
    school.classes.push({
      id: unit.id,
      name: unit.name,
      schoolId: school.id,
      gradeCode,
      gradeIndex: gradeCode ? Math.max(0, grades.indexOf(gradeCode)) : 0,
      stageStart: Math.max(0, stageStart),
      pastIds: unit.pastClassIds ?? [],
      capacity: capacityOf(school.type, gradeCode),
      students: 0,
    });
  }
  return [...schools.values()];
}

/**
 * Spread `total` students over the K-12 classes in proportion to their nominal size (±15%),
 * exactly (largest remainders), so `--students 500` gives 500 students.
 */
export function allocateStudents(schools: SchoolLayout[], total: number, rng: Random): void {
  const classes = schools.flatMap((s) => s.classes.filter((c) => c.capacity > 0));
  const weights = classes.map((c) => c.capacity * (0.85 + 0.3 * rng.next()));
  const sum = weights.reduce((a, b) => a + b, 0);
  const remainders: { index: number; rest: number }[] = [];
  let given = 0;
  classes.forEach((c, index) => {
    const quota = (total * (weights[index] ?? 0)) / sum;
    c.students = Math.floor(quota);
    given += c.students;
    remainders.push({ index, rest: quota - c.students });
  });
  remainders.sort((a, b) => b.rest - a.rest || a.index - b.index);
  for (let i = 0; i < total - given; i++) {
    const c = classes[remainders[i % remainders.length]?.index ?? 0];
    if (c) c.students += 1;
  }
}
