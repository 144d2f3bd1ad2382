/**
 * 学籍异动 rules: which change a school may record in which enrolment status, what status follows,
 * and whether the change ends the enrolment or moves the student to another class. Pure, so the
 * whole table is unit-tested.
 */
import type { Lang } from '../../i18n/messages';
import type { enrolmentChanges, enrolments } from './schema';

export type EnrolmentStatus = (typeof enrolments.$inferSelect)['status'];
export type ChangeType = (typeof enrolmentChanges.$inferSelect)['changeType'];

/** Changes recorded one enrolment at a time (`POST /enrolments/:id/changes`). */
export const requestableChanges = [
  'transferOut',
  'suspend',
  'resume',
  'withdraw',
  'death',
  'graduate',
  'repeat',
] as const;
export type RequestableChange = (typeof requestableChanges)[number];

export interface ChangeRule {
  /** Statuses the change may start from. */
  from: readonly EnrolmentStatus[];
  to: EnrolmentStatus;
  /** Ends the enrolment (left_on set) and its class membership. */
  closes: boolean;
  /** 'required': the student moves to `toClassId`; 'optional': may move; 'none': no class given. */
  toClass: 'required' | 'optional' | 'none';
}

export const changeRules: Record<RequestableChange, ChangeRule> = {
  // 转出 to a school outside Mingde (a transfer inside it is `POST /transfers`).
  transferOut: { from: ['active', 'suspended'], to: 'transferredOut', closes: true, toClass: 'none' },
  // 休学: stays on the class's books while away.
  suspend: { from: ['active'], to: 'suspended', closes: false, toClass: 'none' },
  // 复学: only after 休学; often into a class of a lower year.
  resume: { from: ['suspended'], to: 'active', closes: false, toClass: 'optional' },
  // 退学/辍学
  withdraw: { from: ['active', 'suspended'], to: 'withdrawn', closes: true, toClass: 'none' },
  death: { from: ['active', 'suspended'], to: 'deceased', closes: true, toClass: 'none' },
  graduate: { from: ['active'], to: 'graduated', closes: true, toClass: 'none' },
  // 留级: stays active, in a class of the same or a lower grade.
  repeat: { from: ['active'], to: 'active', closes: false, toClass: 'required' },
};

export function ruleFor(changeType: RequestableChange, status: EnrolmentStatus): ChangeRule | null {
  const rule = changeRules[changeType];
  return rule.from.includes(status) ? rule : null;
}

export const statusNames: Record<EnrolmentStatus, Record<Lang, string>> = {
  active: { 'zh-CN': '在读', en: 'active' },
  suspended: { 'zh-CN': '休学', en: 'suspended' },
  transferredOut: { 'zh-CN': '已转出', en: 'transferred out' },
  withdrawn: { 'zh-CN': '已退学', en: 'withdrawn' },
  graduated: { 'zh-CN': '已毕业', en: 'graduated' },
  deceased: { 'zh-CN': '已死亡', en: 'deceased' },
};

export const changeNames: Record<ChangeType, Record<Lang, string>> = {
  enrol: { 'zh-CN': '入学', en: 'enrolment' },
  transferIn: { 'zh-CN': '转入', en: 'transfer in' },
  transferOut: { 'zh-CN': '转出', en: 'transfer out' },
  suspend: { 'zh-CN': '休学', en: 'suspension' },
  resume: { 'zh-CN': '复学', en: 'resumption' },
  withdraw: { 'zh-CN': '退学', en: 'withdrawal' },
  death: { 'zh-CN': '死亡', en: 'death' },
  graduate: { 'zh-CN': '毕业', en: 'graduation' },
  promote: { 'zh-CN': '升级', en: 'promotion' },
  repeat: { 'zh-CN': '留级', en: 'repeated year' },
};

/**
 * The grade after `gradeCode` in a school's grade list (`gradesFor`), 'graduate' after the last,
 * or null when the grade is not one of the school's.
 */
export function nextGrade(grades: readonly string[], gradeCode: string): string | 'graduate' | null {
  const i = grades.indexOf(gradeCode);
  if (i < 0) return null;
  return grades[i + 1] ?? 'graduate';
}

/** A class name in the org domain's style: '二年级3班'. */
export function className(gradeName: string, classNumber: number): string {
  return `${gradeName}${classNumber}班`;
}
