import { describe, expect, it } from 'vitest';
import { importColumns } from './imports-columns';
import { ImportFileError } from './imports-parse';
import {
  ClassIndex,
  type ClassOption,
  mapHeader,
  parseDateCell,
  parseMobile,
  RowValidator,
  type ValidationEnv,
} from './imports-validate';

const classes: ClassOption[] = [
  { id: 'c-1-1', name: '一年级1班', gradeCode: '11', gradeName: '一年级', classNumber: 1 },
  { id: 'c-1-2', name: '一年级2班', gradeCode: '11', gradeName: '一年级', classNumber: 2 },
  { id: 'c-2-1', name: '二年级1班', gradeCode: '12', gradeName: '二年级', classNumber: 1 },
];
const env: ValidationEnv = { today: '2026-11-25', yearName: '2026-2027', classes };

const studentHeader = importColumns.students.map((c) => c.header);
const staffHeader = importColumns.staff.map((c) => c.header);

/** A student row by header, the rest empty. */
function studentRow(values: Record<string, string | number | Date>): (string | number | Date | null)[] {
  return studentHeader.map((h) => values[h] ?? null);
}

const goodStudent = {
  姓名: '王小红',
  性别: '女',
  出生日期: '2018-05-12',
  民族: '汉族',
  身份证件类型: '居民身份证',
  身份证件号: '110105201805120020',
  学籍号: 'G110105201805120020',
  年级: '一年级',
  班级: '2',
  入学日期: '2024-09-01',
  监护人1姓名: '王大伟',
  监护人1关系: '父亲',
  监护人1电话: '138-0013-8001',
  监护人1身份证件号: '110105198501010012',
};

function validator(kind: 'students' | 'staff' = 'students') {
  const header = kind === 'students' ? studentHeader : staffHeader;
  return new RowValidator(kind, mapHeader(kind, header), env);
}

describe('cell formats', () => {
  it('reads the date spellings people use', () => {
    expect(parseDateCell('2019-03-07')).toBe('2019-03-07');
    expect(parseDateCell('2019/3/7')).toBe('2019-03-07');
    expect(parseDateCell('2019.03.07')).toBe('2019-03-07');
    expect(parseDateCell('2019年3月7日')).toBe('2019-03-07');
    expect(parseDateCell('20190307')).toBe('2019-03-07');
    expect(parseDateCell(20190307)).toBe('2019-03-07');
    expect(parseDateCell(new Date(Date.UTC(2019, 2, 7)))).toBe('2019-03-07');
    // Excel serial 43531 = 2019-03-07.
    expect(parseDateCell(43531)).toBe('2019-03-07');
    expect(parseDateCell('2019-02-30')).toBeUndefined();
    expect(parseDateCell('07/03/2019')).toBeUndefined();
    expect(parseDateCell('明天')).toBeUndefined();
  });

  it('reads mainland mobile numbers with +86, spaces and dashes', () => {
    expect(parseMobile('13800138000')).toBe('13800138000');
    expect(parseMobile('+86 138-0013-8000')).toBe('13800138000');
    expect(parseMobile('１３８００１３８０００')).toBe('13800138000');
    expect(parseMobile('1380013800')).toBeUndefined();
    expect(parseMobile('12800138000')).toBeUndefined();
    expect(parseMobile('010-12345678')).toBeUndefined();
  });
});

describe('header', () => {
  it('finds columns wherever they are, with required markers and full-width spaces', () => {
    const positions = mapHeader('staff', [
      '备注',
      '*姓名',
      '身份证件类型（必填）',
      '身份证件号',
      '岗位',
      '编制类别',
      '是否专任教师',
      '入职日期',
    ]);
    expect(positions.get('name')).toBe(1);
    expect(positions.get('idType')).toBe(2);
    expect(positions.get('startedOn')).toBe(7);
    expect(positions.has('phone')).toBe(false);
  });

  it('names the required columns a file lacks', () => {
    try {
      mapHeader('students', ['姓名', '身份证件号']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ImportFileError);
      expect((error as ImportFileError).reason).toBe('missing_columns');
      expect((error as ImportFileError).params.columns).toBe(
        '民族、身份证件类型、班级、入学日期、监护人1姓名、监护人1关系、监护人1电话',
      );
    }
  });
});

describe('class lookup', () => {
  const index = new ClassIndex(classes);
  it('takes a full class name, with or without brackets, or a number with the grade', () => {
    expect(index.resolve('', '一年级2班')).toEqual({ classId: 'c-1-2' });
    expect(index.resolve('', '一年级(2)班')).toEqual({ classId: 'c-1-2' });
    expect(index.resolve('一年级', '2')).toEqual({ classId: 'c-1-2' });
    expect(index.resolve('12', '1班')).toEqual({ classId: 'c-2-1' });
    expect(index.resolve('二年级', '1')).toEqual({ classId: 'c-2-1' });
  });
  it('says what is wrong', () => {
    expect(index.resolve('', '2')).toEqual({ problem: 'class_needs_grade' });
    expect(index.resolve('三年级', '1')).toEqual({ problem: 'grade_not_found' });
    expect(index.resolve('一年级', '9')).toEqual({ problem: 'class_not_found' });
    expect(index.resolve('', '火箭班')).toEqual({ problem: 'class_not_found' });
  });
});

describe('student rows', () => {
  it('turns a good row into a normalised payload', () => {
    const result = validator().validate({ rowNumber: 2, cells: studentRow(goodStudent) });
    expect(result).toEqual({
      valid: true,
      problems: [],
      payload: {
        kind: 'students',
        name: '王小红',
        genderCode: '2',
        birthDate: '2018-05-12',
        ethnicityCode: '01',
        idType: '1',
        idNumber: '110105201805120020',
        studentNumber: 'G110105201805120020',
        classId: 'c-1-2',
        enteredOn: '2024-09-01',
        guardians: [
          { name: '王大伟', relationCode: '51', phone: '13800138001', idNumber: '110105198501010012' },
        ],
      },
    });
  });

  it('accepts codes for coded columns and reads sex and birth date from a resident ID number', () => {
    const result = validator().validate({
      rowNumber: 2,
      cells: studentRow({
        ...goodStudent,
        性别: '',
        出生日期: '',
        民族: '1',
        身份证件类型: '1',
        监护人1关系: '52',
      }),
    });
    expect(result.valid).toBe(true);
    expect(result.payload).toMatchObject({
      genderCode: '2',
      birthDate: '2018-05-12',
      ethnicityCode: '01',
      idType: '1',
    });
    expect(result.payload?.kind === 'students' && result.payload.guardians[0]?.relationCode).toBe('52');
  });

  it('names every bad column of a row, in Chinese and English, without the values', () => {
    const result = validator().validate({
      rowNumber: 7,
      cells: studentRow({
        ...goodStudent,
        姓名: '',
        性别: '男',
        身份证件号: '110105201805120021',
        班级: '9',
        入学日期: '2024-13-01',
        监护人1电话: '12345',
      }),
    });
    expect(result.valid).toBe(false);
    expect(result.problems.map((p) => [p.column, p.code])).toEqual([
      ['姓名', 'required'],
      ['身份证件号', 'idNumber.check_digit'],
      ['班级', 'class_not_found'],
      ['入学日期', 'invalid_date'],
      ['监护人1电话', 'phone_invalid'],
    ]);
    expect(result.problems[1]?.message).toEqual({
      'zh-CN': '身份证件号：号码校验位不正确（GB 11643 第 18 位）',
      en: '身份证件号 (ID number): The check character is wrong (GB 11643, 18th character)',
    });
    expect(result.problems[2]?.message['zh-CN']).toBe('班级：本校当前学年（2026-2027）没有这个班级');
    expect(JSON.stringify(result.problems)).not.toContain('110105201805120021');
  });

  it('refuses text holding NUL (U+0000), which the database cannot store', () => {
    // Found by test/robustness.int.test.ts: such a name passed the check and failed the confirmed
    // import with an internal error.
    const result = validator().validate({
      rowNumber: 2,
      cells: studentRow({ ...goodStudent, 姓名: '王\u0000小红', 监护人1姓名: '王\u0000大伟' }),
    });
    expect(result.valid).toBe(false);
    expect(result.problems.map((p) => [p.column, p.code])).toEqual([
      ['姓名', 'invalid_character'],
      ['监护人1姓名', 'invalid_character'],
    ]);
  });

  it('catches sex and birth date that contradict the ID number', () => {
    const result = validator().validate({
      rowNumber: 3,
      cells: studentRow({ ...goodStudent, 性别: '男', 出生日期: '2018-05-13' }),
    });
    expect(result.problems.map((p) => [p.column, p.code])).toEqual([
      ['性别', 'gender_mismatch'],
      ['出生日期', 'birth_date_mismatch'],
    ]);
  });

  it('reports the same person twice in a file, naming the first row', () => {
    const v = validator();
    expect(v.validate({ rowNumber: 2, cells: studentRow(goodStudent) }).valid).toBe(true);
    const again = v.validate({ rowNumber: 9, cells: studentRow({ ...goodStudent, 学籍号: '' }) });
    expect(again.problems.map((p) => [p.column, p.code, p.message['zh-CN']])).toEqual([
      ['身份证件号', 'duplicate_in_file', '身份证件号：与第 2 行重复，同一人在文件中只能出现一次'],
    ]);
  });

  it('recognises an ID number Excel turned into a float, and the template example row', () => {
    const v = validator();
    expect(
      v.validate({ rowNumber: 2, cells: studentRow({ ...goodStudent, 身份证件号: 110105201805120020 }) })
        .problems[0]?.code,
    ).toBe('id_excel_number');
    expect(
      v.validate({ rowNumber: 3, cells: studentRow({ ...goodStudent, 身份证件号: '1.10105E+17' }) })
        .problems[0]?.code,
    ).toBe('id_excel_number');
    expect(
      v.validate({ rowNumber: 4, cells: studentRow({ ...goodStudent, 身份证件号: '110101201903070033' }) })
        .problems[0]?.code,
    ).toBe('example_row');
  });

  it('needs guardian 1 complete, and guardian 2 complete once any of it is given', () => {
    const result = validator().validate({
      rowNumber: 5,
      cells: studentRow({
        ...goodStudent,
        监护人1姓名: '',
        监护人1关系: '',
        监护人1电话: '',
        监护人1身份证件号: '',
        监护人2关系: '舅舅',
      }),
    });
    expect(result.problems.map((p) => [p.column, p.code])).toEqual([
      ['监护人1姓名', 'required'],
      ['监护人1关系', 'required'],
      ['监护人1电话', 'required'],
      ['监护人2姓名', 'required'],
      ['监护人2关系', 'invalid_code'],
      ['监护人2电话', 'required'],
    ]);
  });

  it('refuses the student as their own guardian', () => {
    const result = validator().validate({
      rowNumber: 2,
      cells: studentRow({ ...goodStudent, 监护人1身份证件号: '110105201805120020' }),
    });
    expect(result.problems.map((p) => p.code)).toEqual(['guardian_is_student']);
  });
});

describe('staff rows', () => {
  const staffRow = (values: Record<string, string>) => staffHeader.map((h) => values[h] ?? null);
  const good = {
    姓名: '赵老师',
    身份证件类型: '居民身份证',
    身份证件号: '11010519900303004X',
    岗位: '教师',
    编制类别: '1',
    是否专任教师: '是',
    入职日期: '2015/8/25',
    手机号: '13900139000',
  };

  it('turns a good row into a payload, sex and birth date from the ID number', () => {
    expect(validator('staff').validate({ rowNumber: 2, cells: staffRow(good) })).toEqual({
      valid: true,
      problems: [],
      payload: {
        kind: 'staff',
        name: '赵老师',
        genderCode: '2',
        birthDate: '1990-03-03',
        idType: '1',
        idNumber: '11010519900303004X',
        postCode: '10',
        establishmentCode: '1',
        isFullTimeTeacher: true,
        startedOn: '2015-08-25',
        phone: '13900139000',
      },
    });
  });

  it('reports bad codes, a yes/no that is neither, and a start before birth', () => {
    const result = validator('staff').validate({
      rowNumber: 4,
      cells: staffRow({ ...good, 岗位: '校霸', 是否专任教师: '也许', 入职日期: '1980-01-01' }),
    });
    expect(result.problems.map((p) => [p.column, p.code])).toEqual([
      ['岗位', 'invalid_code'],
      ['是否专任教师', 'invalid_boolean'],
      ['入职日期', 'date_before_birth'],
    ]);
  });

  it('needs sex and birth date for documents other than the resident ID card', () => {
    const result = validator('staff').validate({
      rowNumber: 4,
      cells: staffRow({ ...good, 身份证件类型: '护照', 身份证件号: 'E12345678' }),
    });
    expect(result.problems.map((p) => [p.column, p.code])).toEqual([
      ['性别', 'required'],
      ['出生日期', 'required'],
    ]);
  });
});
