/**
 * Test helpers (integration tests only): people rows inserted directly, not through the services,
 * so relation and scoping tests set up exactly the state they assert on. Dates are relative to
 * China's today, so the tests mean the same whatever day they run.
 */
import { eq } from 'drizzle-orm';
import { createUser, request, type TestUser } from '../../../test/support/app';
import { addDays, chinaToday } from '../../china-time';
import type { Db } from '../../db/client';
import { SESSION_COOKIE } from '../../http/auth';
import type { App } from '../../http/types';
import { academicYears, orgUnits, terms } from '../org/schema';
import {
  classMemberships,
  enrolments,
  guardianRelations,
  headTeacherAssignments,
  personAccounts,
  persons,
  staffPosts,
  teachingAssignments,
} from './schema';

export const today = () => chinaToday();
export const daysFromToday = (days: number) => addDays(chinaToday(), days);

export interface CurrentYear {
  academicYearId: string;
  /** A term containing today. */
  termId: string;
  /** A term starting after today. */
  nextTermId: string;
  /** A term that ended before today. */
  pastTermId: string;
}

/**
 * An academic year around today with a past, a current and a next term; the given classes are
 * moved into it (as the org domain would have created them for this year).
 */
export async function insertCurrentYear(
  db: Db,
  districtId: string,
  classIds: string[] = [],
): Promise<CurrentYear> {
  const [year] = await db
    .insert(academicYears)
    .values({ districtId, name: '测试学年', startsOn: daysFromToday(-200), endsOn: daysFromToday(200) })
    .returning();
  if (!year) throw new Error('academic year insert failed');
  const term = async (seq: number, from: number, to: number) => {
    const [row] = await db
      .insert(terms)
      .values({
        districtId,
        academicYearId: year.id,
        seq,
        name: `第${seq}学期`,
        startsOn: daysFromToday(from),
        endsOn: daysFromToday(to),
      })
      .returning();
    if (!row) throw new Error('term insert failed');
    return row.id;
  };
  const pastTermId = await term(1, -200, -61);
  const termId = await term(2, -60, 60);
  const nextTermId = await term(3, 61, 200);
  for (const classId of classIds) {
    await db.update(orgUnits).set({ academicYearId: year.id }).where(eq(orgUnits.id, classId));
  }
  return { academicYearId: year.id, termId, nextTermId, pastTermId };
}

/**
 * Make a year around today the district's only current one: the seeded district's fixed year is
 * moved into the past, and `classIds` join the new year (so tests mean the same on any date).
 */
export async function onlyCurrentYear(
  db: Db,
  seeded: { districtId: string; academicYearId: string },
  classIds: string[],
): Promise<CurrentYear> {
  await db
    .update(academicYears)
    .set({ startsOn: '2000-09-01', endsOn: '2001-08-31' })
    .where(eq(academicYears.id, seeded.academicYearId));
  return insertCurrentYear(db, seeded.districtId, classIds);
}

export async function insertPerson(db: Db, districtId: string, name: string): Promise<string> {
  const [row] = await db.insert(persons).values({ districtId, name }).returning({ id: persons.id });
  if (!row) throw new Error('person insert failed');
  return row.id;
}

export async function linkAccount(
  db: Db,
  districtId: string,
  personId: string,
  userId: string,
): Promise<void> {
  await db.insert(personAccounts).values({ districtId, personId, userId });
}

/** A sign-in account linked to a person (its access then comes from the person's relations). */
export async function accountFor(
  db: Db,
  districtId: string,
  personId: string,
  username?: string,
): Promise<TestUser> {
  const user = await createUser(db, { homeDistrictId: districtId, ...(username ? { username } : {}) });
  await linkAccount(db, districtId, personId, user.userId);
  return user;
}

export async function insertStaffPost(
  db: Db,
  v: { districtId: string; personId: string; schoolId: string; startedOn?: string; endedOn?: string | null },
): Promise<string> {
  const [row] = await db
    .insert(staffPosts)
    .values({
      postCode: '10',
      establishmentCode: '1',
      isFullTimeTeacher: true,
      startedOn: daysFromToday(-100),
      ...v,
    })
    .returning({ id: staffPosts.id });
  if (!row) throw new Error('staff post insert failed');
  return row.id;
}

export async function insertHeadTeacher(
  db: Db,
  v: {
    districtId: string;
    personId: string;
    classId: string;
    academicYearId: string;
    startedOn?: string;
    endedOn?: string | null;
  },
): Promise<string> {
  const [row] = await db
    .insert(headTeacherAssignments)
    .values({ startedOn: daysFromToday(-30), ...v })
    .returning({ id: headTeacherAssignments.id });
  if (!row) throw new Error('head teacher insert failed');
  return row.id;
}

export async function insertTeaching(
  db: Db,
  v: {
    districtId: string;
    personId: string;
    classId: string;
    termId: string;
    subjectCode?: string;
    startedOn?: string;
    endedOn?: string | null;
  },
): Promise<string> {
  const [row] = await db
    .insert(teachingAssignments)
    .values({ subjectCode: '14', startedOn: daysFromToday(-30), ...v })
    .returning({ id: teachingAssignments.id });
  if (!row) throw new Error('teaching assignment insert failed');
  return row.id;
}

/** An active enrolment at `schoolId` with an open membership of `classId`. */
export async function enrol(
  db: Db,
  v: { districtId: string; personId: string; schoolId: string; classId: string; academicYearId: string },
): Promise<{ enrolmentId: string; membershipId: string }> {
  const [e] = await db
    .insert(enrolments)
    .values({
      districtId: v.districtId,
      personId: v.personId,
      schoolId: v.schoolId,
      status: 'active',
      enteredOn: daysFromToday(-100),
    })
    .returning({ id: enrolments.id });
  if (!e) throw new Error('enrolment insert failed');
  const [m] = await db
    .insert(classMemberships)
    .values({
      districtId: v.districtId,
      enrolmentId: e.id,
      personId: v.personId,
      classId: v.classId,
      academicYearId: v.academicYearId,
      startedOn: daysFromToday(-100),
    })
    .returning({ id: classMemberships.id });
  if (!m) throw new Error('class membership insert failed');
  return { enrolmentId: e.id, membershipId: m.id };
}

export async function insertGuardianRelation(
  db: Db,
  v: { districtId: string; guardianPersonId: string; childPersonId: string; relationCode?: string },
): Promise<string> {
  const [row] = await db
    .insert(guardianRelations)
    .values({ relationCode: '52', isPrimary: true, ...v })
    .returning({ id: guardianRelations.id });
  if (!row) throw new Error('guardian relation insert failed');
  return row.id;
}

/** Sign in through the API (as a browser would); the result works with `request` from test/support/app. */
export async function signInAs(app: App, username: string, password: string): Promise<TestUser> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error('no session cookie');
  const { csrfToken } = res.json() as { csrfToken: string };
  return { userId: '', username, password, cookie: `${SESSION_COOKIE}=${cookie.value}`, csrfToken };
}

/** Sign in with a one-time password and replace it, as a new staff member does at first sign-in. */
export async function firstSignIn(app: App, username: string, oneTimePassword: string): Promise<TestUser> {
  const user = await signInAs(app, username, oneTimePassword);
  const newPassword = 'Mingde2035chosen';
  const res = await request(app, user, 'POST', '/api/v1/auth/password', {
    currentPassword: oneTimePassword,
    newPassword,
  });
  if (res.statusCode !== 204) throw new Error(`password change failed: ${res.statusCode} ${res.body}`);
  return { ...user, password: newPassword };
}
