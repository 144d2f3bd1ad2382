import { covers, scopeOf } from '../../access/policy';
import type { OrgTarget, Principal } from '../../access/principal';

/**
 * Which accounts a caller may see and manage. An account is placed in the organisation tree by
 * its grants that have not ended, and by its home district (whose root unit stands for it).
 * Pure functions over the policy's scopes, so they are tested without a database.
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
