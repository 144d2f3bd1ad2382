import fs from 'node:fs';
import path from 'node:path';
import type { Platform } from '../src/cli/platform';
import { type Ctx, inTransaction } from '../src/context';
import type { Tx } from '../src/db/client';
import { generatePassword } from '../src/domains/accounts/passwords';
import { createUserInTx } from '../src/domains/accounts/users-service';
import type { AuditLog } from '../src/domains/audit/log';
import { todayInChina } from '../src/domains/org/rules';
import {
  createAcademicYearInTx,
  createCityBureauInTx,
  createDistrictWithRoot,
  createGroupingInTx,
  createOrgTree,
  hasAnyDistrict,
  type OrgNodeInput,
} from '../src/domains/org/service';
import { DEFAULT_SEED, DEMO_CITY, DEMO_DISTRICT, type DemoPlan, planDemo } from './plan';

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

/** `mingde demo`: generate the demo district (refuses when its division already has a district). */
export async function runDemo(
  platform: Platform,
  auditLog: AuditLog,
  say: (line: string) => void,
  options: { seed?: number; force?: boolean },
): Promise<DemoAccount[]> {
  const started = Date.now();
  say('正在生成演示区县… / generating the demo district…');
  const plan = planDemo(options.seed ?? DEFAULT_SEED);
  const ctx: Ctx = {
    principal: null,
    system: true,
    db: platform.database.db,
    config: platform.config,
    lang: 'zh-CN',
    requestId: 'demo',
    ip: '127.0.0.1',
    auditLog,
  };
  const accounts = await inTransaction(ctx, (tx) => writeDemo(ctx, tx, plan));
  const file = path.join(platform.config.dataDir, ACCOUNTS_FILE);
  saveAccounts(file, accounts);
  const classes = plan.units.filter((u) => u.kind === 'class').length;
  say(
    `演示区县已生成 / demo district created: ${DEMO_DISTRICT.name}, ${plan.schools.length} 所学校 schools, ` +
      `${classes} 个班级 classes (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  say('演示账号（同时保存在 / also saved in ' + file + '）:');
  for (const a of accounts) say(`  ${a.username.padEnd(18)} ${a.password}  ${a.role} · ${a.scope}`);
  return accounts;
}

/** Academic years around today: the current one (September to August) and the one before. */
function academicYears(today: string) {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const start = m >= 9 ? y : y - 1;
  return [start - 1, start].map((s) => ({
    name: `${s}-${s + 1}`,
    startsOn: `${s}-09-01`,
    endsOn: `${s + 1}-08-31`,
    terms: [
      { seq: 1, name: '第一学期', startsOn: `${s}-09-01`, endsOn: `${s + 1}-01-31` },
      { seq: 2, name: '第二学期', startsOn: `${s + 1}-02-01`, endsOn: `${s + 1}-07-15` },
    ],
  }));
}

/** The plan's flat list (parents first) as the nested input createOrgTree takes. */
function toTree(plan: DemoPlan, academicYearId: string): OrgNodeInput[] {
  const byParent = new Map<string, OrgNodeInput[]>();
  for (const u of plan.units) {
    const node: OrgNodeInput = {
      id: u.id,
      kind: u.kind,
      name: u.name,
      schoolType: u.schoolType,
      operatingTypeCode: u.operatingTypeCode,
      schoolCode: u.schoolCode,
      gradeCode: u.gradeCode,
      classNumber: u.classNumber,
      academicYearId: u.kind === 'class' ? academicYearId : undefined,
      children: [],
    };
    const siblings = byParent.get(u.parentId) ?? [];
    siblings.push(node);
    byParent.set(u.parentId, siblings);
  }
  const attach = (nodes: OrgNodeInput[]): OrgNodeInput[] =>
    nodes.map((n) => ({ ...n, children: attach(byParent.get(n.id ?? '') ?? []) }));
  return attach(byParent.get(plan.rootId) ?? []);
}

async function writeDemo(ctx: Ctx, tx: Tx, plan: DemoPlan): Promise<DemoAccount[]> {
  const city = await createCityBureauInTx(ctx, tx, DEMO_CITY);
  const district = await createDistrictWithRoot(ctx, tx, {
    divisionCode: DEMO_DISTRICT.divisionCode,
    name: DEMO_DISTRICT.name,
    cityBureauId: city.id,
    rootId: plan.rootId,
  });
  let currentYearId = '';
  for (const year of academicYears(todayInChina())) {
    const row = await createAcademicYearInTx(ctx, tx, { districtId: district.id, ...year });
    currentYearId = row.id;
  }
  await createOrgTree(ctx, tx, district.rootId, toTree(plan, currentYearId));
  for (const g of plan.groupings) {
    await createGroupingInTx(ctx, tx, {
      districtId: district.id,
      kind: g.kind,
      name: g.name,
      schoolIds: g.schoolIds,
    });
  }

  const school = plan.schools.find((s) => s.type === 'primary');
  if (!school) throw new Error('the demo plan has no primary school');
  const onRoot = (role: 'bureauAdmin' | 'bureauAnalyst' | 'inspector') => [
    { districtId: district.id, orgUnitId: district.rootId, role },
  ];
  const onSchool = (role: 'principal' | 'schoolAdmin') => [
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
