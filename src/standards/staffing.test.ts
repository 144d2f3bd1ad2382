import { describe, expect, it } from 'vitest';
import { stageOfGrade } from './school-types';
import { largeClassSize, oversizeClassSize, studentsPerStaff } from './staffing';

describe('staffing and class-size standards', () => {
  it('reads the 2014 unified school ratios and the kindergarten upper bound', () => {
    expect(studentsPerStaff).toEqual({
      preschool: 7,
      primary: 19,
      junior: 13.5,
      senior: 12.5,
      vocational: null,
      adult: null,
    });
  });

  it('flags 大班额 from 56 and 超大班额 from 66', () => {
    expect([largeClassSize, oversizeClassSize]).toEqual([56, 66]);
  });

  it('puts grades in their stage', () => {
    expect(['01', '13', '21', '33', '52', '99'].map(stageOfGrade)).toEqual([
      'preschool',
      'primary',
      'junior',
      'senior',
      'vocational',
      null,
    ]);
  });
});
