/** Draws shared by the demo's generators: a float in [0, 1) from `next`, the rest built on it. */
export abstract class Random {
  abstract next(): number;

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A version-4-shaped UUID drawn from this generator (deterministic ids for a deterministic demo). */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16));
    hex[12] = '4';
    hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/** A small seeded generator (mulberry32): the same seed gives the same district, run after run. */
export class SeededRandom extends Random {
  private state: number;

  constructor(seed: number) {
    super();
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
}

/** splitmix32: spreads a seed over 32-bit words (seeding only). */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/**
 * sfc32 with 128 bits of state, one independent stream per (seed, stream). The people generator
 * draws hundreds of millions of numbers at the benchmark size; mulberry32's single 2^32 cycle would
 * let two streams overlap and repeat each other.
 */
export class StreamRandom extends Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: number) {
    super();
    const mix = splitmix32((seed ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  }
}

/** murmur3's finaliser: a bijection on 32-bit words. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const hex = (n: number, digits: number) =>
  (n >>> 0)
    .toString(16)
    .padStart(8, '0')
    .slice(8 - digits);

/**
 * Deterministic ids that are unique by construction and increase: shaped like UUIDv7, the first
 * 48 bits are a seed-dependent start plus the id's ordinal (so a million persons append to the
 * right of each primary-key index instead of landing on random pages), the rest look random.
 */
export class IdSequence {
  private n = 0;
  private readonly start: number;
  private readonly keys: [number, number, number];

  constructor(seed: number) {
    const mix = splitmix32((seed ^ 0x1d5eed) >>> 0);
    // 0x019a… milliseconds is late 2025, where a UUIDv7 made then would start.
    this.start = 0x019a_0000_0000 + (mix() % 0x1_0000) * 0x10_0000;
    this.keys = [mix(), mix(), mix()];
  }

  next(): string {
    const n = this.n++;
    const t = this.start + n;
    const [k0, k1, k2] = this.keys;
    const a = fmix32((n + k0) >>> 0);
    const b = fmix32((n + k1) >>> 0);
    const c = fmix32((n + k2) >>> 0);
    const variant = (8 | (a >>> 30)).toString(16);
    return `${hex(Math.floor(t / 0x1_0000), 8)}-${hex(t % 0x1_0000, 4)}-7${hex(a, 3)}-${variant}${hex(a >>> 12, 3)}-${hex(b, 4)}${hex(c, 8)}`;
  }
}
