import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema';
import { academicYears, districts, orgUnits, terms } from '../org/schema';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const districtId = () =>
  uuid('district_id')
    .notNull()
    .references(() => districts.id);
/**
 * One row per human in a district (一数一源): a student, staff member, guardian or adult learner is
 * a role of a person. The ID number is stored encrypted (`idNumberEnc`), found by a keyed hash
 * (`idHash`, the same across districts so a transfer links the two records) and shown masked.
 */
export const persons = pgTable(
  'persons',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    name: text('name').notNull(),
    genderCode: text('gender_code'),
    birthDate: date('birth_date'),
    ethnicityCode: text('ethnicity_code'),
    /** JY/T 1001 身份证件类型. */
    idType: text('id_type'),
    idNumberEnc: text('id_number_enc'),
    idHash: text('id_hash'),
    idMasked: text('id_masked'),
    phoneEnc: text('phone_enc'),
    phoneMasked: text('phone_masked'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    uniqueIndex('persons_id_hash_key').on(t.districtId, t.idHash).where(sql`${t.idHash} is not null`),
    index('persons_id_hash_idx').on(t.idHash),
    index('persons_name_idx').on(t.districtId, t.name),
    // Routes name a person by id alone (/persons/:id); the district comes from the row.
    index('persons_id_idx').on(t.id),
  ],
);

/** The sign-in account of a person (a staff member, guardian or student). */
export const personAccounts = pgTable(
  'person_accounts',
  {
    districtId: districtId(),
    personId: uuid('person_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.personId, t.userId] }),
    foreignKey({ columns: [t.districtId, t.personId], foreignColumns: [persons.districtId, persons.id] }),
    index('person_accounts_user_idx').on(t.userId),
  ],
);

/**
 * 学籍: a student's registration at a school, from entry to exit. The 学籍号 contains the ID number,
 * so it is protected like one.
 */
export const enrolments = pgTable(
  'enrolments',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    personId: uuid('person_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    studentNumberEnc: text('student_number_enc'),
    studentNumberHash: text('student_number_hash'),
    studentNumberMasked: text('student_number_masked'),
    status: text('status', {
      enum: ['active', 'suspended', 'transferredOut', 'withdrawn', 'graduated', 'deceased'],
    }).notNull(),
    enteredOn: date('entered_on').notNull(),
    leftOn: date('left_on'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({ columns: [t.districtId, t.personId], foreignColumns: [persons.districtId, persons.id] }),
    foreignKey({ columns: [t.districtId, t.schoolId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
    index('enrolments_person_idx').on(t.districtId, t.personId),
    index('enrolments_school_idx').on(t.districtId, t.schoolId, t.status),
    index('enrolments_id_idx').on(t.id),
    uniqueIndex('enrolments_student_number_key')
      .on(t.districtId, t.studentNumberHash)
      .where(sql`${t.studentNumberHash} is not null and ${t.status} = 'active'`),
  ],
);

/** Which class a student sits in, over time (one open row per enrolment). */
export const classMemberships = pgTable(
  'class_memberships',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    enrolmentId: uuid('enrolment_id').notNull(),
    personId: uuid('person_id').notNull(),
    classId: uuid('class_id').notNull(),
    academicYearId: uuid('academic_year_id').notNull(),
    startedOn: date('started_on').notNull(),
    endedOn: date('ended_on'),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({
      columns: [t.districtId, t.enrolmentId],
      foreignColumns: [enrolments.districtId, enrolments.id],
    }),
    foreignKey({ columns: [t.districtId, t.personId], foreignColumns: [persons.districtId, persons.id] }),
    foreignKey({ columns: [t.districtId, t.classId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
    foreignKey({
      columns: [t.districtId, t.academicYearId],
      foreignColumns: [academicYears.districtId, academicYears.id],
    }),
    index('class_memberships_class_idx').on(t.districtId, t.classId),
    index('class_memberships_person_idx').on(t.districtId, t.personId),
    // The profile's and school roster's "current class of this enrolment" lookups.
    index('class_memberships_enrolment_idx').on(t.districtId, t.enrolmentId),
  ],
);

/** 学籍异动: every status change with the national change type and its date. */
export const enrolmentChanges = pgTable(
  'enrolment_changes',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    enrolmentId: uuid('enrolment_id').notNull(),
    personId: uuid('person_id').notNull(),
    changeType: text('change_type', {
      enum: [
        'enrol',
        'transferIn',
        'transferOut',
        'suspend',
        'resume',
        'withdraw',
        'death',
        'graduate',
        'promote',
        'repeat',
      ],
    }).notNull(),
    effectiveOn: date('effective_on').notNull(),
    fromClassId: uuid('from_class_id'),
    toClassId: uuid('to_class_id'),
    /** For transfers: the other school or district (its identity, not its data). */
    counterpartSchoolId: uuid('counterpart_school_id'),
    counterpartDistrictId: uuid('counterpart_district_id'),
    reason: text('reason'),
    recordedBy: uuid('recorded_by'),
    recordedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({
      columns: [t.districtId, t.enrolmentId],
      foreignColumns: [enrolments.districtId, enrolments.id],
    }),
    index('enrolment_changes_person_idx').on(t.districtId, t.personId),
  ],
);

/** A person's post at a school: 岗位 (JY/T 1001 GWZY), 编制类别 (ZXXBZLB), full-time teacher or not. */
export const staffPosts = pgTable(
  'staff_posts',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    personId: uuid('person_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    postCode: text('post_code').notNull(),
    establishmentCode: text('establishment_code').notNull(),
    isFullTimeTeacher: boolean('is_full_time_teacher').notNull().default(false),
    startedOn: date('started_on').notNull(),
    endedOn: date('ended_on'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({ columns: [t.districtId, t.personId], foreignColumns: [persons.districtId, persons.id] }),
    foreignKey({ columns: [t.districtId, t.schoolId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
    index('staff_posts_school_idx').on(t.districtId, t.schoolId),
    index('staff_posts_person_idx').on(t.districtId, t.personId),
  ],
);

/** 任课安排: teacher × class × subject × term. Gives the teacher access to the class while it runs. */
export const teachingAssignments = pgTable(
  'teaching_assignments',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    personId: uuid('person_id').notNull(),
    classId: uuid('class_id').notNull(),
    /** JY/T 1001 中小学课程代码 (ZXXKC). */
    subjectCode: text('subject_code').notNull(),
    termId: uuid('term_id').notNull(),
    startedOn: date('started_on').notNull(),
    endedOn: date('ended_on'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({ columns: [t.districtId, t.personId], foreignColumns: [persons.districtId, persons.id] }),
    foreignKey({ columns: [t.districtId, t.classId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
    foreignKey({ columns: [t.districtId, t.termId], foreignColumns: [terms.districtId, terms.id] }),
    index('teaching_assignments_person_idx').on(t.districtId, t.personId),
    index('teaching_assignments_class_idx').on(t.districtId, t.classId),
  ],
);

/** 班主任: one head teacher per class and academic year at a time. */
export const headTeacherAssignments = pgTable(
  'head_teacher_assignments',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    personId: uuid('person_id').notNull(),
    classId: uuid('class_id').notNull(),
    academicYearId: uuid('academic_year_id').notNull(),
    startedOn: date('started_on').notNull(),
    endedOn: date('ended_on'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({ columns: [t.districtId, t.personId], foreignColumns: [persons.districtId, persons.id] }),
    foreignKey({ columns: [t.districtId, t.classId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
    foreignKey({
      columns: [t.districtId, t.academicYearId],
      foreignColumns: [academicYears.districtId, academicYears.id],
    }),
    index('head_teacher_assignments_person_idx').on(t.districtId, t.personId),
    index('head_teacher_assignments_class_idx').on(t.districtId, t.classId),
  ],
);

/** 监护关系: guardian ↔ child with the relation type; ended relations are kept. */
export const guardianRelations = pgTable(
  'guardian_relations',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    guardianPersonId: uuid('guardian_person_id').notNull(),
    childPersonId: uuid('child_person_id').notNull(),
    relationCode: text('relation_code').notNull(),
    isPrimary: boolean('is_primary').notNull().default(false),
    startedAt: createdAt(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({
      columns: [t.districtId, t.guardianPersonId],
      foreignColumns: [persons.districtId, persons.id],
    }),
    foreignKey({
      columns: [t.districtId, t.childPersonId],
      foreignColumns: [persons.districtId, persons.id],
    }),
    index('guardian_relations_guardian_idx').on(t.districtId, t.guardianPersonId),
    index('guardian_relations_child_idx').on(t.districtId, t.childPersonId),
  ],
);

/** One-time codes a school hands a guardian to activate an account; only a hash is kept. */
export const guardianActivationCodes = pgTable(
  'guardian_activation_codes',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    guardianPersonId: uuid('guardian_person_id').notNull(),
    codeHash: text('code_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({
      columns: [t.districtId, t.guardianPersonId],
      foreignColumns: [persons.districtId, persons.id],
    }),
    index('guardian_activation_codes_hash_idx').on(t.codeHash),
  ],
);

/** Roster imports: validated first, written only on confirmation; rows staged encrypted. */
export const rosterImports = pgTable(
  'roster_imports',
  {
    districtId: districtId(),
    id: uuid('id').notNull().defaultRandom(),
    schoolId: uuid('school_id').notNull(),
    kind: text('kind', { enum: ['students', 'staff'] }).notNull(),
    fileName: text('file_name').notNull(),
    fileSha256: text('file_sha256').notNull(),
    status: text('status', {
      enum: ['validating', 'validated', 'applying', 'applied', 'failed', 'cancelled'],
    }).notNull(),
    totalRows: integer('total_rows').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    validRows: integer('valid_rows').notNull().default(0),
    invalidRows: integer('invalid_rows').notNull().default(0),
    /** Per-row problems: [{row, column, code, message}] — no personal values. */
    problems: jsonb('problems').$type<unknown[]>().notNull().default([]),
    result: jsonb('result').$type<Record<string, unknown>>(),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({ columns: [t.districtId, t.schoolId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
  ],
);

/** A validated row awaiting confirmation; the payload is encrypted (it holds ID numbers). */
export const rosterImportRows = pgTable(
  'roster_import_rows',
  {
    districtId: districtId(),
    importId: uuid('import_id').notNull(),
    rowNumber: integer('row_number').notNull(),
    valid: boolean('valid').notNull(),
    payloadEnc: text('payload_enc').notNull(),
    /** The row's problems ({column, code, message}), paged by the report; never personal values. */
    problems: jsonb('problems').$type<unknown[]>(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.importId, t.rowNumber] }),
    foreignKey({
      columns: [t.districtId, t.importId],
      foreignColumns: [rosterImports.districtId, rosterImports.id],
    }),
  ],
);
