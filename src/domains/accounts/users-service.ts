import {
  authorize,
  authorizeUserWithoutGrant,
  canEver,
  scopeByDistrict,
  type UserPlacement,
  userGrantsVisibleTo,
  userManageableBy,
  userVisibleTo,
} from '../../access/policy';
import type { CityRole, DistrictRole } from '../../access/roles';
import { auditInTx, type Ctx, inTransaction, type RequestAuditEvent, requirePrincipal } from '../../context';
import type { DbOrTx, Tx } from '../../db/client';
import { conflict, DomainError, type FieldError, forbidden, notFound } from '../../errors';
import { districtRoot } from '../org/districts-service';
import { type OrgUnitPlace, orgUnitIdsWithin, orgUnitPlace } from '../org/org-units-service';
import {
  type CityGrantDto,
  type GrantDto,
  presentCityGrants,
  presentGrants,
  toGrantDto,
  toUserDto,
  type UserDto,
} from './dto';
import { grantOn, placementOf, withBureaus, withUnits } from './grant-places';
import { checkGrant, cityGrantCreatedEvent, grantCreatedEvent } from './grants-service';
import { generatePassword, hashPassword, passwordProblem } from './passwords';
import * as repo from './repository';
import { chainOf } from './service';
import { revokeUserSessions } from './sessions';

/**
 * Users administration. Who sees and manages whom: see visibility.ts. Decision on creating users:
 * an administrator at district level ('user.manage' on the district's root unit) may create a user
 * of that district with or without a grant; anyone else holding 'user.manage' (a school
 * administrator) must create the user together with a grant inside its own scope, in the same
 * transaction, so no user is ever created that its creator cannot see or manage afterwards.
 */

/**
 * The user `id` if the caller may see it (and, for 'manage', manage it): 403 when the caller's
 * roles never have the action, 404 when the user is out of sight, 403 when seen but not managed.
 */
export async function loadUserFor(
  ctx: Ctx,
  id: string,
  mode: 'read' | 'manage',
): Promise<{ user: repo.UserRow; placement: UserPlacement }> {
  const principal = requirePrincipal(ctx);
  if (!canEver(principal, mode === 'read' ? 'user.read' : 'user.manage')) throw forbidden();
  const user = await repo.findUserById(ctx.db, id);
  if (!user) throw notFound('user');
  const placement = await placementOf(ctx.db, user);
  if (!userVisibleTo(principal, placement)) throw notFound('user');
  if (mode === 'manage' && !userManageableBy(principal, placement)) throw forbidden();
  return { user, placement };
}

export async function listUsers(
  ctx: Ctx,
  query: { q?: string; status?: 'active' | 'disabled'; limit: number; offset: number },
): Promise<{ items: UserDto[]; total: number }> {
  const principal = requirePrincipal(ctx);
  if (!canEver(principal, 'user.read')) throw forbidden();
  const scope = scopeByDistrict(principal, 'user.read');
  const { rows, total } = await repo.listUsers(ctx.db, {
    ...query,
    visibility:
      scope === 'all'
        ? 'all'
        : {
            selfId: principal.userId,
            wholeDistrictIds: scope.wholeDistricts,
            units: await orgUnitIdsWithin(ctx.db, scope.subtrees),
          },
  });
  const now = new Date();
  return { items: rows.map((u) => toUserDto(u, now)), total };
}

/**
 * A user's grants as far as the caller may see them: its own all, platform administrators all,
 * others the district grants inside their 'user.read' scope. City grants: platform administrators
 * and the user itself.
 */
export async function listUserGrants(
  ctx: Ctx,
  userId: string,
): Promise<{ grants: GrantDto[]; cityGrants: CityGrantDto[] }> {
  const principal = requirePrincipal(ctx);
  await loadUserFor(ctx, userId, 'read');
  const visible = userGrantsVisibleTo(principal, userId);
  const [grants, cityGrants] = await Promise.all([
    repo.grantsOfUser(ctx.db, userId).then((rows) => withUnits(ctx.db, rows)),
    visible.cityGrants
      ? repo.cityGrantsOfUser(ctx.db, userId).then((rows) => withBureaus(ctx.db, rows))
      : Promise.resolve([]),
  ]);
  return {
    grants: presentGrants(
      grants.filter((g) => visible.grant({ districtId: g.districtId, path: g.orgUnitPath })),
    ),
    cityGrants: presentCityGrants(cityGrants),
  };
}

export async function getUser(ctx: Ctx, id: string): Promise<UserDto> {
  return toUserDto((await loadUserFor(ctx, id, 'read')).user);
}

const userEvent = (
  user: repo.UserRow,
  action: string,
  details: Record<string, unknown> = {},
): RequestAuditEvent => ({
  districtId: chainOf(user.homeDistrictId),
  action,
  targetType: 'user',
  targetId: user.id,
  outcome: 'success',
  details,
});

export interface CreateUserInput {
  username: string;
  displayName: string;
  homeDistrictId: string;
  initialPassword?: string;
  grant?: { orgUnitId: string; role: DistrictRole; expiresAt?: Date };
}

/**
 * Create a user who must change the password at first sign-in. Without `initialPassword` one is
 * generated and returned once. With `grant`, the user gets that role in the same transaction.
 */
export async function createUser(
  ctx: Ctx,
  input: CreateUserInput,
): Promise<{ user: UserDto; grant: GrantDto | null; initialPassword: string | null }> {
  const principal = requirePrincipal(ctx);
  if (!canEver(principal, 'user.manage')) throw forbidden();

  const root = await districtRoot(ctx.db, input.homeDistrictId);
  let grantUnit: OrgUnitPlace | undefined;
  if (input.grant) {
    grantUnit = await orgUnitPlace(ctx.db, input.grant.orgUnitId);
    const target = grantUnit ? { districtId: grantUnit.districtId, path: grantUnit.path } : null;
    authorize(principal, 'user.manage', target, 'orgUnit');
    if (!root) throw notFound('district');
  } else {
    if (!root) throw notFound('district');
    authorizeUserWithoutGrant(principal, { districtId: root.districtId, path: root.path });
  }

  const errors: FieldError[] = [];
  if (input.grant && grantUnit) {
    if (grantUnit.districtId !== input.homeDistrictId) {
      errors.push({
        path: 'body.grant.orgUnitId',
        code: 'user.grant_outside_home_district',
        messageCode: 'user.grant_outside_home_district',
      });
    }
    // Role within the caller's rights (403), fitting the unit, expiry ahead (422, with the above).
    errors.push(
      ...checkGrant(ctx, principal, grantUnit, input.grant.role, input.grant.expiresAt, 'body.grant'),
    );
  }
  if (input.initialPassword !== undefined) {
    const problem = passwordProblem(input.initialPassword, input.username);
    if (problem) errors.push({ path: 'body.initialPassword', code: problem, messageCode: problem });
  }
  if (errors.length > 0) throw new DomainError(422, 'request.invalid', {}, errors);

  if (await repo.usernameTaken(ctx.db, input.username)) {
    throw conflict('user.username_taken', { username: input.username });
  }

  const generated = input.initialPassword === undefined ? generatePassword() : null;
  const passwordHash = await hashPassword(input.initialPassword ?? generated ?? '');
  const { user, grant } = await inTransaction(ctx, async (tx) => {
    const user = await insertUserOrConflict(tx, {
      username: input.username,
      displayName: input.displayName,
      passwordHash,
      homeDistrictId: input.homeDistrictId,
      isPlatformAdmin: false,
      mustChangePassword: true,
      createdBy: principal.userId,
    });
    const events = [userEvent(user, 'user.create', { homeDistrictId: user.homeDistrictId })];
    let grant: repo.GrantRecord | null = null;
    if (input.grant && grantUnit) {
      grant = await repo.insertGrant(tx, {
        userId: user.id,
        districtId: grantUnit.districtId,
        orgUnitId: grantUnit.id,
        role: input.grant.role,
        expiresAt: input.grant.expiresAt ?? null,
        grantedBy: principal.userId,
      });
      events.push(grantCreatedEvent(grant));
    }
    await auditInTx(ctx, tx, ...events);
    return { user, grant };
  });
  return {
    user: toUserDto(user),
    grant: grant && grantUnit ? toGrantDto(grantOn(grant, grantUnit)) : null,
    initialPassword: generated,
  };
}

/** Insert, turning a lost race on the unique username into the same 409 as the check above. */
async function insertUserOrConflict(db: DbOrTx, values: repo.NewUser): Promise<repo.UserRow> {
  try {
    return await repo.insertUser(db, values);
  } catch (error) {
    if (
      (error as { code?: string }).code === '23505' ||
      (error as { cause?: { code?: string } }).cause?.code === '23505'
    ) {
      throw conflict('user.username_taken', { username: values.username });
    }
    throw error;
  }
}

/** Rename or disable/enable a user. Disabling signs the user out everywhere at once. */
export async function updateUser(
  ctx: Ctx,
  id: string,
  changes: { displayName?: string; status?: 'active' | 'disabled' },
): Promise<UserDto> {
  const principal = requirePrincipal(ctx);
  const { user } = await loadUserFor(ctx, id, 'manage');
  if (changes.status === 'disabled' && user.id === principal.userId) {
    throw conflict('user.cannot_disable_self');
  }
  // Nothing to change (an empty PATCH): the user as it is, and nothing to audit.
  if (changes.displayName === undefined && changes.status === undefined) return toUserDto(user);
  const updated = await inTransaction(ctx, async (tx) => {
    const row = await repo.updateUser(tx, user.id, changes);
    if (changes.status === 'disabled') await revokeUserSessions(tx, user.id);
    const fields = Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined);
    // Field names and the status only: display names are personal data.
    await auditInTx(
      ctx,
      tx,
      userEvent(row, 'user.update', { fields, ...(changes.status ? { status: changes.status } : {}) }),
    );
    return row;
  });
  return toUserDto(updated);
}

/** A new one-time password, returned once; the user is signed out and must change it. */
export async function resetPassword(ctx: Ctx, id: string): Promise<{ password: string }> {
  const { user } = await loadUserFor(ctx, id, 'manage');
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await inTransaction(ctx, async (tx) => {
    await repo.setPassword(tx, user.id, passwordHash, true);
    await revokeUserSessions(tx, user.id);
    await auditInTx(ctx, tx, userEvent(user, 'user.resetPassword'));
  });
  return { password };
}

/** Lift a lockout before it runs out. */
export async function unlockUser(ctx: Ctx, id: string): Promise<UserDto> {
  const { user } = await loadUserFor(ctx, id, 'manage');
  const updated = await inTransaction(ctx, async (tx) => {
    const row = await repo.unlockUser(tx, user.id);
    await auditInTx(ctx, tx, userEvent(row, 'user.unlock'));
    return row;
  });
  return toUserDto(updated);
}

export interface SystemUserInput {
  username: string;
  displayName: string;
  password: string;
  homeDistrictId: string | null;
  isPlatformAdmin?: boolean;
  mustChangePassword?: boolean;
  grants?: { districtId: string; orgUnitId: string; role: DistrictRole }[];
  cityGrants?: { cityBureauId: string; role: CityRole }[];
}

/**
 * System use (`mingde admin create`, the demo generator): create an account and its grants in the
 * caller's transaction, without a policy check, audited as `ctx.principal` (or the system).
 */
export async function createUserInTx(ctx: Ctx, tx: Tx, input: SystemUserInput): Promise<repo.UserRow> {
  const user = await insertUserOrConflict(tx, {
    username: input.username,
    displayName: input.displayName,
    passwordHash: await hashPassword(input.password),
    homeDistrictId: input.homeDistrictId,
    isPlatformAdmin: input.isPlatformAdmin ?? false,
    mustChangePassword: input.mustChangePassword ?? false,
    createdBy: ctx.principal?.userId ?? null,
  });
  const events = [userEvent(user, 'user.create', { isPlatformAdmin: user.isPlatformAdmin })];
  for (const g of input.grants ?? []) {
    const grant = await repo.insertGrant(tx, {
      userId: user.id,
      ...g,
      expiresAt: null,
      grantedBy: ctx.principal?.userId ?? null,
    });
    events.push(grantCreatedEvent(grant));
  }
  for (const g of input.cityGrants ?? []) {
    const grant = await repo.insertCityGrant(tx, {
      userId: user.id,
      ...g,
      expiresAt: null,
      grantedBy: ctx.principal?.userId ?? null,
    });
    events.push(cityGrantCreatedEvent(grant));
  }
  await auditInTx(ctx, tx, ...events);
  return user;
}
