/**
 * The rules a person's registration data must meet, reported field by field (every bad field at
 * once). Pure: used by `registerPerson` and by anything that validates persons before writing.
 */

import { normaliseIdentifier } from '../../access/protect';
import { chinaToday } from '../../china-time';
import { type FieldError, fieldError } from '../../errors';
import { isValidCode } from '../../standards/codes';
import { idNumberProblemMessage, parseIdDocument, RESIDENT_ID_CARD } from '../../standards/id-number';

export interface PersonInput {
  name: string;
  /** GB/T 2261.1; read from a 居民身份证 number when left out. */
  genderCode?: string | null;
  /** ISO date; read from a 居民身份证 number when left out. */
  birthDate?: string | null;
  /** GB/T 3304. */
  ethnicityCode?: string | null;
  /** JY/T 1001 身份证件类型; '1' (居民身份证) when a number is given without a type. */
  idType?: string | null;
  idNumber?: string | null;
  phone?: string | null;
}

/** Registration data after the checks: trimmed, normalised, with what the ID number tells filled in. */
export interface CheckedPerson {
  name: string;
  genderCode: string | null;
  birthDate: string | null;
  ethnicityCode: string | null;
  idType: string | null;
  /** Normalised (upper case, ASCII): what is hashed and encrypted. */
  idNumber: string | null;
  phone: string | null;
}

const blank = (v: string | null | undefined) => v == null || v.trim() === '';
const MOBILE = /^1\d{10}$/;
const LANDLINE = /^0\d{9,11}$/;

function isIsoDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/**
 * Check registration data. Field errors are named `${path}.name`, `${path}.idNumber`, …; they never
 * repeat the values themselves (an ID number must not travel into logs through an error text).
 */
export function checkPersonInput(
  input: PersonInput,
  path = 'body',
  today = chinaToday(),
): { ok: true; value: CheckedPerson } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const at = (field: string) => `${path}.${field}`;

  const name = input.name?.trim() ?? '';
  const nameLength = Array.from(name).length;
  if (nameLength < 1 || nameLength > 50) errors.push(fieldError(at('name'), 'person.name_invalid'));

  let genderCode = blank(input.genderCode) ? null : (input.genderCode as string).trim();
  if (genderCode !== null && !isValidCode('gender', genderCode)) {
    errors.push(fieldError(at('genderCode'), 'person.gender_unknown'));
  }
  const ethnicityCode = blank(input.ethnicityCode) ? null : (input.ethnicityCode as string).trim();
  if (ethnicityCode !== null && !isValidCode('ethnicity', ethnicityCode)) {
    errors.push(fieldError(at('ethnicityCode'), 'person.ethnicity_unknown'));
  }
  let birthDate = blank(input.birthDate) ? null : (input.birthDate as string).trim();
  const birthDateOk =
    birthDate === null || (isIsoDate(birthDate) && birthDate >= '1900-01-01' && birthDate <= today);
  if (!birthDateOk) errors.push(fieldError(at('birthDate'), 'person.birth_date_invalid'));

  let idType = blank(input.idType) ? null : (input.idType as string).trim().toUpperCase();
  let idNumber: string | null = null;
  if (!blank(input.idNumber)) {
    idType ??= RESIDENT_ID_CARD;
    if (!isValidCode('idDocumentType', idType)) {
      errors.push(fieldError(at('idType'), 'idNumber.unknown_type'));
    } else {
      const doc = parseIdDocument(idType, input.idNumber as string, today);
      if (!doc.ok) {
        errors.push(fieldError(at('idNumber'), idNumberProblemMessage(doc.problem)));
      } else {
        idNumber = doc.value.idNumber;
        const resident = doc.value.resident;
        if (resident) {
          if (birthDate !== null && birthDateOk && birthDate !== resident.birthDate) {
            errors.push(fieldError(at('birthDate'), 'person.birth_date_mismatch'));
          }
          if ((genderCode === '1' || genderCode === '2') && genderCode !== resident.genderCode) {
            errors.push(fieldError(at('genderCode'), 'person.gender_mismatch'));
          }
          birthDate ??= resident.birthDate;
          genderCode ??= resident.genderCode;
        }
      }
    }
  } else if (idType !== null) {
    errors.push(fieldError(at('idNumber'), 'idNumber.empty'));
  }

  let phone: string | null = null;
  if (!blank(input.phone)) {
    phone = normaliseIdentifier('phone', input.phone as string);
    if (!MOBILE.test(phone) && !LANDLINE.test(phone))
      errors.push(fieldError(at('phone'), 'person.phone_invalid'));
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: { name, genderCode, birthDate, ethnicityCode, idType: idNumber ? idType : null, idNumber, phone },
  };
}
