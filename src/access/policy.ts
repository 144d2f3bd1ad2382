import { forbidden, notFound } from '../errors';
import type { ResourceName } from '../i18n/messages';
import type { OrgTarget, Principal } from './principal';
import { type Action, assignableRoles, type Role, roleActions } from './roles';

/**
 * The one place that decides who may do what. Services call `authorize` before acting; queries use
 * `scopeOf` to restrict what they return.
 */

/** A district subtree (`pathPrefix` null = the whole district). */
export interface Scope {
  districtId: string;
  pathPrefix: string | null;
}

/** 'all' for platform administrators; otherwise the subtrees where `action` is allowed. */
export function scopeOf(principal: Principal, action: Action): 'all' | Scope[] {
  if (principal.isPlatformAdmin) return 'all';
  const scopes: Scope[] = [];
  for (const g of principal.grants) {
    if (roleActions[g.role].has(action)) scopes.push({ districtId: g.districtId, pathPrefix: g.path });
  }
  for (const g of principal.cityGrants) {
    if (!roleActions[g.role].has(action)) continue;
    for (const districtId of g.districtIds) scopes.push({ districtId, pathPrefix: null });
  }
  return scopes;
}

/** Whether any of the principal's roles ever has `action`, wherever. */
export function canEver(principal: Principal, action: Action): boolean {
  const scope = scopeOf(principal, action);
  return scope === 'all' || scope.length > 0;
}

export function covers(scope: 'all' | Scope[], target: OrgTarget): boolean {
  if (scope === 'all') return true;
  return scope.some(
    (s) =>
      s.districtId === target.districtId && (s.pathPrefix === null || target.path.startsWith(s.pathPrefix)),
  );
}

/**
 * Allow `action` on `target`, or throw: 403 when the principal's roles never have the action,
 * 404 when the target lies outside everything the principal may read (its existence is not
 * confirmed), 403 when it is readable but the action is not allowed there.
 */
export function authorize(
  principal: Principal,
  action: Action,
  target: OrgTarget | null,
  resource: ResourceName,
  readAction: Action = 'org.read',
): void {
  if (!canEver(principal, action)) throw forbidden();
  if (target === null) throw notFound(resource);
  if (covers(scopeOf(principal, action), target)) return;
  if (!covers(scopeOf(principal, readAction), target)) throw notFound(resource);
  throw forbidden();
}

/** Roles the principal may grant on `target` (a unit inside its grant.manage scope). */
export function rolesAssignableOn(principal: Principal, target: OrgTarget): ReadonlySet<Role> {
  if (principal.isPlatformAdmin) return new Set(Object.keys(roleActions) as Role[]);
  const roles = new Set<Role>();
  for (const g of principal.grants) {
    if (!roleActions[g.role].has('grant.manage')) continue;
    if (g.districtId !== target.districtId || !target.path.startsWith(g.path)) continue;
    for (const r of assignableRoles[g.role]) roles.add(r);
  }
  for (const g of principal.cityGrants) {
    if (!roleActions[g.role].has('grant.manage') || !g.districtIds.includes(target.districtId)) continue;
    for (const r of assignableRoles[g.role]) roles.add(r);
  }
  return roles;
}

/** City bureaus where `action` is allowed: 'all' for platform administrators. */
export function cityScopeOf(principal: Principal, action: Action): 'all' | string[] {
  if (principal.isPlatformAdmin) return 'all';
  return principal.cityGrants.filter((g) => roleActions[g.role].has(action)).map((g) => g.cityBureauId);
}

/**
 * Allow `action` on a city bureau, or at platform level when `cityBureauId` is null (only platform
 * administrators), or throw 403. City bureaus are public bodies, so their existence is not hidden.
 */
export function authorizeCity(principal: Principal, action: Action, cityBureauId: string | null): void {
  const scope = cityScopeOf(principal, action);
  if (scope === 'all' || (cityBureauId !== null && scope.includes(cityBureauId))) return;
  throw forbidden();
}
