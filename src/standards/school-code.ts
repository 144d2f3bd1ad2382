/**
 * 学校(机构)标识码: 10 digits AABBCCCCCC, issued by the MoE (《学校(机构)代码管理办法》, 2011-07-20,
 * and its annex 各级各类学校(机构)代码编制规则), as summarised by zh.wikipedia 学校标识码 (oldid 86827023)
 * and a reproduced notice (www.wendangku.net/doc/35499c85b9f3f90f76c61b9c.html), which agree:
 *   AA      学校类别码 — the 2-digit 办学类型 class: 11 幼儿园, 21 小学, 31 普通初中, 34 普通高中, 36 中职, 51 特教, 93 …
 *   BB      省级行政区划代码 (GB/T 2260 first two digits; 71 台湾, 81 香港, 82 澳门 included)
 *   CCCCCC  序号 assigned by the province (高校: '0' + the old 5-digit 学校代码, e.g. 北京大学 4111010001).
 * So the first digit is 1, 2, 3, 4, 5 or 9 depending on the category, not always 1. The category set
 * is read from the 2-digit BXLX entries, which are exactly the 16 classes the rule lists.
 */
import { codeName } from './codes';
import { divisionName } from './divisions';

/** GB/T 2260 provincial codes the mainland statistical division data lacks. */
const outsideMainlandProvinces: Record<string, string> = {
  '71': '台湾省',
  '81': '香港特别行政区',
  '82': '澳门特别行政区',
};

export interface SchoolCodeParts {
  /** 学校类别码, e.g. '21' */
  categoryCode: string;
  /** e.g. '小学' */
  categoryName: string;
  /** 2-digit provincial code, e.g. '11' */
  provinceCode: string;
  /** e.g. '北京市' */
  provinceName: string;
  /** 6-digit 序号 */
  serial: string;
}

function provinceName(code: string): string | undefined {
  return outsideMainlandProvinces[code] ?? divisionName(`${code}0000`);
}

export function parseSchoolCode(code: string): SchoolCodeParts | undefined {
  if (!/^\d{10}$/.test(code)) return undefined;
  const categoryCode = code.slice(0, 2);
  const provinceCode = code.slice(2, 4);
  const category = codeName('operatingType', categoryCode);
  const province = provinceName(provinceCode);
  if (!category || !province) return undefined;
  return {
    categoryCode,
    categoryName: category,
    provinceCode,
    provinceName: province,
    serial: code.slice(4),
  };
}

/** 10 ASCII digits with a known 学校类别码 and provincial code. There is no check digit. */
export function isValidSchoolCode(code: string): boolean {
  return parseSchoolCode(code) !== undefined;
}
