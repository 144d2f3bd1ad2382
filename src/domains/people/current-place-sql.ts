import { sql } from 'drizzle-orm';
import { chinaTodaySql } from './china-date';

/**
 * Where a student (persons alias `p`) is today, as joins onto `p`: `e` the enrolment in force
 * (active or suspended, the latest entered), `s` its school, `m` that enrolment's class membership
 * in force today (China) and `c` its class; all null where there is none. One definition for "my
 * child's school and class" and "my class's teachers".
 */
export const currentPlaceJoins = sql`
    left join lateral (select e.id, e.school_id, e.status from enrolments e
      where e.district_id = p.district_id and e.person_id = p.id and e.status in ('active', 'suspended')
      order by e.entered_on desc limit 1) e on true
    left join org_units s on s.district_id = p.district_id and s.id = e.school_id
    left join lateral (select m.class_id from class_memberships m
      where m.district_id = p.district_id and m.enrolment_id = e.id
        and m.started_on <= ${chinaTodaySql} and (m.ended_on is null or m.ended_on > ${chinaTodaySql})
      order by m.started_on desc limit 1) m on true
    left join org_units c on c.district_id = p.district_id and c.id = m.class_id`;
