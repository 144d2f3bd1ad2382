import { memoPerOwner } from '../memo';
import { roleCeilings } from './ceilings';
import type { Principal } from './principal';
import { type Action, grantAllows, type Role, roleActions, roleUnitKind } from './roles';

/**
 * Where the principal may read or change people's records. Grants give whole organisation
 * subtrees (every person enrolled or posted in a school inside them, and those people's
 * guardians); relationships give single classes (班主任: the students and their guardians;
 * 任课教师: the students) and single persons (oneself; one's children). The people repository turns
 * this into SQL; services call `canEverPersons` for the 403 and get 404 for a person outside it.
 */
export interface PersonScope {
  all: boolean;
  units: { districtId: string; pathPrefix: string | null }[];
  classes: { districtId: string; classId: string; withGuardians: boolean }[];
  persons: { districtId: string; personId: string }[];
}

export type PersonAction = Extract<
  Action,
  'person.read' | 'person.manage' | 'staff.manage' | 'guardian.manage' | 'purpose.approve'
>;

/**
 * One scope per principal and action: a principal is built once per access version and shared by
 * the requests that follow (accounts/principal-repository.ts), so its scope — and the SQL
 * parameters visibility-sql.ts derives from it and memoises per scope — is too. Neither is mutated.
 */
export const personScope = memoPerOwner(computePersonScope);

function computePersonScope(principal: Principal, action: PersonAction): PersonScope {
  if (principal.isPlatformAdmin) return { all: true, units: [], classes: [], persons: [] };
  const units: PersonScope['units'] = [];
  for (const g of principal.grants) {
    if (grantAllows(g, action)) units.push({ districtId: g.districtId, pathPrefix: g.path });
  }
  for (const g of principal.cityGrants) {
    if (!roleActions[g.role].has(action)) continue;
    for (const districtId of g.districtIds) units.push({ districtId, pathPrefix: null });
  }
  const classes: PersonScope['classes'] = [];
  const persons: PersonScope['persons'] = [];
  if (action === 'person.read') {
    const r = principal.relations;
    for (const c of r.headTeacherOf)
      classes.push({ districtId: c.districtId, classId: c.classId, withGuardians: true });
    for (const c of r.teaches)
      classes.push({ districtId: c.districtId, classId: c.classId, withGuardians: false });
    persons.push(...r.self, ...r.guardianOf);
  }
  return { all: false, units, classes, persons };
}

/**
 * Where the principal may see L4 people data under a purpose: `direct` where a school role (校长,
 * 学校管理员, 班主任) gives it, `withApproval` where only a bureau role does (DESIGN.md: a bureau
 * role's purpose needs a second person's approval). Both come from the roles whose people ceiling
 * is `sensitive` (ceilings.ts).
 */
export function sensitiveScopes(principal: Principal): { direct: PersonScope; withApproval: PersonScope } {
  const direct: PersonScope = { all: false, units: [], classes: [], persons: [] };
  const withApproval: PersonScope = { all: principal.isPlatformAdmin, units: [], classes: [], persons: [] };
  const mayReveal = (role: Role) =>
    roleCeilings[role].people === 'sensitive' && roleActions[role].has('person.read');
  for (const g of principal.grants) {
    if (g.role === 'apiClient' || !mayReveal(g.role)) continue;
    const unit = { districtId: g.districtId, pathPrefix: g.path };
    (roleUnitKind[g.role] === 'school' ? direct : withApproval).units.push(unit);
  }
  for (const g of principal.cityGrants) {
    if (!mayReveal(g.role)) continue;
    for (const districtId of g.districtIds) withApproval.units.push({ districtId, pathPrefix: null });
  }
  if (roleCeilings.headTeacher.people === 'sensitive') {
    for (const c of principal.relations.headTeacherOf)
      direct.classes.push({ districtId: c.districtId, classId: c.classId, withGuardians: true });
  }
  return { direct, withApproval };
}

/** Whether the principal may declare a purpose anywhere (some L4 right, at once or with approval). */
export function mayDeclarePurpose(principal: Principal): boolean {
  const { direct, withApproval } = sensitiveScopes(principal);
  return !isEmptyScope(direct) || !isEmptyScope(withApproval);
}

export const isEmptyScope = (s: PersonScope) =>
  !s.all && s.units.length === 0 && s.classes.length === 0 && s.persons.length === 0;

/**
 * The district of `personId` when the principal is that person or one of their current guardians —
 * who may see the person's access log (PIPL's right to know) — else null.
 */
export function ownOrChildDistrictOf(principal: Principal, personId: string): string | null {
  const id = personId.toLowerCase();
  const { self, guardianOf } = principal.relations;
  return [...self, ...guardianOf].find((p) => p.personId === id)?.districtId ?? null;
}

/** Whether the principal may ever do `action` on anybody (else 403). */
export function canEverPersons(principal: Principal, action: PersonAction): boolean {
  return !isEmptyScope(personScope(principal, action));
}

/**
 * The person policy as services use it, through the request context: the product always runs the
 * functions above; only a benchmark's own wiring may pass another (e.g. allow-all, to measure
 * what scoping costs).
 */
export interface PersonAccessPolicy {
  personScope: typeof personScope;
  canEverPersons: typeof canEverPersons;
}

export const personAccessPolicy: PersonAccessPolicy = { personScope, canEverPersons };

export const personAccessOf = (ctx: { personAccess?: PersonAccessPolicy }): PersonAccessPolicy =>
  ctx.personAccess ?? personAccessPolicy;
