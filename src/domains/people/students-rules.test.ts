import { describe, expect, it } from 'vitest';
import { gradesFor } from '../../standards/school-types';
import {
  changeRules,
  className,
  type EnrolmentStatus,
  nextGrade,
  requestableChanges,
  ruleFor,
} from './students-rules';

const statuses: EnrolmentStatus[] = [
  'active',
  'suspended',
  'transferredOut',
  'withdrawn',
  'graduated',
  'deceased',
];

describe('学籍异动 rules', () => {
  it('allows each change only from its statuses', () => {
    const table = Object.fromEntries(
      requestableChanges.map((c) => [c, statuses.filter((s) => ruleFor(c, s) !== null)]),
    );
    expect(table).toEqual({
      transferOut: ['active', 'suspended'],
      suspend: ['active'],
      resume: ['suspended'],
      withdraw: ['active', 'suspended'],
      death: ['active', 'suspended'],
      graduate: ['active'],
      repeat: ['active'],
    });
  });

  it('closes the enrolment on leaving changes only, and moves classes on 留级 / 复学', () => {
    const summary = Object.fromEntries(
      requestableChanges.map((c) => [c, [changeRules[c].to, changeRules[c].closes, changeRules[c].toClass]]),
    );
    expect(summary).toEqual({
      transferOut: ['transferredOut', true, 'none'],
      suspend: ['suspended', false, 'none'],
      resume: ['active', false, 'optional'],
      withdraw: ['withdrawn', true, 'none'],
      death: ['deceased', true, 'none'],
      graduate: ['graduated', true, 'none'],
      repeat: ['active', false, 'required'],
    });
  });

  it('finds the next grade in the school’s own grade list', () => {
    const primary = gradesFor('primary');
    expect(nextGrade(primary, '11')).toBe('12');
    expect(nextGrade(primary, '16')).toBe('graduate');
    expect(nextGrade(primary, '21')).toBeNull();
    // A nine-year school goes on from 六年级 to 七年级.
    expect(nextGrade(gradesFor('nineYear'), '16')).toBe('21');
    expect(nextGrade(gradesFor('nineYear'), '23')).toBe('graduate');
    expect(className('二年级', 3)).toBe('二年级3班');
  });
});
