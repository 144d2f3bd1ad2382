import { describe, expect, it } from 'vitest';
import { codeList, codeListNames, codeName, isValidCode } from '../../src/standards/codes';

describe('codeList', () => {
  it('has every list, each non-empty with unique codes', () => {
    expect(codeListNames).toEqual([
      'gender',
      'ethnicity',
      'politicalStatus',
      'educationLevel',
      'idDocumentType',
      'operatingType',
      'urbanRural',
      'staffingCategory',
      'post',
      'schoolSponsor',
      'subject',
    ]);
    for (const name of codeListNames) {
      const codes = codeList(name).map((e) => e.code);
      expect(codes.length, name).toBeGreaterThan(0);
      expect(new Set(codes).size, name).toBe(codes.length);
    }
  });

  it('gives GB/T 2261.1 gender in source order', () => {
    expect(codeList('gender')).toEqual([
      { code: '0', name: '未知的性别' },
      { code: '1', name: '男性' },
      { code: '2', name: '女性' },
      { code: '9', name: '未说明的性别' },
    ]);
  });

  it('has the 56 GB/T 3304 ethnic groups plus 97 and 98', () => {
    expect(codeList('ethnicity')).toHaveLength(58);
  });

  it('has the JY/T 1001 ZXXKC subjects for teaching assignments', () => {
    expect(codeList('subject')).toHaveLength(25);
    expect(codeName('subject', '13')).toBe('语文');
    expect(codeName('subject', '14')).toBe('数学');
    expect(codeName('subject', '41')).toBe('英语');
  });

  it('returns {code, name} only', () => {
    expect(Object.keys(codeList('ethnicity')[0] ?? {})).toEqual(['code', 'name']);
  });
});

describe('codeName', () => {
  it('names codes of each list', () => {
    expect(codeName('gender', '2')).toBe('女性');
    expect(codeName('ethnicity', '01')).toBe('汉族');
    expect(codeName('ethnicity', '36')).toBe('毛南族');
    expect(codeName('ethnicity', '97')).toBe('其他(未识别民族)');
    expect(codeName('politicalStatus', '13')).toBe('群众');
    expect(codeName('idDocumentType', '1')).toBe('居民身份证');
    expect(codeName('idDocumentType', 'A')).toBe('护照');
    expect(codeName('operatingType', '312')).toBe('九年一贯制学校');
    expect(codeName('operatingType', '21')).toBe('小学');
    expect(codeName('urbanRural', '111')).toBe('主城区');
    expect(codeName('urbanRural', '220')).toBe('村庄');
    expect(codeName('staffingCategory', '1')).toBe('专任教师');
    expect(codeName('post', '23')).toBe('班主任');
    expect(codeName('schoolSponsor', '21')).toBe('公办');
    expect(codeName('schoolSponsor', '22')).toBe('民办');
  });

  it('is undefined for unknown codes', () => {
    expect(codeName('gender', '3')).toBeUndefined();
    expect(codeName('ethnicity', '1')).toBeUndefined();
    expect(isValidCode('ethnicity', '99')).toBe(false);
    expect(isValidCode('post', '10')).toBe(true);
  });
});
