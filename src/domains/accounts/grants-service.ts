import { authorize, authorizePlatform, rolesAssignableOn, userVisibleTo } from '../../access/policy';
import type { Principal } from '../../access/principal';
import { type CityRole, type DistrictRole, roleNames, roleUnitKind } from '../../access/roles';
import { auditInTx, type Ctx, inTransaction, type RequestAuditEvent, requirePrincipal } from '../../context';
import { conflict, DomainError, type FieldError, notFound } from '../../errors';
import type { Lang } from '../../i18n/messages';
import { PLATFORM_DISTRICT_ID } from '../audit/log';
import { cityBureauById } from '../org/districts-service';
import { type OrgUnitPlace, orgUnitPlace } from '../org/org-units-service';
import { type CityGrantDto, type GrantDto, toCityGrantDto, toGrantDto } from './dto';
import { grantOn, placementOf, withBureau, withUnit } from './grant-places';
import * as repo from './repository';

/**
 * Grants administration: a role on an organisation subtree of one district (grants), or on every
 * district of a city (city grants, platform administrators only). Grants are never deleted:
 * revoking stamps revokedAt/revokedBy. The principal is loaded per request from the grants in
 * force, so a revoked or expired grant stops working at once.
 */

const unitKindNames: Record<OrgUnitPlace['kind'], Record<Lang, string>> = {
  districtBureau: { 'zh-CN': '区县教育局', en: 'district bureau' },
  school: { 'zh-CN': '学校', en: 'school' },
  campus: { 'zh-CN': '校区', en: 'campus' },
  grade: { 'zh-CN': '年级', en: 'grade' },
  class: { 'zh-CN': '班级', en: 'class' },
};

const targetOf = (u: { districtId: string; path: string }) => ({ districtId: u.districtId, path: u.path });

/**
 * May `principal` grant `role` on `unit`? Throws 404/403 when it may not manage grants there
 * (policy.authorize), 403 'grant.beyond_own_rights' for a role above its own, 409 for a closed
 * unit; returns the field errors (role not for this kind of unit, expiry not in the future) so
 * the caller can report them together with its own.
 */
export function checkGrant(
  ctx: Ctx,
  principal: Principal,
  unit: OrgUnitPlace | undefined,
  role: DistrictRole,
  expiresAt: Date | undefined,
  pathPrefix = 'body',
): FieldError[] {
  authorize(principal, 'grant.manage', unit ? targetOf(unit) : null, 'orgUnit');
  if (!unit) throw notFound('orgUnit');
  if (!rolesAssignableOn(principal, targetOf(unit)).has(role))
    throw new DomainError(403, 'grant.beyond_own_rights');
  if (unit.status !== 'active') throw conflict('grant.unit_closed');
  const errors: FieldError[] = [];
  if (roleUnitKind[role] !== unit.kind) {
    errors.push({
      path: `${pathPrefix}.role`,
      code: 'grant.role_not_for_unit',
      messageCode: 'grant.role_not_for_unit',
      params: { role: roleNames[role][ctx.lang], kind: unitKindNames[unit.kind][ctx.lang] },
    });
  }
  errors.push(...expiryErrors(expiresAt, pathPrefix));
  return errors;
}

function expiryErrors(expiresAt: Date | undefined, pathPrefix: string): FieldError[] {
  if (expiresAt === undefined || expiresAt > new Date()) return [];
  return [
    { path: `${pathPrefix}.expiresAt`, code: 'grant.expiry_in_past', messageCode: 'grant.expiry_in_past' },
  ];
}

export const grantCreatedEvent = (g: repo.GrantRecord): RequestAuditEvent => ({
  districtId: g.districtId,
  action: 'grant.create',
  targetType: 'grant',
  targetId: g.id,
  outcome: 'success',
  details: {
    userId: g.userId,
    orgUnitId: g.orgUnitId,
    role: g.role,
    expiresAt: g.expiresAt?.toISOString() ?? null,
  },
});

/** A city grant spans districts: it belongs to the platform's chain. */
export const cityGrantCreatedEvent = (g: repo.CityGrantRecord): RequestAuditEvent => ({
  districtId: PLATFORM_DISTRICT_ID,
  action: 'cityGrant.create',
  targetType: 'cityGrant',
  targetId: g.id,
  outcome: 'success',
  details: {
    userId: g.userId,
    cityBureauId: g.cityBureauId,
    role: g.role,
    expiresAt: g.expiresAt?.toISOString() ?? null,
  },
});

/**
 * The user a grant goes to must be visible to the caller, or belong to the unit's district (a
 * school administrator giving a role to a teacher of the district who has none in its school yet).
 */
async function grantee(ctx: Ctx, principal: Principal, userId: string, districtId: string | null) {
  const user = await repo.findUserById(ctx.db, userId);
  if (!user) throw notFound('user');
  if (districtId !== null && user.homeDistrictId === districtId) return user;
  if (!userVisibleTo(principal, await placementOf(ctx.db, user))) throw notFound('user');
  return user;
}

export async function createGrant(
  ctx: Ctx,
  input: { userId: string; orgUnitId: string; role: DistrictRole; expiresAt?: Date },
): Promise<GrantDto> {
  const principal = requirePrincipal(ctx);
  const unit = await orgUnitPlace(ctx.db, input.orgUnitId);
  const errors = checkGrant(ctx, principal, unit, input.role, input.expiresAt);
  if (!unit) throw notFound('orgUnit');
  if (errors.length > 0) throw new DomainError(422, 'request.invalid', {}, errors);
  const user = await grantee(ctx, principal, input.userId, unit.districtId);
  const key = { userId: user.id, districtId: unit.districtId, orgUnitId: unit.id, role: input.role };
  if (await repo.grantInForceExists(ctx.db, key)) throw conflict('grant.duplicate');

  const grant = await inTransaction(ctx, async (tx) => {
    const g = await repo.insertGrant(tx, {
      ...key,
      expiresAt: input.expiresAt ?? null,
      grantedBy: principal.userId,
    });
    await auditInTx(ctx, tx, grantCreatedEvent(g));
    return g;
  });
  return present(toGrantDto(grantOn(grant, unit)));
}

/** Revoke a grant within the caller's rights; it stops giving access with the next request. */
export async function revokeGrant(ctx: Ctx, id: string): Promise<GrantDto> {
  const principal = requirePrincipal(ctx);
  const record = await repo.findGrant(ctx.db, id);
  const found = record ? await withUnit(ctx.db, record) : undefined;
  const target = found ? { districtId: found.districtId, path: found.orgUnitPath } : null;
  authorize(principal, 'grant.manage', target, 'grant');
  if (!found || !target) throw notFound('grant');
  if (!rolesAssignableOn(principal, target).has(found.role as DistrictRole)) {
    throw new DomainError(403, 'grant.beyond_own_rights');
  }
  const revoked = await inTransaction(ctx, async (tx) => {
    const g = await repo.revokeGrant(tx, found, principal.userId);
    if (!g) throw conflict('grant.already_revoked');
    await auditInTx(ctx, tx, {
      districtId: g.districtId,
      action: 'grant.revoke',
      targetType: 'grant',
      targetId: g.id,
      outcome: 'success',
      details: { userId: g.userId, orgUnitId: g.orgUnitId, role: g.role },
    });
    return g;
  });
  // The revoked row, with the unit read above.
  return present(toGrantDto({ ...found, ...revoked }));
}

export async function createCityGrant(
  ctx: Ctx,
  input: { userId: string; cityBureauId: string; role: CityRole; expiresAt?: Date },
): Promise<CityGrantDto> {
  const principal = requirePrincipal(ctx);
  // Only platform administrators manage city grants.
  authorizePlatform(principal, 'grant.manage');
  const errors = expiryErrors(input.expiresAt, 'body');
  if (errors.length > 0) throw new DomainError(422, 'request.invalid', {}, errors);
  const city = await cityBureauById(ctx.db, input.cityBureauId);
  if (!city) throw notFound('cityBureau');
  const user = await grantee(ctx, principal, input.userId, null);
  const key = { userId: user.id, cityBureauId: input.cityBureauId, role: input.role };
  if (await repo.cityGrantInForceExists(ctx.db, key)) throw conflict('grant.duplicate');

  const grant = await inTransaction(ctx, async (tx) => {
    const g = await repo.insertCityGrant(tx, {
      ...key,
      expiresAt: input.expiresAt ?? null,
      grantedBy: principal.userId,
    });
    await auditInTx(ctx, tx, cityGrantCreatedEvent(g));
    return g;
  });
  return present(toCityGrantDto({ ...grant, cityBureauName: city.name }));
}

export async function revokeCityGrant(ctx: Ctx, id: string): Promise<CityGrantDto> {
  const principal = requirePrincipal(ctx);
  // Only platform administrators manage city grants.
  authorizePlatform(principal, 'grant.manage');
  if (!(await repo.findCityGrant(ctx.db, id))) throw notFound('grant');
  const revoked = await inTransaction(ctx, async (tx) => {
    const g = await repo.revokeCityGrant(tx, id, principal.userId);
    if (!g) throw conflict('grant.already_revoked');
    await auditInTx(ctx, tx, {
      districtId: PLATFORM_DISTRICT_ID,
      action: 'cityGrant.revoke',
      targetType: 'cityGrant',
      targetId: g.id,
      outcome: 'success',
      details: { userId: g.userId, cityBureauId: g.cityBureauId, role: g.role },
    });
    return g;
  });
  return present(toCityGrantDto(await withBureau(ctx.db, revoked)));
}

/** Rows written by this code always have a known role; anything else is a bug worth a 500. */
function present<T>(dto: T | null): T {
  if (dto === null) throw new Error('grant with an unknown role');
  return dto;
}
