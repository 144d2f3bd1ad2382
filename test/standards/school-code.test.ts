import { describe, expect, it } from 'vitest';
import { isValidSchoolCode, parseSchoolCode } from '../../src/standards/school-code';

describe('isValidSchoolCode', () => {
  it('accepts 10 digits with a known category and province', () => {
    expect(isValidSchoolCode('4111010001')).toBe(true); // 北京大学
    expect(isValidSchoolCode('2111001234')).toBe(true);
    expect(isValidSchoolCode('3144005678')).toBe(true);
    expect(isValidSchoolCode('1150000001')).toBe(true);
    expect(isValidSchoolCode('9365000001')).toBe(true);
    expect(isValidSchoolCode('2181000001')).toBe(true); // 香港
  });

  it('rejects bad length, non-digits and unknown category or province', () => {
    for (const code of [
      '211100123',
      '21110012345',
      '21110O1234',
      '２１１１００１２３４',
      '',
      '1011001234', // category 10
      '2911001234', // category 29
      '2199001234', // province 99
      '2100001234', // province 00
    ]) {
      expect(isValidSchoolCode(code), code).toBe(false);
    }
  });
});

describe('parseSchoolCode', () => {
  it('splits category, province and serial', () => {
    expect(parseSchoolCode('4111010001')).toEqual({
      categoryCode: '41',
      categoryName: '普通高等学校',
      provinceCode: '11',
      provinceName: '北京市',
      serial: '010001',
    });
    expect(parseSchoolCode('3132001234')).toMatchObject({ categoryName: '普通初中', provinceName: '江苏省' });
    expect(parseSchoolCode('1171000001')).toMatchObject({ categoryName: '幼儿园', provinceName: '台湾省' });
    expect(parseSchoolCode('abc')).toBeUndefined();
  });
});
