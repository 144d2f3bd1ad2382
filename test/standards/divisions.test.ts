import { describe, expect, it } from 'vitest';
import {
  divisionLevel,
  divisionName,
  divisionParts,
  isValidDivisionCode,
  isWithin,
} from '../../src/standards/divisions';

describe('isValidDivisionCode', () => {
  it('accepts provinces, prefectures and counties', () => {
    expect(isValidDivisionCode('110000')).toBe(true);
    expect(isValidDivisionCode('110100')).toBe(true);
    expect(isValidDivisionCode('110101')).toBe(true);
    expect(isValidDivisionCode('130102')).toBe(true);
    expect(isValidDivisionCode('441900')).toBe(true);
    expect(isValidDivisionCode('659001')).toBe(true);
  });

  it('rejects unknown codes and malformed input', () => {
    for (const code of [
      '110199',
      '999999',
      '000000',
      '111100',
      '11010',
      '1101011',
      '11010a',
      '',
      ' 110101',
      '１１０１０１',
    ]) {
      expect(isValidDivisionCode(code), code).toBe(false);
    }
  });

  it('knows nothing of 台湾/香港/澳门 (the statistical data is mainland-only)', () => {
    expect(isValidDivisionCode('710000')).toBe(false);
    expect(isValidDivisionCode('810000')).toBe(false);
  });
});

describe('divisionLevel', () => {
  it('reads the level from the zero padding', () => {
    expect(divisionLevel('110000')).toBe('province');
    expect(divisionLevel('110100')).toBe('city');
    expect(divisionLevel('110101')).toBe('area');
    expect(divisionLevel('441900')).toBe('city');
    expect(divisionLevel('419001')).toBe('area');
    expect(divisionLevel('110199')).toBeUndefined();
  });
});

describe('divisionName', () => {
  it('joins province, city and area, leaving out 市辖区/县 groupings', () => {
    expect(divisionName('110101')).toBe('北京市 东城区');
    expect(divisionName('110000')).toBe('北京市');
    expect(divisionName('110100')).toBe('北京市');
    expect(divisionName('130102')).toBe('河北省 石家庄市 长安区');
    expect(divisionName('130100')).toBe('河北省 石家庄市');
    expect(divisionName('500229')).toBe('重庆市 城口县');
    expect(divisionName('419001')).toBe('河南省 济源市');
    expect(divisionName('441900')).toBe('广东省 东莞市');
    expect(divisionName('659001')).toBe('新疆维吾尔自治区 石河子市');
    expect(divisionName('999999')).toBeUndefined();
  });

  it('gives the parts with their source names', () => {
    expect(divisionParts('110101')).toEqual({
      province: { code: '110000', name: '北京市' },
      city: { code: '110100', name: '市辖区' },
      area: { code: '110101', name: '东城区' },
    });
    expect(divisionParts('130000')).toEqual({ province: { code: '130000', name: '河北省' } });
    expect(divisionParts('110199')).toBeUndefined();
  });
});

describe('isWithin', () => {
  it('compares the prefix of the parent level', () => {
    expect(isWithin('110101', '110000')).toBe(true);
    expect(isWithin('110101', '110100')).toBe(true);
    expect(isWithin('130102', '130100')).toBe(true);
    expect(isWithin('130102', '110000')).toBe(false);
    expect(isWithin('500229', '500100')).toBe(false);
    expect(isWithin('110000', '110101')).toBe(false);
  });

  it('is reflexive', () => {
    expect(isWithin('110101', '110101')).toBe(true);
    expect(isWithin('110000', '110000')).toBe(true);
  });

  it('is false when either code is unknown', () => {
    expect(isWithin('110199', '110000')).toBe(false);
    expect(isWithin('110101', '119900')).toBe(false);
  });
});
