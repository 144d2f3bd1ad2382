import { describe, expect, it } from 'vitest';
import { chinaToday } from '../../src/china-time';
import { codeList } from '../../src/standards/codes';
import {
  idNumberProblemMessage,
  isValidResidentIdNumber,
  parseIdDocument,
  parseResidentIdNumber,
  parseStudentNumber,
  RESIDENT_ID_CARD,
  residentIdCheckDigit,
} from '../../src/standards/id-number';

// Check characters below are worked by hand: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
// S = Σ digit × weight, check = (12 − S mod 11) mod 11, 10 written X.
const TODAY = '2026-05-01';

describe('GB 11643 居民身份证号码', () => {
  it('accepts the standard’s own example 11010519491231002X (female, born 1949-12-31)', () => {
    // 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167;
    // 167 mod 11 = 2; (12 − 2) mod 11 = 10 → X. Sequence 002 is even → female.
    expect(residentIdCheckDigit('11010519491231002')).toBe('X');
    expect(parseResidentIdNumber('11010519491231002X', TODAY)).toEqual({
      ok: true,
      value: {
        number: '11010519491231002X',
        addressCode: '110105',
        provinceCode: '11',
        birthDate: '1949-12-31',
        sex: 'female',
        genderCode: '2',
      },
    });
  });

  it('reads a lower-case x, full-width digits and surrounding spaces as the same number', () => {
    expect(parseResidentIdNumber(' 11010519491231002x ', TODAY)).toMatchObject({
      ok: true,
      value: { number: '11010519491231002X' },
    });
    expect(parseResidentIdNumber('１１０１０５１９４９１２３１００２Ｘ', TODAY)).toMatchObject({
      ok: true,
      value: { number: '11010519491231002X' },
    });
  });

  it('accepts 110101200001011232 (male, born 2000-01-01) and refuses …1234 (check character)', () => {
    // 7+9+0+5+0+4+4+0+0+0+0+9+0+5+8+8+6 = 65; 65 mod 11 = 10; (12 − 10) mod 11 = 2.
    expect(residentIdCheckDigit('11010120000101123')).toBe('2');
    expect(parseResidentIdNumber('110101200001011232', TODAY)).toMatchObject({
      ok: true,
      value: { birthDate: '2000-01-01', sex: 'male', genderCode: '1' },
    });
    expect(parseResidentIdNumber('110101200001011234', TODAY)).toEqual({ ok: false, problem: 'checkDigit' });
  });

  it('accepts 440304201008150033 (深圳 福田, male)', () => {
    // 28+36+0+15+0+16+4+0+6+0+0+72+10+25+0+0+6 = 218; 218 mod 11 = 9; 12 − 9 = 3.
    expect(parseResidentIdNumber('440304201008150033', TODAY)).toMatchObject({
      ok: true,
      value: { addressCode: '440304', birthDate: '2010-08-15', sex: 'male' },
    });
  });

  it('refuses the impossible date 20230230 even with a correct check character', () => {
    // 110101 20230230 001: 7+9+5+4+4+12+9+18+30+2 = 100; 100 mod 11 = 1; (12 − 1) mod 11 = 0.
    expect(residentIdCheckDigit('11010120230230001')).toBe('0');
    expect(parseResidentIdNumber('110101202302300010', TODAY)).toEqual({ ok: false, problem: 'birthDate' });
  });

  it('accepts 29 February of a leap year: 110105202002290012', () => {
    // 7+9+5+20+4+12+18+20+45+2 = 142; 142 mod 11 = 10; (12 − 10) mod 11 = 2.
    expect(parseResidentIdNumber('110105202002290012', TODAY)).toMatchObject({
      ok: true,
      value: { birthDate: '2020-02-29' },
    });
  });

  it('refuses a birth date in the future or before 1900', () => {
    // 110105 20300101 001: 7+9+5+20+4+18+9+5+2 = 79; 79 mod 11 = 2; 12 − 2 = 10 → X.
    expect(parseResidentIdNumber('11010520300101001X', TODAY)).toEqual({
      ok: false,
      problem: 'futureBirthDate',
    });
    // 110105 18991231 001: 7+9+5+20+2+8+54+27+7+18+30+5+2 = 194; 194 mod 11 = 7; 12 − 7 = 5.
    expect(parseResidentIdNumber('110105189912310015', TODAY)).toEqual({ ok: false, problem: 'birthDate' });
  });

  it('refuses the unknown province 99', () => {
    // 990101 20000101 123: 63+81+5+4+4+9+5+8+8+6 = 193; 193 mod 11 = 6; 12 − 6 = 6.
    expect(residentIdCheckDigit('99010120000101123')).toBe('6');
    expect(parseResidentIdNumber('990101200001011236', TODAY)).toEqual({ ok: false, problem: 'province' });
  });

  it('refuses wrong shapes', () => {
    expect(parseResidentIdNumber('', TODAY)).toEqual({ ok: false, problem: 'empty' });
    expect(parseResidentIdNumber('11010519491231002', TODAY)).toEqual({ ok: false, problem: 'format' });
    expect(parseResidentIdNumber('1101051949123100X2', TODAY)).toEqual({ ok: false, problem: 'format' });
    expect(parseResidentIdNumber('110105 19491231002X', TODAY)).toEqual({ ok: false, problem: 'format' });
    expect(isValidResidentIdNumber('11010519491231002X', TODAY)).toBe(true);
  });

  it("uses China's date for today", () => {
    // 2026-04-30T17:00Z is already 1 May in Beijing.
    expect(chinaToday(new Date('2026-04-30T17:00:00Z'))).toBe('2026-05-01');
  });
});

describe('JY/T 1001 身份证件类型', () => {
  it('has 居民身份证 as code 1', () => {
    expect(codeList('idDocumentType').find((c) => c.code === RESIDENT_ID_CARD)?.name).toBe('居民身份证');
  });

  it('applies GB 11643 to 居民身份证 and a format check to other documents', () => {
    expect(parseIdDocument('1', '11010519491231002x', TODAY)).toMatchObject({
      ok: true,
      value: { idType: '1', idNumber: '11010519491231002X', resident: { birthDate: '1949-12-31' } },
    });
    expect(parseIdDocument('1', '110101200001011234', TODAY)).toEqual({ ok: false, problem: 'checkDigit' });
    // A passport (A) and a 港澳 permit (6): any characters, but no spaces and at most 32.
    expect(parseIdDocument('A', ' e12345678 ', TODAY)).toEqual({
      ok: true,
      value: { idType: 'A', idNumber: 'E12345678' },
    });
    expect(parseIdDocument('6', 'H1234 5678', TODAY)).toEqual({ ok: false, problem: 'spaces' });
    expect(parseIdDocument('A', 'A'.repeat(33), TODAY)).toEqual({ ok: false, problem: 'tooLong' });
    expect(parseIdDocument('A', 'A'.repeat(32), TODAY).ok).toBe(true);
    expect(parseIdDocument('Z', '  ', TODAY)).toEqual({ ok: false, problem: 'empty' });
  });
});

describe('全国中小学生学籍号', () => {
  it('G + a valid ID number', () => {
    expect(parseStudentNumber('G11010519491231002X', TODAY)).toEqual({
      ok: true,
      value: {
        number: 'G11010519491231002X',
        form: 'G',
        idNumber: '11010519491231002X',
        divisionCode: '110105',
        birthDate: '1949-12-31',
      },
    });
    expect(parseStudentNumber('g11010519491231002x', TODAY)).toMatchObject({
      ok: true,
      value: { number: 'G11010519491231002X' },
    });
    expect(parseStudentNumber('G110101200001011234', TODAY)).toEqual({ ok: false, problem: 'checkDigit' });
  });

  it('J + school division, birth date, sequence and a MOD 11-2 check character', () => {
    // Same digits as the leap-day ID number above: check character 2.
    expect(parseStudentNumber('J110105202002290012', TODAY)).toEqual({
      ok: true,
      value: { number: 'J110105202002290012', form: 'J', divisionCode: '110105', birthDate: '2020-02-29' },
    });
    expect(parseStudentNumber('J110105202002290013', TODAY)).toEqual({ ok: false, problem: 'checkDigit' });
  });

  it('L + school division, birth date and 4 random digits (no check character)', () => {
    expect(parseStudentNumber('L110105202002291234', TODAY)).toEqual({
      ok: true,
      value: { number: 'L110105202002291234', form: 'L', divisionCode: '110105', birthDate: '2020-02-29' },
    });
    expect(parseStudentNumber('L990105202002291234', TODAY)).toEqual({ ok: false, problem: 'province' });
    expect(parseStudentNumber('L110105202302301234', TODAY)).toEqual({ ok: false, problem: 'birthDate' });
    expect(parseStudentNumber('L11010520200229123X', TODAY)).toEqual({ ok: false, problem: 'format' });
  });

  it('refuses other letters and lengths', () => {
    expect(parseStudentNumber('X11010519491231002X', TODAY)).toEqual({
      ok: false,
      problem: 'studentNumberPrefix',
    });
    expect(parseStudentNumber('11010519491231002X', TODAY)).toEqual({ ok: false, problem: 'format' });
    expect(parseStudentNumber('G1101051949123100', TODAY)).toEqual({ ok: false, problem: 'format' });
    expect(parseStudentNumber('', TODAY)).toEqual({ ok: false, problem: 'empty' });
  });

  it('names a message code for each problem, per field', () => {
    expect(idNumberProblemMessage('format')).toBe('idNumber.format');
    expect(idNumberProblemMessage('format', 'studentNumber')).toBe('studentNumber.format');
    expect(idNumberProblemMessage('checkDigit', 'studentNumber')).toBe('idNumber.check_digit');
  });
});
