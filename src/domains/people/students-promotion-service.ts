/**
 * 升级: a whole school moves to the next academic year. Every active student whose class belongs to
 * the source year moves to the class with the next grade code and the same class number in the
 * target year (same campus); students of the school's final grade graduate. One enrolment change
 * per student, all in one transaction with one audit event naming them all.
 *
 * Missing target classes are created (through the org domain's `createOrgTree`, with the grade
 * unit too when the campus lacks it), named like '二年级1班': a school that has not yet set up
 * next year's classes can still promote, and the dry run lists exactly which classes will be
 * created. Creating them needs 'org.create' on the school as well.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { internal } from '../../access/levels';
import { authorize } from '../../access/policy';
import { auditInTx, type Ctx, inTransaction, requirePrincipal } from '../../context';
import type { DbOrTx, Tx } from '../../db/client';
import { DomainError, type FieldError, fieldError, invalid, throwIfAny } from '../../errors';
import { gradeName, gradesFor } from '../../standards/school-types';
import { createOrgTree, type OrgNodeInput } from '../org/org-tree-service';
import { findAcademicYear, findOrgUnit, type OrgUnitRow, subtree } from '../org/repository';
import * as repo from './students-repository';
import { className, nextGrade } from './students-rules';

export interface PromotionInput {
  fromAcademicYearId: string;
  toAcademicYearId: string;
  effectiveOn: string;
  dryRun?: boolean;
}

export const promotionPlanSchema = z.object({
  schoolId: internal(z.guid()),
  fromAcademicYearId: internal(z.guid()),
  toAcademicYearId: internal(z.guid()),
  effectiveOn: internal(z.string()),
  dryRun: internal(z.boolean()),
  classes: z.array(
    z.object({
      fromClassId: internal(z.guid()),
      fromClassName: internal(z.string()),
      students: internal(z.number().int()),
      action: internal(z.enum(['promote', 'graduate'])),
      toClassId: internal(z.guid()).nullable(),
      toClassName: internal(z.string()).nullable(),
      /** The target class does not exist yet and is created with the promotion. */
      createsClass: internal(z.boolean()),
    }),
  ),
  totals: z.object({
    students: internal(z.number().int()),
    promoted: internal(z.number().int()),
    graduated: internal(z.number().int()),
    classesCreated: internal(z.number().int()),
  }),
  /** Why the promotion cannot run (each names a class); empty when it can. */
  problems: z.array(
    z.object({ path: internal(z.string()), code: internal(z.string()), message: internal(z.string()) }),
  ),
});
export type PromotionPlan = z.infer<typeof promotionPlanSchema>;

interface ClassPlan {
  from: OrgUnitRow;
  students: repo.PromotionCandidate[];
  action: 'promote' | 'graduate';
  toClassId: string | null;
  toClassName: string | null;
  /** Set when the class is to be created: where, and with which grade unit. */
  create: { campusId: string; gradeUnitId: string | null; gradeCode: string; classNumber: number } | null;
}

/** The campus a class sits in: its parent, or its grade's parent. */
function campusOf(cls: OrgUnitRow, byId: Map<string, OrgUnitRow>): OrgUnitRow | undefined {
  const parent = cls.parentId ? byId.get(cls.parentId) : undefined;
  if (parent?.kind === 'campus') return parent;
  return parent?.parentId ? byId.get(parent.parentId) : undefined;
}

async function buildPlan(
  db: DbOrTx,
  school: OrgUnitRow,
  input: PromotionInput,
  lang: 'zh-CN' | 'en',
): Promise<{ classes: ClassPlan[]; problems: FieldError[] }> {
  const grades = gradesFor(school.schoolType ?? '', school.operatingTypeCode ?? undefined);
  if (grades.length === 0) throw invalid([fieldError('params.id', 'promotion.school_without_grades')]);
  const units = await subtree(db, school.districtId, school.path);
  const byId = new Map(units.map((u) => [u.id, u]));
  const candidates = await repo.promotionCandidates(
    db,
    school.districtId,
    school.id,
    input.fromAcademicYearId,
  );
  const byClass = new Map<string, repo.PromotionCandidate[]>();
  for (const c of candidates) byClass.set(c.classId, [...(byClass.get(c.classId) ?? []), c]);

  const problems: FieldError[] = [];
  const classes: ClassPlan[] = [];
  for (const [classId, students] of byClass) {
    const from = byId.get(classId);
    if (!from) continue; // a membership in a class outside the school cannot happen; skip defensively
    const path = `classes.${classId}`;
    const late = students.filter((s) => s.lastChangeOn && s.lastChangeOn > input.effectiveOn);
    if (late.length > 0) {
      const date = late
        .map((s) => s.lastChangeOn as string)
        .sort()
        .at(-1) as string;
      problems.push(fieldError(path, 'enrolment.effective_before_history', { date }));
    }
    if (!from.gradeCode || !from.classNumber) {
      problems.push(fieldError(path, 'promotion.class_without_grade', { className: from.name }));
      continue;
    }
    const next = nextGrade(grades, from.gradeCode);
    if (next === null) {
      problems.push(fieldError(path, 'promotion.grade_not_in_school', { className: from.name }));
      continue;
    }
    if (next === 'graduate') {
      classes.push({ from, students, action: 'graduate', toClassId: null, toClassName: null, create: null });
      continue;
    }
    const campus = campusOf(from, byId);
    const inCampus = (u: OrgUnitRow) =>
      campus !== undefined && u.path.startsWith(campus.path) && u.status === 'active';
    const target = units.find(
      (u) =>
        u.kind === 'class' &&
        inCampus(u) &&
        u.academicYearId === input.toAcademicYearId &&
        u.gradeCode === next &&
        u.classNumber === from.classNumber,
    );
    if (target) {
      classes.push({
        from,
        students,
        action: 'promote',
        toClassId: target.id,
        toClassName: target.name,
        create: null,
      });
      continue;
    }
    const gradeUnit = units.find(
      (u) => u.kind === 'grade' && inCampus(u) && u.parentId === campus?.id && u.gradeCode === next,
    );
    classes.push({
      from,
      students,
      action: 'promote',
      toClassId: null,
      toClassName: className(gradeName(next, lang) ?? next, from.classNumber),
      create: {
        campusId: campus?.id ?? school.id,
        gradeUnitId: gradeUnit?.id ?? null,
        gradeCode: next,
        classNumber: from.classNumber,
      },
    });
  }
  classes.sort(
    (a, b) =>
      (a.from.gradeCode ?? '').localeCompare(b.from.gradeCode ?? '') ||
      (a.from.classNumber ?? 0) - (b.from.classNumber ?? 0),
  );
  return { classes, problems };
}

function present(
  school: OrgUnitRow,
  input: PromotionInput,
  plan: { classes: ClassPlan[]; problems: FieldError[] },
  lang: 'zh-CN' | 'en',
): PromotionPlan {
  const count = (action: 'promote' | 'graduate') =>
    plan.classes.filter((c) => c.action === action).reduce((n, c) => n + c.students.length, 0);
  return {
    schoolId: school.id,
    fromAcademicYearId: input.fromAcademicYearId,
    toAcademicYearId: input.toAcademicYearId,
    effectiveOn: input.effectiveOn,
    dryRun: input.dryRun ?? false,
    classes: plan.classes.map((c) => ({
      fromClassId: c.from.id,
      fromClassName: c.from.name,
      students: c.students.length,
      action: c.action,
      toClassId: c.toClassId,
      toClassName: c.toClassName,
      createsClass: c.create !== null,
    })),
    totals: {
      students: count('promote') + count('graduate'),
      promoted: count('promote'),
      graduated: count('graduate'),
      classesCreated: plan.classes.filter((c) => c.create).length,
    },
    problems: plan.problems.map((p) => ({
      path: p.path,
      code: p.code,
      message: p.message?.[lang] ?? p.code,
    })),
  };
}

/** Create the missing target classes (and grade units) and fill in their ids. */
async function createMissingClasses(ctx: Ctx, tx: Tx, input: PromotionInput, classes: ClassPlan[]) {
  const underGrade = new Map<string, OrgNodeInput[]>();
  const newGrades = new Map<string, OrgNodeInput>(); // campusId:gradeCode → grade node
  const underCampus = new Map<string, OrgNodeInput[]>();
  for (const c of classes) {
    if (!c.create) continue;
    const id = randomUUID();
    c.toClassId = id;
    const node: OrgNodeInput = {
      kind: 'class',
      id,
      name: c.toClassName ?? '',
      gradeCode: c.create.gradeCode,
      classNumber: c.create.classNumber,
      academicYearId: input.toAcademicYearId,
    };
    if (c.create.gradeUnitId) {
      underGrade.set(c.create.gradeUnitId, [...(underGrade.get(c.create.gradeUnitId) ?? []), node]);
      continue;
    }
    const key = `${c.create.campusId}:${c.create.gradeCode}`;
    let grade = newGrades.get(key);
    if (!grade) {
      grade = {
        kind: 'grade',
        name: gradeName(c.create.gradeCode, 'zh-CN') ?? c.create.gradeCode,
        gradeCode: c.create.gradeCode,
        children: [],
      };
      newGrades.set(key, grade);
      underCampus.set(c.create.campusId, [...(underCampus.get(c.create.campusId) ?? []), grade]);
    }
    grade.children?.push(node);
  }
  for (const [gradeId, nodes] of underGrade) await createOrgTree(ctx, tx, gradeId, nodes);
  for (const [campusId, nodes] of underCampus) await createOrgTree(ctx, tx, campusId, nodes);
}

/**
 * `POST /schools/:id/promotion`: plan (dryRun) or apply the promotion of a school from one
 * academic year to the next. Applying refuses (422) while the plan lists problems.
 */
export async function promoteSchool(
  ctx: Ctx,
  schoolId: string,
  input: PromotionInput,
): Promise<PromotionPlan> {
  const principal = requirePrincipal(ctx);
  const school = await findOrgUnit(ctx.db, schoolId);
  authorize(principal, 'person.manage', school ?? null, 'orgUnit');
  const unit = school as OrgUnitRow;
  if (unit.kind !== 'school') throw invalid([fieldError('params.id', 'enrolment.not_a_school')]);
  const [from, to] = [
    await findAcademicYear(ctx.db, input.fromAcademicYearId),
    await findAcademicYear(ctx.db, input.toAcademicYearId),
  ];
  const errors: FieldError[] = [];
  if (!from || from.districtId !== unit.districtId)
    errors.push(fieldError('body.fromAcademicYearId', 'org.academic_year_unknown'));
  if (!to || to.districtId !== unit.districtId)
    errors.push(fieldError('body.toAcademicYearId', 'org.academic_year_unknown'));
  if (from && to && errors.length === 0) {
    if (to.startsOn <= from.startsOn)
      errors.push(fieldError('body.toAcademicYearId', 'promotion.years_out_of_order'));
    if (input.effectiveOn < to.startsOn || input.effectiveOn > to.endsOn) {
      errors.push(fieldError('body.effectiveOn', 'promotion.effective_outside_year'));
    }
  }
  throwIfAny(errors);

  if (input.dryRun) return present(unit, input, await buildPlan(ctx.db, unit, input, ctx.lang), ctx.lang);

  return inTransaction(ctx, async (tx) => {
    const plan = await buildPlan(tx, unit, input, ctx.lang);
    if (plan.problems.length > 0) {
      throw new DomainError(422, 'promotion.blocked', { count: plan.problems.length }, plan.problems);
    }
    if (plan.classes.some((c) => c.create)) {
      authorize(principal, 'org.create', unit, 'orgUnit');
      await createMissingClasses(ctx, tx, input, plan.classes);
    }
    const districtId = unit.districtId;
    const promoted = plan.classes.filter((c) => c.action === 'promote');
    const graduated = plan.classes.filter((c) => c.action === 'graduate');
    const ids = (list: ClassPlan[]) => list.flatMap((c) => c.students.map((s) => s.enrolmentId));
    await repo.closeMemberships(tx, districtId, [...ids(promoted), ...ids(graduated)], input.effectiveOn);
    await repo.setEnrolmentStatus(tx, districtId, ids(graduated), 'graduated', input.effectiveOn);
    await repo.insertMemberships(
      tx,
      promoted.flatMap((c) =>
        c.students.map((s) => ({
          districtId,
          enrolmentId: s.enrolmentId,
          personId: s.personId,
          classId: c.toClassId as string,
          academicYearId: input.toAcademicYearId,
          startedOn: input.effectiveOn,
        })),
      ),
    );
    await repo.insertChanges(
      tx,
      plan.classes.flatMap((c) =>
        c.students.map((s) => ({
          districtId,
          enrolmentId: s.enrolmentId,
          personId: s.personId,
          changeType: c.action,
          effectiveOn: input.effectiveOn,
          fromClassId: c.from.id,
          toClassId: c.toClassId,
          recordedBy: principal.userId,
        })),
      ),
    );
    const result = present(unit, { ...input, dryRun: false }, plan, ctx.lang);
    await auditInTx(ctx, tx, {
      districtId,
      action: 'student.promotion',
      targetType: 'orgUnit',
      targetId: unit.id,
      subjectIds: plan.classes.flatMap((c) => c.students.map((s) => s.personId)),
      details: {
        fromAcademicYearId: input.fromAcademicYearId,
        toAcademicYearId: input.toAcademicYearId,
        effectiveOn: input.effectiveOn,
        ...result.totals,
      },
    });
    return result;
  });
}
