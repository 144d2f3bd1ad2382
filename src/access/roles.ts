/**
 * Roles and what each may ever do. A grant gives a role on an organisation subtree (or, for city
 * roles, on every district of a city); the policy combines them with the target's place in the tree.
 */
export const actions = [
  'org.read',
  'org.create',
  'org.update',
  'org.move',
  'org.close',
  'district.create',
  'user.read',
  'user.manage',
  'grant.manage',
  'audit.read',
  'audit.verify',
  'person.read',
  'person.manage',
  'staff.manage',
  'guardian.manage',
  'roster.import',
  /** Approve another user's purpose for L4 data (the second person of purposes.ts). */
  'purpose.approve',
  /** Register and manage authorised apps (API clients) of a district. */
  'apiClient.manage',
] as const;
export type Action = (typeof actions)[number];

export const districtRoles = [
  'bureauAdmin',
  'bureauAnalyst',
  'inspector',
  'principal',
  'schoolAdmin',
  'schoolDoctor',
  'counsellor',
] as const;
export const cityRoles = ['cityBureauAdmin', 'cityBureauAnalyst'] as const;
export type DistrictRole = (typeof districtRoles)[number];
export type CityRole = (typeof cityRoles)[number];
export type Role = DistrictRole | CityRole;

const read: Action[] = ['org.read'];
/** Keeping a school's people records: register, enrol, change status, staff, guardians, imports. */
function peopleWork(): Action[] {
  return ['person.read', 'person.manage', 'staff.manage', 'guardian.manage', 'roster.import'];
}
const orgWrite: Action[] = ['org.create', 'org.update', 'org.move', 'org.close'];
const admin: Action[] = [
  ...read,
  ...orgWrite,
  'user.read',
  'user.manage',
  'grant.manage',
  'audit.read',
  'audit.verify',
  'purpose.approve',
  'apiClient.manage',
  ...peopleWork(),
];

export const roleActions: Record<Role, ReadonlySet<Action>> = {
  cityBureauAdmin: new Set([...admin, 'district.create']),
  cityBureauAnalyst: new Set(read),
  bureauAdmin: new Set(admin),
  bureauAnalyst: new Set(read),
  // Analysts work on aggregates only; inspectors and principals read people records.
  inspector: new Set([...read, 'person.read']),
  principal: new Set([...read, 'org.update', 'user.read', 'person.read']),
  schoolAdmin: new Set([...read, ...orgWrite, 'user.read', 'user.manage', 'grant.manage', ...peopleWork()]),
  // 校医 and 心理教师 see the school's students; their health and mental-health data is theirs alone.
  schoolDoctor: new Set([...read, 'person.read']),
  counsellor: new Set([...read, 'person.read']),
};

/** What a grant may carry: a district role, or an authorised app's place (its actions from its scopes). */
export type GrantRole = DistrictRole | 'apiClient';

/** Whether a grant allows `action`: by its role, or by the scopes an API client's grant carries. */
export function grantAllows(g: { role: GrantRole; actions?: ReadonlySet<Action> }, action: Action): boolean {
  if (g.actions) return g.actions.has(action);
  return g.role !== 'apiClient' && roleActions[g.role].has(action);
}

/** The organisation kind a district role is granted on. */
export const roleUnitKind: Record<DistrictRole, 'districtBureau' | 'school'> = {
  bureauAdmin: 'districtBureau',
  bureauAnalyst: 'districtBureau',
  inspector: 'districtBureau',
  principal: 'school',
  schoolAdmin: 'school',
  schoolDoctor: 'school',
  counsellor: 'school',
};

/** Which roles a holder of each role may hand out (within its own scope). */
export const assignableRoles: Record<Role, readonly Role[]> = {
  cityBureauAdmin: [...districtRoles, ...cityRoles],
  cityBureauAnalyst: [],
  bureauAdmin: districtRoles,
  bureauAnalyst: [],
  inspector: [],
  principal: [],
  schoolAdmin: ['schoolAdmin', 'schoolDoctor', 'counsellor'],
  schoolDoctor: [],
  counsellor: [],
};

export const roleNames: Record<Role, { 'zh-CN': string; en: string }> = {
  cityBureauAdmin: { 'zh-CN': '市教育局管理员', en: 'City bureau administrator' },
  cityBureauAnalyst: { 'zh-CN': '市教育局数据分析员', en: 'City bureau analyst' },
  bureauAdmin: { 'zh-CN': '区县教育局管理员', en: 'District bureau administrator' },
  bureauAnalyst: { 'zh-CN': '区县教育局数据分析员', en: 'District bureau analyst' },
  inspector: { 'zh-CN': '督学', en: 'Inspector' },
  principal: { 'zh-CN': '校长', en: 'Principal' },
  schoolAdmin: { 'zh-CN': '学校管理员', en: 'School administrator' },
  schoolDoctor: { 'zh-CN': '校医', en: 'School doctor' },
  counsellor: { 'zh-CN': '心理教师', en: 'Counsellor' },
};

export const isDistrictRole = (role: string): role is DistrictRole =>
  (districtRoles as readonly string[]).includes(role);
export const isCityRole = (role: string): role is CityRole => (cityRoles as readonly string[]).includes(role);
