/**
 * GB/T 4761-2008 家庭关系代码, two-digit codes: the ones that can name what a guardian is to a child
 * (监护人与学生的关系). The standard codes a household member's relation to the 户主; here the child
 * takes the place of the 户主, so a student's father is 51 父亲, a maternal grandmother 64 外祖母.
 * Codes of the child's own generation downwards (子, 女, 孙…) and in-laws of the 户主 (公公, 岳父…)
 * cannot name a guardian of a minor and are left out, as are the one-digit group codes.
 * Source: GB/T 4761-2008 (the two-digit table, checked against two published copies of it).
 */
export interface FamilyRelation {
  code: string;
  name: string;
  nameEn: string;
}

export const guardianRelations: readonly FamilyRelation[] = Object.freeze([
  { code: '51', name: '父亲', nameEn: 'Father' },
  { code: '52', name: '母亲', nameEn: 'Mother' },
  { code: '57', name: '继父或养父', nameEn: 'Stepfather or adoptive father' },
  { code: '58', name: '继母或养母', nameEn: 'Stepmother or adoptive mother' },
  { code: '59', name: '其他父母关系', nameEn: 'Other parent' },
  { code: '61', name: '祖父', nameEn: 'Paternal grandfather' },
  { code: '62', name: '祖母', nameEn: 'Paternal grandmother' },
  { code: '63', name: '外祖父', nameEn: 'Maternal grandfather' },
  { code: '64', name: '外祖母', nameEn: 'Maternal grandmother' },
  { code: '66', name: '曾祖父', nameEn: 'Great-grandfather' },
  { code: '67', name: '曾祖母', nameEn: 'Great-grandmother' },
  { code: '69', name: '其他祖父母或外祖父母', nameEn: 'Other grandparent' },
  { code: '71', name: '兄', nameEn: 'Elder brother' },
  { code: '75', name: '姐姐', nameEn: 'Elder sister' },
  { code: '79', name: '其他兄弟姐妹', nameEn: 'Other sibling' },
  { code: '81', name: '伯父', nameEn: "Father's elder brother" },
  { code: '82', name: '伯母', nameEn: "Father's elder brother's wife" },
  { code: '83', name: '叔父', nameEn: "Father's younger brother" },
  { code: '84', name: '婶母', nameEn: "Father's younger brother's wife" },
  { code: '85', name: '舅父', nameEn: "Mother's brother" },
  { code: '86', name: '舅母', nameEn: "Mother's brother's wife" },
  { code: '87', name: '姨父', nameEn: "Mother's sister's husband" },
  { code: '88', name: '姨母', nameEn: "Mother's sister" },
  { code: '89', name: '姑父', nameEn: "Father's sister's husband" },
  { code: '90', name: '姑母', nameEn: "Father's sister" },
  { code: '91', name: '堂兄弟、堂姐妹', nameEn: 'Paternal cousin' },
  { code: '92', name: '表兄弟、表姐妹', nameEn: 'Maternal or cross cousin' },
  { code: '97', name: '其他亲属', nameEn: 'Other relative' },
  { code: '99', name: '非亲属', nameEn: 'Not a relative' },
]);

const byCode = new Map(guardianRelations.map((r) => [r.code, r]));

export const guardianRelationCodes = guardianRelations.map((r) => r.code);

export function guardianRelation(code: string): FamilyRelation | undefined {
  return byCode.get(code);
}
