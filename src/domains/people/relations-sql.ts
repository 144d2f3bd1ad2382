import { type SQL, sql } from 'drizzle-orm';
import type { PersonRelations } from '../../access/principal';
import { chinaTodaySql } from './china-date';

/**
 * What a signed-in user is to people (班主任, 任课教师, guardian, staff member, student), as one
 * SQL expression the principal loader puts into its single per-request statement. Derived from the
 * people tables on every request, never stored as grants: an ended assignment, a transfer or a
 * removed guardian relation ends access on the very next request.
 *
 * "Today" is the calendar date in China (`chinaTodaySql`), whatever the server's time zone: an
 * assignment with `ended_on` = today has ended; one with `started_on` = today has begun.
 */
/** The school of a class (alias `c`): the ancestor of kind 'school' named in the class's path. */
const schoolOfClass = sql`(select s.id
  from unnest(string_to_array(trim(both '/' from c.path), '/')::uuid[]) as ancestor(id)
  join org_units s on s.district_id = c.district_id and s.id = ancestor.id
  where s.kind = 'school')`;

/** A json array of the distinct rows of `query` (column aliases become the keys), '[]' when none. */
const jsonRows = (query: SQL) => sql`(select coalesce(json_agg(r), '[]'::json) from (${query}) r)`;

/**
 * A scalar subquery giving the relations of the user whose id is `userId` (an SQL expression such as
 * a column of the enclosing query) as json shaped like `PersonRelations`.
 */
export function personRelationsJson(userId: SQL): SQL {
  return sql`(with me as (
      select pa.district_id, pa.person_id from person_accounts pa where pa.user_id = ${userId}
    ), today as (select ${chinaTodaySql} as d)
    select json_build_object(
      'self', ${jsonRows(sql`select me.district_id as "districtId", me.person_id as "personId" from me`)},
      'headTeacherOf', ${jsonRows(sql`select distinct h.district_id as "districtId", h.class_id as "classId",
          ${schoolOfClass} as "schoolId"
        from me, today, head_teacher_assignments h
        join org_units c on c.district_id = h.district_id and c.id = h.class_id
        where h.district_id = me.district_id and h.person_id = me.person_id
          and h.started_on <= today.d and (h.ended_on is null or h.ended_on > today.d)
          and c.kind = 'class' and c.status = 'active'`)},
      'teaches', ${jsonRows(sql`select distinct ta.district_id as "districtId", ta.class_id as "classId",
          ${schoolOfClass} as "schoolId"
        from me, today, teaching_assignments ta
        join terms t on t.district_id = ta.district_id and t.id = ta.term_id
        join org_units c on c.district_id = ta.district_id and c.id = ta.class_id
        where ta.district_id = me.district_id and ta.person_id = me.person_id
          and ta.started_on <= today.d and (ta.ended_on is null or ta.ended_on > today.d)
          and t.starts_on <= today.d and t.ends_on >= today.d
          and c.kind = 'class' and c.status = 'active'`)},
      'guardianOf', ${jsonRows(sql`select distinct g.district_id as "districtId", g.child_person_id as "personId"
        from me, guardian_relations g
        where g.district_id = me.district_id and g.guardian_person_id = me.person_id
          and (g.ended_at is null or g.ended_at > now())
          and not exists (select 1 from enrolments e where e.district_id = g.district_id
            and e.person_id = g.child_person_id and e.status = 'deceased')`)},
      'staffAt', ${jsonRows(sql`select distinct sp.district_id as "districtId", sp.school_id as "schoolId"
        from me, today, staff_posts sp
        join org_units s on s.district_id = sp.district_id and s.id = sp.school_id
        where sp.district_id = me.district_id and sp.person_id = me.person_id
          and sp.started_on <= today.d and (sp.ended_on is null or sp.ended_on > today.d)
          and s.status = 'active'`)},
      'studentAt', ${jsonRows(sql`select distinct e.district_id as "districtId", e.school_id as "schoolId"
        from me, enrolments e
        where e.district_id = me.district_id and e.person_id = me.person_id
          and e.status in ('active', 'suspended')`)}
    ))`;
}

/** The json of `personRelationsJson` as the principal carries it (keys are already camelCase). */
export function toPersonRelations(json: unknown): PersonRelations {
  const r = (json ?? {}) as Partial<PersonRelations>;
  return {
    self: r.self ?? [],
    headTeacherOf: r.headTeacherOf ?? [],
    teaches: r.teaches ?? [],
    guardianOf: r.guardianOf ?? [],
    staffAt: r.staffAt ?? [],
    studentAt: r.studentAt ?? [],
  };
}
