import { sql } from 'drizzle-orm';
import {
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const id = () => uuid('id').notNull().defaultRandom();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** 市教育局: sees its districts' data; global (not tenant-owned). */
export const cityBureaus = pgTable('city_bureaus', {
  id: id().primaryKey(),
  divisionCode: text('division_code').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
  closedAt: timestamp('closed_at', { withTimezone: true }),
});

/**
 * The tenant registry: one row per 区县教育局. `id` is the surrogate district_id every tenant-owned
 * table carries; the GB/T 2260 code is an attribute because divisions get redrawn.
 * One row of kind 'platform' holds events that belong to no district (platform administration).
 */
export const districts = pgTable('districts', {
  id: id().primaryKey(),
  kind: text('kind', { enum: ['district', 'platform'] })
    .notNull()
    .default('district'),
  divisionCode: text('division_code').unique(),
  name: text('name').notNull(),
  cityBureauId: uuid('city_bureau_id').references(() => cityBureaus.id),
  createdAt: createdAt(),
  closedAt: timestamp('closed_at', { withTimezone: true }),
});

/**
 * The organisation tree of a district: districtBureau → school → campus → grade → class, as a
 * materialised path of ids ("/a/b/c/") so a grant's subtree is one prefix match.
 */
export const orgUnits = pgTable(
  'org_units',
  {
    districtId: uuid('district_id')
      .notNull()
      .references(() => districts.id),
    id: id(),
    parentId: uuid('parent_id'),
    path: text('path').notNull(),
    kind: text('kind', { enum: ['districtBureau', 'school', 'campus', 'grade', 'class'] }).notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    /** 学校标识码, 10 digits (schools only). */
    schoolCode: text('school_code'),
    /** Mingde's school category (kindergarten, primary, …); see standards/school-types. */
    schoolType: text('school_type'),
    /** JY/T 1001 / 教育统计 办学类型 code. */
    operatingTypeCode: text('operating_type_code'),
    /** GB/T 2260 division the unit sits in. */
    divisionCode: text('division_code'),
    gradeCode: text('grade_code'),
    classNumber: smallint('class_number'),
    academicYearId: uuid('academic_year_id'),
    address: text('address'),
    status: text('status', { enum: ['active', 'closed'] })
      .notNull()
      .default('active'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedReason: text('closed_reason'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    foreignKey({ columns: [t.districtId, t.parentId], foreignColumns: [t.districtId, t.id] }),
    foreignKey({
      columns: [t.districtId, t.academicYearId],
      foreignColumns: [academicYears.districtId, academicYears.id],
    }),
    uniqueIndex('org_units_school_code_key')
      .on(t.districtId, t.schoolCode)
      .where(sql`${t.schoolCode} is not null`),
    index('org_units_path_idx').using('btree', t.districtId, t.path.op('text_pattern_ops')),
    index('org_units_parent_idx').on(t.districtId, t.parentId),
    index('org_units_id_idx').on(t.id),
  ],
);

/** Every state an organisation unit has had: closing or moving never loses history. */
export const orgUnitVersions = pgTable(
  'org_unit_versions',
  {
    districtId: uuid('district_id').notNull(),
    orgUnitId: uuid('org_unit_id').notNull(),
    version: integer('version').notNull(),
    change: text('change', { enum: ['create', 'update', 'move', 'close', 'reopen'] }).notNull(),
    data: jsonb('data').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
    changedBy: uuid('changed_by'),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.orgUnitId, t.version] }),
    foreignKey({ columns: [t.districtId, t.orgUnitId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
  ],
);

/** 学区 / 联盟 / 集团: many-to-many groupings of schools. */
export const schoolGroupings = pgTable(
  'school_groupings',
  {
    districtId: uuid('district_id')
      .notNull()
      .references(() => districts.id),
    id: id(),
    kind: text('kind', { enum: ['schoolZone', 'schoolAlliance', 'schoolGroup'] }).notNull(),
    name: text('name').notNull(),
    leadSchoolId: uuid('lead_school_id'),
    createdAt: createdAt(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    unique('school_groupings_name_key').on(t.districtId, t.kind, t.name),
    foreignKey({
      columns: [t.districtId, t.leadSchoolId],
      foreignColumns: [orgUnits.districtId, orgUnits.id],
    }),
  ],
);

export const schoolGroupingMembers = pgTable(
  'school_grouping_members',
  {
    districtId: uuid('district_id').notNull(),
    groupingId: uuid('grouping_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    joinedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.groupingId, t.schoolId] }),
    foreignKey({
      columns: [t.districtId, t.groupingId],
      foreignColumns: [schoolGroupings.districtId, schoolGroupings.id],
    }),
    foreignKey({ columns: [t.districtId, t.schoolId], foreignColumns: [orgUnits.districtId, orgUnits.id] }),
  ],
);

/** 学年 and 学期 of a district. */
export const academicYears = pgTable(
  'academic_years',
  {
    districtId: uuid('district_id')
      .notNull()
      .references(() => districts.id),
    id: id(),
    name: text('name').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    unique('academic_years_name_key').on(t.districtId, t.name),
  ],
);

export const terms = pgTable(
  'terms',
  {
    districtId: uuid('district_id').notNull(),
    id: id(),
    academicYearId: uuid('academic_year_id').notNull(),
    seq: smallint('seq').notNull(),
    name: text('name').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.districtId, t.id] }),
    unique('terms_seq_key').on(t.districtId, t.academicYearId, t.seq),
    foreignKey({
      columns: [t.districtId, t.academicYearId],
      foreignColumns: [academicYears.districtId, academicYears.id],
    }),
  ],
);
