import { sql } from 'drizzle-orm';

/** China's calendar date (see src/china-time.ts) as SQL, from the database clock (the one `now()` of grants uses). */
export const chinaTodaySql = sql`(now() at time zone 'Asia/Shanghai')::date`;
