import type { Random } from './random';

/**
 * Plausible Chinese names for the demo. Surnames: about the 100 most common (公安部 户籍 statistics,
 * 2020; weights are approximate shares in per cent), with the surnames typical of Suzhou weighted up
 * for local families. Given names: one or two characters from lists of characters common in each
 * generation's names, by sex.
 */

const nationalSurnames: readonly (readonly [string, number])[] = [
  ['王', 7.12],
  ['李', 7.0],
  ['张', 6.7],
  ['刘', 5.4],
  ['陈', 4.53],
  ['杨', 3.08],
  ['黄', 2.23],
  ['赵', 2.03],
  ['吴', 2.0],
  ['周', 1.97],
  ['徐', 1.6],
  ['孙', 1.51],
  ['马', 1.45],
  ['朱', 1.39],
  ['胡', 1.33],
  ['郭', 1.16],
  ['何', 1.15],
  ['林', 1.13],
  ['高', 1.09],
  ['罗', 0.96],
  ['郑', 0.93],
  ['梁', 0.86],
  ['谢', 0.82],
  ['宋', 0.78],
  ['唐', 0.77],
  ['许', 0.76],
  ['韩', 0.72],
  ['邓', 0.71],
  ['冯', 0.7],
  ['曹', 0.66],
  ['彭', 0.63],
  ['曾', 0.61],
  ['肖', 0.6],
  ['田', 0.59],
  ['董', 0.58],
  ['潘', 0.55],
  ['袁', 0.54],
  ['蔡', 0.53],
  ['蒋', 0.52],
  ['余', 0.51],
  ['于', 0.5],
  ['杜', 0.49],
  ['叶', 0.48],
  ['程', 0.47],
  ['魏', 0.46],
  ['苏', 0.45],
  ['吕', 0.44],
  ['丁', 0.43],
  ['任', 0.42],
  ['卢', 0.41],
  ['姚', 0.4],
  ['沈', 0.39],
  ['钟', 0.38],
  ['姜', 0.37],
  ['崔', 0.36],
  ['谭', 0.35],
  ['陆', 0.34],
  ['范', 0.33],
  ['汪', 0.32],
  ['廖', 0.31],
  ['石', 0.3],
  ['金', 0.3],
  ['韦', 0.29],
  ['贾', 0.28],
  ['夏', 0.27],
  ['付', 0.27],
  ['方', 0.26],
  ['邹', 0.25],
  ['熊', 0.25],
  ['白', 0.24],
  ['孟', 0.24],
  ['秦', 0.23],
  ['邱', 0.23],
  ['侯', 0.22],
  ['江', 0.22],
  ['尹', 0.21],
  ['薛', 0.21],
  ['闫', 0.2],
  ['段', 0.2],
  ['雷', 0.19],
  ['龙', 0.18],
  ['黎', 0.18],
  ['史', 0.18],
  ['陶', 0.17],
  ['贺', 0.17],
  ['毛', 0.16],
  ['郝', 0.16],
  ['顾', 0.16],
  ['龚', 0.15],
  ['邵', 0.15],
  ['万', 0.15],
  ['覃', 0.14],
  ['武', 0.14],
  ['钱', 0.14],
  ['戴', 0.13],
  ['严', 0.13],
  ['莫', 0.12],
  ['孔', 0.12],
  ['向', 0.11],
  ['常', 0.11],
  ['汤', 0.11],
  ['俞', 0.1],
  ['欧阳', 0.05],
  ['上官', 0.01],
  ['司马', 0.01],
];

/** Surnames more frequent in Suzhou than nationally (multipliers, approximate). */
const suzhouBoost: Readonly<Record<string, number>> = {
  顾: 6,
  陆: 4,
  沈: 4,
  钱: 4,
  俞: 3,
  金: 2,
  姚: 2,
  汤: 2,
  范: 2,
  朱: 2,
  徐: 1.5,
  周: 1.5,
  吴: 1.5,
  蒋: 1.5,
  陈: 1.3,
  张: 1.3,
};

/** A weighted table: items with their cumulative weights, drawn by binary search. */
export class Weighted<T> {
  private readonly items: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.items = entries.map(([item]) => item);
    let sum = 0;
    this.cumulative = entries.map(([, w]) => {
      sum += w;
      return sum;
    });
    this.total = sum;
  }

  draw(rng: Random): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

export const surnames = {
  national: new Weighted(nationalSurnames),
  suzhou: new Weighted(nationalSurnames.map(([s, w]) => [s, w * (suzhouBoost[s] ?? 1)] as const)),
};

export type Sex = 'male' | 'female';
/** Naming fashions differ by generation: children (born ≥2005), parents (1970–2004), grandparents. */
export type Generation = 'child' | 'parent' | 'grandparent';

const chars = (s: string) => Array.from(s);

const givenChars: Record<Generation, Record<Sex, readonly string[]>> = {
  child: {
    male: chars('子梓浩宇轩睿泽俊博辰宸逸一宁航铭锦奕皓然阳晨烨煜哲凯瑞霖嘉鑫恒昊翰诚卓毅远承书沐言知安川'),
    female: chars('欣怡梓涵诗雨佳萱琪思可馨悦彤若妍雅语菲芸瑶晴依嘉梦紫心蕾薇雪诺一沫桐汐曦安婉钰'),
  },
  parent: {
    male: chars('伟磊涛杰强军勇斌峰超明刚鹏浩俊亮辉华健飞波宇晨凯龙志建东平坤鑫'),
    female: chars('静丽敏燕婷芳娟霞玲丹萍红艳颖雪琳晶倩慧洁佳莉蓉梅秀璐娜'),
  },
  grandparent: {
    male: chars('建国华明军平志伟林强德福荣根宝兴海金文忠祥生富春'),
    female: chars('秀英兰芳珍凤玉梅琴华萍桂红美霞云丽娣妹'),
  },
};

/** Share of two-character given names by generation (single-character names were commoner before). */
const twoCharShare: Record<Generation, number> = { child: 0.88, parent: 0.62, grandparent: 0.55 };

export function generationOf(birthYear: number): Generation {
  if (birthYear >= 2005) return 'child';
  if (birthYear >= 1970) return 'parent';
  return 'grandparent';
}

export function drawSurname(rng: Random, local: boolean): string {
  return (local ? surnames.suzhou : surnames.national).draw(rng);
}

/** A given name of one or two characters (never the same character twice). */
export function drawGivenName(rng: Random, sex: Sex, generation: Generation): string {
  const pool = givenChars[generation][sex];
  const first = rng.pick(pool);
  if (!rng.chance(twoCharShare[generation])) return first;
  let second = rng.pick(pool);
  while (second === first) second = rng.pick(pool);
  return first + second;
}
