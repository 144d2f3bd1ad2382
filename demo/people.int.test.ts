import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypt, identityHash, loadDataKeys, maskIdNumber } from '../src/access/protect';
import { users } from '../src/domains/accounts/schema';
import { createSession } from '../src/domains/accounts/sessions';
import { auditEvents } from '../src/domains/audit/schema';
import { orgUnits } from '../src/domains/org/schema';
import {
  classMemberships,
  enrolments,
  guardianRelations,
  headTeacherAssignments,
  personAccounts,
  persons,
  staffPosts,
} from '../src/domains/people/schema';
import { CSRF_HEADER, SESSION_COOKIE } from '../src/http/auth';
import { parseResidentIdNumber, parseStudentNumber } from '../src/standards/id-number';
import { createTestApp, type TestApp } from '../test/support/app';
import { type DemoAccount, runDemo } from './ensure';

/**
 * `mingde demo --students 500` into fresh databases: what it writes, that identifiers are protected
 * and valid, that every class has its head teacher, that the relationship accounts work, and that the
 * same seed gives the same people (names, ID hashes) in another database.
 */
const SEED = 7;
const STUDENTS = 500;
// One key file for both databases, so equal ID numbers give equal hashes.
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-demo-keys-'));
const keyEnv = { MINGDE_DATA_KEY_FILE: path.join(keyDir, 'data-key') };

async function generate(t: TestApp) {
  const lines: string[] = [];
  const platform = {
    config: t.app.deps.config,
    database: t.database,
    embedded: false,
    stop: async () => {},
  };
  const accounts = await runDemo(platform, t.auditLog, (line) => lines.push(line), {
    seed: SEED,
    students: STUDENTS,
  });
  return { accounts, lines };
}

let first: TestApp;
let second: TestApp;
let result: { accounts: DemoAccount[]; lines: string[] };

beforeAll(async () => {
  first = await createTestApp(keyEnv);
  second = await createTestApp(keyEnv);
  result = await generate(first);
}, 120_000);

afterAll(async () => {
  await first?.close();
  await second?.close();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

describe('demo people (500 students)', () => {
  it('writes the students asked for, their guardians, staff and history, and says so', async () => {
    const db = first.database.db;
    const [students] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(enrolments)
      .where(
        sql`${enrolments.studentNumberHash} is not null and ${enrolments.status} in ('active', 'suspended')`,
      );
    expect(students?.n).toBe(STUDENTS);
    const [relations] = await db
      .select({ children: sql<number>`count(distinct ${guardianRelations.childPersonId})::int` })
      .from(guardianRelations);
    // Every student ever enrolled (also the few who left) has guardians.
    expect(relations?.children).toBeGreaterThanOrEqual(STUDENTS);
    const [staff] = await db.select({ n: sql<number>`count(*)::int` }).from(staffPosts);
    expect(staff?.n).toBeGreaterThan(200);
    const [history] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(classMemberships)
      .where(sql`${classMemberships.endedOn} is not null`);
    expect(history?.n).toBeGreaterThan(STUDENTS);

    expect(result.lines[0]).toBe(
      '正在生成演示区县… / generating the demo district… (500 名学生 students, seed 7)',
    );
    expect(result.lines).toContainEqual(
      expect.stringMatching(/^ {2}学生 students: 500 \/ 500 \(\d+\.\d s\)$/),
    );
    expect(result.lines).toContainEqual(
      expect.stringMatching(
        /^演示区县已生成 \/ demo district created: 吴中区教育局（演示）, 40 所学校 schools, .* 500 名学生 students/,
      ),
    );
  });

  it('stores ID numbers and 学籍号 encrypted, hashed and masked; they decrypt to valid numbers', async () => {
    const keys = loadDataKeys(first.app.deps.config);
    const rows = await first.database.db.select().from(persons);
    expect(rows.length).toBeGreaterThan(1000);
    for (const p of rows) {
      const id = decrypt(keys, p.idNumberEnc ?? '');
      const parsed = parseResidentIdNumber(id);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) {
        expect(parsed.value.birthDate).toBe(p.birthDate);
        expect(parsed.value.genderCode).toBe(p.genderCode);
      }
      expect(p.idType).toBe('1');
      expect(p.idHash).toBe(identityHash(keys, 'idNumber', id));
      expect(p.idMasked).toBe(maskIdNumber(id));
      expect(p.idNumberEnc).not.toContain(id.slice(6, 14));
    }
    const numbers = await first.database.db
      .select({ personId: enrolments.personId, enc: enrolments.studentNumberEnc })
      .from(enrolments)
      .where(sql`${enrolments.studentNumberEnc} is not null`)
      .limit(200);
    const idOf = new Map(rows.map((p) => [p.id, decrypt(keys, p.idNumberEnc ?? '')]));
    for (const n of numbers) {
      const number = decrypt(keys, n.enc ?? '');
      expect(number).toBe(`G${idOf.get(n.personId)}`);
      expect(parseStudentNumber(number).ok).toBe(true);
    }
  });

  it('gives every class a head teacher in its academic year, current classes an open one', async () => {
    const db = first.database.db;
    const unheaded = await db
      .select({ id: orgUnits.id })
      .from(orgUnits)
      .where(
        sql`${orgUnits.kind} = 'class' and not exists (select 1 from ${headTeacherAssignments} h
          where h.class_id = ${orgUnits.id} and h.academic_year_id = ${orgUnits.academicYearId})`,
      );
    expect(unheaded).toEqual([]);
    const [open] = await db
      .select({ n: sql<number>`count(distinct ${headTeacherAssignments.classId})::int` })
      .from(headTeacherAssignments)
      .where(isNull(headTeacherAssignments.endedOn));
    const [current] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(orgUnits)
      .where(
        sql`${orgUnits.kind} = 'class' and ${orgUnits.academicYearId} = (select id from academic_years
          where district_id = ${orgUnits.districtId} order by starts_on desc limit 1)`,
      );
    expect(open?.n).toBe(current?.n);
  });

  it('writes one demo.generate audit event per batch, naming every person it wrote', async () => {
    const db = first.database.db;
    const events = await db
      .select({ subjectIds: auditEvents.subjectIds, actorKind: auditEvents.actorKind })
      .from(auditEvents)
      .where(eq(auditEvents.action, 'demo.generate'));
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.actorKind))).toEqual(new Set(['system']));
    const named = new Set(events.flatMap((e) => e.subjectIds));
    const all = await db.select({ id: persons.id }).from(persons);
    expect(all.filter((p) => !named.has(p.id))).toEqual([]);
  });

  it('links the 班主任, 任课教师, guardian and student accounts to their persons; the 班主任 sees the roster', async () => {
    const db = first.database.db;
    const names = result.accounts.map((a) => a.username);
    expect(names.slice(-4)).toEqual(['head.teacher', 'teacher', 'guardian', 'student']);
    const links = await db
      .select({ username: users.username, personId: personAccounts.personId })
      .from(personAccounts)
      .innerJoin(users, eq(users.id, personAccounts.userId));
    expect(links.map((l) => l.username).sort()).toEqual(['guardian', 'head.teacher', 'student', 'teacher']);

    const headTeacher = links.find((l) => l.username === 'head.teacher');
    const [assignment] = await db
      .select()
      .from(headTeacherAssignments)
      .where(
        and(
          eq(headTeacherAssignments.personId, headTeacher?.personId ?? ''),
          isNull(headTeacherAssignments.endedOn),
        ),
      );
    const [user] = await db.select().from(users).where(eq(users.username, 'head.teacher'));
    const session = await createSession(db, user?.id ?? '', 8);
    const roster = await first.app.inject({
      method: 'GET',
      url: `/api/v1/classes/${assignment?.classId}/roster`,
      headers: { cookie: `${SESSION_COOKIE}=${session.token}`, [CSRF_HEADER]: session.csrfToken },
    });
    expect(roster.statusCode).toBe(200);
    const [members] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(classMemberships)
      .where(and(eq(classMemberships.classId, assignment?.classId ?? ''), isNull(classMemberships.endedOn)));
    expect((roster.json() as { total: number }).total).toBe(members?.n);
    const student = links.find((l) => l.username === 'student');
    expect((roster.json() as { items: { personId: string }[] }).items.map((i) => i.personId)).toContain(
      student?.personId,
    );
  });

  it('gives the same people (ids, names, ID hashes) for the same seed in another database', async () => {
    await generate(second);
    const people = (t: TestApp) =>
      t.database.db
        .select({ id: persons.id, name: persons.name, idHash: persons.idHash, birthDate: persons.birthDate })
        .from(persons)
        .orderBy(persons.id);
    const [a, b] = [await people(first), await people(second)];
    expect(b.length).toBe(a.length);
    expect(b).toEqual(a);
  });
});
