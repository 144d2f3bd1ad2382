/**
 * National and JY/T 1001 code lists, read from the copies in ./data:
 * national_basic_codes.json (lists with ≥2 agreeing sources) and jyt1001_k12_code_lists.json
 * (zpldongxie/api-server-fastify dictionary). Where both files hold a list, the national file wins.
 */
import { readDataFile } from './data-files';

export interface CodeEntry {
  code: string;
  name: string;
}

/** Where each list comes from: file, key in that file, and the standard it implements. */
const lists = {
  /** GB/T 2261.1-2003 人的性别代码 */
  gender: { file: 'national', key: 'gender_GB_T_2261_1_2003' },
  /** GB/T 3304-1991 民族 (01–56, 97 其他, 98 外国血统中国籍人士) */
  ethnicity: { file: 'national', key: 'ethnicity_GB_T_3304_1991' },
  /** GB/T 4762-1984 政治面貌 */
  politicalStatus: { file: 'national', key: 'political_status_GB_T_4762_1984' },
  /** GB/T 4658-2006 学历 */
  educationLevel: { file: 'national', key: 'education_level_GB_T_4658_2006' },
  /** JY/T 1001 SFZJLX 身份证件类型 */
  idDocumentType: { file: 'national', key: 'id_document_type_JY_T_1001_SFZJLX' },
  /** 教育统计 / JY/T 1001 BXLX 办学类型 (hierarchical: 3 → 31 → 311) */
  operatingType: { file: 'national', key: 'school_operating_type_BXLX' },
  /** JY/T 1001 SZDCXLX 所在地城乡类型 (国家统计局 城乡划分: 1xx 城镇, 2xx 乡村) */
  urbanRural: { file: 'national', key: 'urban_rural_SZDCXLX' },
  /** JY/T 1001 ZXXBZLB 中小学编制类别 */
  staffingCategory: { file: 'jyt1001', key: 'zxxbzlb' },
  /** JY/T 1001 GWZY 岗位职业 */
  post: { file: 'jyt1001', key: 'gwzy' },
  /** JY/T 1001 XXBB 学校办别 */
  schoolSponsor: { file: 'jyt1001', key: 'xxbb' },
  /** JY/T 1001 ZXXKC 中小学课程代码 (任课安排的学科) */
  subject: { file: 'jyt1001', key: 'zxxkc' },
} as const;

export type CodeListName = keyof typeof lists;

export const codeListNames = Object.keys(lists) as CodeListName[];

type RawList = { entries: { code: string; name: string }[] };

let cache: Map<CodeListName, readonly CodeEntry[]> | undefined;

function load(): Map<CodeListName, readonly CodeEntry[]> {
  if (cache) return cache;
  const files = {
    national: JSON.parse(readDataFile('national_basic_codes.json')) as Record<string, RawList>,
    jyt1001: (JSON.parse(readDataFile('jyt1001_k12_code_lists.json')) as { lists: Record<string, RawList> })
      .lists,
  };
  cache = new Map(
    codeListNames.map((name) => {
      const { file, key } = lists[name];
      const raw = files[file][key];
      if (!raw) throw new Error(`code list ${name}: ${key} missing from ${file} data`);
      return [name, Object.freeze(raw.entries.map(({ code, name }) => Object.freeze({ code, name })))];
    }),
  );
  return cache;
}

/** Entries in source order. */
export function codeList(listName: CodeListName): readonly CodeEntry[] {
  return load().get(listName) ?? [];
}

export function codeName(listName: CodeListName, code: string): string | undefined {
  return codeList(listName).find((entry) => entry.code === code)?.name;
}

export function isValidCode(listName: CodeListName, code: string): boolean {
  return codeName(listName, code) !== undefined;
}
