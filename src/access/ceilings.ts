import { memoPerOwner } from '../memo';
import { type DataLevel, isAbove } from './levels';
import type { Principal } from './principal';
import { cityRoles, districtRoles, roleNames } from './roles';

/**
 * How far up the data levels each role may see, per domain (DESIGN.md "Access"). A caller's
 * ceiling in a domain is the highest of the roles it holds; which records it sees at all is the
 * scope's business (policy.ts, person-scope.ts). A ceiling of `sensitive` is a right to ask: an L4
 * value is shown only under a declared purpose (purposes.ts), never by default.
 */
const dataDomains = ['org', 'people', 'accounts', 'audit', 'health', 'mentalHealth'] as const;
export type DataDomain = (typeof dataDomains)[number];

/** Roles as the ceilings know them: granted roles, roles that come from relations, API clients. */
export const accessRoles = [
  'platformAdmin',
  ...cityRoles,
  ...districtRoles,
  'headTeacher',
  'subjectTeacher',
  'staffMember',
  'guardian',
  'student',
  'learner',
  'apiClient',
] as const;
export type AccessRole = (typeof accessRoles)[number];

/** Every role by the name users know it by: the granted roles' names and the others'. */
export const accessRoleNames: Record<AccessRole, { 'zh-CN': string; en: string }> = {
  ...roleNames,
  platformAdmin: { 'zh-CN': '平台管理员', en: 'Platform administrator' },
  headTeacher: { 'zh-CN': '班主任', en: 'Head teacher' },
  subjectTeacher: { 'zh-CN': '任课教师', en: 'Subject teacher' },
  staffMember: { 'zh-CN': '教职工', en: 'Staff member' },
  guardian: { 'zh-CN': '监护人', en: 'Guardian' },
  student: { 'zh-CN': '学生', en: 'Student' },
  learner: { 'zh-CN': '终身学习者', en: 'Learner' },
  apiClient: { 'zh-CN': '授权应用', en: 'API client' },
};

type Row = [
  org: DataLevel,
  people: DataLevel,
  accounts: DataLevel,
  audit: DataLevel,
  health: DataLevel,
  mentalHealth: DataLevel,
];

const I = 'internal' as const;
const P = 'personal' as const;
const S = 'sensitive' as const;
const O = 'public' as const;

// biome-ignore format: a table reads best as a table
const table: Record<AccessRole, Row> = {
  //                 org people accounts audit health mental
  platformAdmin:     [I,  S,     S,       S,    I,     I],
  cityBureauAdmin:   [I,  S,     P,       P,    I,     I],
  cityBureauAnalyst: [I,  I,     I,       I,    I,     I],
  bureauAdmin:       [I,  S,     P,       P,    I,     I],
  bureauAnalyst:     [I,  I,     I,       I,    I,     I],
  inspector:         [I,  S,     I,       P,    I,     I],
  principal:         [I,  S,     P,       P,    P,     I],
  schoolAdmin:       [I,  S,     P,       P,    P,     I],
  headTeacher:       [I,  S,     I,       I,    P,     P],
  subjectTeacher:    [I,  P,     I,       I,    I,     I],
  schoolDoctor:      [I,  P,     I,       I,    S,     P],
  counsellor:        [I,  P,     I,       I,    P,     S],
  staffMember:       [I,  P,     P,       I,    P,     P],
  guardian:          [I,  P,     P,       I,    P,     P],
  student:           [I,  P,     P,       I,    P,     P],
  learner:           [I,  P,     P,       I,    P,     P],
  // An authorised app sees no L4 unless a bureau administrator grants it field by field.
  apiClient:         [I,  P,     O,       O,    I,     I],
};

export const roleCeilings: Record<AccessRole, Record<DataDomain, DataLevel>> = Object.fromEntries(
  Object.entries(table).map(([role, row]) => [
    role,
    Object.fromEntries(dataDomains.map((domain, i) => [domain, row[i]])),
  ]),
) as Record<AccessRole, Record<DataDomain, DataLevel>>;

/** The roles a principal holds right now: from its grants and from its relations to people. */
export function accessRolesOf(principal: Principal): Set<AccessRole> {
  const roles = new Set<AccessRole>();
  if (principal.kind === 'apiClient') return new Set(['apiClient']);
  if (principal.isPlatformAdmin) roles.add('platformAdmin');
  for (const g of principal.grants) roles.add(g.role);
  for (const g of principal.cityGrants) roles.add(g.role);
  const r = principal.relations;
  if (r.headTeacherOf.length > 0) roles.add('headTeacher');
  if (r.teaches.length > 0) roles.add('subjectTeacher');
  if (r.guardianOf.length > 0) roles.add('guardian');
  if (r.studentAt.length > 0) roles.add('student');
  if (r.staffAt.length > 0) roles.add('staffMember');
  if (r.self.length > 0 && r.studentAt.length === 0 && r.staffAt.length === 0) roles.add('learner');
  return roles;
}

function userCeiling(principal: Principal, domain: DataDomain): DataLevel {
  let ceiling: DataLevel = domain === 'accounts' ? 'personal' : 'internal';
  for (const role of accessRolesOf(principal)) {
    const level = roleCeilings[role][domain];
    if (isAbove(level, ceiling)) ceiling = level;
  }
  return ceiling;
}

/** An app's ceiling; L4 people fields only when a bureau administrator granted some (field by field). */
function clientCeiling(principal: Principal, domain: DataDomain): DataLevel | null {
  if (principal.kind !== 'apiClient') return null;
  if (domain === 'people' && (principal.sensitiveFields?.length ?? 0) > 0) return 'sensitive';
  return roleCeilings.apiClient[domain];
}

const ceilings = memoPerOwner(
  (principal: Principal, domain: DataDomain): DataLevel =>
    clientCeiling(principal, domain) ?? userCeiling(principal, domain),
);

/**
 * The highest level a principal may see in a domain; a signed-in user sees at least its own
 * account (L3), and nobody signed in sees only public data. 'self' is the caller's own session
 * and account: L3 for anyone. Memoised per principal, which is rebuilt whenever its grants or
 * relations change.
 */
export function ceilingOf(principal: Principal | null, domain: DataDomain | 'self'): DataLevel {
  if (domain === 'self') return 'personal';
  if (!principal) return 'public';
  return ceilings(principal, domain);
}
