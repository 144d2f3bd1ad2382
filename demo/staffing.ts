import type { SchoolTypeId } from '../src/standards/school-types';
import type { Random } from './random';
import { type ClassLayout, type SchoolLayout, stageOf } from './school-layout';

/**
 * Who teaches what in a demo school: each class gets teachers for its stage's subjects (JY/T 1001
 * ZXXKC codes), a teacher taking 2–4 parallel classes of a main subject (more of a minor one), one
 * head teacher (班主任) per class, and the staff topped up to the usual student–teacher ratio.
 */

/** Names of the ZXXKC subjects the demo teaches (for the printed accounts). */
export const subjectNames: Readonly<Record<string, string>> = {
  '11': '品德与生活（社会）',
  '12': '思想品德（政治）',
  '13': '语文',
  '14': '数学',
  '15': '科学',
  '16': '物理',
  '17': '化学',
  '18': '生物',
  '20': '地理',
  '21': '历史',
  '22': '体育与健康',
  '24': '音乐',
  '25': '美术',
  '26': '信息技术',
  '27': '通用技术',
  '41': '英语',
};

/** Classes one teacher takes: [fewest, most]. */
type Load = readonly [number, number];
const MAIN: Load = [2, 4];
const SECOND: Load = [4, 7];
const MINOR: Load = [6, 12];

/** [subject, load, first grade, last grade] by stage (the first digit of the grade code). */
type SubjectRule = readonly [code: string, load: Load, from?: number, to?: number];
const subjectRules: Readonly<Record<string, readonly SubjectRule[]>> = {
  // 小学: 语文 数学 英语(三年级起) 科学 品德 体育 音乐 美术 信息技术(三年级起)
  '1': [
    ['13', MAIN],
    ['14', MAIN],
    ['41', MAIN, 13],
    ['15', MINOR],
    ['11', MINOR],
    ['22', MINOR],
    ['24', MINOR],
    ['25', MINOR],
    ['26', MINOR, 13],
  ],
  // 初中: 生物 地理 七八年级, 物理 八九年级, 化学 九年级
  '2': [
    ['13', MAIN],
    ['14', MAIN],
    ['41', MAIN],
    ['12', SECOND],
    ['21', SECOND],
    ['18', SECOND, 21, 22],
    ['20', SECOND, 21, 22],
    ['16', SECOND, 22],
    ['17', SECOND, 23],
    ['22', MINOR],
    ['24', MINOR],
    ['25', MINOR],
    ['26', MINOR],
  ],
  '3': [
    ['13', MAIN],
    ['14', MAIN],
    ['41', MAIN],
    ['12', SECOND],
    ['16', SECOND],
    ['17', SECOND],
    ['18', SECOND],
    ['21', SECOND],
    ['20', SECOND],
    ['22', MINOR],
    ['26', MINOR],
    ['27', MINOR],
  ],
  '5': [
    ['13', MAIN],
    ['14', MAIN],
    ['41', MAIN],
    ['12', SECOND],
    ['26', SECOND],
    ['22', MINOR],
  ],
};
const specialRules: readonly SubjectRule[] = [
  ['13', [1, 2]],
  ['14', [1, 2]],
  ['22', [3, 6]],
  ['24', [3, 6]],
  ['25', [3, 6]],
];

/** The subjects a class of this grade is taught, with classes per teacher (幼儿园: none). */
export function subjectsFor(type: SchoolTypeId, gradeCode: string): { code: string; load: Load }[] {
  const g = Number(gradeCode);
  const rules = type === 'special' ? specialRules : (subjectRules[stageOf(gradeCode)] ?? []);
  return rules
    .filter(([, , from, to]) => g >= (from ?? 0) && g <= (to ?? 99))
    .map(([code, load]) => ({ code, load }));
}

/** Students per full-time teacher (生师比) the staffing is topped up to, by stage; 特殊教育 4. */
const studentsPerTeacher: Record<string, number> = { '0': 15, '1': 17, '2': 13, '3': 12, '5': 16 };
const SPECIAL_RATIO = 4;

/** Share of women among teachers by school category. */
export const femaleTeachers: Record<SchoolTypeId, number> = {
  kindergarten: 0.97,
  primary: 0.78,
  junior: 0.6,
  senior: 0.5,
  nineYear: 0.7,
  twelveYear: 0.65,
  vocational: 0.5,
  special: 0.7,
  communityCollege: 0.55,
  communitySchool: 0.55,
  elderlyUniversity: 0.55,
};

/** Non-teaching posts (GWZY) with their 编制类别 (ZXXBZLB), counted from a school's teachers. */
export const supportPosts: readonly {
  post: string;
  establishment: string;
  count: (teachers: number) => number;
}[] = [
  { post: '31', establishment: '2', count: (t) => 2 + Math.floor(t / 50) }, // 校领导
  { post: '32', establishment: '2', count: (t) => 1 + Math.floor(t / 40) }, // 行政处室负责人
  { post: '33', establishment: '2', count: (t) => Math.floor(t / 40) }, // 行政处室工作
  { post: '45', establishment: '3', count: (t) => Math.floor(t / 60) }, // 图书教材
  { post: '47', establishment: '3', count: (t) => Math.floor(t / 60) }, // 电教设备
  { post: '61', establishment: '4', count: (t) => (t >= 20 ? 1 : 0) }, // 医护保健
  { post: '62', establishment: '4', count: (t) => 1 + Math.floor(t / 80) }, // 财务
  { post: '63', establishment: '4', count: (t) => Math.floor(t / 40) }, // 校园维护
];

/** One teacher of a school: the subject and classes they teach, the classes they head. */
export interface TeacherSlot {
  subject: string | null;
  classes: ClassLayout[];
  heads: ClassLayout[];
}

const headPreference = ['13', '14', '41'];
const preferenceRank = (code: string | null) => {
  const i = headPreference.indexOf(code ?? '');
  return i < 0 ? headPreference.length : i;
};

/**
 * The teachers a school needs. 幼儿园: two per class (the first heads it); adult institutions: one
 * per course; others: per subject, runs of parallel classes, then a head teacher per class — a
 * teacher of its 语文, 数学 or 英语 heading no class yet, else any of its teachers, else any teacher
 * of the school, else the one heading fewest — then teachers without classes up to the ratio.
 */
export function planTeachers(school: SchoolLayout, rng: Random): TeacherSlot[] {
  if (school.adult) return school.classes.map((c) => ({ subject: null, classes: [c], heads: [c] }));
  if (school.type === 'kindergarten') {
    return school.classes.flatMap((c) => [
      { subject: null, classes: [c], heads: [c] },
      { subject: null, classes: [c], heads: [] },
    ]);
  }
  const slots: TeacherSlot[] = [];
  const subjectsOf = new Map(school.classes.map((c) => [c, subjectsFor(school.type, c.gradeCode ?? '')]));
  const loads = new Map<string, Load>();
  for (const list of subjectsOf.values()) for (const s of list) loads.set(s.code, s.load);
  for (const [code, load] of loads) {
    const classes = school.classes.filter((c) => subjectsOf.get(c)?.some((s) => s.code === code));
    for (let i = 0; i < classes.length; ) {
      const n = rng.int(load[0], load[1]);
      slots.push({ subject: code, classes: classes.slice(i, i + n), heads: [] });
      i += n;
    }
  }
  const free = (list: TeacherSlot[]) => list.filter((s) => s.heads.length === 0);
  for (const c of school.classes) {
    const teaching = slots
      .filter((s) => s.classes.includes(c))
      .sort((a, b) => preferenceRank(a.subject) - preferenceRank(b.subject));
    const chosen =
      free(teaching).find((s) => headPreference.includes(s.subject ?? '')) ??
      free(teaching)[0] ??
      free(slots)[0] ??
      [...slots].sort((a, b) => a.heads.length - b.heads.length)[0];
    chosen?.heads.push(c);
  }
  const ratio = (c: ClassLayout) =>
    school.type === 'special' ? SPECIAL_RATIO : (studentsPerTeacher[stageOf(c.gradeCode ?? '')] ?? 15);
  const target = Math.ceil(school.classes.reduce((sum, c) => sum + c.students / ratio(c), 0));
  while (slots.length < target) slots.push({ subject: null, classes: [], heads: [] });
  return slots;
}
