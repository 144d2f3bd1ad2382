import { chinaToday } from '../china-time';
/**
 * Identity document numbers.
 *
 * 居民身份证 (GB 11643-1999 公民身份号码): 18 characters = 6-digit address code (GB/T 2260, the
 * division where the number was first issued — it may have been abolished since, so only its
 * province is checked, against the mainland provinces in ./divisions) + 8-digit birth date
 * YYYYMMDD + 3-digit sequence (odd = male, even = female) + 1 check character (ISO 7064 MOD 11-2,
 * 10 written 'X').
 *
 * Other JY/T 1001 身份证件类型 (passports, permits, 户口簿 …) have no shared structure: a format
 * check only (non-empty, ≤ 32 characters, no spaces).
 *
 * 全国中小学生学籍号 (19 characters, a letter then 18), as issued by the national student-registry
 * system (全国中小学生学籍信息管理系统). No primary MoE text was at hand; the rules below are those
 * three independent secondary summaries agree on (www.sxpa18.cn/2022/jyzs_0614/396785.html,
 * xiuxiuguan.com/sh/jingyan/eg8y8j.html, lwstw.com/gongshangxinxizixun/j9cynkf3pz.html):
 *   G + 公民身份号码                                       正式学籍号, student with an ID number
 *   J + 6-digit school division + 8-digit birth date + 3-digit sequence + MOD 11-2 check
 *                                                          正式学籍号, student without an ID number
 *                                                          ("个人标识自编码", built like an ID number)
 *   L + 6-digit school division + 8-digit birth date + 4 random digits
 *                                                          临时学籍号 (before national verification;
 *                                                          港澳台, foreign, unregistered students)
 * The same pages note a G number can differ from the current ID number after an ID change, so a
 * G number is validated as an ID number but never required to equal the person's one.
 */
import type { MessageCode } from '../i18n/messages';
import { divisionLevel } from './divisions';

/** JY/T 1001 SFZJLX code of 居民身份证. */
export const RESIDENT_ID_CARD = '1';

export type IdNumberProblem =
  /** Nothing given. */
  | 'empty'
  /** Not 17 digits + digit-or-X (居民身份证), or not letter + 18 (学籍号). */
  | 'format'
  /** Address code's province is not a mainland province. */
  | 'province'
  /** Birth date is not a calendar date (20230230) or before 1900. */
  | 'birthDate'
  /** Birth date after today. */
  | 'futureBirthDate'
  /** ISO 7064 MOD 11-2 check character wrong. */
  | 'checkDigit'
  /** Other document types: longer than 32 characters. */
  | 'tooLong'
  /** Other document types: contains whitespace. */
  | 'spaces'
  /** 学籍号 starts with a letter other than G, J, L. */
  | 'studentNumberPrefix';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: IdNumberProblem };

export interface ResidentIdParts {
  /** Normalised: ASCII, upper-case X. */
  number: string;
  addressCode: string;
  /** 2-digit province code, e.g. '11'. */
  provinceCode: string;
  /** ISO date, e.g. '1949-12-31'. */
  birthDate: string;
  sex: 'male' | 'female';
  /** GB/T 2261.1 人的性别代码: '1' 男, '2' 女. */
  genderCode: '1' | '2';
}

/** Weights 2^(17−i) mod 11 for positions i = 0…16. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** The ISO 7064 MOD 11-2 check character of 17 digits: (12 − Σ aᵢ·Wᵢ mod 11) mod 11, 10 → 'X'. */
export function residentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('17 digits expected');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** Today's date in China (the birth-date bound), as YYYY-MM-DD. */

/** Fold full-width characters (NFKC), trim, upper-case: what people type into what is checked. */
function normalise(value: string): string {
  return value.normalize('NFKC').trim().toUpperCase();
}

/** YYYYMMDD → 'YYYY-MM-DD' when it is a real calendar date from 1900 on; else undefined. */
function calendarDate(yyyymmdd: string): string | undefined {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return undefined;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return undefined;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/** Address code (province known) and birth date (real, not after today) of an ID-shaped number. */
function checkAddressAndDate(
  body: string,
  today: string,
): { ok: true; birthDate: string } | { ok: false; problem: IdNumberProblem } {
  if (divisionLevel(`${body.slice(0, 2)}0000`) !== 'province') return { ok: false, problem: 'province' };
  const birthDate = calendarDate(body.slice(6, 14));
  if (!birthDate) return { ok: false, problem: 'birthDate' };
  if (birthDate > today) return { ok: false, problem: 'futureBirthDate' };
  return { ok: true, birthDate };
}

/**
 * Validate and parse an 18-character 公民身份号码. Problems are reported in the order a person
 * would fix them: format, province, birth date, check character.
 */
export function parseResidentIdNumber(value: string, today = chinaToday()): Checked<ResidentIdParts> {
  const number = normalise(value);
  if (!number) return { ok: false, problem: 'empty' };
  if (!/^\d{17}[\dX]$/.test(number)) return { ok: false, problem: 'format' };
  const parts = checkAddressAndDate(number, today);
  if (!parts.ok) return parts;
  if (residentIdCheckDigit(number.slice(0, 17)) !== number[17]) return { ok: false, problem: 'checkDigit' };
  const male = Number(number[16]) % 2 === 1;
  return {
    ok: true,
    value: {
      number,
      addressCode: number.slice(0, 6),
      provinceCode: number.slice(0, 2),
      birthDate: parts.birthDate,
      sex: male ? 'male' : 'female',
      genderCode: male ? '1' : '2',
    },
  };
}

export function isValidResidentIdNumber(value: string, today = chinaToday()): boolean {
  return parseResidentIdNumber(value, today).ok;
}

export interface IdDocument {
  idType: string;
  /** Normalised number (trimmed, NFKC, upper case): what is hashed and encrypted. */
  idNumber: string;
  /** Set for 居民身份证: birth date and sex read from the number. */
  resident?: ResidentIdParts;
}

/**
 * Validate a number for its JY/T 1001 身份证件类型: the full GB 11643 rules for 居民身份证 ('1'),
 * a format check for the others. The type itself is checked by the caller against
 * `codeList('idDocumentType')`.
 */
export function parseIdDocument(idType: string, idNumber: string, today = chinaToday()): Checked<IdDocument> {
  if (idType === RESIDENT_ID_CARD) {
    const parsed = parseResidentIdNumber(idNumber, today);
    if (!parsed.ok) return parsed;
    return { ok: true, value: { idType, idNumber: parsed.value.number, resident: parsed.value } };
  }
  const number = normalise(idNumber);
  if (!number) return { ok: false, problem: 'empty' };
  if (/\s/.test(number)) return { ok: false, problem: 'spaces' };
  if (Array.from(number).length > 32) return { ok: false, problem: 'tooLong' };
  return { ok: true, value: { idType, idNumber: number } };
}

export interface StudentNumberParts {
  /** Normalised 19 characters, e.g. 'G11010519491231002X'. */
  number: string;
  /** G 正式 (with ID number), J 正式 (self-coded), L 临时. */
  form: 'G' | 'J' | 'L';
  /** The ID number inside a G number. */
  idNumber?: string;
  /** Address code (G) or the school's division code (J, L). */
  divisionCode: string;
  birthDate: string;
}

/** Validate and parse a 全国中小学生学籍号 (see the header for the forms and their source). */
export function parseStudentNumber(value: string, today = chinaToday()): Checked<StudentNumberParts> {
  const number = normalise(value);
  if (!number) return { ok: false, problem: 'empty' };
  if (!/^[A-Z]/.test(number)) return { ok: false, problem: 'format' };
  const form = number[0];
  if (form !== 'G' && form !== 'J' && form !== 'L') return { ok: false, problem: 'studentNumberPrefix' };
  const body = number.slice(1);
  if (form === 'G' || form === 'J') {
    const id = parseResidentIdNumber(body, today);
    if (!id.ok) return id;
    return {
      ok: true,
      value: {
        number,
        form,
        ...(form === 'G' ? { idNumber: id.value.number } : {}),
        divisionCode: id.value.addressCode,
        birthDate: id.value.birthDate,
      },
    };
  }
  if (!/^\d{18}$/.test(body)) return { ok: false, problem: 'format' };
  const parts = checkAddressAndDate(body, today);
  if (!parts.ok) return parts;
  return { ok: true, value: { number, form, divisionCode: body.slice(0, 6), birthDate: parts.birthDate } };
}

export function isValidStudentNumber(value: string, today = chinaToday()): boolean {
  return parseStudentNumber(value, today).ok;
}

/** The message code (src/i18n/messages.ts) of a problem, for an ID number or a 学籍号 field. */
export function idNumberProblemMessage(
  problem: IdNumberProblem,
  field: 'idNumber' | 'studentNumber' = 'idNumber',
): MessageCode {
  switch (problem) {
    case 'empty':
      return field === 'idNumber' ? 'idNumber.empty' : 'studentNumber.empty';
    case 'format':
      return field === 'idNumber' ? 'idNumber.format' : 'studentNumber.format';
    case 'studentNumberPrefix':
      return 'studentNumber.prefix';
    case 'province':
      return 'idNumber.province';
    case 'birthDate':
      return 'idNumber.birth_date';
    case 'futureBirthDate':
      return 'idNumber.future_birth_date';
    case 'checkDigit':
      return 'idNumber.check_digit';
    case 'tooLong':
      return 'idNumber.too_long';
    case 'spaces':
      return 'idNumber.spaces';
  }
}
