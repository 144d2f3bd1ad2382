import { describe, expect, it } from 'vitest';
import { checkPersonInput } from './persons-validation';

const TODAY = '2026-05-01';
const codes = (r: ReturnType<typeof checkPersonInput>) => (r.ok ? [] : r.errors.map((e) => [e.path, e.code]));

describe('checkPersonInput', () => {
  it('reads birth date and sex from a 居民身份证 number, and defaults the type to 1', () => {
    // GB 11643's example: born 1949-12-31, sequence 002 (even: female).
    expect(checkPersonInput({ name: ' 王芳 ', idNumber: '11010519491231002x' }, 'body', TODAY)).toEqual({
      ok: true,
      value: {
        name: '王芳',
        genderCode: '2',
        birthDate: '1949-12-31',
        ethnicityCode: null,
        idType: '1',
        idNumber: '11010519491231002X',
        phone: null,
      },
    });
  });

  it('accepts other documents by format only, and a person without any document', () => {
    const passport = checkPersonInput(
      { name: 'Anna', idType: 'a', idNumber: 'E12345678', genderCode: '2' },
      'body',
      TODAY,
    );
    expect(passport).toMatchObject({
      ok: true,
      value: { idType: 'A', idNumber: 'E12345678', birthDate: null },
    });
    expect(checkPersonInput({ name: '无证件' }, 'body', TODAY)).toMatchObject({
      ok: true,
      value: { idType: null },
    });
  });

  it('names every bad field under the given path', () => {
    expect(
      codes(
        checkPersonInput(
          {
            name: '',
            genderCode: '3',
            birthDate: '2026-02-30',
            ethnicityCode: '00',
            idType: 'Q',
            idNumber: 'x',
            phone: '1381234',
          },
          'rows.7',
          TODAY,
        ),
      ),
    ).toEqual([
      ['rows.7.name', 'person.name_invalid'],
      ['rows.7.genderCode', 'person.gender_unknown'],
      ['rows.7.ethnicityCode', 'person.ethnicity_unknown'],
      ['rows.7.birthDate', 'person.birth_date_invalid'],
      ['rows.7.idType', 'idNumber.unknown_type'],
      ['rows.7.phone', 'person.phone_invalid'],
    ]);
    expect(codes(checkPersonInput({ name: '甲', idType: '1' }, 'body', TODAY))).toEqual([
      ['body.idNumber', 'idNumber.empty'],
    ]);
    expect(
      codes(
        checkPersonInput(
          { name: '甲', idNumber: '11010519491231002X', genderCode: '1', birthDate: '1949-12-30' },
          'body',
          TODAY,
        ),
      ),
    ).toEqual([
      ['body.birthDate', 'person.birth_date_mismatch'],
      ['body.genderCode', 'person.gender_mismatch'],
    ]);
  });

  it('normalises phone numbers: mobile or landline with area code', () => {
    expect(checkPersonInput({ name: '甲', phone: '+86 138-1234-5678' }, 'body', TODAY)).toMatchObject({
      ok: true,
      value: { phone: '13812345678' },
    });
    expect(checkPersonInput({ name: '甲', phone: '010-65123456' }, 'body', TODAY)).toMatchObject({
      ok: true,
      value: { phone: '01065123456' },
    });
  });
});
