import { z } from 'zod';

/**
 * A calendar date in a request: ISO 8601 (YYYY-MM-DD), from year 1 — the ISO format allows year
 * 0000, which PostgreSQL refuses (there is no year 0), so it would otherwise fail as a 500.
 */
export const isoDate = z.iso
  .date()
  .refine((v) => Number(v.slice(0, 4)) >= 1, { message: 'Year 0000 does not exist' });
