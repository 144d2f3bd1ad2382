import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app';
import { type Ctx, inTransaction } from '../../context';
import { DomainError } from '../../errors';
import { auditEvents } from '../audit/schema';
import { createAcademicYearInTx } from './academic-years-service';
import { createDistrictWithRoot } from './districts-service';
import { createGroupingInTx } from './groupings-service';
import { createOrgTree, type OrgNodeInput } from './org-tree-service';
import { orgUnits, orgUnitVersions, schoolGroupingMembers } from './schema';

const t = useTestApp();

/** The context the demo generator runs with: no principal, no request. */
const systemCtx = (): Ctx => ({
  principal: null,
  db: t.database.db,
  config: t.app.deps.config,
  lang: 'zh-CN',
  requestId: 'test-system',
  ip: '127.0.0.1',
  auditLog: t.auditLog,
});

function school(n: number, yearId: string): OrgNodeInput {
  return {
    kind: 'school',
    name: `第${n}小学`,
    schoolType: 'primary',
    schoolCode: `21110200${String(n).padStart(2, '0')}`,
    children: [
      {
        kind: 'campus',
        name: '本部',
        children: ['11', '12', '13', '14', '15', '16'].map((gradeCode) => ({
          kind: 'grade' as const,
          name: `${gradeCode}年级`,
          gradeCode,
          children: [1, 2, 3, 4].map((classNumber) => ({
            kind: 'class' as const,
            name: `${classNumber}班`,
            classNumber,
            academicYearId: yearId,
          })),
        })),
      },
    ],
  };
}

describe('building a district without HTTP', () => {
  it('creates a district of 40 schools with campuses, grades and classes in one transaction', async () => {
    const ctx = systemCtx();
    const started = Date.now();
    const { district, created, groupingId } = await inTransaction(ctx, async (tx) => {
      const district = await createDistrictWithRoot(ctx, tx, {
        divisionCode: '110102',
        name: '西城区教育委员会',
      });
      const year = await createAcademicYearInTx(ctx, tx, {
        districtId: district.id,
        name: '2026-2027',
        startsOn: '2026-09-01',
        endsOn: '2027-08-31',
        terms: [
          { seq: 1, name: '第一学期', startsOn: '2026-09-01', endsOn: '2027-01-31' },
          { seq: 2, name: '第二学期', startsOn: '2027-02-15', endsOn: '2027-07-10' },
        ],
      });
      const nodes = Array.from({ length: 40 }, (_, i) => school(i + 1, year.id));
      const created = await createOrgTree(ctx, tx, district.rootId, nodes);
      const grouping = await createGroupingInTx(ctx, tx, {
        districtId: district.id,
        kind: 'schoolZone',
        name: '西城第一学区',
        schoolIds: created.filter((r) => r.kind === 'school').map((r) => r.id),
      });
      return { district, created, groupingId: grouping.id };
    });
    const ms = Date.now() - started;

    // 40 × (school + campus + 6 grades + 24 classes)
    expect(created).toHaveLength(40 * 32);
    const counts = await t.database.db
      .select({ kind: orgUnits.kind, n: sql<number>`count(*)::int` })
      .from(orgUnits)
      .where(eq(orgUnits.districtId, district.id))
      .groupBy(orgUnits.kind)
      .orderBy(orgUnits.kind);
    expect(counts).toEqual([
      { kind: 'campus', n: 40 },
      { kind: 'class', n: 960 },
      { kind: 'districtBureau', n: 1 },
      { kind: 'grade', n: 240 },
      { kind: 'school', n: 40 },
    ]);
    const firstClass = created.find((r) => r.kind === 'class');
    const [grade] = created.filter((r) => r.id === firstClass?.parentId);
    expect(firstClass?.gradeCode).toBe(grade?.gradeCode);
    expect(firstClass?.path.startsWith(`/${district.rootId}/`)).toBe(true);
    expect(firstClass?.path.split('/').filter(Boolean)).toHaveLength(5);

    const [versions] = await t.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(orgUnitVersions)
      .where(eq(orgUnitVersions.districtId, district.id));
    expect(versions?.n).toBe(1 + 40 * 32);
    const events = await t.database.db
      .select({ action: auditEvents.action, n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(eq(auditEvents.districtId, district.id))
      .groupBy(auditEvents.action)
      .orderBy(auditEvents.action);
    expect(events).toEqual([
      { action: 'academicYear.create', n: 1 },
      { action: 'district.create', n: 1 },
      { action: 'grouping.create', n: 1 },
      { action: 'org.create', n: 1 + 40 * 32 },
    ]);
    const members = await t.database.db
      .select()
      .from(schoolGroupingMembers)
      .where(eq(schoolGroupingMembers.groupingId, groupingId));
    expect(members).toHaveLength(40);
    // Generous bound, to catch a per-row round trip creeping in (measured ~1 s here).
    expect(ms).toBeLessThan(20_000);
  });

  it('names the node of every bad field in a tree and creates nothing', async () => {
    const ctx = systemCtx();
    const attempt = inTransaction(ctx, async (tx) => {
      const district = await createDistrictWithRoot(ctx, tx, {
        divisionCode: '110105',
        name: '朝阳区教育委员会',
      });
      return createOrgTree(ctx, tx, district.rootId, [
        {
          kind: 'school',
          name: '朝阳小学',
          schoolType: 'primary',
          children: [
            { kind: 'grade', name: '一年级', gradeCode: '11' },
            { kind: 'campus', name: '本部', children: [{ kind: 'grade', name: '高一', gradeCode: '31' }] },
          ],
        },
      ]);
    });
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).fieldErrors.map((e) => [e.path, e.code, e.message?.['zh-CN']])).toEqual([
      ['nodes.0.children.0.kind', 'org.invalid_parent', '年级不能建在学校之下'],
      [
        'nodes.0.children.1.children.0.gradeCode',
        'org.grade_not_for_school_type',
        '年级代码 31 不适用于小学',
      ],
    ]);
    const [left] = await t.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(orgUnits)
      .where(eq(orgUnits.name, '朝阳小学'));
    expect(left?.n).toBe(0);
  });
});
