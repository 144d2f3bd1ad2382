import type { CityRole, DistrictRole } from './roles';

/** A grant as the policy needs it: the role and the subtree it covers. */
export interface ScopedGrant {
  grantId: string;
  role: DistrictRole;
  districtId: string;
  orgUnitId: string;
  /** Materialised path of the granted unit; the grant covers every unit whose path starts with it. */
  path: string;
}

export interface ScopedCityGrant {
  grantId: string;
  role: CityRole;
  cityBureauId: string;
  districtIds: string[];
}

/** Who is asking: a signed-in user with the grants that are in force right now. */
export interface Principal {
  kind: 'user';
  userId: string;
  username: string;
  displayName: string;
  homeDistrictId: string | null;
  isPlatformAdmin: boolean;
  grants: ScopedGrant[];
  cityGrants: ScopedCityGrant[];
}

/** The place of a target in the organisation tree. */
export interface OrgTarget {
  districtId: string;
  path: string;
}
