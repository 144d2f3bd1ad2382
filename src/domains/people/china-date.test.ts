import { describe, expect, it } from 'vitest';
import { addDays, chinaToday } from '../../china-time';

describe('chinaToday', () => {
  it('is the date in Beijing: 16:00 UTC is already the next day there', () => {
    expect(chinaToday(new Date('2026-11-25T15:59:59Z'))).toBe('2026-11-25');
    expect(chinaToday(new Date('2026-11-25T16:00:00Z'))).toBe('2026-11-26');
    expect(chinaToday(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
  });
});

describe('addDays', () => {
  it('crosses months, years and leap days', () => {
    expect(addDays('2026-11-26', 14)).toBe('2026-12-10');
    expect(addDays('2027-12-25', 7)).toBe('2028-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });
});
