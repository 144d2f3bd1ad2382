import { readCsvRows } from '../src/standards/data-files';
import { Weighted } from './names';
import type { Random } from './random';

/**
 * GB 11643 居民身份证号码 for the demo: 6-digit address code (the county of first household
 * registration), birth date YYYYMMDD, 3-digit sequence (odd for men, even for women) and the
 * ISO 7064 MOD 11-2 check character. Every number handed out is unique: a counter per (address,
 * birth date, sex) picks the sequence, and a full day moves the birth date by one day.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';

/** The check character of the first 17 digits (ISO 7064 MOD 11-2). */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK[sum % 11] as string;
}

/** Days since 1970-01-01 (UTC) ↔ 'YYYY-MM-DD'. */
export const dayOf = (isoDate: string) => Math.round(Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000);
export const isoOfDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** Where a person's 户籍 is, as the ID number's address code shows it. */
export type OriginKind = 'district' | 'suzhou' | 'jiangsu' | 'elsewhere';

const DISTRICT_CODE = '320506';
/** Provinces most migrant families in Suzhou come from, with approximate shares. */
const migrantProvinces: readonly (readonly [string, number])[] = [
  ['34', 30], // 安徽
  ['41', 18], // 河南
  ['51', 10], // 四川
  ['42', 7], // 湖北
  ['37', 7], // 山东
  ['36', 6], // 江西
  ['52', 6], // 贵州
  ['50', 4], // 重庆
  ['43', 4], // 湖南
  ['62', 3], // 甘肃
  ['33', 3], // 浙江
  ['45', 2], // 广西
];
/** Counties taken per migrant province (every n-th, in code order): enough variety, bounded counters. */
const COUNTIES_PER_PROVINCE = 12;

interface AddressTables {
  codes: string[];
  byKind: Record<Exclude<OriginKind, 'elsewhere'>, number[]>;
  elsewhere: Weighted<number[]>;
}

let tables: AddressTables | undefined;

/** County codes from src/standards/data/areas.csv (NBS statistical zones, xx7x, are not ID codes). */
function addressTables(): AddressTables {
  if (tables) return tables;
  const counties = readCsvRows('areas.csv')
    .map((r) => r.code ?? '')
    .filter((code) => /^\d{6}$/.test(code) && !/^7\d$/.test(code.slice(4)) && !code.endsWith('00'));
  const codes: string[] = [DISTRICT_CODE];
  const add = (list: string[]) => list.map((code) => codes.push(code) - 1);
  const suzhou = add(counties.filter((c) => c.startsWith('3205') && c !== DISTRICT_CODE));
  const jiangsu = add(counties.filter((c) => c.startsWith('32') && !c.startsWith('3205')));
  const elsewhere = migrantProvinces.map(([province, weight]) => {
    const all = counties.filter((c) => c.startsWith(province));
    const step = Math.max(1, Math.floor(all.length / COUNTIES_PER_PROVINCE));
    const chosen = all.filter((_, i) => i % step === 0).slice(0, COUNTIES_PER_PROVINCE);
    return [add(chosen), weight] as const;
  });
  tables = { codes, byKind: { district: [0], suzhou, jiangsu }, elsewhere: new Weighted(elsewhere) };
  return tables;
}

/** An address index (into the allocator's table) for a person of this origin. */
export function drawAddress(rng: Random, kind: OriginKind): number {
  const t = addressTables();
  if (kind === 'elsewhere') return rng.pick(t.elsewhere.draw(rng));
  return rng.pick(t.byKind[kind]);
}

export function addressCode(index: number): string {
  return addressTables().codes[index] ?? DISTRICT_CODE;
}

const FIRST_DAY = dayOf('1930-01-01');
const LAST_DAY = dayOf('2039-12-31');
const DAYS = LAST_DAY - FIRST_DAY + 1;
/** Sequence slots per (address, day, sex): 001–999 odd for men, 002–998 even for women. */
const SLOTS = 499;

/** Hands out unique ID numbers; deterministic for a deterministic order of requests. */
export class IdNumberAllocator {
  /** Per address: issued count per (day, sex), allocated on first use. */
  private readonly counts = new Map<number, Uint16Array>();

  /**
   * An ID number for a person registered at `address`, born on `birthDay` (or the next day with a
   * free sequence number). Returns the number and the birth date it encodes.
   */
  allocate(address: number, birthDay: number, male: boolean): { idNumber: string; birthDate: string } {
    let counts = this.counts.get(address);
    if (!counts) {
      counts = new Uint16Array(DAYS * 2);
      this.counts.set(address, counts);
    }
    for (let day = birthDay; ; day++) {
      const cell = (day - FIRST_DAY) * 2 + (male ? 1 : 0);
      if (cell < 0 || cell >= counts.length)
        throw new Error(`birth day ${isoOfDay(day)} outside the demo range`);
      const issued = counts[cell] ?? 0;
      if (issued >= SLOTS) continue;
      counts[cell] = issued + 1;
      // 211 is coprime to 499: the first 499 people of a cell get 499 different slots, spread out.
      const slot = (issued * 211 + address * 37 + (day - FIRST_DAY) * 13) % SLOTS;
      const sequence = String(slot * 2 + (male ? 1 : 2)).padStart(3, '0');
      const birthDate = isoOfDay(day);
      const first17 = `${addressCode(address)}${birthDate.replaceAll('-', '')}${sequence}`;
      return { idNumber: first17 + idCheckCharacter(first17), birthDate };
    }
  }
}
