import { z } from 'zod';
import { type AccessRole, accessRoleNames, accessRoles } from '../../access/ceilings';
import { internal, personal, publicField } from '../../access/levels';
import {
  type Action,
  actions,
  cityRoles,
  type DistrictRole,
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

const iso = internal(z.iso.datetime());
const isoOrNull = iso.nullable();
const at = (d: Date) => d.toISOString();
const atOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** A role's name in both languages. */
export const localisedName = z.object({ 'zh-CN': internal(z.string()), en: internal(z.string()) });

export const signedInUser = z.object({
  id: internal(z.uuid()),
  username: personal(z.string()),
  displayName: personal(z.string(), 'name'),
  isPlatformAdmin: internal(z.boolean()),
  mustChangePassword: internal(z.boolean()),
});

export const signInResponse = z.object({
  user: signedInUser,
  csrfToken: internal(z.string()).describe(
    'Send it back in the x-csrf-token header of every POST, PATCH, PUT and DELETE',
  ),
});

export const userDto = z.object({
  id: internal(z.uuid()),
  username: personal(z.string()),
  displayName: personal(z.string(), 'name'),
  homeDistrictId: internal(z.uuid()).nullable(),
  isPlatformAdmin: internal(z.boolean()),
  status: internal(z.enum(['active', 'disabled'])),
  mustChangePassword: internal(z.boolean()),
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
  grantedBy: internal(z.uuid()).nullable(),
  revokedAt: isoOrNull,
  revokedBy: internal(z.uuid()).nullable(),
};

export const grantDto = z.object({
  id: internal(z.uuid()),
  userId: internal(z.uuid()),
  districtId: internal(z.uuid()),
  orgUnitId: internal(z.uuid()),
  orgUnitName: publicField(z.string()),
  orgUnitKind: internal(z.enum(['districtBureau', 'school', 'campus', 'grade', 'class'])),
  role: internal(z.enum(districtRoles)),
  roleName: localisedName,
  ...grantLifecycle,
  inForce: internal(z.boolean()).describe('Gives rights right now: not revoked, started, not expired'),
});
export type GrantDto = z.output<typeof grantDto>;

export const cityGrantDto = z.object({
  id: internal(z.uuid()),
  userId: internal(z.uuid()),
  cityBureauId: internal(z.uuid()),
  cityBureauName: publicField(z.string()),
  role: internal(z.enum(cityRoles)),
  roleName: localisedName,
  ...grantLifecycle,
  inForce: internal(z.boolean()),
});
export type CityGrantDto = z.output<typeof cityGrantDto>;

export const meResponse = z.object({
  user: signedInUser.extend({
    homeDistrictId: internal(z.uuid()).nullable(),
    lang: internal(z.enum(['zh-CN', 'en'])).nullable(),
  }),
  grants: z.array(grantDto).describe('Grants in force'),
  cityGrants: z.array(cityGrantDto).describe('City grants in force'),
  /** Every role the user holds now, from grants and from relations (班主任, 监护人, 学生 …): what the console shows. */
  roles: internal(z.array(z.enum(accessRoles))),
  /** Classes the user is 班主任 of or teaches now: the console's "my class". */
  classes: z.array(
    z.object({ id: internal(z.guid()), relation: internal(z.enum(['headTeacher', 'subjectTeacher'])) }),
  ),
  /** The user's own person records (one per district): the console's "about me". */
  personIds: internal(z.array(z.guid())),
  /** District roles the user may grant somewhere: what the console offers when creating a user. */
  assignableRoles: internal(z.array(z.enum(districtRoles))),
  /** The names of the roles above (held and assignable), by role. */
  roleNames: z.array(z.object({ role: internal(z.enum(accessRoles)), name: localisedName })),
  /** Actions the user's roles have somewhere, and whether it may ask for L4 data under a purpose. */
  can: internal(z.array(z.enum(actions))),
  mayDeclarePurpose: internal(z.boolean()),
  csrfToken: internal(z.string()),
});

export const userGrantsResponse = z.object({ grants: z.array(grantDto), cityGrants: z.array(cityGrantDto) });

export const createUserResponse = z.object({
  user: userDto,
  grant: grantDto.nullable(),
  // A password opens the account and what it may read: as guarded as the account's own data.
  initialPassword: personal(z.string())
    .nullable()
    .describe('The generated one-time password, shown only in this response; null when one was given'),
});

export const oneTimePasswordResponse = z.object({
  password: personal(z.string()).describe(
    'One-time password, shown only in this response; must be changed at sign-in',
  ),
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
  roles: AccessRole[],
  classes: MeDto['classes'],
  personIds: string[],
  access: { can: Action[]; mayDeclarePurpose: boolean; assignableRoles: DistrictRole[] },
): MeDto {
  return {
    user: { ...toSignedInUser(user), homeDistrictId: user.homeDistrictId, lang: user.lang },
    grants: presentGrants(grants),
    cityGrants: presentCityGrants(cityGrants),
    roles,
    classes,
    personIds,
    ...access,
    roleNames: [...new Set<AccessRole>([...roles, ...access.assignableRoles])].map((role) => ({
      role,
      name: { ...accessRoleNames[role] },
    })),
    csrfToken,
  };
}
