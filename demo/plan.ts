import { gradeName, gradesFor, type SchoolTypeId, schoolTypeById } from '../src/standards/school-types';
import { SeededRandom } from './random';

/**
 * The demo district as data: ~40 schools of every type the plan names, with campuses, grades and
 * classes for the current academic year. Pure and deterministic (seed in, same plan out); demo/ensure.ts
 * writes it through the org domain.
 */

export const DEMO_CITY = { divisionCode: '320500', name: '苏州市教育局（演示）' };
export const DEMO_DISTRICT = { divisionCode: '320506', name: '吴中区教育局（演示）', short: '吴中区' };
export const DEFAULT_SEED = 2035;

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
  inCurrentYear?: boolean;
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

export function planDemo(seed = DEFAULT_SEED): DemoPlan {
  const rng = new SeededRandom(seed);
  const rootId = rng.uuid();
  const units: PlannedUnit[] = [];
  const schools: DemoPlan['schools'] = [];
  let serial = 1;

  for (const spec of schoolSpecs) {
    const type = schoolTypeById(spec.type);
    if (!type) throw new Error(`unknown school type ${spec.type}`);
    for (const place of spec.names) {
      const id = rng.uuid();
      const name = `${DEMO_DISTRICT.short}${place}${spec.suffix}`.replace('吴中区吴中区', '吴中区');
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
        units.push({ id: campusId, parentId: id, kind: 'campus', name: c === 0 ? '本部' : `${place}分校区` });
        const grades = gradesFor(spec.type, type.defaultOperatingType);
        if (grades.length === 0) {
          // Community and elderly education: classes (courses) sit directly under the campus.
          const count = rng.int(spec.classes[0], spec.classes[1]);
          for (let k = 1; k <= count; k++) {
            units.push({
              id: rng.uuid(),
              parentId: campusId,
              kind: 'class',
              name: `${rng.pick(adultCourses)}${k}班`,
              classNumber: k,
              inCurrentYear: true,
            });
          }
          continue;
        }
        for (const gradeCode of grades) {
          const gradeId = rng.uuid();
          const gradeLabel = gradeName(gradeCode, 'zh-CN') ?? gradeCode;
          units.push({ id: gradeId, parentId: campusId, kind: 'grade', name: gradeLabel, gradeCode });
          const classCount = Math.max(1, rng.int(spec.classes[0], spec.classes[1]) - c * 2);
          for (let k = 1; k <= classCount; k++) {
            units.push({
              id: rng.uuid(),
              parentId: gradeId,
              kind: 'class',
              name: `${gradeLabel}（${k}）班`,
              gradeCode,
              classNumber: k,
              inCurrentYear: true,
            });
          }
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
  return { rootId, schools, units, groupings };
}
