/**
 * The calendar date in China (Asia/Shanghai, UTC+8 all year: no daylight saving). It decides
 * whether a term, an assignment or a post is in force "today", and what "today" means for a birth
 * date; every domain uses this one definition so they agree at midnight.
 */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** `date` (YYYY-MM-DD) plus `days` (may be negative). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
