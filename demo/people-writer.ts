import {
  type DataKeys,
  encrypt,
  identityHash,
  maskIdNumber,
  maskPhone,
  maskStudentNumber,
} from '../src/access/protect';
import { auditInTx, type Ctx } from '../src/context';
import type { Tx } from '../src/db/client';
import * as bulk from '../src/domains/people/demo-bulk-repository';
import {
  type Featured,
  generatePeople,
  type PeopleBatch,
  type PeopleContext,
  type PeopleCounts,
} from './people';
import type { DemoPlan } from './plan';

/** JY/T 1001 身份证件类型 1 居民身份证: every demo person has one. */
const RESIDENT_ID_CARD = '1';

export interface PeopleTotals extends PeopleCounts {
  persons: number;
  rows: number;
  batches: number;
}

const dayStart = (date: string) => `${date}T00:00:00+08:00`;

/**
 * The batch's rows as the tables take them: ID numbers, 学籍号 and phones encrypted, hashed (to
 * find a person by them) and masked (to show them).
 */
function protectBatch(districtId: string, keys: DataKeys, b: PeopleBatch) {
  const studentNumber = (value: string | null) =>
    value === null
      ? { studentNumberEnc: null, studentNumberHash: null, studentNumberMasked: null }
      : {
          studentNumberEnc: encrypt(keys, value),
          studentNumberHash: identityHash(keys, 'studentNumber', value),
          studentNumberMasked: maskStudentNumber(value),
        };
  return {
    persons: b.persons.map(
      (p): bulk.NewPersonRow => ({
        districtId,
        id: p.id,
        name: p.name,
        genderCode: p.genderCode,
        birthDate: p.birthDate,
        ethnicityCode: p.ethnicityCode,
        idType: RESIDENT_ID_CARD,
        idNumberEnc: encrypt(keys, p.idNumber),
        idHash: identityHash(keys, 'idNumber', p.idNumber),
        idMasked: maskIdNumber(p.idNumber),
        phoneEnc: p.phone === null ? null : encrypt(keys, p.phone),
        phoneMasked: p.phone === null ? null : maskPhone(p.phone),
      }),
    ),
    enrolments: b.enrolments.map(
      (e): bulk.NewEnrolmentRow => ({
        districtId,
        id: e.id,
        personId: e.personId,
        schoolId: e.schoolId,
        ...studentNumber(e.studentNumber),
        status: e.status,
        enteredOn: e.enteredOn,
        leftOn: e.leftOn,
      }),
    ),
    memberships: b.memberships.map((m): bulk.NewClassMembershipRow => ({ districtId, ...m })),
    changes: b.changes.map((c): bulk.NewEnrolmentChangeRow => ({ districtId, ...c })),
    guardians: b.guardians.map(
      ({ startedOn, ...g }): bulk.NewGuardianRelationRow => ({
        districtId,
        ...g,
        startedAt: new Date(dayStart(startedOn)),
      }),
    ),
    staffPosts: b.staffPosts.map((s): bulk.NewStaffPostRow => ({ districtId, ...s, endedOn: null })),
    teaching: b.teaching.map((t): bulk.NewTeachingAssignmentRow => ({ districtId, ...t })),
    headTeachers: b.headTeachers.map((h): bulk.NewHeadTeacherAssignmentRow => ({ districtId, ...h })),
  };
}

type ProtectedBatch = ReturnType<typeof protectBatch>;

/** Insert in dependency order (persons before the rows naming them), then the batch's audit event. */
async function writeBatch(ctx: Ctx, tx: Tx, districtId: string, rows: ProtectedBatch, subjectIds: string[]) {
  await bulk.insertPersons(tx, rows.persons);
  await bulk.insertStaffPosts(tx, rows.staffPosts);
  await bulk.insertEnrolments(tx, rows.enrolments);
  await bulk.insertClassMemberships(tx, rows.memberships);
  await bulk.insertEnrolmentChanges(tx, rows.changes);
  await bulk.insertGuardianRelations(tx, rows.guardians);
  await bulk.insertTeachingAssignments(tx, rows.teaching);
  await bulk.insertHeadTeacherAssignments(tx, rows.headTeachers);
  await auditInTx(ctx, tx, {
    districtId,
    action: 'demo.generate',
    targetType: 'district',
    targetId: districtId,
    subjectIds,
    details: {
      persons: rows.persons.length,
      enrolments: rows.enrolments.length,
      staffPosts: rows.staffPosts.length,
      guardianRelations: rows.guardians.length,
    },
  });
}

/** Every person a batch's rows name: the new persons, and earlier ones it adds a relation to. */
function subjectsOf(b: PeopleBatch): string[] {
  const ids = new Set(b.persons.map((p) => p.id));
  for (const g of b.guardians) ids.add(g.guardianPersonId);
  for (const e of b.enrolments) ids.add(e.personId);
  return [...ids];
}

const rowCount = (r: ProtectedBatch) =>
  Object.values(r).reduce((sum, list) => sum + (list as unknown[]).length, 0);

/** Generated a few hundred persons at a time, so the inserts in flight are never kept waiting long. */
const PIECE_PERSONS = 250;
/** Persons per written batch (and audit event). */
const WRITE_BATCH_PERSONS = 2000;

const emptyRows = (): ProtectedBatch => ({
  persons: [],
  enrolments: [],
  memberships: [],
  changes: [],
  guardians: [],
  staffPosts: [],
  teaching: [],
  headTeachers: [],
});

/**
 * Generate the demo's people and write them in the caller's transaction, batch by batch. Only a
 * batch or two is held at a time; while one batch is being inserted (the database's core) the next
 * is generated and protected (Node's), piece by piece, handing the event loop back between pieces
 * so each INSERT goes out as soon as the previous one returns. One audit event per batch
 * ('demo.generate') names every person in it.
 */
export async function writePeople(
  ctx: Ctx,
  tx: Tx,
  input: {
    districtId: string;
    plan: DemoPlan;
    people: PeopleContext;
    keys: DataKeys;
    say: (line: string) => void;
    /** When the demo started (Date.now()): progress lines show the time since. */
    started?: number;
  },
): Promise<{ totals: PeopleTotals; featured: Partial<Featured> }> {
  const { districtId, keys, say } = input;
  const totals: PeopleTotals = {
    students: 0,
    departed: 0,
    guardians: 0,
    staff: 0,
    adultLearners: 0,
    persons: 0,
    rows: 0,
    batches: 0,
  };
  const featured: Partial<Featured> = {};
  const target = input.people.students;
  const step = Math.max(1, Math.round(target / (target >= 100_000 ? 10 : 4)));
  let nextReport = step;
  let staffReported = false;
  const started = input.started ?? Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

  let writing: Promise<void> = Promise.resolve();
  let pending = emptyRows();
  let subjects = new Set<string>();
  const flush = async () => {
    const rows = pending;
    const ids = [...subjects];
    pending = emptyRows();
    subjects = new Set();
    // The previous batch must be in before this one refers to its persons.
    await writing;
    writing = writeBatch(ctx, tx, districtId, rows, ids);
    // Keep a failed write from counting as unhandled before it is awaited.
    writing.catch(() => {});
    totals.rows += rowCount(rows);
    totals.batches += 1;
  };

  for (const piece of generatePeople(input.plan, input.people, { batchPersons: PIECE_PERSONS })) {
    const rows = protectBatch(districtId, keys, piece);
    for (const key of Object.keys(rows) as (keyof ProtectedBatch)[]) {
      (pending[key] as unknown[]).push(...rows[key]);
    }
    for (const id of subjectsOf(piece)) subjects.add(id);
    Object.assign(featured, piece.featured);
    for (const key of Object.keys(piece.counts) as (keyof PeopleCounts)[]) totals[key] += piece.counts[key];
    totals.persons += piece.persons.length;
    if (pending.persons.length >= WRITE_BATCH_PERSONS) await flush();

    if (!staffReported && totals.students > 0) {
      staffReported = true;
      say(`  教职工 staff: ${totals.staff.toLocaleString('en')} (${seconds()})`);
    }
    while (totals.students >= nextReport && nextReport <= target) {
      say(
        `  学生 students: ${nextReport.toLocaleString('en')} / ${target.toLocaleString('en')} (${seconds()})`,
      );
      nextReport += step;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (pending.persons.length > 0) await flush();
  await writing;
  return { totals, featured };
}
