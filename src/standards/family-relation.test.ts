import { describe, expect, it } from 'vitest';
import { guardianRelation, guardianRelationCodes } from './family-relation';

describe('GB/T 4761 guardian relations', () => {
  it('names the usual guardians by their two-digit codes', () => {
    expect(guardianRelation('51')?.name).toBe('父亲');
    expect(guardianRelation('52')?.name).toBe('母亲');
    expect(guardianRelation('61')?.name).toBe('祖父');
    expect(guardianRelation('62')?.name).toBe('祖母');
    expect(guardianRelation('63')?.name).toBe('外祖父');
    expect(guardianRelation('64')?.name).toBe('外祖母');
    expect(guardianRelation('99')?.name).toBe('非亲属');
  });

  it('leaves out codes that cannot name a guardian of a child, and the one-digit group codes', () => {
    for (const code of ['01', '11', '20', '30', '41', '50', '53', '55', '5', '6']) {
      expect(guardianRelation(code)).toBeUndefined();
    }
    expect(guardianRelationCodes).toHaveLength(29);
    expect(new Set(guardianRelationCodes).size).toBe(29);
  });
});
