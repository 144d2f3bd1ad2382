import { gradeName, gradesFor, type SchoolTypeId, schoolTypeById } from '../src/standards/school-types';
import { SeededRandom, StreamRandom } from './random';

/**
 * The demo district as data: ~40 schools of every type the plan names, with campuses, grades and
 * classes for the current academic year, and each class's earlier years (the same cohort one grade
 * lower per year back, down to the school's first grade) as classes of the earlier academic years.
 * Pure and deterministic (seed and size in, same plan out); demo/ensure.ts writes it through the
 * org domain. Sizes other than the default scale the plan: fewer classes per grade below it, and
 * numbered copies of every school above it (吴中区实验第二小学 …), so classes keep their usual size.
 */

export const DEMO_CITY = { divisionCode: '320500', name: '苏州市教育局（演示）' };
export const DEMO_DISTRICT = { divisionCode: '320506', name: '吴中区教育局（演示）', short: '吴中区' };
export const DEFAULT_SEED = 2035;
/** Active students of the default demo (about 1,800 staff come with them). */
export const DEFAULT_STUDENTS = 20_000;
export const MAX_STUDENTS = 1_000_000;

export interface PlannedUnit {
  id: string;
  parentId: string;
  kind: 'school' | 'campus' | 'grade' | 'class';
  name: string;
  schoolType?: SchoolTypeId;
  operatingTypeCode?: string;
  schoolCode?: string;
  gradeCode?: string;
  classNumber?: number;
  /** Classes: 0 = the current academic year, k = k years before it. */
  yearsAgo?: number;
  /** Current classes: the same cohort's class 1, 2, … years ago (index k - 1). */
  pastClassIds?: string[];
}

export interface PlannedGrouping {
  kind: 'schoolZone' | 'schoolAlliance' | 'schoolGroup';
  name: string;
  schoolIds: string[];
}

export interface DemoPlan {
  rootId: string;
  schools: { id: string; name: string; type: SchoolTypeId }[];
  /** Parents before children. */
  units: PlannedUnit[];
  groupings: PlannedGrouping[];
  /** How many academic years before the current one the oldest cohort's classes reach. */
  historyYears: number;
}

/** How many schools of each type, and the place names they take. */
const schoolSpecs: { type: SchoolTypeId; names: string[]; suffix: string; classes: [number, number] }[] = [
  {
    type: 'kindergarten',
    suffix: '幼儿园',
    classes: [2, 4],
    names: ['机关', '实验', '城南', '木渎', '东山', '甪直', '胥口', '越溪'],
  },
  {
    type: 'primary',
    suffix: '小学',
    classes: [3, 6],
    names: ['实验', '城南', '木渎实验', '东山', '甪直', '胥口', '临湖', '越溪', '横泾', '光福', '香山'],
  },
  { type: 'junior', suffix: '中学', classes: [5, 9], names: ['木渎', '城西', '东山', '甪直', '长桥'] },
  { type: 'senior', suffix: '高级中学', classes: [8, 12], names: ['吴中', '木渎', '苏苑'] },
  { type: 'nineYear', suffix: '学校', classes: [2, 4], names: ['临湖实验', '金庭', '光福实验'] },
  { type: 'twelveYear', suffix: '外国语学校', classes: [2, 3], names: ['太湖'] },
  { type: 'vocational', suffix: '中等专业学校', classes: [4, 6], names: ['吴中', '木渎'] },
  { type: 'special', suffix: '特殊教育学校', classes: [1, 2], names: ['吴中区'] },
  { type: 'communityCollege', suffix: '社区学院', classes: [6, 8], names: ['吴中'] },
  { type: 'communitySchool', suffix: '社区学校', classes: [3, 5], names: ['长桥', '越溪', '横泾', '郭巷'] },
  { type: 'elderlyUniversity', suffix: '老年大学', classes: [6, 10], names: ['吴中区'] },
];

const adultCourses = [
  '书法',
  '国画',
  '摄影',
  '合唱',
  '太极拳',
  '智能手机应用',
  '烹饪',
  '英语口语',
  '养生保健',
  '舞蹈',
];

const digits = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 2 → '二', 10 → '十', 12 → '十二', 35 → '三十五' (up to 99). */
export function chineseNumber(n: number): string {
  const tens = Math.floor(n / 10);
  const ones = digits[n % 10] ?? '';
  if (tens === 0) return ones;
  return `${tens === 1 ? '' : (digits[tens] ?? '')}十${ones}`;
}

/** Copies of every school and classes per grade for a size: copies × classScale = size / default. */
export function planScale(students: number): { copies: number; classScale: number } {
  const scale = students / DEFAULT_STUDENTS;
  const copies = Math.max(1, Math.ceil(scale));
  return { copies, classScale: scale / copies };
}

export function planDemo(seed = DEFAULT_SEED, students = DEFAULT_STUDENTS): DemoPlan {
  const rng = new SeededRandom(seed);
  // Ids of earlier years' classes come from a stream of their own, so the current year's units
  // (and their ids) are the same whatever the history holds.
  const historyRng = new StreamRandom(seed, 1);
  const { copies, classScale } = planScale(students);
  const scaled = (count: number) => Math.max(1, Math.round(count * classScale));
  const rootId = rng.uuid();
  const units: PlannedUnit[] = [];
  const schools: DemoPlan['schools'] = [];
  let serial = 1;
  let historyYears = 0;

  for (let copy = 1; copy <= copies; copy++) {
    for (const spec of schoolSpecs) {
      const type = schoolTypeById(spec.type);
      if (!type) throw new Error(`unknown school type ${spec.type}`);
      for (const place of spec.names) {
        const id = rng.uuid();
        const numbered = copy === 1 ? '' : `第${chineseNumber(copy)}`;
        const name = `${DEMO_DISTRICT.short}${place}${numbered}${spec.suffix}`.replace(
          '吴中区吴中区',
          '吴中区',
        );
        // 学校标识码: category (2 digits of 办学类型) + province 32 (江苏) + a 6-digit serial.
        const schoolCode = `${type.defaultOperatingType.slice(0, 2)}32${String(serial++).padStart(6, '0')}`;
        units.push({
          id,
          parentId: rootId,
          kind: 'school',
          name,
          schoolType: spec.type,
          operatingTypeCode: type.defaultOperatingType,
          schoolCode,
        });
        schools.push({ id, name, type: spec.type });

        const campusCount = rng.next() < 0.2 ? 2 : 1;
        for (let c = 0; c < campusCount; c++) {
          const campusId = rng.uuid();
          units.push({
            id: campusId,
            parentId: id,
            kind: 'campus',
            name: c === 0 ? '本部' : `${place}分校区`,
          });
          const grades = gradesFor(spec.type, type.defaultOperatingType);
          if (grades.length === 0) {
            // Community and elderly education: classes (courses) sit directly under the campus.
            const count = scaled(rng.int(spec.classes[0], spec.classes[1]));
            for (let k = 1; k <= count; k++) {
              units.push({
                id: rng.uuid(),
                parentId: campusId,
                kind: 'class',
                name: `${rng.pick(adultCourses)}${k}班`,
                classNumber: k,
                yearsAgo: 0,
              });
            }
            continue;
          }
          const gradeIds: string[] = [];
          grades.forEach((gradeCode, index) => {
            const gradeId = rng.uuid();
            gradeIds.push(gradeId);
            const label = (i: number) => gradeName(grades[i] ?? '', 'zh-CN') ?? grades[i] ?? '';
            units.push({ id: gradeId, parentId: campusId, kind: 'grade', name: label(index), gradeCode });
            const classCount = scaled(Math.max(1, rng.int(spec.classes[0], spec.classes[1]) - c * 2));
            historyYears = Math.max(historyYears, index);
            for (let k = 1; k <= classCount; k++) {
              const current: PlannedUnit = {
                id: rng.uuid(),
                parentId: gradeId,
                kind: 'class',
                name: `${label(index)}（${k}）班`,
                gradeCode,
                classNumber: k,
                yearsAgo: 0,
                pastClassIds: [],
              };
              units.push(current);
              // The cohort's earlier years: one grade lower per year, same class number.
              for (let back = 1; back <= index; back++) {
                const pastId = historyRng.uuid();
                current.pastClassIds?.push(pastId);
                units.push({
                  id: pastId,
                  parentId: gradeIds[index - back] ?? '',
                  kind: 'class',
                  name: `${label(index - back)}（${k}）班`,
                  gradeCode: grades[index - back],
                  classNumber: k,
                  yearsAgo: back,
                });
              }
            }
          });
        }
      }
    }
  }

  const ofType = (t: SchoolTypeId) => schools.filter((s) => s.type === t).map((s) => s.id);
  const primaries = ofType('primary');
  const juniors = ofType('junior');
  const groupings: PlannedGrouping[] = [
    { kind: 'schoolZone', name: '木渎学区', schoolIds: [...primaries.slice(0, 4), ...juniors.slice(0, 2)] },
    { kind: 'schoolZone', name: '东山学区', schoolIds: [...primaries.slice(4, 8), ...juniors.slice(2, 4)] },
    {
      kind: 'schoolAlliance',
      name: '太湖教育联盟',
      schoolIds: [...ofType('nineYear'), ...ofType('twelveYear')],
    },
    {
      kind: 'schoolGroup',
      name: '吴中实验教育集团',
      schoolIds: [primaries[0], juniors[0], ofType('senior')[0], ofType('kindergarten')[1]].filter(
        (s): s is string => s !== undefined,
      ),
    },
  ];
  return { rootId, schools, units, groupings, historyYears };
}
