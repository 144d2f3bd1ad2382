import { describe, expect, it } from 'vitest';
import { dayOf, drawAddress, IdNumberAllocator, idCheckCharacter } from './id-numbers';
import { drawGivenName, surnames } from './names';
import { parseDemoOptions } from './options';
import { generatePeople, type PeopleBatch, type PeopleContext } from './people';
import { chineseNumber, planDemo } from './plan';
import { IdSequence, StreamRandom } from './random';
import { entryAge, layoutSchools } from './school-layout';
import { subjectsFor } from './staffing';

/** GB 11643 check, written here from the standard and independent of the generator's code. */
function validResidentId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (2 ** (17 - i) % 11);
  const check = (12 - (sum % 11)) % 11;
  return id[17] === (check === 10 ? 'X' : String(check));
}

const context = (plan: ReturnType<typeof planDemo>, seed: number, students: number): PeopleContext => ({
  seed,
  students,
  currentYearStart: 2026,
  today: '2026-11-25',
  yearIds: Array.from(
    { length: plan.historyYears + 1 },
    (_, k) => `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
  ),
  terms: [
    { id: '00000000-0000-4000-8000-100000000001', startsOn: '2026-09-01', endsOn: '2027-01-31' },
    { id: '00000000-0000-4000-8000-100000000002', startsOn: '2027-02-01', endsOn: '2027-07-15' },
  ],
});

/** All batches of a generation merged (fine for a few hundred students). */
function generate(seed: number, students: number) {
  const plan = planDemo(seed, students);
  const all: PeopleBatch[] = [...generatePeople(plan, context(plan, seed, students))];
  const merged = {
    plan,
    batches: all.length,
    persons: all.flatMap((b) => b.persons),
    enrolments: all.flatMap((b) => b.enrolments),
    memberships: all.flatMap((b) => b.memberships),
    changes: all.flatMap((b) => b.changes),
    guardians: all.flatMap((b) => b.guardians),
    staffPosts: all.flatMap((b) => b.staffPosts),
    teaching: all.flatMap((b) => b.teaching),
    headTeachers: all.flatMap((b) => b.headTeachers),
    counts: all.reduce(
      (sum, b) => ({
        students: sum.students + b.counts.students,
        staff: sum.staff + b.counts.staff,
        guardians: sum.guardians + b.counts.guardians,
      }),
      { students: 0, staff: 0, guardians: 0 },
    ),
    featured: Object.assign({}, ...all.map((b) => b.featured)),
  };
  return merged;
}

describe('GB 11643 ID numbers', () => {
  it('computes the ISO 7064 MOD 11-2 check character of the standard examples', () => {
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(idCheckCharacter('44052418800101001')).toBe('4');
    expect(validResidentId('11010519491231002X')).toBe(true);
    expect(validResidentId('110105194912310021')).toBe(false);
  });

  it('hands out unique numbers with the birth date and an odd (male) or even (female) sequence', () => {
    const ids = new IdNumberAllocator();
    const day = dayOf('2019-10-01');
    const men = Array.from({ length: 600 }, () => ids.allocate(0, day, true));
    const women = Array.from({ length: 3 }, () => ids.allocate(0, day, false));
    expect(men[0]?.idNumber).toBe('32050620191001987X');
    expect(women[0]?.idNumber).toBe('320506201910019888');
    const all = [...men, ...women].map((m) => m.idNumber);
    expect(new Set(all).size).toBe(603);
    expect(all.every(validResidentId)).toBe(true);
    expect(men.every((m) => Number(m.idNumber[16]) % 2 === 1)).toBe(true);
    expect(women.every((w) => Number(w.idNumber[16]) % 2 === 0)).toBe(true);
    // 499 sequence numbers per sex and day: the 500th man is registered born the next day.
    expect(men.slice(0, 499).every((m) => m.birthDate === '2019-10-01')).toBe(true);
    expect(men[499]?.birthDate).toBe('2019-10-02');
    expect(men[499]?.idNumber.slice(6, 14)).toBe('20191002');
  });

  it('draws migrant addresses from real county codes, the district itself for local families', () => {
    const rng = new StreamRandom(1, 0);
    const ids = new IdNumberAllocator();
    expect(ids.allocate(drawAddress(rng, 'district'), dayOf('2015-03-04'), false).idNumber.slice(0, 6)).toBe(
      '320506',
    );
    const elsewhere = Array.from({ length: 200 }, () =>
      ids.allocate(drawAddress(rng, 'elsewhere'), dayOf('2015-03-04'), true).idNumber.slice(0, 2),
    );
    expect(elsewhere).not.toContain('32');
    expect(new Set(elsewhere).has('34')).toBe(true); // 安徽, the largest share
  });
});

describe('names', () => {
  it('weights surnames by frequency, with Suzhou surnames weighted up for local families', () => {
    const rng = new StreamRandom(5, 0);
    const draw = (local: boolean) =>
      Array.from({ length: 20_000 }, () => (local ? surnames.suzhou : surnames.national).draw(rng));
    const national = draw(false);
    const share = (list: string[], s: string) => list.filter((x) => x === s).length / list.length;
    // 王 7.1% of the listed weights' total (about 94), so ~7.6% of draws.
    expect(share(national, '王')).toBeGreaterThan(0.065);
    expect(share(national, '王')).toBeLessThan(0.087);
    expect(share(national, '顾')).toBeLessThan(0.005);
    expect(share(draw(true), '顾')).toBeGreaterThan(0.006);
  });

  it('gives one- or two-character given names without a repeated character', () => {
    const rng = new StreamRandom(9, 0);
    const names = Array.from({ length: 2000 }, () => drawGivenName(rng, 'female', 'child'));
    expect(names.every((n) => n.length === 1 || (n.length === 2 && n[0] !== n[1]))).toBe(true);
    expect(names.filter((n) => n.length === 2).length).toBeGreaterThan(1600);
  });
});

describe('demo plan sizes', () => {
  it('keeps the default plan and scales by numbered school copies or fewer classes', () => {
    const base = planDemo();
    expect(base.schools).toHaveLength(40);
    expect(base.units.filter((u) => u.kind === 'class' && u.yearsAgo === 0)).toHaveLength(789);
    expect(base.historyYears).toBe(11);
    const big = planDemo(2035, 1_000_000);
    expect(big.schools).toHaveLength(2000);
    expect(big.schools.map((s) => s.name)).toContain('吴中区实验第五十小学');
    const small = planDemo(2035, 500);
    const classes = small.units.filter((u) => u.kind === 'class' && u.yearsAgo === 0 && u.gradeCode);
    const perGrade = new Map<string, number>();
    for (const c of classes) perGrade.set(c.parentId, (perGrade.get(c.parentId) ?? 0) + 1);
    expect(new Set(perGrade.values())).toEqual(new Set([1]));
    expect([2, 10, 12, 20, 35, 50].map(chineseNumber)).toEqual([
      '二',
      '十',
      '十二',
      '二十',
      '三十五',
      '五十',
    ]);
  });

  it('gives each current class its cohort’s classes of earlier years, one grade lower per year', () => {
    const plan = planDemo();
    const byId = new Map(plan.units.map((u) => [u.id, u]));
    const sixth = plan.units.find((u) => u.kind === 'class' && u.gradeCode === '16' && u.yearsAgo === 0);
    const past = (sixth?.pastClassIds ?? []).map((id) => byId.get(id));
    expect(past.map((u) => [u?.gradeCode, u?.yearsAgo, u?.classNumber])).toEqual(
      [15, 14, 13, 12, 11].map((g, i) => [String(g), i + 1, sixth?.classNumber]),
    );
  });
});

describe('demo people', () => {
  const small = generate(7, 500);

  it('is deterministic for a seed and size, and differs for another seed', () => {
    const again = generate(7, 500);
    expect(again.persons).toEqual(small.persons);
    expect(again.memberships).toEqual(small.memberships);
    expect(
      generate(8, 500)
        .persons.slice(0, 50)
        .map((p) => p.name),
    ).not.toEqual(small.persons.slice(0, 50).map((p) => p.name));
  });

  it('makes exactly the students asked for, with valid, unique IDs and G + ID 学籍号', () => {
    expect(small.counts.students).toBe(500);
    const ids = small.persons.map((p) => p.idNumber);
    expect(ids.every(validResidentId)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of small.persons) {
      expect(p.idNumber.slice(6, 14)).toBe(p.birthDate.replaceAll('-', ''));
      expect(Number(p.idNumber[16]) % 2 === 1 ? '1' : '2').toBe(p.genderCode);
    }
    const personOf = new Map(small.persons.map((p) => [p.id, p]));
    for (const e of small.enrolments.filter((x) => x.studentNumber !== null)) {
      expect(e.studentNumber).toBe(`G${personOf.get(e.personId)?.idNumber}`);
    }
  });

  it('gives students ages that fit their grade on 1 September', () => {
    const schools = layoutSchools(small.plan);
    const classes = new Map(schools.flatMap((s) => s.classes.map((c) => [c.id, { ...c, type: s.type }])));
    const personOf = new Map(small.persons.map((p) => [p.id, p]));
    let checked = 0;
    for (const m of small.memberships.filter((x) => x.endedOn === null)) {
      const c = classes.get(m.classId);
      if (!c?.gradeCode) continue;
      const birth = personOf.get(m.personId)?.birthDate ?? '';
      const [y, md] = [Number(birth.slice(0, 4)), birth.slice(5)];
      const age = 2026 - y - (md >= '09-01' ? 1 : 0);
      const extra = age - entryAge(c.gradeCode);
      expect(extra).toBeGreaterThanOrEqual(0);
      expect(extra).toBeLessThanOrEqual(c.type === 'special' ? 2 : 1);
      checked++;
    }
    expect(checked).toBeGreaterThan(490);
    expect(entryAge('01')).toBe(3);
    expect(entryAge('11')).toBe(6);
    expect(entryAge('31')).toBe(15);
  });

  it('gives every student two guardians, old enough, some shared by siblings', () => {
    const personOf = new Map(small.persons.map((p) => [p.id, p]));
    const students = new Set(small.enrolments.filter((e) => e.studentNumber).map((e) => e.personId));
    const byChild = new Map<string, string[]>();
    for (const g of small.guardians)
      byChild.set(g.childPersonId, [...(byChild.get(g.childPersonId) ?? []), g.guardianPersonId]);
    for (const child of students) {
      const guardians = byChild.get(child) ?? [];
      expect(guardians).toHaveLength(2);
      for (const id of guardians) {
        const gap = dayOf(personOf.get(child)?.birthDate ?? '') - dayOf(personOf.get(id)?.birthDate ?? '');
        expect(gap).toBeGreaterThan(20 * 365);
      }
    }
    const relationCodes = new Set(small.guardians.map((g) => g.relationCode));
    expect([...relationCodes].every((c) => ['51', '52', '61', '62', '63', '64'].includes(c))).toBe(true);
    expect(small.guardians.filter((g) => g.relationCode === '52').length).toBeGreaterThan(400);
  });

  it('records the history: enrol at entry, promote each September, classes one after another', () => {
    const byEnrolment = new Map<string, typeof small.memberships>();
    for (const m of small.memberships)
      byEnrolment.set(m.enrolmentId, [...(byEnrolment.get(m.enrolmentId) ?? []), m]);
    for (const e of small.enrolments) {
      const ms = (byEnrolment.get(e.id) ?? []).sort((a, b) => a.startedOn.localeCompare(b.startedOn));
      const changes = small.changes.filter((c) => c.enrolmentId === e.id);
      expect(ms[0]?.startedOn).toBe(e.enteredOn);
      for (let i = 1; i < ms.length; i++) expect(ms[i]?.startedOn).toBe(ms[i - 1]?.endedOn);
      expect(changes.filter((c) => c.changeType === 'promote')).toHaveLength(ms.length - 1);
      expect(changes.filter((c) => c.changeType === 'enrol' || c.changeType === 'transferIn')).toHaveLength(
        1,
      );
    }
    const sixthGrader = small.enrolments.find(
      (e) => e.enteredOn === '2021-09-01' && e.status === 'active' && e.studentNumber,
    );
    expect(
      small.memberships.filter((m) => m.enrolmentId === sixthGrader?.id).map((m) => m.startedOn),
    ).toEqual(['2021-09-01', '2022-09-01', '2023-09-01', '2024-09-01', '2025-09-01', '2026-09-01']);
  });

  it('heads every class, current and past, with exactly one teacher; teachers take 1–4 classes of a main subject', () => {
    const classes = small.plan.units.filter((u) => u.kind === 'class');
    const heads = new Map<string, number>();
    for (const h of small.headTeachers) heads.set(h.classId, (heads.get(h.classId) ?? 0) + 1);
    expect(classes.every((c) => heads.get(c.id) === 1)).toBe(true);
    const load = new Map<string, Set<string>>();
    for (const t of small.teaching.filter((x) => ['13', '14', '41'].includes(x.subjectCode))) {
      load.set(
        `${t.personId}:${t.subjectCode}`,
        (load.get(`${t.personId}:${t.subjectCode}`) ?? new Set()).add(t.classId),
      );
    }
    expect([...load.values()].every((s) => s.size >= 1 && s.size <= 4)).toBe(true);
    // Term 1 has begun on 2026-11-25, term 2 has not: one assignment row per class and subject.
    expect(new Set(small.teaching.map((t) => t.termId))).toEqual(
      new Set(['00000000-0000-4000-8000-100000000001']),
    );
    expect(subjectsFor('primary', '11').map((s) => s.code)).toEqual([
      '13',
      '14',
      '15',
      '11',
      '22',
      '24',
      '25',
    ]);
    expect(subjectsFor('junior', '23').map((s) => s.code)).toContain('17');
  });

  it('picks the relationship accounts’ people in 吴中区实验小学 三年级（1）班', () => {
    expect(small.featured.schoolName).toBe('吴中区实验小学');
    expect(small.featured.className).toBe('三年级（1）班');
    const f = small.featured;
    const heads = small.headTeachers.filter(
      (h) => h.personId === f.headTeacher?.personId && h.endedOn === null,
    );
    const teaches = small.teaching.filter((t) => t.personId === f.subjectTeacher?.personId);
    const studentClass = small.memberships.find(
      (m) => m.personId === f.student?.personId && m.endedOn === null,
    );
    expect(heads.map((h) => h.classId)).toEqual([studentClass?.classId]);
    expect(teaches.map((t) => t.classId)).toContain(studentClass?.classId);
    expect(small.guardians).toContainEqual(
      expect.objectContaining({ guardianPersonId: f.guardian?.personId, childPersonId: f.student?.personId }),
    );
  });

  it('staffs the default demo at about 1,800 for 20,000 students', () => {
    const full = generate(2035, 20_000);
    expect(full.counts.students).toBe(20_000);
    expect(full.counts.staff).toBe(1880);
    expect(full.staffPosts.filter((p) => p.isFullTimeTeacher).length).toBe(1460);
  }, 60_000);
});

describe('ids and options', () => {
  it('makes increasing UUIDv7-shaped ids, unique by construction', () => {
    const ids = new IdSequence(2035);
    const list = Array.from({ length: 100_000 }, () => ids.next());
    expect(list[0]).toBe('019f8970-0000-75ef-adb2-f6c7fa42beef');
    expect(new Set(list).size).toBe(list.length);
    expect([...list].sort()).toEqual(list);
    expect(
      list.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)),
    ).toBe(true);
  });

  it('parses --students and --seed, naming every bad value', () => {
    expect(parseDemoOptions({ students: '1,000,000', seed: '7' })).toEqual({ students: 1_000_000, seed: 7 });
    expect(parseDemoOptions({})).toEqual({});
    expect(() => parseDemoOptions({ students: '0' })).toThrow('--students 应为 1 至 1,000,000 的整数');
    expect(() => parseDemoOptions({ students: '1000001' })).toThrow('--students must be a whole number');
    expect(() => parseDemoOptions({ students: '2e5', seed: '-1' })).toThrow(
      /--seed[\s\S]*--students|--students[\s\S]*--seed/,
    );
  });
});
