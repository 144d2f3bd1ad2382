import { readDataFile } from './data-files';
import { type Stage, stageOfGrade } from './school-types';

/**
 * Staffing (编制) and class-size (班额) standards, read from the policy file copied from the
 * shared standards (data/school_operation_limits.json; sources listed there): students per staff
 * member by stage (中央编办发〔2014〕72号 for schools; 教师〔2013〕1号 for kindergartens) and the
 * 大班额 / 超大班额 thresholds (国发〔2016〕40号).
 */
interface PolicyFile {
  staffing_编制: {
    K12_student_to_staff_ratio: Record<'高中' | '初中' | '小学', string>;
    kindergarten: { '全日制 教职工:幼儿': string };
  };
  class_size_班额: { oversize_definitions: Record<'大班额' | '超大班额', string> };
}

const policy = JSON.parse(readDataFile('school_operation_limits.json')) as PolicyFile;

/** '1:19' → 19; '1:5 – 1:7' → 7 (a range: the most children one staff member may serve). */
function perStaff(ratio: string): number {
  const numbers = [...ratio.matchAll(/1\s*:\s*([\d.]+)/g)].map((m) => Number(m[1]));
  if (numbers.length === 0) throw new Error(`unreadable ratio ${ratio}`);
  return Math.max(...numbers);
}

const k12 = policy.staffing_编制.K12_student_to_staff_ratio;

/** Students (children) per staff member the standard allows, by stage; null where it sets none. */
export const studentsPerStaff: Record<Stage, number | null> = {
  preschool: perStaff(policy.staffing_编制.kindergarten['全日制 教职工:幼儿']),
  primary: perStaff(k12.小学),
  junior: perStaff(k12.初中),
  senior: perStaff(k12.高中),
  vocational: null,
  adult: null,
};

const atLeast = (text: string) => {
  const n = Number(/(\d+)/.exec(text)?.[1]);
  if (!Number.isFinite(n)) throw new Error(`unreadable class size ${text}`);
  return n;
};

/** 大班额: a class of this many students or more; 超大班额 likewise. */
export const largeClassSize = atLeast(policy.class_size_班额.oversize_definitions.大班额);
export const oversizeClassSize = atLeast(policy.class_size_班额.oversize_definitions.超大班额);

/**
 * The staff the 编制 standard calls for: each class's students over its stage's ratio, summed and
 * rounded up; null when no class has a stage with a ratio.
 */
export function staffRequired(classes: { gradeCode: string | null; students: number }[]): number | null {
  let required: number | null = null;
  for (const c of classes) {
    const stage = c.gradeCode ? stageOfGrade(c.gradeCode) : null;
    const ratio = stage ? studentsPerStaff[stage] : null;
    if (ratio) required = (required ?? 0) + c.students / ratio;
  }
  return required === null ? null : Math.ceil(required);
}
