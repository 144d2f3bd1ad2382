/**
 * Mingde's school categories, each tied to the 教育统计 办学类型 (BXLX) codes a school of that
 * category may report (codes from ./data/national_basic_codes.json `school_operating_type_BXLX`),
 * and to the grades it can hold.
 */

/** 学段 */
export type Stage = 'preschool' | 'primary' | 'junior' | 'senior' | 'vocational' | 'adult';

/**
 * Grade codes. 11–16, 21–23, 31–33 are the codes of the 国家学生体质健康标准 (2014) data-upload
 * template (its 41–44 are university years, so they are not reused here). Two ranges are
 * Mingde-local because no national grade code exists for them: 01–03 幼儿园 小班/中班/大班 and
 * 51–53 中职一至三年级.
 */
export const gradeCodes = [
  '01',
  '02',
  '03',
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '51',
  '52',
  '53',
] as const;
export type GradeCode = (typeof gradeCodes)[number];

const gradeNames: Record<GradeCode, { 'zh-CN': string; en: string }> = {
  '01': { 'zh-CN': '小班', en: 'Nursery' },
  '02': { 'zh-CN': '中班', en: 'Lower Kindergarten' },
  '03': { 'zh-CN': '大班', en: 'Upper Kindergarten' },
  '11': { 'zh-CN': '一年级', en: 'Grade 1' },
  '12': { 'zh-CN': '二年级', en: 'Grade 2' },
  '13': { 'zh-CN': '三年级', en: 'Grade 3' },
  '14': { 'zh-CN': '四年级', en: 'Grade 4' },
  '15': { 'zh-CN': '五年级', en: 'Grade 5' },
  '16': { 'zh-CN': '六年级', en: 'Grade 6' },
  '21': { 'zh-CN': '七年级', en: 'Grade 7' },
  '22': { 'zh-CN': '八年级', en: 'Grade 8' },
  '23': { 'zh-CN': '九年级', en: 'Grade 9' },
  '31': { 'zh-CN': '高一', en: 'Grade 10' },
  '32': { 'zh-CN': '高二', en: 'Grade 11' },
  '33': { 'zh-CN': '高三', en: 'Grade 12' },
  '51': { 'zh-CN': '中职一年级', en: 'Vocational Year 1' },
  '52': { 'zh-CN': '中职二年级', en: 'Vocational Year 2' },
  '53': { 'zh-CN': '中职三年级', en: 'Vocational Year 3' },
};

const kindergartenGrades = ['01', '02', '03'] as const;
const primaryGrades = ['11', '12', '13', '14', '15', '16'] as const;
const juniorGrades = ['21', '22', '23'] as const;
const seniorGrades = ['31', '32', '33'] as const;
const vocationalGrades = ['51', '52', '53'] as const;

const stageByGrade = new Map<string, Stage>([
  ...kindergartenGrades.map((g) => [g, 'preschool'] as const),
  ...primaryGrades.map((g) => [g, 'primary'] as const),
  ...juniorGrades.map((g) => [g, 'junior'] as const),
  ...seniorGrades.map((g) => [g, 'senior'] as const),
  ...vocationalGrades.map((g) => [g, 'vocational'] as const),
]);

/** The stage a grade (JY/T 1001 年级代码) belongs to; null for a code no stage lists. */
export const stageOfGrade = (code: string): Stage | null => stageByGrade.get(code) ?? null;

export const schoolTypeIds = [
  'kindergarten',
  'primary',
  'junior',
  'senior',
  'nineYear',
  'twelveYear',
  'vocational',
  'special',
  'communityCollege',
  'communitySchool',
  'elderlyUniversity',
] as const;
export type SchoolTypeId = (typeof schoolTypeIds)[number];

export interface SchoolType {
  id: SchoolTypeId;
  nameZh: string;
  nameEn: string;
  /** BXLX codes a school of this category may carry. */
  operatingTypes: readonly string[];
  defaultOperatingType: string;
  stages: readonly Stage[];
  /** Every grade a school of this category can have; empty: classes sit directly under a campus. */
  grades: readonly GradeCode[];
  /** Narrower grade sets for operating types that cover less than `grades`. */
  gradesByOperatingType?: Readonly<Record<string, readonly GradeCode[]>>;
}

export const schoolTypes: readonly SchoolType[] = [
  {
    id: 'kindergarten',
    nameZh: '幼儿园',
    nameEn: 'Kindergarten',
    // 119 附设幼儿班 is a class attached to another school, not a kindergarten of its own.
    operatingTypes: ['111'],
    defaultOperatingType: '111',
    stages: ['preschool'],
    grades: kindergartenGrades,
  },
  {
    id: 'primary',
    nameZh: '小学',
    nameEn: 'Primary School',
    operatingTypes: ['211', '218'], // 218 小学教学点
    defaultOperatingType: '211',
    stages: ['primary'],
    grades: primaryGrades,
  },
  {
    id: 'junior',
    nameZh: '初级中学',
    nameEn: 'Junior Secondary School',
    operatingTypes: ['311'],
    defaultOperatingType: '311',
    stages: ['junior'],
    grades: juniorGrades,
  },
  {
    // 完全中学 (341) runs 初中 and 高中 together; 高级中学 (342) only 高中.
    id: 'senior',
    nameZh: '高级中学',
    nameEn: 'Senior Secondary School',
    operatingTypes: ['342', '341'],
    defaultOperatingType: '342',
    stages: ['junior', 'senior'],
    grades: [...juniorGrades, ...seniorGrades],
    gradesByOperatingType: { '342': seniorGrades, '341': [...juniorGrades, ...seniorGrades] },
  },
  {
    id: 'nineYear',
    nameZh: '九年一贯制学校',
    nameEn: 'Nine-Year School',
    operatingTypes: ['312'],
    defaultOperatingType: '312',
    stages: ['primary', 'junior'],
    grades: [...primaryGrades, ...juniorGrades],
  },
  {
    id: 'twelveYear',
    nameZh: '十二年一贯制学校',
    nameEn: 'Twelve-Year School',
    operatingTypes: ['345'],
    defaultOperatingType: '345',
    stages: ['primary', 'junior', 'senior'],
    grades: [...primaryGrades, ...juniorGrades, ...seniorGrades],
  },
  {
    // 361 调整后中职, 362 中专, 363 中师, 364 成人中专, 365 职业高中, 366 技工学校. A district bureau
    // runs 职业高中, hence the default; 368/369 are attached classes and "other institutions".
    id: 'vocational',
    nameZh: '中等职业学校',
    nameEn: 'Secondary Vocational School',
    operatingTypes: ['361', '362', '363', '364', '365', '366'],
    defaultOperatingType: '365',
    stages: ['vocational'],
    grades: vocationalGrades,
  },
  {
    // 511 盲人 512 聋人 513 弱智(培智) 514 其他; 519 附设特教班 is a class inside another school.
    id: 'special',
    nameZh: '特殊教育学校',
    nameEn: 'Special Education School',
    operatingTypes: ['511', '512', '513', '514'],
    defaultOperatingType: '514',
    stages: ['primary', 'junior'],
    grades: [...primaryGrades, ...juniorGrades],
  },
  // The statistics list has no code for community or elderly education. Closest codes:
  // 429 其他成人高等教育机构 for a 社区学院 approved as an adult higher-education institution,
  // 932 农村成人文化技术培训学校 for rural 社区学校, and 933 其他培训机构 for the rest (the default).
  {
    id: 'communityCollege',
    nameZh: '社区学院',
    nameEn: 'Community College',
    operatingTypes: ['933', '429'],
    defaultOperatingType: '933',
    stages: ['adult'],
    grades: [],
  },
  {
    id: 'communitySchool',
    nameZh: '社区学校',
    nameEn: 'Community School',
    operatingTypes: ['933', '932'],
    defaultOperatingType: '933',
    stages: ['adult'],
    grades: [],
  },
  {
    id: 'elderlyUniversity',
    nameZh: '老年大学',
    nameEn: 'University for the Elderly',
    operatingTypes: ['933'],
    defaultOperatingType: '933',
    stages: ['adult'],
    grades: [],
  },
];

export function isSchoolTypeId(id: string): id is SchoolTypeId {
  return (schoolTypeIds as readonly string[]).includes(id);
}

export function schoolTypeById(id: string): SchoolType | undefined {
  return schoolTypes.find((t) => t.id === id);
}

export function isOperatingTypeAllowed(typeId: string, code: string): boolean {
  return schoolTypeById(typeId)?.operatingTypes.includes(code) ?? false;
}

/** Grades a school of this category can have; an operating type narrows it (342 高级中学 → 31–33). */
export function gradesFor(typeId: string, operatingType?: string): readonly GradeCode[] {
  const type = schoolTypeById(typeId);
  if (!type) return [];
  return (operatingType && type.gradesByOperatingType?.[operatingType]) || type.grades;
}

export function isGradeCode(code: string): code is GradeCode {
  return (gradeCodes as readonly string[]).includes(code);
}

export function gradeName(code: string, lang: 'zh-CN' | 'en'): string | undefined {
  return isGradeCode(code) ? gradeNames[code][lang] : undefined;
}
