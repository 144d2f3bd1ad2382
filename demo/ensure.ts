import fs from 'node:fs';
import path from 'node:path';
import { type DataKeys, loadDataKeys } from '../src/access/protect';
import { chinaToday } from '../src/china-time';
import type { Platform } from '../src/cli/platform';
import { auditInTx, type Ctx, inTransaction } from '../src/context';
import type { Tx } from '../src/db/client';
import { generatePassword } from '../src/domains/accounts/passwords';
import { createUserInTx } from '../src/domains/accounts/users-service';
import type { AuditLog } from '../src/domains/audit/log';
import { createAcademicYearInTx, termsOfYear } from '../src/domains/org/academic-years-service';
import {
  createCityBureauInTx,
  createDistrictWithRoot,
  hasAnyDistrict,
} from '../src/domains/org/districts-service';
import { createGroupingInTx } from '../src/domains/org/groupings-service';
import { createOrgTree, type OrgNodeInput } from '../src/domains/org/org-tree-service';
import { analyzeAfterBulkLoad, insertPersonAccounts } from '../src/domains/people/demo-bulk-repository';
import type { DemoOptions } from './options';
import { type Featured, type FeaturedPerson, relationNames } from './people';
import { type PeopleTotals, writePeople } from './people-writer';
import {
  DEFAULT_SEED,
  DEFAULT_STUDENTS,
  DEMO_CITY,
  DEMO_DISTRICT,
  type DemoPlan,
  type PlannedUnit,
  planDemo,
} from './plan';
import { subjectNames } from './staffing';

export interface DemoAccount {
  username: string;
  password: string;
  role: string;
  scope: string;
}

const ACCOUNTS_FILE = 'demo-accounts.txt';

/**
 * On start: create the demo district when the configuration asks for it (by default only on an
 * empty embedded database; never on an external server unless MINGDE_DEMO=always), then remind
 * where its accounts are.
 */
export async function ensureDemo(platform: Platform, auditLog: AuditLog, say: (line: string) => void) {
  const { config, database } = platform;
  const wanted = config.demo === 'always' || (config.demo === 'auto' && platform.embedded);
  if (!wanted || (await hasAnyDistrict(database.db))) {
    const file = path.join(config.dataDir, ACCOUNTS_FILE);
    if (platform.embedded && fs.existsSync(file)) say(`演示账号 / demo accounts: ${file}`);
    return;
  }
  await runDemo(platform, auditLog, say, {});
}

/**
 * `mingde demo`: generate the demo district — organisations, people, accounts — in one transaction
 * (refuses when its division already has a district). `students` sets the size (default 20,000).
 */
export async function runDemo(
  platform: Platform,
  auditLog: AuditLog,
  say: (line: string) => void,
  options: DemoOptions,
): Promise<DemoAccount[]> {
  const started = Date.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const students = options.students ?? DEFAULT_STUDENTS;
  say(
    `正在生成演示区县… / generating the demo district… (${students.toLocaleString('en')} 名学生 students, seed ${seed})`,
  );
  const plan = planDemo(seed, students);
  const dataKeys = loadDataKeys(platform.config);
  const ctx: Ctx = {
    principal: null,
    system: true,
    db: platform.database.db,
    config: platform.config,
    lang: 'zh-CN',
    requestId: 'demo',
    ip: '127.0.0.1',
    auditLog,
    dataKeys,
  };
  const { accounts, totals } = await inTransaction(ctx, (tx) =>
    writeDemo(ctx, tx, plan, { seed, students, keys: dataKeys, say, started }),
  );
  await analyzeAfterBulkLoad(platform.database.db);
  const file = path.join(platform.config.dataDir, ACCOUNTS_FILE);
  saveAccounts(file, accounts);
  const classes = plan.units.filter((u) => u.kind === 'class' && !u.yearsAgo).length;
  const n = (value: number) => value.toLocaleString('en');
  say(
    `演示区县已生成 / demo district created: ${DEMO_DISTRICT.name}, ${plan.schools.length} 所学校 schools, ` +
      `${n(classes)} 个班级 classes, ${n(totals.students)} 名学生 students, ${n(totals.staff)} 名教职工 staff, ` +
      `${n(totals.guardians)} 名监护人 guardians (${seconds(started)})`,
  );
  say(
    `  ${n(totals.persons)} 人 persons (另有离校学生 ${n(totals.departed)} departed, 成人学员 ${n(totals.adultLearners)} adult learners among the guardians), ` +
      `${n(totals.rows)} 行 rows in ${n(totals.batches)} 批 batches`,
  );
  say(`演示账号（同时保存在 / also saved in ${file}）:`);
  for (const a of accounts) say(`  ${a.username.padEnd(18)} ${a.password}  ${a.role} · ${a.scope}`);
  return accounts;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Academic years up to today's (September to August): the current one and `before` years before it. */
function academicYears(today: string, before: number) {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const start = m >= 9 ? y : y - 1;
  return Array.from({ length: before + 1 }, (_, i) => start - before + i).map((s) => ({
    name: `${s}-${s + 1}`,
    startsOn: `${s}-09-01`,
    endsOn: `${s + 1}-08-31`,
    terms: [
      { seq: 1, name: '第一学期', startsOn: `${s}-09-01`, endsOn: `${s + 1}-01-31` },
      { seq: 2, name: '第二学期', startsOn: `${s + 1}-02-01`, endsOn: `${s + 1}-07-15` },
    ],
  }));
}

/**
 * The plan's flat list as the nested input createOrgTree takes, one school at a time (only the
 * schools being written are built; the benchmark size has ~140,000 units).
 */
function* schoolTrees(plan: DemoPlan, yearIds: readonly string[]): Generator<OrgNodeInput> {
  const byParent = new Map<string, PlannedUnit[]>();
  for (const u of plan.units) {
    const siblings = byParent.get(u.parentId) ?? [];
    siblings.push(u);
    byParent.set(u.parentId, siblings);
  }
  const build = (u: PlannedUnit): OrgNodeInput => ({
    id: u.id,
    kind: u.kind,
    name: u.name,
    schoolType: u.schoolType,
    operatingTypeCode: u.operatingTypeCode,
    schoolCode: u.schoolCode,
    gradeCode: u.gradeCode,
    classNumber: u.classNumber,
    academicYearId: u.kind === 'class' ? yearIds[u.yearsAgo ?? 0] : undefined,
    children: (byParent.get(u.id) ?? []).map(build),
  });
  for (const school of byParent.get(plan.rootId) ?? []) yield build(school);
}

/** Units below a node, itself included. */
const unitCount = (node: OrgNodeInput): number =>
  1 + (node.children ?? []).reduce((sum, child) => sum + unitCount(child), 0);

/** Schools go to createOrgTree a few thousand units at a time (the benchmark size has ~140,000). */
const UNITS_PER_CALL = 4000;

async function writeDemo(
  ctx: Ctx,
  tx: Tx,
  plan: DemoPlan,
  options: { seed: number; students: number; keys: DataKeys; say: (line: string) => void; started: number },
): Promise<{ accounts: DemoAccount[]; totals: PeopleTotals }> {
  const city = await createCityBureauInTx(ctx, tx, DEMO_CITY);
  const district = await createDistrictWithRoot(ctx, tx, {
    divisionCode: DEMO_DISTRICT.divisionCode,
    name: DEMO_DISTRICT.name,
    cityBureauId: city.id,
    rootId: plan.rootId,
  });
  const today = chinaToday();
  const years = academicYears(today, plan.historyYears);
  // Index k: the academic year k years before the current one.
  const yearIds: string[] = [];
  for (const year of years) {
    const row = await createAcademicYearInTx(ctx, tx, { districtId: district.id, ...year });
    yearIds.unshift(row.id);
  }
  let chunk: OrgNodeInput[] = [];
  let chunkUnits = 0;
  for (const school of schoolTrees(plan, yearIds)) {
    chunk.push(school);
    chunkUnits += unitCount(school);
    if (chunkUnits >= UNITS_PER_CALL) {
      await createOrgTree(ctx, tx, district.rootId, chunk);
      chunk = [];
      chunkUnits = 0;
    }
  }
  if (chunk.length > 0) await createOrgTree(ctx, tx, district.rootId, chunk);
  options.say(
    `  组织机构 org units: ${plan.units.length.toLocaleString('en')}, ${years.length} 个学年 academic years (${seconds(options.started)})`,
  );
  for (const g of plan.groupings) {
    await createGroupingInTx(ctx, tx, {
      districtId: district.id,
      kind: g.kind,
      name: g.name,
      schoolIds: g.schoolIds,
    });
  }

  const currentYear = years[years.length - 1];
  const terms = await termsOfYear(tx, district.id, yearIds[0] ?? '');
  const people = await writePeople(ctx, tx, {
    districtId: district.id,
    plan,
    keys: options.keys,
    say: options.say,
    started: options.started,
    people: {
      seed: options.seed,
      students: options.students,
      currentYearStart: Number(currentYear?.startsOn.slice(0, 4)),
      today,
      yearIds,
      terms: terms.map((t) => ({ id: t.id, startsOn: t.startsOn, endsOn: t.endsOn })),
    },
  });

  const school = plan.schools.find((s) => s.type === 'primary');
  if (!school) throw new Error('the demo plan has no primary school');
  const onRoot = (role: 'bureauAdmin' | 'bureauAnalyst' | 'inspector') => [
    { districtId: district.id, orgUnitId: district.rootId, role },
  ];
  const onSchool = (role: 'principal' | 'schoolAdmin' | 'schoolDoctor' | 'counsellor') => [
    { districtId: district.id, orgUnitId: school.id, role },
  ];
  const specs = [
    {
      username: 'admin',
      displayName: '平台管理员',
      role: '平台管理员',
      scope: '全平台',
      isPlatformAdmin: true,
    },
    { username: 'city.admin', displayName: '市教育局管理员', role: '市教育局管理员', scope: DEMO_CITY.name },
    {
      username: 'bureau.admin',
      displayName: '区教育局管理员',
      role: '区县教育局管理员',
      scope: DEMO_DISTRICT.name,
      grants: onRoot('bureauAdmin'),
    },
    {
      username: 'bureau.analyst',
      displayName: '区教育局数据分析员',
      role: '数据分析员',
      scope: DEMO_DISTRICT.name,
      grants: onRoot('bureauAnalyst'),
    },
    {
      username: 'inspector',
      displayName: '责任督学',
      role: '督学',
      scope: DEMO_DISTRICT.name,
      grants: onRoot('inspector'),
    },
    {
      username: 'principal',
      displayName: '校长',
      role: '校长',
      scope: school.name,
      grants: onSchool('principal'),
    },
    {
      username: 'school.admin',
      displayName: '学校管理员',
      role: '学校管理员',
      scope: school.name,
      grants: onSchool('schoolAdmin'),
    },
    {
      username: 'school.doctor',
      displayName: '校医',
      role: '校医',
      scope: school.name,
      grants: onSchool('schoolDoctor'),
    },
    {
      username: 'counsellor',
      displayName: '心理教师',
      role: '心理教师',
      scope: school.name,
      grants: onSchool('counsellor'),
    },
  ];
  const accounts: DemoAccount[] = [];
  for (const spec of specs) {
    const password = generatePassword();
    await createUserInTx(ctx, tx, {
      username: spec.username,
      displayName: spec.displayName,
      password,
      homeDistrictId: spec.isPlatformAdmin ? null : district.id,
      isPlatformAdmin: spec.isPlatformAdmin,
      grants: spec.grants,
      cityGrants: spec.username === 'city.admin' ? [{ cityBureauId: city.id, role: 'cityBureauAdmin' }] : [],
    });
    accounts.push({ username: spec.username, password, role: spec.role, scope: spec.scope });
  }
  accounts.push(...(await relationshipAccounts(ctx, tx, district.id, people.featured)));
  return { accounts, totals: people.totals };
}

/**
 * Accounts whose access comes from relationships, not grants: a 班主任 and a 任课教师 of one class of
 * 吴中区实验小学, a guardian of one of its students, and that student — each linked to its person.
 */
async function relationshipAccounts(
  ctx: Ctx,
  tx: Tx,
  districtId: string,
  f: Partial<Featured>,
): Promise<DemoAccount[]> {
  const where = `${f.schoolName ?? ''} ${f.className ?? ''}`;
  const specs: { username: string; person: FeaturedPerson | undefined; role: string; scope: string }[] = [
    { username: 'head.teacher', person: f.headTeacher, role: '班主任', scope: where },
    {
      username: 'teacher',
      person: f.subjectTeacher,
      role: `任课教师（${subjectNames[f.subjectTeacher?.subjectCode ?? ''] ?? ''}）`,
      scope: where,
    },
    {
      username: 'guardian',
      person: f.student && f.guardian,
      role: `监护人（${relationNames[f.guardian?.relationCode ?? ''] ?? ''}）`,
      scope: `${f.student?.name ?? ''} · ${where}`,
    },
    { username: 'student', person: f.student, role: '学生', scope: where },
  ];
  const accounts: DemoAccount[] = [];
  for (const spec of specs) {
    // A tiny demo (--students 1) may lack some of them.
    if (!spec.person) continue;
    const password = generatePassword();
    const user = await createUserInTx(ctx, tx, {
      username: spec.username,
      displayName: spec.person.name,
      password,
      homeDistrictId: districtId,
    });
    await insertPersonAccounts(tx, [{ districtId, personId: spec.person.personId, userId: user.id }]);
    await auditInTx(ctx, tx, {
      districtId,
      action: 'personAccount.create',
      targetType: 'user',
      targetId: user.id,
      subjectIds: [spec.person.personId],
    });
    accounts.push({ username: spec.username, password, role: spec.role, scope: spec.scope });
  }
  return accounts;
}

function saveAccounts(file: string, accounts: DemoAccount[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = [
    '# 明德演示账号 / Mingde demo accounts — for trying Mingde out; change or disable them before real use',
    ...accounts.map((a) => `${a.username}\t${a.password}\t${a.role}\t${a.scope}`),
  ];
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
