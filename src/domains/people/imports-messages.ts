/**
 * The texts of a roster import report: one per row problem and one per reason a whole file failed,
 * in zh-CN and English. They name the row and column and the rule, never the value typed (it may be
 * an ID number). ID-number problems reuse the messages of src/standards/id-number.ts.
 */
import { type Lang, type MessageCode, translate } from '../../i18n/messages';

export type LocalText = Record<Lang, string>;

const rowTexts = {
  required: { 'zh-CN': '{column}：必填，不能为空', en: '{columnEn}: required' },
  too_long: { 'zh-CN': '{column}：不能超过 {max} 个字', en: '{columnEn}: at most {max} characters' },
  invalid_character: {
    'zh-CN': '{column}：含有不可见的控制字符（U+0000），请删除后重新填写',
    en: '{columnEn}: contains an invisible control character (U+0000); remove it',
  },
  invalid_code: {
    'zh-CN': '{column}：不是可用的值，请填写“填写说明”中列出的名称或代码',
    en: '{columnEn}: not an accepted value; use a name or code listed in the 填写说明 sheet',
  },
  invalid_boolean: { 'zh-CN': '{column}：请填写“是”或“否”', en: '{columnEn}: use 是 (yes) or 否 (no)' },
  invalid_date: {
    'zh-CN': '{column}：不是有效日期，请写成 2019-03-07 的形式',
    en: '{columnEn}: not a valid date; write it like 2019-03-07',
  },
  date_out_of_range: {
    'zh-CN': '{column}：日期须在 1900-01-01 至今天之间',
    en: '{columnEn}: the date must lie between 1900-01-01 and today',
  },
  date_before_birth: {
    'zh-CN': '{column}：日期早于出生日期',
    en: '{columnEn}: the date is before the date of birth',
  },
  date_too_late: {
    'zh-CN': '{column}：日期不能晚于一年后',
    en: '{columnEn}: the date cannot be more than a year ahead',
  },
  id_excel_number: {
    'zh-CN': '{column}：号码被 Excel 存成了数字，末几位已经丢失；请把该列设为“文本”格式后重新填写',
    en: '{columnEn}: Excel stored the number as a numeric value and lost its last digits; format the column as text and enter it again',
  },
  id_problem: { 'zh-CN': '{column}：{detail}', en: '{columnEn}: {detailEn}' },
  birth_date_mismatch: {
    'zh-CN': '{column}：与身份证件号中的出生日期不一致',
    en: '{columnEn}: differs from the birth date in the ID number',
  },
  gender_mismatch: {
    'zh-CN': '{column}：与身份证件号中的性别不一致',
    en: '{columnEn}: differs from the sex in the ID number',
  },
  duplicate_in_file: {
    'zh-CN': '{column}：与第 {firstRow} 行重复，同一人在文件中只能出现一次',
    en: '{columnEn}: the same as row {firstRow}; a person may appear only once in the file',
  },
  grade_not_found: {
    'zh-CN': '{column}：本校没有这个年级',
    en: '{columnEn}: the school has no such grade',
  },
  class_not_found: {
    'zh-CN': '{column}：本校当前学年（{year}）没有这个班级',
    en: '{columnEn}: the school has no such class in the current academic year ({year})',
  },
  class_needs_grade: {
    'zh-CN': '{column}：班级只填班号时须填写年级',
    en: '{columnEn}: required when the class column holds only a class number',
  },
  class_ambiguous: {
    'zh-CN': '{column}：有多个班级与之对应，请填写完整班级名称',
    en: '{columnEn}: more than one class matches; give the full class name',
  },
  phone_invalid: {
    'zh-CN': '{column}：须为 11 位手机号码，如 13800138000',
    en: '{columnEn}: an 11-digit mobile number is needed, such as 13800138000',
  },
  guardian_is_student: {
    'zh-CN': '{column}：监护人不能是学生本人',
    en: '{columnEn}: the guardian cannot be the student',
  },
  guardian_repeated: {
    'zh-CN': '{column}：两位监护人是同一人',
    en: '{columnEn}: both guardians are the same person',
  },
  example_row: {
    'zh-CN': '{column}：这是模板中的示例行，请删除后再导入',
    en: '{columnEn}: this is the example row of the template; delete it before importing',
  },
  // Found when the confirmed rows are written (the data changed since the file was checked).
  enrolled_elsewhere: {
    'zh-CN': '{column}：该学生在其他学校有在籍学籍，请走转学流程，未导入',
    en: '{columnEn}: the student is enrolled at another school; use a transfer (row not imported)',
  },
  enrolment_inactive: {
    'zh-CN': '{column}：该学生在本校的学籍不是在籍状态（如休学、转出），请在学籍管理中处理，未导入',
    en: '{columnEn}: the student’s registration at this school is not active (suspended, transferred …); handle it in registration management (row not imported)',
  },
  class_gone: {
    'zh-CN': '{column}：班级已不存在或已撤销，未导入',
    en: '{columnEn}: the class no longer exists or is closed (row not imported)',
  },
  student_number_taken: {
    'zh-CN': '{column}：该学籍号已属于另一名在籍学生，未导入',
    en: '{columnEn}: the student number belongs to another enrolled student (row not imported)',
  },
  student_number_differs: {
    'zh-CN': '{column}：与系统中该学生的学籍号不一致，请在学籍管理中核对，未导入',
    en: '{columnEn}: differs from the student number on record; check it in registration management (row not imported)',
  },
  staff_post_differs: {
    'zh-CN':
      '{column}：该人员在本校已有岗位且信息不同（岗位、编制类别或是否专任），请在教职工管理中修改，未导入',
    en: '{columnEn}: the person already holds a different post at this school (post, category or full-time); change it in staff management (row not imported)',
  },
  rejected: {
    'zh-CN': '{column}：{detail}，未导入',
    en: '{columnEn}: {detailEn} (row not imported)',
  },
  identity_conflict: {
    'zh-CN': '{column}：该证件号对应的人员信息与本行不符（如姓名不同），请核对，未导入',
    en: '{columnEn}: the person with this ID number is recorded differently (e.g. another name); check it (row not imported)',
  },
} as const satisfies Record<string, LocalText>;

export type RowProblemCode = keyof typeof rowTexts;

const failureTexts = {
  file_encoding: {
    'zh-CN':
      '文件编码无法识别：CSV 文件须为 UTF-8（可带 BOM）或 GBK 编码；建议在 Excel 中另存为“CSV UTF-8（逗号分隔）”或直接上传 .xlsx 文件',
    en: 'The file encoding is not recognised: a CSV file must be UTF-8 (with or without BOM) or GBK; save it from Excel as "CSV UTF-8" or upload the .xlsx file',
  },
  file_unreadable: {
    'zh-CN': '无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式（旧版 .xls 请另存为 .xlsx）',
    en: 'The Excel file cannot be read; it may be damaged or not .xlsx (save an old .xls file as .xlsx)',
  },
  file_empty: {
    'zh-CN': '文件中没有表头行，请使用导入模板',
    en: 'The file has no header row; use the import template',
  },
  missing_columns: {
    'zh-CN': '文件缺少必需的列：{columns}；请使用导入模板',
    en: 'The file lacks required columns: {columns}; use the import template',
  },
  duplicate_columns: {
    'zh-CN': '表头中有重复的列：{columns}',
    en: 'The header repeats columns: {columns}',
  },
  too_many_rows: {
    'zh-CN': '文件超过 {max} 行，请拆分后分批导入',
    en: 'The file has more than {max} rows; split it and import the parts one by one',
  },
  interrupted: {
    'zh-CN': '处理被中断（服务重启或关闭），请重新上传或重新确认',
    en: 'Processing was interrupted (the service stopped); upload the file or confirm again',
  },
  internal: {
    'zh-CN': '处理时发生内部错误，请联系管理员',
    en: 'An internal error stopped the processing; contact the administrator',
  },
} as const satisfies Record<string, LocalText>;

export type FailureCode = keyof typeof failureTexts;

type Params = Record<string, string | number>;

function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    params[key] === undefined ? whole : String(params[key]),
  );
}

function both(text: LocalText, params: Params): LocalText {
  return { 'zh-CN': fill(text['zh-CN'], params), en: fill(text.en, params) };
}

interface ColumnName {
  header: string;
  en: string;
}

/** The message of a row problem in both languages; `column` is named as in the file and in English. */
export function rowProblemText(code: RowProblemCode, column: ColumnName, params: Params = {}): LocalText {
  return both(rowTexts[code], {
    column: column.header,
    columnEn: `${column.header} (${column.en})`,
    ...params,
  });
}

/** An ID-number or 学籍号 problem of src/standards/id-number.ts, prefixed with the column. */
export function idProblemText(messageCode: MessageCode, column: ColumnName): LocalText {
  return rowProblemText('id_problem', column, {
    detail: translate(messageCode, 'zh-CN'),
    detailEn: translate(messageCode, 'en'),
  });
}

export function failureText(code: FailureCode, params: Params = {}): LocalText {
  return both(failureTexts[code], params);
}
