/**
 * The columns of the roster import files (students with guardians; staff): Chinese headers, what
 * each column holds, whether it is required, and the coded values it accepts. A coded cell may hold
 * the code or the Chinese name ('男' or '1', '汉族' or '01', '居民身份证' or '1'). The template,
 * its 填写说明 sheet and the row validator are all built from these lists.
 */
import { codeList } from '../../standards/codes';
import { guardianRelations } from '../../standards/family-relation';
import { RESIDENT_ID_CARD } from '../../standards/id-number';

export const importKinds = ['students', 'staff'] as const;
export type ImportKind = (typeof importKinds)[number];

export interface CodeOption {
  code: string;
  name: string;
}

/**
 * always: every row; unlessResidentId: may be left empty when the ID type is 居民身份证 (read from
 * the number); ifGuardian: required once any column of that guardian is filled; optional.
 */
export type Requirement = 'always' | 'unlessResidentId' | 'ifGuardian' | 'optional';

export type ColumnType =
  | 'text'
  | 'date'
  | 'code'
  | 'idNumber'
  | 'studentNumber'
  | 'phone'
  | 'boolean'
  | 'class';

export interface ImportColumn {
  key: string;
  header: string;
  en: string;
  required: Requirement;
  type: ColumnType;
  /** Coded columns: the accepted codes (and names). */
  options?: () => readonly CodeOption[];
  /** Extra accepted spellings → code ('男' for '1', '身份证' for '1'). */
  aliases?: Readonly<Record<string, string>>;
  /** The format note of the 填写说明 sheet. */
  note: { 'zh-CN': string; en: string };
  /** The template's example row (a fictitious person). */
  example: string;
  width: number;
}

/** A made-up child and parents; the ID numbers carry valid check digits (GB 11643). */
export const EXAMPLE_STUDENT_ID = '110101201903070033';
export const EXAMPLE_GUARDIAN_ID = '110101198805120012';
export const EXAMPLE_STAFF_ID = '110101199002030026';

const genderOptions = (): readonly CodeOption[] => [
  { code: '1', name: '男' },
  { code: '2', name: '女' },
];
const genderAliases = { 男性: '1', 女性: '2' } as const;
const idTypeAliases = { 身份证: RESIDENT_ID_CARD, 二代身份证: RESIDENT_ID_CARD } as const;
const relationOptions = (): readonly CodeOption[] =>
  guardianRelations.map(({ code, name }) => ({ code, name }));
const relationAliases = {
  爸爸: '51',
  母: '52',
  父: '51',
  妈妈: '52',
  爷爷: '61',
  奶奶: '62',
  外公: '63',
  外婆: '64',
};

const nameNote = { 'zh-CN': '1–50 个字', en: '1–50 characters' };
const dateNote = {
  'zh-CN': '日期，如 2019-03-07（也可写 2019/3/7、20190307，或用 Excel 日期格式）',
  en: 'A date such as 2019-03-07 (2019/3/7, 20190307 or an Excel date also work)',
};
const derivedNote = (what: { 'zh-CN': string; en: string }) => ({
  'zh-CN': `${what['zh-CN']}；证件类型为居民身份证时可不填，自动从证件号读取（填写则须与号码一致）`,
  en: `${what.en}; may be left empty for a resident ID card (read from the number; if filled it must match)`,
});

const person = {
  name: (example: string): ImportColumn => ({
    key: 'name',
    header: '姓名',
    en: 'Name',
    required: 'always',
    type: 'text',
    note: nameNote,
    example,
    width: 12,
  }),
  gender: (example: string): ImportColumn => ({
    key: 'gender',
    header: '性别',
    en: 'Gender',
    required: 'unlessResidentId',
    type: 'code',
    options: genderOptions,
    aliases: genderAliases,
    note: derivedNote({ 'zh-CN': '男 / 女（或代码 1 / 2）', en: '男 / 女 (or the codes 1 / 2)' }),
    example,
    width: 8,
  }),
  birthDate: (example: string): ImportColumn => ({
    key: 'birthDate',
    header: '出生日期',
    en: 'Date of birth',
    required: 'unlessResidentId',
    type: 'date',
    note: derivedNote(dateNote),
    example,
    width: 14,
  }),
  idType: (): ImportColumn => ({
    key: 'idType',
    header: '身份证件类型',
    en: 'ID document type',
    required: 'always',
    type: 'code',
    options: () => codeList('idDocumentType'),
    aliases: idTypeAliases,
    note: {
      'zh-CN': 'JY/T 1001 身份证件类型的名称或代码，如 居民身份证 或 1',
      en: 'A JY/T 1001 ID document type, by name or code, e.g. 居民身份证 or 1',
    },
    example: '居民身份证',
    width: 14,
  }),
  idNumber: (example: string): ImportColumn => ({
    key: 'idNumber',
    header: '身份证件号',
    en: 'ID number',
    required: 'always',
    type: 'idNumber',
    note: {
      'zh-CN': '居民身份证须为 18 位且校验位正确；请将本列设为“文本”格式，以免 Excel 丢失末几位',
      en: 'A resident ID card has 18 characters with a valid check character; format the column as text so Excel keeps every digit',
    },
    example,
    width: 22,
  }),
};

const guardianColumns = (n: 1 | 2): ImportColumn[] => {
  const required: Requirement = n === 1 ? 'always' : 'ifGuardian';
  const example = n === 1;
  return [
    {
      key: `guardian${n}.name`,
      header: `监护人${n}姓名`,
      en: `Guardian ${n} name`,
      required,
      type: 'text',
      note: {
        'zh-CN': n === 1 ? '1–50 个字；每名学生至少填写一位监护人' : '1–50 个字；没有第二位监护人时整组留空',
        en:
          n === 1
            ? '1–50 characters; every student needs at least one guardian'
            : '1–50 characters; leave the whole group empty when there is no second guardian',
      },
      example: example ? '张建国' : '',
      width: 12,
    },
    {
      key: `guardian${n}.relation`,
      header: `监护人${n}关系`,
      en: `Guardian ${n} relation`,
      required,
      type: 'code',
      options: relationOptions,
      aliases: relationAliases,
      note: {
        'zh-CN': '监护人是学生的什么人：GB/T 4761 家庭关系的名称或代码，如 父亲 或 51',
        en: 'What the guardian is to the student: a GB/T 4761 family relation, by name or code, e.g. 父亲 or 51',
      },
      example: example ? '父亲' : '',
      width: 12,
    },
    {
      key: `guardian${n}.phone`,
      header: `监护人${n}电话`,
      en: `Guardian ${n} phone`,
      required,
      type: 'phone',
      note: {
        'zh-CN': '11 位手机号码，如 13800138000（可带 +86 或短横线）',
        en: 'An 11-digit mobile number such as 13800138000 (+86 and dashes are allowed)',
      },
      example: example ? '13800138000' : '',
      width: 15,
    },
    {
      key: `guardian${n}.idNumber`,
      header: `监护人${n}身份证件号`,
      en: `Guardian ${n} ID number`,
      required: 'optional',
      type: 'idNumber',
      note: {
        'zh-CN': '选填；18 位居民身份证号码，用于识别同一位监护人',
        en: 'Optional; an 18-character resident ID number, used to recognise the same guardian',
      },
      example: example ? EXAMPLE_GUARDIAN_ID : '',
      width: 22,
    },
  ];
};

const studentColumns: readonly ImportColumn[] = [
  person.name('张小明'),
  person.gender('男'),
  person.birthDate('2019-03-07'),
  {
    key: 'ethnicity',
    header: '民族',
    en: 'Ethnicity',
    required: 'always',
    type: 'code',
    options: () => codeList('ethnicity'),
    note: {
      'zh-CN': 'GB/T 3304 民族名称或代码，如 汉族 或 01',
      en: 'A GB/T 3304 ethnic group, by name or code, e.g. 汉族 or 01',
    },
    example: '汉族',
    width: 10,
  },
  person.idType(),
  person.idNumber(EXAMPLE_STUDENT_ID),
  {
    key: 'studentNumber',
    header: '学籍号',
    en: 'Student number',
    required: 'optional',
    type: 'studentNumber',
    note: {
      'zh-CN': '选填；全国学籍号，19 位：G、J 或 L 加 18 位',
      en: 'Optional; the national student number: G, J or L followed by 18 characters',
    },
    example: `G${EXAMPLE_STUDENT_ID}`,
    width: 23,
  },
  {
    key: 'grade',
    header: '年级',
    en: 'Grade',
    required: 'optional',
    type: 'text',
    note: {
      'zh-CN': '年级名称或代码，如 一年级 或 11；班级只填班号时必填',
      en: 'The grade, by name or code, e.g. 一年级 or 11; required when the class column holds only a number',
    },
    example: '一年级',
    width: 10,
  },
  {
    key: 'class',
    header: '班级',
    en: 'Class',
    required: 'always',
    type: 'class',
    note: {
      'zh-CN': '班号（如 1 或 1班，配合年级列）或完整班级名称（如 一年级1班）；须是本校当前学年已建立的班级',
      en: 'The class number (1 or 1班, with the grade column) or the full class name (一年级1班); a class of the school in the current academic year',
    },
    example: '1',
    width: 12,
  },
  {
    key: 'enteredOn',
    header: '入学日期',
    en: 'Date of entry',
    required: 'always',
    type: 'date',
    note: dateNote,
    example: '2025-09-01',
    width: 14,
  },
  ...guardianColumns(1),
  ...guardianColumns(2),
];

const staffColumns: readonly ImportColumn[] = [
  person.name('李文华'),
  person.gender('女'),
  person.birthDate('1990-02-03'),
  person.idType(),
  person.idNumber(EXAMPLE_STAFF_ID),
  {
    key: 'post',
    header: '岗位',
    en: 'Post',
    required: 'always',
    type: 'code',
    options: () => codeList('post'),
    note: {
      'zh-CN': 'JY/T 1001 岗位职业的名称或代码，如 教师 或 10',
      en: 'A JY/T 1001 post, by name or code, e.g. 教师 or 10',
    },
    example: '教师',
    width: 14,
  },
  {
    key: 'establishment',
    header: '编制类别',
    en: 'Establishment category',
    required: 'always',
    type: 'code',
    options: () => codeList('staffingCategory'),
    note: {
      'zh-CN': 'JY/T 1001 中小学编制类别的名称或代码，如 专任教师 或 1',
      en: 'A JY/T 1001 establishment category, by name or code, e.g. 专任教师 or 1',
    },
    example: '专任教师',
    width: 14,
  },
  {
    key: 'fullTimeTeacher',
    header: '是否专任教师',
    en: 'Full-time teacher',
    required: 'always',
    type: 'boolean',
    note: { 'zh-CN': '是 / 否', en: '是 (yes) / 否 (no)' },
    example: '是',
    width: 12,
  },
  {
    key: 'startedOn',
    header: '入职日期',
    en: 'Date joined',
    required: 'always',
    type: 'date',
    note: dateNote,
    example: '2015-08-25',
    width: 14,
  },
  {
    key: 'phone',
    header: '手机号',
    en: 'Mobile phone',
    required: 'optional',
    type: 'phone',
    note: {
      'zh-CN': '选填；11 位手机号码',
      en: 'Optional; an 11-digit mobile number',
    },
    example: '13900139000',
    width: 15,
  },
];

export const importColumns: Record<ImportKind, readonly ImportColumn[]> = {
  students: studentColumns,
  staff: staffColumns,
};

export const requirementText: Record<Requirement, { 'zh-CN': string; en: string }> = {
  always: { 'zh-CN': '必填', en: 'Required' },
  unlessResidentId: {
    'zh-CN': '必填（居民身份证可不填）',
    en: 'Required (optional with a resident ID card)',
  },
  ifGuardian: { 'zh-CN': '填写该监护人时必填', en: 'Required for a guardian who is given' },
  optional: { 'zh-CN': '选填', en: 'Optional' },
};

/** Headers as people type them: full-width folded, spaces and required markers (*, （必填）) removed. */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/^\uFEFF/, '')
    .replace(/\s+/g, '')
    .replace(/\*/g, '')
    .replace(/\((必填|选填)\)$/, '');
}

/** Cell text as compared with codes and names: full-width folded, spaces removed. */
function fold(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}

export type CodeLookup = (value: string) => string | undefined;

/**
 * A lookup from what people type to a code: the code itself (upper-cased; a one-digit '1' for
 * two-digit code lists such as 民族 '01', as Excel drops the zero), the name, the name without a
 * trailing 族 ('汉' for '汉族'), or an alias.
 */
const lookups = new WeakMap<ImportColumn, CodeLookup>();

export function codeLookup(column: ImportColumn): CodeLookup {
  const cached = lookups.get(column);
  if (cached) return cached;
  const map = new Map<string, string>();
  for (const { code, name } of column.options?.() ?? []) {
    map.set(fold(code).toUpperCase(), code);
    if (/^0\d$/.test(code)) map.set(code.slice(1), code);
    map.set(fold(name), code);
    if (name.endsWith('族') && name.length > 2) map.set(fold(name.slice(0, -1)), code);
  }
  for (const [alias, code] of Object.entries(column.aliases ?? {})) map.set(fold(alias), code);
  const lookup: CodeLookup = (value) => {
    const key = fold(value);
    return map.get(key) ?? map.get(key.toUpperCase());
  };
  lookups.set(column, lookup);
  return lookup;
}

const yes = new Set(['是', 'Y', 'YES', 'TRUE', '1', '√', '✓']);
const no = new Set(['否', 'N', 'NO', 'FALSE', '0', '×', '✗']);

export function parseBoolean(value: string): boolean | undefined {
  const key = fold(value).toUpperCase();
  if (yes.has(key)) return true;
  if (no.has(key)) return false;
  return undefined;
}
