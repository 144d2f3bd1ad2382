/**
 * Checking one roster row at a time: required cells, coded values (code or name), dates, the ID
 * number (GB 11643 for 居民身份证, via src/standards/id-number.ts) and its agreement with 出生日期 and
 * 性别, the class (a class of the school in the current academic year), guardians' phones, and the
 * same person twice in one file. Pure: the caller supplies the school's classes and today's date.
 * A valid row becomes a normalised payload; a bad one a list of problems naming column and rule.
 */

import { addDays } from '../../china-time';
import {
  idNumberProblemMessage,
  parseIdDocument,
  parseResidentIdNumber,
  parseStudentNumber,
  RESIDENT_ID_CARD,
  type ResidentIdParts,
} from '../../standards/id-number';
import { gradeName } from '../../standards/school-types';
import {
  codeLookup,
  EXAMPLE_STAFF_ID,
  EXAMPLE_STUDENT_ID,
  type ImportColumn,
  type ImportKind,
  importColumns,
  normaliseHeader,
  parseBoolean,
} from './imports-columns';
import { idProblemText, type LocalText, type RowProblemCode, rowProblemText } from './imports-messages';
import { type Cell, ImportFileError, type SheetRow } from './imports-parse';

export interface RowProblem {
  /** The column's header as in the template (Chinese). */
  column: string;
  code: string;
  message: LocalText;
}

export interface GuardianPayload {
  name: string;
  relationCode: string;
  /** Normalised 11-digit mobile number. */
  phone: string;
  idNumber: string | null;
}

export interface StudentPayload {
  kind: 'students';
  name: string;
  genderCode: string;
  birthDate: string;
  ethnicityCode: string;
  idType: string;
  idNumber: string;
  studentNumber: string | null;
  classId: string;
  enteredOn: string;
  guardians: GuardianPayload[];
}

export interface StaffPayload {
  kind: 'staff';
  name: string;
  genderCode: string;
  birthDate: string;
  idType: string;
  idNumber: string;
  postCode: string;
  establishmentCode: string;
  isFullTimeTeacher: boolean;
  startedOn: string;
  phone: string | null;
}

export type RowPayload = StudentPayload | StaffPayload;

export type RowResult =
  | { valid: true; payload: RowPayload; problems: [] }
  | { valid: false; payload: null; problems: RowProblem[] };

/** A class of the school in the current academic year, with its grade. */
export interface ClassOption {
  id: string;
  name: string;
  gradeCode: string | null;
  /** Name of the grade unit above the class (e.g. 一年级). */
  gradeName: string | null;
  classNumber: number | null;
}

export interface ValidationEnv {
  today: string;
  /** Current academic year's name, for messages. */
  yearName: string;
  classes: readonly ClassOption[];
}

const MAX_TEXT = 100;
const MAX_NAME = 50;
const MOBILE = /^1[3-9]\d{9}$/;

/** Compare names as people write them: full-width folded, spaces and brackets dropped. */
const foldName = (text: string) => text.normalize('NFKC').replace(/[\s()（）]/g, '');

/** Excel date serial (days since 1899-12-30, the 1900 leap-year quirk included) → ISO date. */
function serialToDate(serial: number): string | undefined {
  if (!Number.isInteger(serial) || serial < 1 || serial > 2_958_465) return undefined;
  return new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
}

function isoFromParts(y: number, m: number, d: number): string | undefined {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return undefined;
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 2019-03-07, 2019/3/7, 2019.3.7, 2019年3月7日, 20190307, an Excel date or date serial → ISO date. */
export function parseDateCell(cell: Cell): string | undefined {
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return undefined;
    return isoFromParts(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
  }
  if (typeof cell === 'number') {
    if (cell >= 10_000_101 && cell <= 99_991_231) return parseDateCell(String(cell));
    return serialToDate(cell);
  }
  if (typeof cell !== 'string') return undefined;
  const text = cell.normalize('NFKC').trim();
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00(?:\.0+)?)?)?$/.exec(text);
  if (m) return isoFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (m) return isoFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
  return undefined;
}

/** Mainland mobile number with +86, spaces and dashes removed, or undefined. */
export function parseMobile(text: string): string | undefined {
  const v = text
    .normalize('NFKC')
    .replace(/[\s-]/g, '')
    .replace(/^\+?86(?=1\d{10}$)/, '');
  return MOBILE.test(v) ? v : undefined;
}

function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return parseDateCell(cell) ?? '';
  if (typeof cell === 'boolean') return cell ? '是' : '否';
  return String(cell).trim();
}

/** An 18-digit number that went through a numeric Excel cell: 1.10101E+17 or digits lost after the 15th. */
function mangledByExcel(cell: Cell | undefined): boolean {
  if (typeof cell === 'number') return Math.abs(cell) >= 1e15;
  return typeof cell === 'string' && /^\d(\.\d+)?E\+\d+$/i.test(cell.trim());
}

/** Where each known column sits in the file, from the header row. */
export function mapHeader(kind: ImportKind, header: readonly Cell[]): Map<string, number> {
  const byHeader = new Map(importColumns[kind].map((c) => [normaliseHeader(c.header), c]));
  const positions = new Map<string, number>();
  const repeated: string[] = [];
  header.forEach((cell, index) => {
    const column = byHeader.get(normaliseHeader(cellText(cell)));
    if (!column) return;
    if (positions.has(column.key)) repeated.push(column.header);
    else positions.set(column.key, index);
  });
  if (repeated.length > 0) throw new ImportFileError('duplicate_columns', { columns: repeated.join('、') });
  const missing = importColumns[kind].filter((c) => c.required === 'always' && !positions.has(c.key));
  if (missing.length > 0) {
    throw new ImportFileError('missing_columns', { columns: missing.map((c) => c.header).join('、') });
  }
  return positions;
}

export function isEmptyRow(row: SheetRow): boolean {
  return row.cells.every((c) => cellText(c) === '');
}

/** Finds the class a row names: a full class name, or a class number with the grade. */
export class ClassIndex {
  private readonly byName = new Map<string, ClassOption[]>();

  constructor(private readonly classes: readonly ClassOption[]) {
    for (const c of classes) {
      const key = foldName(c.name);
      this.byName.set(key, [...(this.byName.get(key) ?? []), c]);
    }
  }

  private gradeMatches(c: ClassOption, grade: string): boolean {
    const g = foldName(grade);
    return (
      (c.gradeCode !== null &&
        (c.gradeCode === g || foldName(gradeName(c.gradeCode, 'zh-CN') ?? '') === g)) ||
      (c.gradeName !== null && foldName(c.gradeName) === g)
    );
  }

  resolve(
    grade: string,
    klass: string,
  ):
    | { classId: string }
    | { problem: 'grade_not_found' | 'class_not_found' | 'class_needs_grade' | 'class_ambiguous' } {
    let candidates = this.byName.get(foldName(klass)) ?? [];
    if (candidates.length > 1 && grade) candidates = candidates.filter((c) => this.gradeMatches(c, grade));
    if (candidates.length === 0) {
      const number = /^(\d{1,2})班?$/.exec(foldName(klass));
      if (!number) return { problem: 'class_not_found' };
      if (!grade) return { problem: 'class_needs_grade' };
      const inGrade = this.classes.filter((c) => this.gradeMatches(c, grade));
      if (inGrade.length === 0) return { problem: 'grade_not_found' };
      candidates = inGrade.filter((c) => c.classNumber === Number(number[1]));
    }
    if (candidates.length === 0) return { problem: 'class_not_found' };
    if (candidates.length > 1) return { problem: 'class_ambiguous' };
    return { classId: (candidates[0] as ClassOption).id };
  }
}

/** Per row: read the cells of the known columns, collect problems. */
class RowReader {
  readonly problems: RowProblem[] = [];

  constructor(
    private readonly columns: ReadonlyMap<string, ImportColumn>,
    private readonly positions: ReadonlyMap<string, number>,
    private readonly cells: readonly Cell[],
  ) {}

  column(key: string): ImportColumn {
    const c = this.columns.get(key);
    if (!c) throw new Error(`unknown import column ${key}`);
    return c;
  }

  raw(key: string): Cell | undefined {
    const at = this.positions.get(key);
    return at === undefined ? undefined : this.cells[at];
  }

  text(key: string): string {
    return cellText(this.raw(key));
  }

  problem(key: string, code: RowProblemCode, params: Record<string, string | number> = {}): undefined {
    const column = this.column(key);
    this.problems.push({ column: column.header, code, message: rowProblemText(code, column, params) });
    return undefined;
  }

  /** The cell's text, or a 'required' problem when empty and `required`; '' when empty and optional. */
  value(key: string, required: boolean, max = MAX_TEXT): string | undefined {
    const text = this.text(key);
    if (text === '') return required ? this.problem(key, 'required') : '';
    if (Array.from(text).length > max) return this.problem(key, 'too_long', { max });
    // NUL (U+0000) cannot be stored: refused here, or writing the row would fail at confirmation.
    if (text.includes('\u0000')) return this.problem(key, 'invalid_character');
    return text;
  }

  code(key: string, required: boolean): string | undefined {
    const text = this.value(key, required);
    if (!text) return text;
    return codeLookup(this.column(key))(text) ?? this.problem(key, 'invalid_code');
  }

  date(key: string, required: boolean, today: string): string | undefined {
    const cell = this.raw(key);
    if (cellText(cell) === '') return required ? this.problem(key, 'required') : '';
    const iso = parseDateCell(typeof cell === 'string' ? cell.trim() : (cell ?? null));
    if (!iso) return this.problem(key, 'invalid_date');
    if (iso < '1900-01-01') return this.problem(key, 'date_out_of_range');
    if (iso > addDays(today, 366)) return this.problem(key, 'date_too_late');
    return iso;
  }

  mobile(key: string, required: boolean): string | undefined {
    const text = this.value(key, required);
    if (!text) return text;
    return parseMobile(text) ?? this.problem(key, 'phone_invalid');
  }

  idNumberProblem(key: string, messageCode: Parameters<typeof idProblemText>[0]): undefined {
    const column = this.column(key);
    this.problems.push({
      column: column.header,
      code: messageCode,
      message: idProblemText(messageCode, column),
    });
    return undefined;
  }
}

/** Validates the rows of one file in order; remembers ID numbers seen, to catch a person twice. */
export class RowValidator {
  private readonly columns: Map<string, ImportColumn>;
  private readonly classIndex: ClassIndex;
  private readonly seenIds = new Map<string, number>();
  private readonly seenStudentNumbers = new Map<string, number>();

  constructor(
    readonly kind: ImportKind,
    private readonly positions: ReadonlyMap<string, number>,
    private readonly env: ValidationEnv,
  ) {
    this.columns = new Map(importColumns[kind].map((c) => [c.key, c]));
    this.classIndex = new ClassIndex(env.classes);
  }

  validate(row: SheetRow): RowResult {
    const r = new RowReader(this.columns, this.positions, row.cells);
    const payload = this.kind === 'students' ? this.student(r, row.rowNumber) : this.staff(r, row.rowNumber);
    if (payload && r.problems.length === 0) return { valid: true, payload, problems: [] };
    return { valid: false, payload: null, problems: r.problems };
  }

  /** Name, ID document, and sex and birth date (read from a resident ID number when left empty). */
  private identity(r: RowReader, rowNumber: number) {
    const name = r.value('name', true, MAX_NAME);
    const idType = r.code('idType', true);
    let idNumber: string | undefined;
    let resident: ResidentIdParts | undefined;
    const example = this.kind === 'students' ? EXAMPLE_STUDENT_ID : EXAMPLE_STAFF_ID;
    if (mangledByExcel(r.raw('idNumber'))) {
      r.problem('idNumber', 'id_excel_number');
    } else {
      const text = r.value('idNumber', true, 64);
      if (text && idType) {
        const parsed = parseIdDocument(idType, text, this.env.today);
        if (!parsed.ok) r.idNumberProblem('idNumber', idNumberProblemMessage(parsed.problem));
        else if (parsed.value.idNumber === example) r.problem('idNumber', 'example_row');
        else {
          idNumber = parsed.value.idNumber;
          resident = parsed.value.resident;
          const key = `${idType}:${idNumber}`;
          const first = this.seenIds.get(key);
          if (first !== undefined) r.problem('idNumber', 'duplicate_in_file', { firstRow: first });
          else this.seenIds.set(key, rowNumber);
        }
      }
    }
    // Sex and birth date may be left to a resident ID number; a bad number is reported once, on its column.
    const derivable = idType === RESIDENT_ID_CARD;
    let genderCode: string | undefined;
    if (r.text('gender') === '') {
      genderCode = resident?.genderCode ?? (derivable ? undefined : r.problem('gender', 'required'));
    } else {
      genderCode = r.code('gender', true);
      if (genderCode && resident && genderCode !== resident.genderCode)
        genderCode = r.problem('gender', 'gender_mismatch');
    }
    let birthDate = r.date('birthDate', false, this.env.today);
    if (birthDate === '') {
      birthDate = resident?.birthDate ?? (derivable ? undefined : r.problem('birthDate', 'required'));
    } else if (birthDate && birthDate > this.env.today) {
      birthDate = r.problem('birthDate', 'date_out_of_range');
    } else if (birthDate && resident && birthDate !== resident.birthDate) {
      birthDate = r.problem('birthDate', 'birth_date_mismatch');
    }
    return { name, idType, idNumber, genderCode, birthDate };
  }

  private laterThanBirth(r: RowReader, key: string, date: string | undefined, birthDate: string | undefined) {
    if (date && birthDate && date < birthDate) return r.problem(key, 'date_before_birth');
    return date;
  }

  private student(r: RowReader, rowNumber: number): StudentPayload | null {
    const who = this.identity(r, rowNumber);
    const ethnicityCode = r.code('ethnicity', true);
    let studentNumber: string | null | undefined = null;
    const studentNumberText = r.value('studentNumber', false, 64);
    if (mangledByExcel(r.raw('studentNumber'))) studentNumber = r.problem('studentNumber', 'id_excel_number');
    else if (studentNumberText) {
      const parsed = parseStudentNumber(studentNumberText, this.env.today);
      if (!parsed.ok) {
        studentNumber = r.idNumberProblem(
          'studentNumber',
          idNumberProblemMessage(parsed.problem, 'studentNumber'),
        );
      } else {
        studentNumber = parsed.value.number;
        const first = this.seenStudentNumbers.get(studentNumber);
        if (first !== undefined)
          studentNumber = r.problem('studentNumber', 'duplicate_in_file', { firstRow: first });
        else this.seenStudentNumbers.set(studentNumber, rowNumber);
      }
    }
    const grade = r.value('grade', false) ?? '';
    const klass = r.value('class', true);
    let classId: string | undefined;
    if (klass) {
      const found = this.classIndex.resolve(grade, klass);
      if ('classId' in found) classId = found.classId;
      else {
        const onGrade = found.problem === 'grade_not_found' || found.problem === 'class_needs_grade';
        r.problem(onGrade ? 'grade' : 'class', found.problem, { year: this.env.yearName });
      }
    }
    const enteredOn = this.laterThanBirth(
      r,
      'enteredOn',
      r.date('enteredOn', true, this.env.today),
      who.birthDate,
    );
    const guardians: GuardianPayload[] = [];
    for (const n of [1, 2] as const) {
      const g = this.guardian(r, n, who.idNumber, guardians[0]);
      if (g) guardians.push(g);
    }
    const { name, idType, idNumber, genderCode, birthDate } = who;
    if (
      !name ||
      !idType ||
      !idNumber ||
      !genderCode ||
      !birthDate ||
      !ethnicityCode ||
      !classId ||
      !enteredOn
    ) {
      return null;
    }
    if (studentNumber === undefined) return null;
    return {
      kind: 'students',
      name,
      genderCode,
      birthDate,
      ethnicityCode,
      idType,
      idNumber,
      studentNumber,
      classId,
      enteredOn,
      guardians,
    };
  }

  /** Guardian n, or null when its columns are all empty (guardian 1 is required). */
  private guardian(
    r: RowReader,
    n: 1 | 2,
    studentIdNumber: string | undefined,
    first: GuardianPayload | undefined,
  ): GuardianPayload | null {
    const keys = ['name', 'relation', 'phone', 'idNumber'].map((k) => `guardian${n}.${k}`);
    const given = keys.some((k) => r.text(k) !== '');
    if (!given && n === 2) return null;
    const name = r.value(`guardian${n}.name`, true, MAX_NAME);
    const relationCode = r.code(`guardian${n}.relation`, true);
    const phone = r.mobile(`guardian${n}.phone`, true);
    let idNumber: string | null | undefined = null;
    const idKey = `guardian${n}.idNumber`;
    if (mangledByExcel(r.raw(idKey))) idNumber = r.problem(idKey, 'id_excel_number');
    else {
      const text = r.value(idKey, false, 64);
      if (text) {
        const parsed = parseResidentIdNumber(text, this.env.today);
        if (!parsed.ok) idNumber = r.idNumberProblem(idKey, idNumberProblemMessage(parsed.problem));
        else if (parsed.value.number === studentIdNumber) idNumber = r.problem(idKey, 'guardian_is_student');
        else idNumber = parsed.value.number;
      }
    }
    if (!name || !relationCode || !phone || idNumber === undefined) return null;
    const guardian = { name, relationCode, phone, idNumber };
    if (first && (idNumber ? first.idNumber === idNumber : first.name === name && first.phone === phone)) {
      return r.problem(`guardian${n}.name`, 'guardian_repeated') ?? null;
    }
    return guardian;
  }

  private staff(r: RowReader, rowNumber: number): StaffPayload | null {
    const who = this.identity(r, rowNumber);
    const postCode = r.code('post', true);
    const establishmentCode = r.code('establishment', true);
    const fullTimeText = r.value('fullTimeTeacher', true);
    let isFullTimeTeacher: boolean | undefined;
    if (fullTimeText) {
      isFullTimeTeacher = parseBoolean(fullTimeText);
      if (isFullTimeTeacher === undefined) r.problem('fullTimeTeacher', 'invalid_boolean');
    }
    const startedOn = this.laterThanBirth(
      r,
      'startedOn',
      r.date('startedOn', true, this.env.today),
      who.birthDate,
    );
    const phone = r.mobile('phone', false);
    const { name, idType, idNumber, genderCode, birthDate } = who;
    if (!name || !idType || !idNumber || !genderCode || !birthDate || !postCode || !establishmentCode)
      return null;
    if (isFullTimeTeacher === undefined || !startedOn || phone === undefined) return null;
    return {
      kind: 'staff',
      name,
      genderCode,
      birthDate,
      idType,
      idNumber,
      postCode,
      establishmentCode,
      isFullTimeTeacher,
      startedOn,
      phone: phone === '' ? null : phone,
    };
  }
}
