import type { enrolmentChanges, enrolments } from '../src/domains/people/schema';
import type { SchoolTypeId } from '../src/standards/school-types';
import { dayOf, drawAddress, IdNumberAllocator, isoOfDay, type OriginKind } from './id-numbers';
import { drawGivenName, drawSurname, generationOf, type Sex, Weighted } from './names';
import type { DemoPlan } from './plan';
import { IdSequence, type Random, StreamRandom } from './random';
import {
  allocateStudents,
  type ClassLayout,
  entryAge,
  layoutSchools,
  type SchoolLayout,
  stageOf,
} from './school-layout';
import { femaleTeachers, planTeachers, supportPosts } from './staffing';

/**
 * The demo district's people, as rows to write: students with two guardians each (some siblings
 * share them), enrolment history back to each student's entry (enrol, then promote each September;
 * a few transfers, suspensions and departures), staff with posts, teaching and head-teacher
 * assignments, and adult learners at the community and elderly institutions (grandparents and
 * parents who are also guardians: one person, many roles). Pure and deterministic: the same plan,
 * seed and size give the same people. Rows come in batches (a generator), so a million students
 * never sit in memory at once; identifiers are in clear here and are protected by the writer.
 */

export interface PeopleContext {
  seed: number;
  /** Active students in the K-12 schools (departed students and adult learners come on top). */
  students: number;
  /** The calendar year the current academic year starts in (2026 for 2026-2027). */
  currentYearStart: number;
  /** 'YYYY-MM-DD': nothing is dated after it. */
  today: string;
  /** Academic year ids: [0] the current year, [k] the year k years before it. */
  yearIds: readonly string[];
  /** The current academic year's terms. */
  terms: readonly { id: string; startsOn: string; endsOn: string }[];
}

type EnrolmentStatus = NonNullable<(typeof enrolments.$inferInsert)['status']>;
type ChangeType = NonNullable<(typeof enrolmentChanges.$inferInsert)['changeType']>;

export interface PersonSeed {
  id: string;
  name: string;
  /** GB/T 2261.1: '1' male, '2' female. */
  genderCode: '1' | '2';
  birthDate: string;
  /** GB/T 3304. */
  ethnicityCode: string;
  /** GB 11643 居民身份证号码 (ID type JY/T 1001 '1'), in clear until the writer encrypts it. */
  idNumber: string;
  phone: string | null;
}

export interface EnrolmentSeed {
  id: string;
  personId: string;
  schoolId: string;
  /** 学籍号 'G' + ID number; null for adult learners. */
  studentNumber: string | null;
  status: EnrolmentStatus;
  enteredOn: string;
  leftOn: string | null;
}

export interface MembershipSeed {
  id: string;
  enrolmentId: string;
  personId: string;
  classId: string;
  academicYearId: string;
  startedOn: string;
  /** The day it no longer holds (the next class's first day); null while it lasts. */
  endedOn: string | null;
}

export interface ChangeSeed {
  id: string;
  enrolmentId: string;
  personId: string;
  changeType: ChangeType;
  effectiveOn: string;
  fromClassId: string | null;
  toClassId: string | null;
  counterpartSchoolId: string | null;
  reason: string | null;
}

export interface GuardianSeed {
  id: string;
  guardianPersonId: string;
  childPersonId: string;
  /** GB/T 4761 家庭关系: 51 父亲, 52 母亲, 61 祖父, 62 祖母, 63 外祖父, 64 外祖母. */
  relationCode: string;
  isPrimary: boolean;
  startedOn: string;
}

export interface StaffPostSeed {
  id: string;
  personId: string;
  schoolId: string;
  /** JY/T 1001 GWZY 岗位职业. */
  postCode: string;
  /** JY/T 1001 ZXXBZLB 编制类别. */
  establishmentCode: string;
  isFullTimeTeacher: boolean;
  startedOn: string;
}

export interface TeachingSeed {
  id: string;
  personId: string;
  classId: string;
  /** JY/T 1001 ZXXKC 中小学课程. */
  subjectCode: string;
  termId: string;
  startedOn: string;
  endedOn: string | null;
}

export interface HeadTeacherSeed {
  id: string;
  personId: string;
  classId: string;
  academicYearId: string;
  startedOn: string;
  endedOn: string | null;
}

export interface FeaturedPerson {
  personId: string;
  name: string;
}

/** The people behind the demo's relationship accounts: one class of 吴中区实验小学. */
export interface Featured {
  schoolName: string;
  className: string;
  headTeacher: FeaturedPerson;
  subjectTeacher: FeaturedPerson & { subjectCode: string };
  student: FeaturedPerson;
  guardian: FeaturedPerson & { relationCode: string };
}

export interface PeopleCounts {
  students: number;
  departed: number;
  guardians: number;
  staff: number;
  adultLearners: number;
}

export interface PeopleBatch {
  persons: PersonSeed[];
  enrolments: EnrolmentSeed[];
  memberships: MembershipSeed[];
  changes: ChangeSeed[];
  guardians: GuardianSeed[];
  staffPosts: StaffPostSeed[];
  teaching: TeachingSeed[];
  headTeachers: HeadTeacherSeed[];
  counts: PeopleCounts;
  featured: Partial<Featured>;
}

/** Persons per batch by default (a batch closes after the student or school that reaches it). */
export const BATCH_PERSONS = 2000;

const ethnicities = new Weighted([
  ['01', 985], // 汉族
  ['03', 4], // 回族
  ['11', 2], // 满族
  ['06', 2], // 苗族
  ['15', 2], // 土家族
  ['08', 1], // 壮族
  ['02', 1], // 蒙古族
  ['07', 1], // 彝族
  ['10', 1], // 朝鲜族
  ['09', 1], // 布依族
] as const);

/** Where families' and staff's 户籍 are: most local, many from elsewhere in Jiangsu or other provinces. */
const familyOrigins = new Weighted<OriginKind>([
  ['district', 62],
  ['suzhou', 8],
  ['jiangsu', 10],
  ['elsewhere', 20],
]);
const staffOrigins = new Weighted<OriginKind>([
  ['district', 35],
  ['suzhou', 15],
  ['jiangsu', 35],
  ['elsewhere', 15],
]);

/** Mobile number prefixes in use (1 + these two digits + 8 more): 13x, 15x, 18x and a few others. */
const phonePrefixes = [
  ...'0123456789'.split('').flatMap((d) => [`3${d}`, `8${d}`]),
  ...'012356789'.split('').map((d) => `5${d}`),
  ...['66', '73', '77', '91', '98', '99'],
];

/** GB/T 4761 家庭关系 names of the relations the demo uses. */
export const relationNames: Readonly<Record<string, string>> = {
  '51': '父亲',
  '52': '母亲',
  '61': '祖父',
  '62': '祖母',
  '63': '外祖父',
  '64': '外祖母',
};

// ————— the generator —————

interface Member {
  personId: string;
  name: string;
  relationCode: string;
  isPrimary: boolean;
  /** A staff member of the district as well. */
  isStaff: boolean;
}

interface Family {
  members: Member[];
  childSurname: string;
  childAddress: number;
  ethnicityCode: string;
  motherBirthDay: number;
  gradeIndexes: Set<number>;
}

interface StaffParent {
  personId: string;
  name: string;
  surname: string;
  male: boolean;
  birthDay: number;
  address: number;
}

function emptyBatch(): PeopleBatch {
  return {
    persons: [],
    enrolments: [],
    memberships: [],
    changes: [],
    guardians: [],
    staffPosts: [],
    teaching: [],
    headTeachers: [],
    counts: { students: 0, departed: 0, guardians: 0, staff: 0, adultLearners: 0 },
    featured: {},
  };
}

const YEAR_DAYS = 365;

class PeopleGenerator {
  readonly schools: SchoolLayout[];
  private readonly rng: Random;
  private readonly ids: IdSequence;
  private readonly idNumbers = new IdNumberAllocator();
  private readonly Y: number;
  private readonly today: number;
  batch = emptyBatch();
  private readonly staffParents: { male: StaffParent[]; female: StaffParent[] } = { male: [], female: [] };
  private readonly byGrade = new Map<string, ClassLayout[]>();
  private readonly elderlyClasses: ClassLayout[];
  private readonly communityClasses: ClassLayout[];
  private readonly pElderly: number;
  private readonly pCommunity: number;
  readonly featuredSchool: SchoolLayout | undefined;
  readonly featuredClass: ClassLayout | undefined;
  private featuredStudentFound = false;

  constructor(
    plan: DemoPlan,
    private readonly ctx: PeopleContext,
    private readonly batchPersons: number,
  ) {
    if (ctx.yearIds.length < plan.historyYears + 1) {
      throw new Error(`the demo needs ${plan.historyYears + 1} academic years, got ${ctx.yearIds.length}`);
    }
    this.rng = new StreamRandom(ctx.seed, 2);
    this.ids = new IdSequence(ctx.seed);
    this.Y = ctx.currentYearStart;
    this.today = dayOf(ctx.today);
    this.schools = layoutSchools(plan);
    allocateStudents(this.schools, ctx.students, new StreamRandom(ctx.seed, 3));
    for (const school of this.schools) {
      for (const c of school.classes) {
        if (!c.gradeCode) continue;
        const key = `${school.type}:${c.gradeCode}`;
        const list = this.byGrade.get(key) ?? [];
        list.push(c);
        this.byGrade.set(key, list);
      }
    }
    const adultClasses = (types: SchoolTypeId[]) =>
      this.schools.filter((s) => types.includes(s.type)).flatMap((s) => s.classes);
    this.elderlyClasses = adultClasses(['elderlyUniversity']);
    this.communityClasses = adultClasses(['communityCollege', 'communitySchool']);
    // About 30 learners per elderly-university course and 25 per community course, drawn from
    // the guardians: ~0.25 new grandparent and ~1.6 new parent guardians per student.
    this.pElderly = Math.min(1, (this.elderlyClasses.length * 30) / Math.max(1, ctx.students * 0.25));
    this.pCommunity = Math.min(1, (this.communityClasses.length * 25) / Math.max(1, ctx.students * 1.6));
    this.featuredSchool = this.schools.find((s) => s.type === 'primary');
    const withStudents = this.featuredSchool?.classes.filter((c) => c.students > 0) ?? [];
    this.featuredClass = withStudents.find((c) => c.gradeCode === '13') ?? withStudents[0];
  }

  take(): PeopleBatch {
    const out = this.batch;
    this.batch = emptyBatch();
    return out;
  }

  // ——— dates ———
  private yearStart(k: number) {
    return `${this.Y - k}-09-01`;
  }
  /** A school day in academic year k (10 September – 20 June), not after today; null if none. */
  private dateIn(k: number): string | null {
    const from = dayOf(`${this.Y - k}-09-10`);
    const to = Math.min(dayOf(`${this.Y - k + 1}-06-20`), this.today);
    return to < from ? null : isoOfDay(from + this.rng.int(0, to - from));
  }

  // ——— persons ———
  private phone(): string {
    let digits = '';
    for (let i = 0; i < 8; i++) digits += String(this.rng.int(0, 9));
    return `1${this.rng.pick(phonePrefixes)}${digits}`;
  }

  private person(input: {
    male: boolean;
    birthDay: number;
    address: number;
    surname: string;
    ethnicityCode: string;
    phone: boolean;
  }): PersonSeed {
    const { idNumber, birthDate } = this.idNumbers.allocate(input.address, input.birthDay, input.male);
    const sex: Sex = input.male ? 'male' : 'female';
    const seed: PersonSeed = {
      id: this.ids.next(),
      name: input.surname + drawGivenName(this.rng, sex, generationOf(Number(birthDate.slice(0, 4)))),
      genderCode: input.male ? '1' : '2',
      birthDate,
      ethnicityCode: input.ethnicityCode,
      idNumber,
      phone: input.phone ? this.phone() : null,
    };
    this.batch.persons.push(seed);
    return seed;
  }

  // ——— staff ———
  *staff(): Generator<PeopleBatch> {
    for (const school of this.schools) {
      this.staffOf(school);
      if (this.batch.persons.length >= this.batchPersons) yield this.take();
    }
  }

  private staffOf(school: SchoolLayout): void {
    const rng = this.rng;
    const slots = planTeachers(school, rng);

    const startedTerms = this.ctx.terms.filter((t) => dayOf(t.startsOn) <= this.today);
    const female = femaleTeachers[school.type];
    const teacherIds = new Map<(typeof slots)[number], PersonSeed>();
    for (const slot of slots) {
      const depth = Math.max(0, ...slot.heads.map((c) => c.pastIds.length));
      const substitute = !school.adult && slot.heads.length === 0 && rng.chance(0.03);
      const person = this.staffPerson(school, {
        male: !rng.chance(female),
        minAge: 23 + depth,
        yearsServed: depth,
        post: '10',
        establishment: school.adult ? '7' : substitute ? '6' : '1',
      });
      teacherIds.set(slot, person);
      for (const c of slot.classes) {
        if (!slot.subject) continue;
        for (const term of startedTerms) {
          this.batch.teaching.push({
            id: this.ids.next(),
            personId: person.id,
            classId: c.id,
            subjectCode: slot.subject,
            termId: term.id,
            startedOn: term.startsOn,
            // Ends are exclusive (in force until the day before): a finished term ended the day after.
            endedOn: dayOf(term.endsOn) < this.today ? isoOfDay(dayOf(term.endsOn) + 1) : null,
          });
        }
      }
      for (const c of slot.heads) {
        // The head teacher follows the class up the grades (班主任跟班): the same teacher heads
        // the cohort's earlier classes, in their academic years.
        this.batch.headTeachers.push({
          id: this.ids.next(),
          personId: person.id,
          classId: c.id,
          academicYearId: this.ctx.yearIds[0] ?? '',
          startedOn: this.yearStart(0),
          endedOn: null,
        });
        c.pastIds.forEach((pastId, i) => {
          this.batch.headTeachers.push({
            id: this.ids.next(),
            personId: person.id,
            classId: pastId,
            academicYearId: this.ctx.yearIds[i + 1] ?? '',
            startedOn: this.yearStart(i + 1),
            endedOn: this.yearStart(i),
          });
        });
      }
    }
    if (school.type === 'kindergarten') {
      // 保育员: one per class.
      for (let i = 0; i < school.classes.length; i++) {
        this.staffPerson(school, { male: false, minAge: 23, yearsServed: 0, post: '66', establishment: '4' });
      }
    }
    const teachers = slots.length;
    for (const p of supportPosts) {
      const count = school.adult ? (p.post === '31' || p.post === '33' ? 1 : 0) : p.count(teachers);
      for (let i = 0; i < count; i++) {
        this.staffPerson(school, {
          male: rng.chance(0.5),
          minAge: p.post === '31' ? 38 : 23,
          yearsServed: 0,
          post: p.post,
          establishment: p.establishment,
        });
      }
    }

    if (school === this.featuredSchool && this.featuredClass) {
      const c = this.featuredClass;
      const head = slots.find((s) => s.heads.includes(c));
      const others = slots.filter((s) => s !== head && s.classes.includes(c) && s.subject);
      const subject =
        ['14', '41', '13'].map((code) => others.find((s) => s.subject === code)).find(Boolean) ?? others[0];
      const headPerson = head && teacherIds.get(head);
      const subjectPerson = subject && teacherIds.get(subject);
      this.batch.featured.schoolName = school.name;
      this.batch.featured.className = c.name;
      if (headPerson) this.batch.featured.headTeacher = { personId: headPerson.id, name: headPerson.name };
      if (subject?.subject && subjectPerson) {
        this.batch.featured.subjectTeacher = {
          personId: subjectPerson.id,
          name: subjectPerson.name,
          subjectCode: subject.subject,
        };
      }
    }
  }

  private staffPerson(
    school: SchoolLayout,
    input: { male: boolean; minAge: number; yearsServed: number; post: string; establishment: string },
  ): PersonSeed {
    const rng = this.rng;
    const origin = staffOrigins.draw(rng);
    const address = drawAddress(rng, origin);
    const surname = drawSurname(rng, origin === 'district' || origin === 'suzhou');
    const birthYear = rng.int(this.Y - 59, Math.max(this.Y - 59, this.Y - input.minAge));
    const birthDay = dayOf(`${birthYear}-01-01`) + rng.int(0, YEAR_DAYS - 1);
    const person = this.person({
      male: input.male,
      birthDay,
      address,
      surname,
      ethnicityCode: ethnicities.draw(rng),
      phone: true,
    });
    const firstYear = Math.max(birthYear + 22, this.Y - 35);
    const hired = rng.int(Math.min(firstYear, this.Y - input.yearsServed), this.Y - input.yearsServed);
    this.batch.staffPosts.push({
      id: this.ids.next(),
      personId: person.id,
      schoolId: school.id,
      postCode: input.post,
      establishmentCode: input.establishment,
      isFullTimeTeacher: input.establishment === '1' && input.post === '10',
      startedOn: `${hired}-08-25`,
    });
    this.batch.counts.staff += 1;
    const age = this.Y - birthYear;
    if (age >= 26 && age <= 48) {
      (input.male ? this.staffParents.male : this.staffParents.female).push({
        personId: person.id,
        name: person.name,
        surname,
        male: input.male,
        birthDay: dayOf(person.birthDate),
        address,
      });
    }
    return person;
  }

  // ——— students ———
  *students(): Generator<PeopleBatch> {
    for (const school of this.schools) {
      if (school.adult) continue;
      const families: Family[] = [];
      for (const c of school.classes) {
        for (let i = 0; i < c.students; i++) {
          this.student(school, c, families, false);
          if (this.rng.chance(0.004)) this.student(school, c, families, true);
          if (this.batch.persons.length >= this.batchPersons) yield this.take();
        }
      }
    }
    if (this.batch.persons.length > 0) yield this.take();
  }

  private student(school: SchoolLayout, c: ClassLayout, families: Family[], departs: boolean): void {
    const rng = this.rng;
    const gradeCode = c.gradeCode ?? '11';
    const age = entryAge(gradeCode) + (school.type === 'special' ? rng.int(0, 2) : rng.chance(0.04) ? 1 : 0);
    const birthDay = dayOf(`${this.Y - age - 1}-09-01`) + rng.int(0, YEAR_DAYS - 1);
    const male = rng.chance(0.53);

    // Entry: the school's first grade, or (in schools spanning stages) sometimes this stage's first.
    const entryIndex = c.stageStart > 0 && rng.chance(0.3) ? c.stageStart : 0;
    const yearsIn = c.gradeIndex - entryIndex;
    let leftYear: number | null = null;
    let leftOn: string | null = null;
    if (departs) {
      leftYear = rng.int(0, yearsIn);
      leftOn = this.dateIn(leftYear);
      if (!leftOn) return;
    }

    let family = families.length > 0 && rng.chance(0.07) ? rng.pick(families) : undefined;
    if (
      family &&
      (family.gradeIndexes.has(c.gradeIndex) ||
        birthDay - family.motherBirthDay < 20 * YEAR_DAYS ||
        birthDay - family.motherBirthDay > 43 * YEAR_DAYS)
    ) {
      family = undefined;
    }
    if (!family) {
      family = this.family(birthDay);
      families.push(family);
    }
    family.gradeIndexes.add(c.gradeIndex);
    const child = this.person({
      male,
      birthDay,
      address: family.childAddress,
      surname: family.childSurname,
      ethnicityCode: family.ethnicityCode,
      phone: false,
    });
    for (const m of family.members) {
      this.batch.guardians.push({
        id: this.ids.next(),
        guardianPersonId: m.personId,
        childPersonId: child.id,
        relationCode: m.relationCode,
        isPrimary: m.isPrimary,
        startedOn: child.birthDate,
      });
    }
    const studentNumber = `G${child.idNumber}`;
    const classAt = (k: number) => (k === 0 ? c.id : (c.pastIds[k - 1] ?? c.id));

    // A few came by transfer during their years here: from a school of the same kind in the
    // district (its record of them ends with 转出), or from outside the district.
    let fromYear = yearsIn;
    let fromDate = this.yearStart(yearsIn);
    let firstChange: ChangeType = 'enrol';
    let counterpart: string | null = null;
    if (yearsIn >= 1 && rng.chance(0.03)) {
      const at = rng.int(0, yearsIn - 1);
      const date = at < (leftYear ?? -1) ? null : this.dateIn(at);
      if (date && (leftOn === null || date < leftOn)) {
        const peers = (this.byGrade.get(`${school.type}:${gradeCode}`) ?? []).filter(
          (p) => p.schoolId !== school.id && p.pastIds.length >= yearsIn,
        );
        const peer = peers.length > 0 && rng.chance(0.5) ? rng.pick(peers) : undefined;
        if (peer) {
          this.enrolment({
            personId: child.id,
            schoolId: peer.schoolId,
            studentNumber,
            classAt: (k) => (k === 0 ? peer.id : (peer.pastIds[k - 1] ?? peer.id)),
            fromYear: yearsIn,
            fromDate: this.yearStart(yearsIn),
            firstChange: 'enrol',
            firstCounterpart: null,
            toYear: at,
            end: {
              on: date,
              change: 'transferOut',
              status: 'transferredOut',
              counterpart: school.id,
              reason: '区内转学',
            },
          });
          counterpart = peer.schoolId;
        }
        fromYear = at;
        fromDate = date;
        firstChange = 'transferIn';
      }
    }

    const endChange: ChangeType =
      stageOf(gradeCode) === '3' || stageOf(gradeCode) === '5'
        ? rng.chance(0.5)
          ? 'withdraw'
          : 'transferOut'
        : stageOf(gradeCode) === '0'
          ? 'withdraw'
          : 'transferOut';
    const enrolment = this.enrolment({
      personId: child.id,
      schoolId: school.id,
      studentNumber,
      classAt,
      fromYear,
      fromDate,
      firstChange,
      firstCounterpart: counterpart,
      toYear: leftYear ?? 0,
      end:
        leftOn === null
          ? null
          : {
              on: leftOn,
              change: endChange,
              status: endChange === 'withdraw' ? 'withdrawn' : 'transferredOut',
              counterpart: null,
              reason: endChange === 'withdraw' ? '个人原因' : '随父母迁往外地',
            },
    });

    // 休学: a few are suspended now; a few were suspended for a term in an earlier year.
    if (!departs && gradeCode >= '11') {
      if (rng.chance(0.002)) {
        const on = isoOfDay(Math.max(dayOf(fromDate), dayOf(this.yearStart(0)), this.today - rng.int(1, 60)));
        enrolment.status = 'suspended';
        this.change(enrolment, 'suspend', on, c.id, null, null, '因病休学');
      } else if (fromYear >= 1 && rng.chance(0.004)) {
        const year = rng.int(1, fromYear);
        const on = `${this.Y - year}-10-${String(rng.int(8, 28)).padStart(2, '0')}`;
        if (on > fromDate) {
          this.change(enrolment, 'suspend', on, classAt(year), null, null, '因病休学');
          this.change(enrolment, 'resume', `${this.Y - year + 1}-02-20`, null, classAt(year), null, null);
        }
      }
    }

    if (departs) this.batch.counts.departed += 1;
    else this.batch.counts.students += 1;

    if (!departs && c === this.featuredClass && !this.featuredStudentFound && enrolment.status === 'active') {
      // A plain family for the guardian account: a mother who is not also on the staff.
      const guardian = family.members.find((m) => m.relationCode === '52' && !m.isStaff);
      if (guardian) {
        this.featuredStudentFound = true;
        this.batch.featured.student = { personId: child.id, name: child.name };
        this.batch.featured.guardian = {
          personId: guardian.personId,
          name: guardian.name,
          relationCode: guardian.relationCode,
        };
      }
    }
  }

  /** An enrolment with its class memberships and changes, from `fromYear` (years ago) to `toYear`. */
  private enrolment(input: {
    personId: string;
    schoolId: string;
    studentNumber: string | null;
    classAt: (yearsAgo: number) => string;
    fromYear: number;
    fromDate: string;
    firstChange: ChangeType;
    firstCounterpart: string | null;
    toYear: number;
    end: {
      on: string;
      change: ChangeType;
      status: EnrolmentStatus;
      counterpart: string | null;
      reason: string;
    } | null;
  }): EnrolmentSeed {
    const enrolment: EnrolmentSeed = {
      id: this.ids.next(),
      personId: input.personId,
      schoolId: input.schoolId,
      studentNumber: input.studentNumber,
      status: input.end?.status ?? 'active',
      enteredOn: input.fromDate,
      leftOn: input.end?.on ?? null,
    };
    this.batch.enrolments.push(enrolment);
    for (let k = input.fromYear; k >= input.toYear; k--) {
      const last = k === input.toYear;
      this.batch.memberships.push({
        id: this.ids.next(),
        enrolmentId: enrolment.id,
        personId: input.personId,
        classId: input.classAt(k),
        academicYearId: this.ctx.yearIds[k] ?? '',
        startedOn: k === input.fromYear ? input.fromDate : this.yearStart(k),
        // In the class until the next one starts (the day of the change is the new class's first).
        endedOn: last && input.end ? input.end.on : k === 0 ? null : this.yearStart(k - 1),
      });
      if (k === input.fromYear) {
        const reason = input.firstChange === 'transferIn' && !input.firstCounterpart ? '外区县转入' : null;
        this.change(
          enrolment,
          input.firstChange,
          input.fromDate,
          null,
          input.classAt(k),
          input.firstCounterpart,
          reason,
        );
      } else {
        this.change(
          enrolment,
          'promote',
          this.yearStart(k),
          input.classAt(k + 1),
          input.classAt(k),
          null,
          null,
        );
      }
    }
    if (input.end) {
      const e = input.end;
      this.change(enrolment, e.change, e.on, input.classAt(input.toYear), null, e.counterpart, e.reason);
    }
    return enrolment;
  }

  private change(
    enrolment: EnrolmentSeed,
    changeType: ChangeType,
    effectiveOn: string,
    fromClassId: string | null,
    toClassId: string | null,
    counterpartSchoolId: string | null,
    reason: string | null,
  ): void {
    this.batch.changes.push({
      id: this.ids.next(),
      enrolmentId: enrolment.id,
      personId: enrolment.personId,
      changeType,
      effectiveOn,
      fromClassId,
      toClassId,
      counterpartSchoolId,
      reason,
    });
  }

  /** A new family: father and mother mostly, sometimes grandparents; sometimes a staff member. */
  private family(childBirthDay: number): Family {
    const rng = this.rng;
    const origin = familyOrigins.draw(rng);
    const local = origin === 'district' || origin === 'suzhou';
    const address = drawAddress(rng, origin);
    const motherOrigin = rng.chance(0.7) ? origin : familyOrigins.draw(rng);
    const motherAddress = motherOrigin === origin ? address : drawAddress(rng, motherOrigin);
    let surname = drawSurname(rng, local);
    const motherSurname = drawSurname(rng, motherOrigin === 'district' || motherOrigin === 'suzhou');
    const ethnicityCode = ethnicities.draw(rng);
    const motherBirth = childBirthDay - rng.int(22 * YEAR_DAYS, 38 * YEAR_DAYS);
    const fatherBirth = motherBirth - rng.int(0, 5 * YEAR_DAYS);
    const older = (from: number) => from - rng.int(22 * YEAR_DAYS, 32 * YEAR_DAYS);

    const r = rng.next();
    // [relation, mother's side?] in the order they are listed; the first is the primary contact.
    const shape: string[] =
      r < 0.84
        ? rng.chance(0.6)
          ? ['52', '51']
          : ['51', '52']
        : r < 0.91
          ? ['62', '61']
          : r < 0.95
            ? ['64', '63']
            : r < 0.98
              ? ['51', '62']
              : ['52', '64'];

    // A parent who works at a school in the district (one person, two roles).
    let staffParent: StaffParent | undefined;
    if (rng.chance(0.012)) {
      const wantMale = shape.includes('51') && (!shape.includes('52') || rng.chance(0.3));
      const pool = wantMale ? this.staffParents.male : this.staffParents.female;
      if (shape.includes(wantMale ? '51' : '52') && pool.length > 0) {
        const i = rng.int(0, pool.length - 1);
        const candidate = pool[i];
        const gap = candidate ? childBirthDay - candidate.birthDay : 0;
        if (candidate && gap >= 22 * YEAR_DAYS && gap <= 42 * YEAR_DAYS) {
          staffParent = candidate;
          pool[i] = pool[pool.length - 1] as StaffParent;
          pool.pop();
          if (wantMale) surname = candidate.surname;
        }
      }
    }

    const members: Member[] = shape.map((code, i) => {
      const isPrimary = i === 0;
      if (staffParent && code === (staffParent.male ? '51' : '52')) {
        return {
          personId: staffParent.personId,
          name: staffParent.name,
          relationCode: code,
          isPrimary,
          isStaff: true,
        };
      }
      const spec: Record<
        string,
        { male: boolean; birth: () => number; address: number; surname: () => string }
      > = {
        '51': { male: true, birth: () => fatherBirth, address, surname: () => surname },
        '52': { male: false, birth: () => motherBirth, address: motherAddress, surname: () => motherSurname },
        '61': { male: true, birth: () => older(fatherBirth), address, surname: () => surname },
        '62': {
          male: false,
          birth: () => older(fatherBirth),
          address,
          surname: () => drawSurname(rng, local),
        },
        '63': {
          male: true,
          birth: () => older(motherBirth),
          address: motherAddress,
          surname: () => motherSurname,
        },
        '64': {
          male: false,
          birth: () => older(motherBirth),
          address: motherAddress,
          surname: () => drawSurname(rng, local),
        },
      };
      const s = spec[code];
      if (!s) throw new Error(`no guardian spec for ${code}`);
      const person = this.person({
        male: s.male,
        birthDay: s.birth(),
        address: s.address,
        surname: s.surname(),
        ethnicityCode:
          code === '51' || code === '61' ? ethnicityCode : rng.chance(0.97) ? '01' : ethnicityCode,
        phone: true,
      });
      this.batch.counts.guardians += 1;
      this.adultLearner(person, code >= '61');
      return { personId: person.id, name: person.name, relationCode: code, isPrimary, isStaff: false };
    });
    return {
      members,
      childSurname: rng.chance(0.08) ? motherSurname : surname,
      childAddress: address,
      ethnicityCode,
      motherBirthDay: staffParent && !staffParent.male ? staffParent.birthDay : motherBirth,
      gradeIndexes: new Set(),
    };
  }

  /** Some grandparents take a course at the 老年大学, some parents at a 社区学校 / 社区学院. */
  private adultLearner(person: PersonSeed, grandparent: boolean): void {
    const classes = grandparent ? this.elderlyClasses : this.communityClasses;
    if (classes.length === 0 || !this.rng.chance(grandparent ? this.pElderly : this.pCommunity)) return;
    const c = this.rng.pick(classes);
    this.enrolment({
      personId: person.id,
      schoolId: c.schoolId,
      studentNumber: null,
      classAt: () => c.id,
      fromYear: 0,
      fromDate: this.yearStart(0),
      firstChange: 'enrol',
      firstCounterpart: null,
      toYear: 0,
      end: null,
    });
    this.batch.counts.adultLearners += 1;
  }
}

/**
 * The demo's people in batches: staff of every school first (students' families draw on them),
 * then students school by school. Each batch only refers to persons of itself or earlier batches.
 */
export function* generatePeople(
  plan: DemoPlan,
  ctx: PeopleContext,
  options: { batchPersons?: number } = {},
): Generator<PeopleBatch> {
  const generator = new PeopleGenerator(plan, ctx, options.batchPersons ?? BATCH_PERSONS);
  yield* generator.staff();
  yield* generator.students();
}

/** The schools with their allocated students, as `generatePeople` fills them (for reports and tests). */
export function plannedStudents(
  plan: DemoPlan,
  ctx: Pick<PeopleContext, 'seed' | 'students'>,
): SchoolLayout[] {
  const schools = layoutSchools(plan);
  allocateStudents(schools, ctx.students, new StreamRandom(ctx.seed, 3));
  return schools;
}
