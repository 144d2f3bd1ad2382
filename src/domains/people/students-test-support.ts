/**
 * Test helpers for the persons and students integration tests: valid ID numbers, enrolment
 * through the API, and the audit events a request wrote.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { request, type TestUser } from '../../../test/support/app';
import type { Db } from '../../db/client';
import type { App } from '../../http/types';
import { residentIdCheckDigit } from '../../standards/id-number';
import { auditEvents } from '../audit/schema';
import { orgUnits } from '../org/schema';

/** A valid 18-digit 居民身份证 number: address + birth date + sequence + its MOD 11-2 check character. */
export function idNumber(birth: string, seq: number, address = '110101'): string {
  const body = `${address}${birth}${String(seq).padStart(3, '0')}`;
  return body + residentIdCheckDigit(body);
}

export interface EnrolBody {
  schoolId: string;
  classId: string;
  person?: Record<string, unknown>;
  personId?: string;
  enteredOn?: string;
  studentNumber?: string;
}

/** POST /students, expecting 201; returns the body. */
export async function enrolViaApi(app: App, user: TestUser, body: EnrolBody) {
  const res = await request(app, user, 'POST', '/api/v1/students', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as {
    person: { id: string; districtId: string; name: string; idMasked: string | null };
    personCreated: boolean;
    enrolment: { id: string; status: string; classId: string | null; studentNumberMasked: string | null };
  };
}

/** The latest audit events of a district with this action, newest first. */
export async function eventsOf(db: Db, districtId: string, action: string) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.districtId, districtId), eq(auditEvents.action, action)))
    .orderBy(desc(auditEvents.seq));
}

/** Every audit event of a district as text (to search for leaked identifiers). */
export async function auditText(db: Db): Promise<string> {
  const rows = await db.execute<{
    t: string;
  }>(sql`select coalesce(string_agg(row_to_json(a)::text, E'\n'), '') as t
    from audit_events a`);
  return rows.rows[0]?.t ?? '';
}

/** A grade (under a campus) or a class (under a grade), inserted directly as the org domain would. */
export async function insertUnit(
  db: Db,
  v: {
    districtId: string;
    parentPath: string;
    kind: 'grade' | 'class';
    name: string;
    gradeCode: string;
    classNumber?: number;
    academicYearId?: string;
  },
): Promise<{ id: string; path: string }> {
  const id = randomUUID();
  const parentId = v.parentPath.split('/').filter(Boolean).at(-1) as string;
  const path = `${v.parentPath}${id}/`;
  await db.insert(orgUnits).values({
    districtId: v.districtId,
    id,
    parentId,
    kind: v.kind,
    name: v.name,
    path,
    gradeCode: v.gradeCode,
    classNumber: v.classNumber ?? null,
    academicYearId: v.academicYearId ?? null,
  });
  return { id, path };
}

/** Paths of a seeded school's units: `/root/school/campus/grade/class/`. */
export function seededPaths(
  d: { rootId: string },
  s: { id: string; campusId: string; gradeId: string; classId: string },
) {
  const school = `/${d.rootId}/${s.id}/`;
  const campus = `${school}${s.campusId}/`;
  const grade = `${campus}${s.gradeId}/`;
  return { school, campus, grade, class: `${grade}${s.classId}/` };
}
