import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ChainEvent,
  canonicalEvent,
  canonicalJson,
  GENESIS_HASH,
  hashEvent,
  storableJson,
  storableText,
} from './chain';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const DISTRICT = '11111111-1111-1111-1111-111111111111';

// The first event of a chain; its details' keys are deliberately out of order.
const first: ChainEvent = {
  districtId: DISTRICT,
  seq: 1,
  at: new Date('2026-09-01T08:30:00.123Z'),
  actorId: '22222222-2222-2222-2222-222222222222',
  actorKind: 'user',
  action: 'org.update',
  targetType: 'orgUnit',
  targetId: '33333333-3333-3333-3333-333333333333',
  subjectIds: [],
  purpose: null,
  outcome: 'success',
  requestId: 'req-1',
  ip: '127.0.0.1',
  details: { name: { before: '东城区第一小学', after: '东城区第一实验小学' }, changed: ['name'] },
  prevHash: GENESIS_HASH,
};

const FIRST_CANONICAL =
  '{"action":"org.update","actorId":"22222222-2222-2222-2222-222222222222","actorKind":"user",' +
  '"at":"2026-09-01T08:30:00.123Z","details":{"changed":["name"],"name":{"after":"东城区第一实验小学",' +
  '"before":"东城区第一小学"}},"districtId":"11111111-1111-1111-1111-111111111111","ip":"127.0.0.1",' +
  '"outcome":"success","prevHash":"0000000000000000000000000000000000000000000000000000000000000000",' +
  '"purpose":null,"requestId":"req-1","seq":1,"subjectIds":[],"targetId":"33333333-3333-3333-3333-333333333333",' +
  '"targetType":"orgUnit"}';
// Computed once with `printf '%s' "$FIRST_CANONICAL" | sha256sum`.
const FIRST_HASH = '1ee5bc4a06243f750d36406ed730113653a51090356e629b3e299d89be967a91';
const SECOND_HASH = 'ebf2e1f9873654e32dcc23b401bcf94b1ba30c6225580874283caa4b00a80ce5';

describe('audit chain hashing', () => {
  it('starts every chain from 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
  });

  it('serialises an event canonically: every column, keys sorted at every depth, at in ISO UTC', () => {
    expect(canonicalEvent(first)).toBe(FIRST_CANONICAL);
  });

  it('hashes the UTF-8 of the canonical form with sha256', () => {
    expect(sha256(FIRST_CANONICAL)).toBe(FIRST_HASH);
    expect(hashEvent(first)).toBe(FIRST_HASH);
  });

  it('links the next event through prevHash', () => {
    const second: ChainEvent = {
      districtId: DISTRICT,
      seq: 2,
      at: new Date('2026-09-01T08:30:01Z'),
      actorId: null,
      actorKind: 'system',
      action: 'person.read',
      targetType: null,
      targetId: null,
      subjectIds: ['p-2', 'p-1'],
      purpose: 'enrolment',
      outcome: 'denied',
      requestId: null,
      ip: null,
      details: {},
      prevHash: FIRST_HASH,
    };
    const canonical =
      '{"action":"person.read","actorId":null,"actorKind":"system","at":"2026-09-01T08:30:01.000Z",' +
      '"details":{},"districtId":"11111111-1111-1111-1111-111111111111","ip":null,"outcome":"denied",' +
      `"prevHash":"${FIRST_HASH}","purpose":"enrolment","requestId":null,"seq":2,"subjectIds":["p-2","p-1"],` +
      '"targetId":null,"targetType":null}';
    expect(canonicalEvent(second)).toBe(canonical);
    expect(sha256(canonical)).toBe(SECOND_HASH);
    expect(hashEvent(second)).toBe(SECOND_HASH);
  });

  it('changes the hash when any single column changes', () => {
    const variants: Partial<ChainEvent>[] = [
      { districtId: '11111111-1111-1111-1111-111111111112' },
      { seq: 2 },
      { at: new Date('2026-09-01T08:30:00.124Z') },
      { actorId: null },
      { actorKind: 'system' },
      { action: 'org.close' },
      { targetType: 'school' },
      { targetId: null },
      { subjectIds: ['p-1'] },
      { purpose: '' },
      { outcome: 'failure' },
      { requestId: 'req-2' },
      { ip: '::1' },
      { details: { changed: ['name'] } },
      { prevHash: FIRST_HASH },
    ];
    const hashes = new Set(variants.map((v) => hashEvent({ ...first, ...v })));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(FIRST_HASH)).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('sorts object keys recursively and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys arrive in (as jsonb reorders them)', () => {
    expect(canonicalJson({ 姓名: '张三', age: 7, Age: 8 })).toBe(
      canonicalJson({ Age: 8, age: 7, 姓名: '张三' }),
    );
    expect(canonicalJson({ 姓名: '张三', age: 7, Age: 8 })).toBe('{"Age":8,"age":7,"姓名":"张三"}');
  });

  it('keeps a key named __proto__ as an ordinary key', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });
});

describe('storable values', () => {
  it('replaces NUL and lone surrogates, keeps Chinese and surrogate pairs', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\uD800y\uDC00')).toBe('x\uFFFDy\uFFFD');
    expect(storableText('明德🎓')).toBe('明德🎓');
  });

  it('shapes details as jsonb will hand them back', () => {
    const shaped = storableJson({
      keep: '东城',
      gone: undefined,
      nan: Number.NaN,
      when: new Date('2026-01-02T03:04:05.006Z'),
      list: [undefined, 1],
      'k\u0000': 'v\u0000',
    });
    expect(shaped).toEqual({
      keep: '东城',
      nan: null,
      when: '2026-01-02T03:04:05.006Z',
      list: [null, 1],
      'k\uFFFD': 'v\uFFFD',
    });
  });
});
