import { describe, expect, it } from 'vitest';
import { codeName } from '../../src/standards/codes';
import {
  gradeName,
  gradesFor,
  isOperatingTypeAllowed,
  isSchoolTypeId,
  schoolTypeById,
  schoolTypeIds,
  schoolTypes,
} from '../../src/standards/school-types';

describe('schoolTypes', () => {
  it('lists the eleven categories once each, in plan order', () => {
    expect(schoolTypes.map((t) => t.id)).toEqual([
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
    ]);
    expect(schoolTypeIds).toHaveLength(11);
  });

  it('has the zh-CN names', () => {
    expect(schoolTypes.map((t) => t.nameZh)).toEqual([
      '幼儿园',
      '小学',
      '初级中学',
      '高级中学',
      '九年一贯制学校',
      '十二年一贯制学校',
      '中等职业学校',
      '特殊教育学校',
      '社区学院',
      '社区学校',
      '老年大学',
    ]);
  });

  it('uses only operating types that exist in the BXLX list, default among the allowed', () => {
    for (const t of schoolTypes) {
      expect(t.operatingTypes, t.id).toContain(t.defaultOperatingType);
      for (const code of t.operatingTypes) {
        expect(codeName('operatingType', code), `${t.id} ${code}`).toBeDefined();
      }
    }
  });

  it('looks types up by id', () => {
    expect(schoolTypeById('nineYear')?.nameEn).toBe('Nine-Year School');
    expect(schoolTypeById('university')).toBeUndefined();
    expect(isSchoolTypeId('elderlyUniversity')).toBe(true);
    expect(isSchoolTypeId('NineYear')).toBe(false);
  });
});

describe('isOperatingTypeAllowed', () => {
  it('matches category and 办学类型', () => {
    expect(isOperatingTypeAllowed('nineYear', '312')).toBe(true);
    expect(isOperatingTypeAllowed('nineYear', '211')).toBe(false);
    expect(isOperatingTypeAllowed('kindergarten', '111')).toBe(true);
    expect(isOperatingTypeAllowed('primary', '218')).toBe(true);
    expect(isOperatingTypeAllowed('senior', '341')).toBe(true);
    expect(isOperatingTypeAllowed('senior', '342')).toBe(true);
    expect(isOperatingTypeAllowed('twelveYear', '345')).toBe(true);
    expect(isOperatingTypeAllowed('vocational', '366')).toBe(true);
    expect(isOperatingTypeAllowed('vocational', '368')).toBe(false);
    expect(isOperatingTypeAllowed('special', '513')).toBe(true);
    expect(isOperatingTypeAllowed('communitySchool', '932')).toBe(true);
    expect(isOperatingTypeAllowed('elderlyUniversity', '933')).toBe(true);
    expect(isOperatingTypeAllowed('elderlyUniversity', '429')).toBe(false);
    expect(isOperatingTypeAllowed('unknown', '312')).toBe(false);
  });

  it('has these defaults', () => {
    expect(schoolTypes.map((t) => [t.id, t.defaultOperatingType])).toEqual([
      ['kindergarten', '111'],
      ['primary', '211'],
      ['junior', '311'],
      ['senior', '342'],
      ['nineYear', '312'],
      ['twelveYear', '345'],
      ['vocational', '365'],
      ['special', '514'],
      ['communityCollege', '933'],
      ['communitySchool', '933'],
      ['elderlyUniversity', '933'],
    ]);
  });
});

describe('gradesFor', () => {
  it('gives the grades each category can have', () => {
    expect(gradesFor('kindergarten')).toEqual(['01', '02', '03']);
    expect(gradesFor('primary')).toEqual(['11', '12', '13', '14', '15', '16']);
    expect(gradesFor('junior')).toEqual(['21', '22', '23']);
    expect(gradesFor('nineYear')).toEqual(['11', '12', '13', '14', '15', '16', '21', '22', '23']);
    expect(gradesFor('twelveYear')).toEqual([
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
    ]);
    expect(gradesFor('vocational')).toEqual(['51', '52', '53']);
    expect(gradesFor('special')).toEqual(['11', '12', '13', '14', '15', '16', '21', '22', '23']);
    expect(gradesFor('communityCollege')).toEqual([]);
    expect(gradesFor('communitySchool')).toEqual([]);
    expect(gradesFor('elderlyUniversity')).toEqual([]);
    expect(gradesFor('unknown')).toEqual([]);
  });

  it('narrows senior by operating type: 高级中学 has no 初中 grades, 完全中学 has', () => {
    expect(gradesFor('senior', '342')).toEqual(['31', '32', '33']);
    expect(gradesFor('senior', '341')).toEqual(['21', '22', '23', '31', '32', '33']);
    expect(gradesFor('senior')).toEqual(['21', '22', '23', '31', '32', '33']);
    expect(gradesFor('primary', '218')).toEqual(['11', '12', '13', '14', '15', '16']);
  });
});

describe('gradeName', () => {
  it('names grades in zh-CN', () => {
    expect(gradeName('01', 'zh-CN')).toBe('小班');
    expect(gradeName('03', 'zh-CN')).toBe('大班');
    expect(gradeName('11', 'zh-CN')).toBe('一年级');
    expect(gradeName('16', 'zh-CN')).toBe('六年级');
    expect(gradeName('21', 'zh-CN')).toBe('七年级');
    expect(gradeName('23', 'zh-CN')).toBe('九年级');
    expect(gradeName('31', 'zh-CN')).toBe('高一');
    expect(gradeName('33', 'zh-CN')).toBe('高三');
    expect(gradeName('51', 'zh-CN')).toBe('中职一年级');
  });

  it('names grades in English', () => {
    expect(gradeName('11', 'en')).toBe('Grade 1');
    expect(gradeName('21', 'en')).toBe('Grade 7');
    expect(gradeName('33', 'en')).toBe('Grade 12');
    expect(gradeName('02', 'en')).toBe('Lower Kindergarten');
    expect(gradeName('53', 'en')).toBe('Vocational Year 3');
  });

  it('is undefined for codes Mingde does not use', () => {
    expect(gradeName('41', 'zh-CN')).toBeUndefined();
    expect(gradeName('1', 'zh-CN')).toBeUndefined();
  });
});
