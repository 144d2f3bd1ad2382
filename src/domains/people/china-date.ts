import { sql } from 'drizzle-orm';

/**
 * The calendar date in China (Asia/Shanghai, UTC+8 all year: no daylight saving), which decides
 * whether an assignment, a staff post or a term is in force "today". Shared by the people services
 * (default dates) and the per-request relations query (`chinaTodaySql`), so both agree at midnight.
 */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The same date as SQL, from the database clock (the one `now()` of grants uses too). */
export const chinaTodaySql = sql`(now() at time zone 'Asia/Shanghai')::date`;

/** `date` (YYYY-MM-DD) plus `days` (may be negative). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
