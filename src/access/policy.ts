import { DomainError, forbidden, notFound } from '../errors';
import type { ResourceName } from '../i18n/messages';
import type { OrgTarget, Principal } from './principal';
import { type Action, actions, assignableRoles, grantAllows, type Role, roleActions } from './roles';

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
    if (grantAllows(g, action)) scopes.push({ districtId: g.districtId, pathPrefix: g.path });
  }
  for (const g of principal.cityGrants) {
    if (!roleActions[g.role].has(action)) continue;
    for (const districtId of g.districtIds) scopes.push({ districtId, pathPrefix: null });
  }
  return scopes;
}

/** Every action the principal's roles have somewhere: what a client may offer (the API still decides). */
export const actionsEverAllowed = (principal: Principal): Action[] =>
  actions.filter((action) => canEver(principal, action));

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
/** The roles a principal may grant on the target, or (target null) anywhere at all. */
function assignable(principal: Principal, target: OrgTarget | null): ReadonlySet<Role> {
  if (principal.isPlatformAdmin) return new Set(Object.keys(roleActions) as Role[]);
  const roles = new Set<Role>();
  for (const g of principal.grants) {
    if (g.role === 'apiClient' || !grantAllows(g, 'grant.manage')) continue;
    if (target && (g.districtId !== target.districtId || !target.path.startsWith(g.path))) continue;
    for (const r of assignableRoles[g.role]) roles.add(r);
  }
  for (const g of principal.cityGrants) {
    if (!roleActions[g.role].has('grant.manage')) continue;
    if (target && !g.districtIds.includes(target.districtId)) continue;
    for (const r of assignableRoles[g.role]) roles.add(r);
  }
  return roles;
}

export const rolesAssignableOn = (principal: Principal, target: OrgTarget) => assignable(principal, target);

/** Every role the principal may grant somewhere: what the console offers when creating a user. */
export const rolesEverAssignable = (principal: Principal) => assignable(principal, null);

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

/** Whether `action` is allowed on a target: for marking rows, e.g. which names a caller may see. */
export function allowedOn(principal: Principal, action: Action): (target: OrgTarget) => boolean {
  const scope = scopeOf(principal, action);
  return (target) => covers(scope, target);
}

/**
 * Only platform administrators may do `action` here (beyond any district or city, e.g. city
 * grants), or throw 403.
 */
export function authorizePlatform(principal: Principal, action: Action): void {
  if (scopeOf(principal, action) !== 'all') throw forbidden();
}

// ---------------------------------------------------------------------------------------------
// Districts

/** Districts where `action` is allowed somewhere: 'all' for platform administrators. */
export function districtsOf(principal: Principal, action: Action): 'all' | string[] {
  const scope = scopeOf(principal, action);
  return scope === 'all' ? 'all' : [...new Set(scope.map((s) => s.districtId))];
}

const allowedInDistrict = (principal: Principal, action: Action, districtId: string) => {
  const ids = districtsOf(principal, action);
  return ids === 'all' || ids.includes(districtId);
};

/**
 * Allow `action` on data of a district as a whole that anyone working somewhere in it may use
 * (the district, its academic years and groupings), or throw: 403 when the principal's roles never
 * have the action, 404 when the district is not one it works in (`districtId` null: no such thing).
 */
export function authorizeInDistrict(
  principal: Principal,
  action: Action,
  districtId: string | null,
  resource: ResourceName,
): void {
  if (!canEver(principal, action)) throw forbidden();
  if (districtId === null || !allowedInDistrict(principal, action, districtId)) throw notFound(resource);
}

// A district's root unit is the only unit whose materialised path has one segment ("/<id>/").
const isDistrictRootPath = (path: string) => /^\/[^/]+\/$/.test(path);

/** A scope over a whole district: a city grant (no path) or a grant on the district's root unit. */
const isWholeDistrict = (s: Scope) => s.pathPrefix === null || isDistrictRootPath(s.pathPrefix);

/**
 * `action`'s scope as whole districts (sorted) plus the subtrees it covers in other districts;
 * 'all' for platform administrators. What list queries filter on.
 */
export function scopeByDistrict(
  principal: Principal,
  action: Action,
): 'all' | { wholeDistricts: string[]; subtrees: Scope[] } {
  const scope = scopeOf(principal, action);
  if (scope === 'all') return 'all';
  const whole = [...new Set(scope.filter(isWholeDistrict).map((s) => s.districtId))];
  return { wholeDistricts: whole.sort(), subtrees: scope.filter((s) => !whole.includes(s.districtId)) };
}

/** The districts where `action` is allowed over the whole district, sorted; 'all' for platform administrators. */
export function wholeDistrictsOf(principal: Principal, action: Action): 'all' | string[] {
  const scope = scopeByDistrict(principal, action);
  return scope === 'all' ? 'all' : scope.wholeDistricts;
}

/**
 * Allow `action` over a whole district (its audit trail, its groupings and academic years), or
 * throw: 403 when the principal's roles never have the action; 404 when `districtId` is null (no
 * such district) or the district is not covered; but 403 instead when `revealedBy` is allowed
 * somewhere in the district (the caller knows the district exists, it just may not do this there).
 */
export function authorizeDistrictWide(
  principal: Principal,
  action: Action,
  districtId: string | null,
  resource: ResourceName,
  revealedBy?: Action,
): void {
  if (!canEver(principal, action)) throw forbidden();
  if (districtId === null) throw notFound(resource);
  const whole = wholeDistrictsOf(principal, action);
  if (whole === 'all' || whole.includes(districtId)) return;
  if (revealedBy && allowedInDistrict(principal, revealedBy, districtId)) throw forbidden();
  throw notFound(resource);
}

// ---------------------------------------------------------------------------------------------
// Users

/**
 * Where an account sits in the organisation tree: by its grants that have not ended, and by its
 * home district (whose root unit stands for it).
 */
export interface UserPlacement {
  userId: string;
  isPlatformAdmin: boolean;
  /** Units of the user's grants that are neither revoked nor expired. */
  grantPlaces: OrgTarget[];
  /** City grants that are neither revoked nor expired. */
  cityGrantCount: number;
  /** Root unit of the user's home district, if it has one. */
  homeRoot: OrgTarget | null;
}

/**
 * Visible: oneself; everyone for platform administrators; otherwise a user with a grant inside the
 * caller's 'user.read' scope, or whose home district the caller reads at district level.
 */
export function userVisibleTo(principal: Principal, user: UserPlacement): boolean {
  if (user.userId === principal.userId) return true;
  const scope = scopeOf(principal, 'user.read');
  if (scope === 'all') return true;
  if (user.grantPlaces.some((place) => covers(scope, place))) return true;
  return user.homeRoot !== null && covers(scope, user.homeRoot);
}

/**
 * Manageable (edit, disable, reset password, unlock): every grant of the user lies inside the
 * caller's 'user.manage' scope — otherwise a school administrator could reset the password of a
 * bureau administrator who also teaches at the school, and take the account over. A user without
 * grants is managed at district level. Platform administrators and holders of city roles are
 * managed by platform administrators only.
 */
export function userManageableBy(principal: Principal, user: UserPlacement): boolean {
  const scope = scopeOf(principal, 'user.manage');
  if (scope === 'all') return true;
  if (user.isPlatformAdmin || user.cityGrantCount > 0) return false;
  if (user.grantPlaces.length > 0) return user.grantPlaces.every((place) => covers(scope, place));
  return user.homeRoot !== null && covers(scope, user.homeRoot);
}

/**
 * Which grants of a (visible) user the principal may see: its own all, platform administrators
 * all; others the district grants inside their 'user.read' scope and no city grants.
 */
export function userGrantsVisibleTo(
  principal: Principal,
  userId: string,
): { grant: (place: OrgTarget) => boolean; cityGrants: boolean } {
  const scope = scopeOf(principal, 'user.read');
  if (userId === principal.userId || scope === 'all') return { grant: () => true, cityGrants: true };
  return { grant: (place) => covers(scope, place), cityGrants: false };
}

/**
 * Allow creating a user of a district without giving it a role: needs 'user.manage' over the
 * district's root unit. Someone who manages only part of the district must give the new user a
 * role there at once (403 user.grant_required); anyone else is answered as by `authorize`.
 */
export function authorizeUserWithoutGrant(principal: Principal, districtRoot: OrgTarget): void {
  const manage = scopeOf(principal, 'user.manage');
  if (covers(manage, districtRoot)) return;
  if (manage !== 'all' && manage.some((s) => s.districtId === districtRoot.districtId)) {
    throw new DomainError(403, 'user.grant_required');
  }
  authorize(principal, 'user.manage', districtRoot, 'district');
}
