import { describe, expect, it } from 'vitest';
import { type UserPlacement, userManageableBy, userVisibleTo } from '../../access/policy';
import { noRelations, type Principal, type ScopedGrant } from '../../access/principal';
import type { DistrictRole } from '../../access/roles';

const D = 'd1';
const ROOT = '/root/';
const SCHOOL_A = '/root/a/';
const SCHOOL_B = '/root/b/';
const CLASS_A = '/root/a/campus/grade/class/';

function principal(grants: [DistrictRole, string][], extra: Partial<Principal> = {}): Principal {
  return {
    kind: 'user',
    userId: 'caller',
    username: 'caller',
    displayName: 'caller',
    homeDistrictId: D,
    isPlatformAdmin: false,
    grants: grants.map(
      ([role, path], i): ScopedGrant => ({ grantId: `g${i}`, role, districtId: D, orgUnitId: path, path }),
    ),
    cityGrants: [],
    relations: noRelations(),
    ...extra,
  };
}

function user(places: string[], extra: Partial<UserPlacement> = {}): UserPlacement {
  return {
    userId: 'target',
    isPlatformAdmin: false,
    grantPlaces: places.map((path) => ({ districtId: D, path })),
    cityGrantCount: 0,
    homeRoot: { districtId: D, path: ROOT },
    ...extra,
  };
}

const bureauAdmin = principal([['bureauAdmin', ROOT]]);
const schoolAdminA = principal([['schoolAdmin', SCHOOL_A]]);
const principalA = principal([['principal', SCHOOL_A]]);
const inspector = principal([['inspector', ROOT]]);
const platformAdmin = principal([], { isPlatformAdmin: true, homeDistrictId: null });

describe('userVisibleTo', () => {
  it("shows users with a grant inside the caller's user.read scope", () => {
    expect(userVisibleTo(schoolAdminA, user([CLASS_A]))).toBe(true);
    expect(userVisibleTo(principalA, user([SCHOOL_A]))).toBe(true);
    expect(userVisibleTo(schoolAdminA, user([SCHOOL_B]))).toBe(false);
  });

  it('shows users of a home district only to district-level readers', () => {
    expect(userVisibleTo(bureauAdmin, user([]))).toBe(true);
    expect(userVisibleTo(schoolAdminA, user([]))).toBe(false);
    expect(userVisibleTo(bureauAdmin, user([], { homeRoot: { districtId: 'd2', path: '/other/' } }))).toBe(
      false,
    );
  });

  it('shows nothing to roles without user.read, except oneself', () => {
    expect(userVisibleTo(inspector, user([SCHOOL_A]))).toBe(false);
    expect(userVisibleTo(inspector, user([], { userId: 'caller' }))).toBe(true);
  });

  it('shows everyone to platform administrators', () => {
    expect(userVisibleTo(platformAdmin, user([SCHOOL_B], { homeRoot: null }))).toBe(true);
  });
});

describe('userManageableBy', () => {
  it('lets a school administrator manage a user whose every grant lies in its school', () => {
    expect(userManageableBy(schoolAdminA, user([SCHOOL_A, CLASS_A]))).toBe(true);
  });

  it('refuses when one grant lies outside (no taking over a bureau admin who also works at the school)', () => {
    expect(userManageableBy(schoolAdminA, user([SCHOOL_A, ROOT]))).toBe(false);
    expect(userManageableBy(schoolAdminA, user([SCHOOL_A, SCHOOL_B]))).toBe(false);
    expect(userManageableBy(bureauAdmin, user([SCHOOL_A, SCHOOL_B]))).toBe(true);
  });

  it('leaves users without grants to district-level administrators', () => {
    expect(userManageableBy(schoolAdminA, user([]))).toBe(false);
    expect(userManageableBy(bureauAdmin, user([]))).toBe(true);
    expect(userManageableBy(bureauAdmin, user([], { homeRoot: null }))).toBe(false);
  });

  it('leaves platform administrators and city-role holders to platform administrators', () => {
    expect(userManageableBy(bureauAdmin, user([SCHOOL_A], { isPlatformAdmin: true }))).toBe(false);
    expect(userManageableBy(bureauAdmin, user([SCHOOL_A], { cityGrantCount: 1 }))).toBe(false);
    expect(userManageableBy(platformAdmin, user([SCHOOL_A], { isPlatformAdmin: true }))).toBe(true);
  });

  it('gives nothing to roles without user.manage', () => {
    expect(userManageableBy(principalA, user([SCHOOL_A]))).toBe(false);
    expect(userManageableBy(inspector, user([]))).toBe(false);
  });
});
