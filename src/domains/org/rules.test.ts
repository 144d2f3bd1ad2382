import { describe, expect, it } from 'vitest';
import { chinaToday } from '../../china-time';
import { fieldError } from '../../errors';
import {
  academicYearErrors,
  canNest,
  childPath,
  divisionFieldError,
  gradeFieldError,
  isInSubtree,
  parentPathOf,
  pathIds,
  rebasePath,
  schoolFieldErrors,
  schoolIdOf,
  subtreeFitsSchool,
} from './rules';

const primary = { schoolType: 'primary', operatingTypeCode: '211' };
const elderly = { schoolType: 'elderlyUniversity', operatingTypeCode: '933' };
const seniorOnly = { schoolType: 'senior', operatingTypeCode: '342' };

describe('paths', () => {
  it('builds, splits and rebases materialised paths', () => {
    expect(childPath('/r/', 's')).toBe('/r/s/');
    expect(childPath('/r/s/', 'c')).toBe('/r/s/c/');
    expect(pathIds('/r/s/c/')).toEqual(['r', 's', 'c']);
    expect(parentPathOf('/r/s/c/')).toBe('/r/s/');
    expect(parentPathOf('/r/')).toBeNull();
    expect(schoolIdOf('/r/s/c/g/')).toBe('s');
    expect(schoolIdOf('/r/')).toBeNull();
    expect(rebasePath('/r/a/c/g/k/', '/r/a/c/', '/r/b/c/')).toBe('/r/b/c/g/k/');
    expect(() => rebasePath('/r/x/', '/r/a/', '/r/b/')).toThrow('/r/x/ is not under /r/a/');
  });

  it('treats a unit as inside its own subtree but not inside a sibling with a common prefix', () => {
    expect(isInSubtree('/r/a/', '/r/a/')).toBe(true);
    expect(isInSubtree('/r/a/b/', '/r/a/')).toBe(true);
    expect(isInSubtree('/r/ab/', '/r/a/')).toBe(false);
    expect(isInSubtree('/r/', '/r/a/')).toBe(false);
  });
});

describe('nesting', () => {
  it('allows school → campus → grade → class and nothing else', () => {
    expect(canNest('school', 'districtBureau', null)).toBe(true);
    expect(canNest('campus', 'school', primary)).toBe(true);
    expect(canNest('grade', 'campus', primary)).toBe(true);
    expect(canNest('class', 'grade', primary)).toBe(true);

    expect(canNest('school', 'school', primary)).toBe(false);
    expect(canNest('campus', 'districtBureau', null)).toBe(false);
    expect(canNest('grade', 'school', primary)).toBe(false);
    expect(canNest('class', 'school', primary)).toBe(false);
    expect(canNest('districtBureau', 'districtBureau', null)).toBe(false);
  });

  it('puts classes directly under a campus only for types without grades', () => {
    expect(canNest('class', 'campus', primary)).toBe(false);
    expect(canNest('class', 'campus', elderly)).toBe(true);
    expect(canNest('grade', 'campus', elderly)).toBe(false);
    expect(canNest('class', 'campus', { schoolType: 'communityCollege', operatingTypeCode: '933' })).toBe(
      true,
    );
  });
});

describe('field errors', () => {
  it('fills per-language names into the message', () => {
    const e = fieldError('body.parentId', 'org.invalid_parent', {
      kind: { 'zh-CN': '班级', en: 'class' },
      parentKind: { 'zh-CN': '学校', en: 'school' },
    });
    expect(e.message).toEqual({
      'zh-CN': '班级不能建在学校之下',
      en: 'A class cannot be placed under a school',
    });
    expect(e.params).toEqual({ kind: '班级', parentKind: '学校' });
  });

  it('checks a school’s codes against its type and district', () => {
    const ok = schoolFieldErrors(
      'body',
      { schoolType: 'primary', operatingTypeCode: '211', schoolCode: '2111010001', divisionCode: '110101' },
      '110101',
    );
    expect(ok).toEqual([]);

    const bad = schoolFieldErrors(
      'body',
      { schoolType: 'primary', operatingTypeCode: '311', schoolCode: '2144010001', divisionCode: '110105' },
      '110101',
    );
    expect(bad.map((e) => [e.path, e.code])).toEqual([
      ['body.operatingTypeCode', 'org.operating_type_not_for_school_type'],
      ['body.schoolCode', 'org.school_code_wrong_province'],
      ['body.divisionCode', 'org.division_outside_district'],
    ]);
    expect(bad[0]?.message?.['zh-CN']).toBe('办学类型代码 311 不适用于小学（可用：211, 218）');
    expect(bad[1]?.message?.en).toBe(
      'School code 2144010001 names another province than 北京市, where the district lies',
    );
    expect(bad[2]?.message?.['zh-CN']).toBe('行政区划代码 110105 不在本区县（北京市 东城区）范围内');

    const garbled = schoolFieldErrors(
      'body',
      { schoolType: 'primary', operatingTypeCode: '211', schoolCode: '12345', divisionCode: '999999' },
      '110101',
    );
    expect(garbled.map((e) => e.code)).toEqual(['org.school_code_invalid', 'org.division_invalid']);
  });

  it('accepts a division inside the district and refuses one outside', () => {
    expect(divisionFieldError('p', '110101', '110101')).toBeNull();
    expect(divisionFieldError('p', '110101', '110000')).toBeNull();
    expect(divisionFieldError('p', '120101', '110000')?.code).toBe('org.division_outside_district');
  });

  it('allows only the grades of the school type (and operating type)', () => {
    expect(gradeFieldError('g', '11', primary)).toBeNull();
    expect(gradeFieldError('g', '21', primary)?.message).toEqual({
      'zh-CN': '年级代码 21 不适用于小学',
      en: 'Grade code 21 does not fit a Primary School',
    });
    // 342 高级中学 runs only 高中.
    expect(gradeFieldError('g', '21', seniorOnly)?.code).toBe('org.grade_not_for_school_type');
    expect(gradeFieldError('g', '31', seniorOnly)).toBeNull();
    expect(gradeFieldError('g', '11', elderly)?.code).toBe('org.grade_not_for_school_type');
  });
});

describe('subtreeFitsSchool', () => {
  const grade11 = { kind: 'grade' as const, parentKind: 'campus' as const, gradeCode: '11' };
  const class11 = { kind: 'class' as const, parentKind: 'grade' as const, gradeCode: '11' };
  const campusClass = { kind: 'class' as const, parentKind: 'campus' as const, gradeCode: null };
  const campus = { kind: 'campus' as const, parentKind: 'school' as const, gradeCode: null };

  it('accepts a primary campus in a primary or nine-year school but not a junior school', () => {
    expect(subtreeFitsSchool([campus, grade11, class11], primary)).toBe(true);
    expect(
      subtreeFitsSchool([campus, grade11, class11], { schoolType: 'nineYear', operatingTypeCode: '312' }),
    ).toBe(true);
    expect(
      subtreeFitsSchool([campus, grade11, class11], { schoolType: 'junior', operatingTypeCode: '311' }),
    ).toBe(false);
  });

  it('keeps classes-under-campus and grades apart', () => {
    expect(subtreeFitsSchool([campus, campusClass], elderly)).toBe(true);
    expect(subtreeFitsSchool([campus, campusClass], primary)).toBe(false);
    expect(subtreeFitsSchool([campus, grade11], elderly)).toBe(false);
  });
});

describe('academic years', () => {
  const year = {
    name: '2026-2027',
    startsOn: '2026-09-01',
    endsOn: '2027-08-31',
    terms: [
      { seq: 1, name: '第一学期', startsOn: '2026-09-01', endsOn: '2027-01-31' },
      { seq: 2, name: '第二学期', startsOn: '2027-02-20', endsOn: '2027-07-10' },
    ],
  };

  it('accepts a well-formed year', () => {
    expect(academicYearErrors('body', year)).toEqual([]);
  });

  it('lists every broken rule', () => {
    const errors = academicYearErrors('body', {
      name: '2026-2028',
      startsOn: '2026-09-01',
      endsOn: '2027-08-31',
      terms: [
        { seq: 1, name: '上', startsOn: '2026-08-01', endsOn: '2027-01-31' },
        { seq: 1, name: '下', startsOn: '2027-01-15', endsOn: '2027-01-10' },
        { seq: 3, name: '夏', startsOn: '2027-01-20', endsOn: '2027-03-01' },
      ],
    });
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['body.name', 'academicYear.invalid_name'],
      ['body.terms.0', 'academicYear.terms_outside_year'],
      ['body.terms.1.seq', 'academicYear.term_seq_repeated'],
      ['body.terms.1.endsOn', 'academicYear.ends_before_start'],
      ['body.terms.1', 'academicYear.terms_outside_year'],
      ['body.terms.2', 'academicYear.terms_outside_year'],
    ]);
  });

  it('takes today in China, not UTC', () => {
    // 2026-08-31T17:00Z is already 1 September in Beijing.
    expect(chinaToday(new Date('2026-08-31T17:00:00Z'))).toBe('2026-09-01');
  });
});
