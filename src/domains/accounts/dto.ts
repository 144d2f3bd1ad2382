import { z } from 'zod';
import {
  cityRoles,
  districtRoles,
  isCityRole,
  isDistrictRole,
  type Role,
  roleNames,
} from '../../access/roles';
import type { CityGrantRow, GrantRow } from './grant-places';
import type { GrantLifecycle, UserRow } from './repository';

/**
 * What the accounts API returns, as zod schemas (they feed the OpenAPI document and check every
 * response) and the presenters that build them. Presenters pick fields one by one: password
 * hashes, token hashes and failure counts never leave the service.
 */

const iso = z.iso.datetime();
const isoOrNull = iso.nullable();
const at = (d: Date) => d.toISOString();
const atOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export const localisedName = z.object({ 'zh-CN': z.string(), en: z.string() });

export const signedInUser = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  isPlatformAdmin: z.boolean(),
  mustChangePassword: z.boolean(),
});

export const signInResponse = z.object({
  user: signedInUser,
  csrfToken: z
    .string()
    .describe('Send it back in the x-csrf-token header of every POST, PATCH, PUT and DELETE'),
});

export const userDto = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  homeDistrictId: z.uuid().nullable(),
  isPlatformAdmin: z.boolean(),
  status: z.enum(['active', 'disabled']),
  mustChangePassword: z.boolean(),
  lockedUntil: isoOrNull.describe('Set while the account is locked after repeated failed sign-ins'),
  passwordChangedAt: iso,
  createdAt: iso,
  disabledAt: isoOrNull,
});
export type UserDto = z.output<typeof userDto>;

/** What both kinds of grant show after the role: when it runs, who granted and revoked it. */
const grantLifecycle = {
  startsAt: iso,
  expiresAt: isoOrNull,
  grantedAt: iso,
  grantedBy: z.uuid().nullable(),
  revokedAt: isoOrNull,
  revokedBy: z.uuid().nullable(),
};

export const grantDto = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  districtId: z.uuid(),
  orgUnitId: z.uuid(),
  orgUnitName: z.string(),
  orgUnitKind: z.enum(['districtBureau', 'school', 'campus', 'grade', 'class']),
  role: z.enum(districtRoles),
  roleName: localisedName,
  ...grantLifecycle,
  inForce: z.boolean().describe('Gives rights right now: not revoked, started, not expired'),
});
export type GrantDto = z.output<typeof grantDto>;

export const cityGrantDto = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  cityBureauId: z.uuid(),
  cityBureauName: z.string(),
  role: z.enum(cityRoles),
  roleName: localisedName,
  ...grantLifecycle,
  inForce: z.boolean(),
});
export type CityGrantDto = z.output<typeof cityGrantDto>;

export const meResponse = z.object({
  user: signedInUser.extend({
    homeDistrictId: z.uuid().nullable(),
    lang: z.enum(['zh-CN', 'en']).nullable(),
  }),
  grants: z.array(grantDto).describe('Grants in force'),
  cityGrants: z.array(cityGrantDto).describe('City grants in force'),
  csrfToken: z.string(),
});

export const userGrantsResponse = z.object({ grants: z.array(grantDto), cityGrants: z.array(cityGrantDto) });

export const createUserResponse = z.object({
  user: userDto,
  grant: grantDto.nullable(),
  initialPassword: z
    .string()
    .nullable()
    .describe('The generated one-time password, shown only in this response; null when one was given'),
});

export const oneTimePasswordResponse = z.object({
  password: z.string().describe('One-time password, shown only in this response; must be changed at sign-in'),
});

export const toSignedInUser = (u: UserRow) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  isPlatformAdmin: u.isPlatformAdmin,
  mustChangePassword: u.mustChangePassword,
});

export function toUserDto(u: UserRow, now = new Date()): UserDto {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    homeDistrictId: u.homeDistrictId,
    isPlatformAdmin: u.isPlatformAdmin,
    status: u.status,
    mustChangePassword: u.mustChangePassword,
    lockedUntil: u.lockedUntil && u.lockedUntil > now ? at(u.lockedUntil) : null,
    passwordChangedAt: at(u.passwordChangedAt),
    createdAt: at(u.createdAt),
    disabledAt: atOrNull(u.disabledAt),
  };
}

const nameOf = (role: Role) => ({ ...roleNames[role] });

const lifecycleOf = (g: GrantLifecycle) => ({
  startsAt: at(g.startsAt),
  expiresAt: atOrNull(g.expiresAt),
  grantedAt: at(g.grantedAt),
  grantedBy: g.grantedBy,
  revokedAt: atOrNull(g.revokedAt),
  revokedBy: g.revokedBy,
  inForce: g.inForce,
});

/** A grant row as the API shows it; rows with a role this version does not know are left out. */
export function toGrantDto(g: GrantRow): GrantDto | null {
  if (!isDistrictRole(g.role)) return null;
  return {
    id: g.id,
    userId: g.userId,
    districtId: g.districtId,
    orgUnitId: g.orgUnitId,
    orgUnitName: g.orgUnitName,
    orgUnitKind: g.orgUnitKind,
    role: g.role,
    roleName: nameOf(g.role),
    ...lifecycleOf(g),
  };
}

export function toCityGrantDto(g: CityGrantRow): CityGrantDto | null {
  if (!isCityRole(g.role)) return null;
  return {
    id: g.id,
    userId: g.userId,
    cityBureauId: g.cityBureauId,
    cityBureauName: g.cityBureauName,
    role: g.role,
    roleName: nameOf(g.role),
    ...lifecycleOf(g),
  };
}

export const presentGrants = (rows: GrantRow[]) => rows.flatMap((g) => toGrantDto(g) ?? []);
export const presentCityGrants = (rows: CityGrantRow[]) => rows.flatMap((g) => toCityGrantDto(g) ?? []);

export type MeDto = z.output<typeof meResponse>;

export function toMe(
  user: UserRow,
  grants: GrantRow[],
  cityGrants: CityGrantRow[],
  csrfToken: string,
): MeDto {
  return {
    user: { ...toSignedInUser(user), homeDistrictId: user.homeDistrictId, lang: user.lang },
    grants: presentGrants(grants),
    cityGrants: presentCityGrants(cityGrants),
    csrfToken,
  };
}
