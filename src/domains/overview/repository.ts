import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { chinaTodaySql } from '../people/china-date';

/** Counts for a district's overview: plain aggregate reads, no personal data leaves this file. */
const rows = async <T>(db: DbOrTx, query: ReturnType<typeof sql>): Promise<T[]> =>
  (await db.execute(query)).rows as T[];

export interface SchoolRow {
  id: string;
  name: string;
  schoolType: string | null;
}

export const activeSchools = (db: DbOrTx, districtId: string) =>
  rows<SchoolRow>(
    db,
    sql`select id, name, school_type as "schoolType" from org_units
        where district_id = ${districtId} and kind = 'school' and status = 'active' order by name`,
  );

/** Active enrolments per school. */
export const studentsPerSchool = (db: DbOrTx, districtId: string) =>
  rows<{ schoolId: string; n: number }>(
    db,
    sql`select school_id as "schoolId", count(*)::int as n from enrolments
        where district_id = ${districtId} and status = 'active' group by school_id`,
  );

/** Students sitting in each active class now (open memberships of active enrolments). */
export const classSizes = (db: DbOrTx, districtId: string) =>
  rows<{ classId: string; name: string; schoolId: string; gradeCode: string | null; n: number }>(
    db,
    sql`select c.id as "classId", c.name, e.school_id as "schoolId", c.grade_code as "gradeCode",
          count(*)::int as n
        from class_memberships m
        join enrolments e on e.district_id = m.district_id and e.id = m.enrolment_id and e.status = 'active'
        join org_units c on c.district_id = m.district_id and c.id = m.class_id and c.status = 'active'
        where m.district_id = ${districtId} and m.ended_on is null
        group by c.id, c.name, e.school_id, c.grade_code`,
  );

/** Staff with a post in force today, per school: all, and full-time teachers (专任教师). */
export const staffPerSchool = (db: DbOrTx, districtId: string) =>
  rows<{ schoolId: string; staff: number; fullTimeTeachers: number }>(
    db,
    sql`select school_id as "schoolId", count(distinct person_id)::int as staff,
          (count(distinct person_id) filter (where is_full_time_teacher))::int as "fullTimeTeachers"
        from staff_posts
        where district_id = ${districtId} and started_on <= ${chinaTodaySql}
          and (ended_on is null or ended_on > ${chinaTodaySql})
        group by school_id`,
  );
