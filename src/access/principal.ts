import type { Action, CityRole, GrantRole } from './roles';

/** A grant as the policy needs it: the role and the subtree it covers. */
export interface ScopedGrant {
  grantId: string;
  role: GrantRole;
  /** An API client's grant: the actions its scopes allow (a role's grant takes the role's). */
  actions?: ReadonlySet<Action>;
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

/** A class the principal has a relationship with (班主任 or 任课教师, while the assignment runs). */
export interface ClassRelation {
  districtId: string;
  classId: string;
  /** The class's school, for staff-level reads (colleagues, timetable). */
  schoolId: string;
}

/**
 * What the principal is to people, derived on every request from the people domain (never stored
 * as grants), so an ended assignment, a transfer or a removed guardian relation ends access at once.
 */
export interface PersonRelations {
  /** The person records this account belongs to (one per district). */
  self: { districtId: string; personId: string }[];
  /** Classes whose 班主任 the principal is now. */
  headTeacherOf: ClassRelation[];
  /** Classes the principal teaches in the current term. */
  teaches: ClassRelation[];
  /** Children the principal is guardian of now. */
  guardianOf: { districtId: string; personId: string }[];
  /** Schools where the principal holds a post now, and where the principal is an enrolled student. */
  staffAt: { districtId: string; schoolId: string }[];
  studentAt: { districtId: string; schoolId: string }[];
}

export const noRelations = (): PersonRelations => ({
  self: [],
  headTeacherOf: [],
  teaches: [],
  guardianOf: [],
  staffAt: [],
  studentAt: [],
});

/** The L4 fields of a person that can be revealed under a purpose (to a user or an app). */
export const revealableFields = ['idNumber', 'phone', 'studentNumber'] as const;
export type RevealableField = (typeof revealableFields)[number];

/** An L4 field an API client may read, granted by a bureau administrator for one purpose. */
export interface ClientFieldGrant {
  field: RevealableField;
  purpose: string;
  expiresAt: string;
}

/**
 * Who is asking: a signed-in user, or an authorised app (API client, 授权应用) with the grants
 * that are in force right now. For an app, `userId` is the client's id (what the audit records).
 */
export interface Principal {
  kind: 'user' | 'apiClient';
  userId: string;
  username: string;
  displayName: string;
  homeDistrictId: string | null;
  isPlatformAdmin: boolean;
  grants: ScopedGrant[];
  cityGrants: ScopedCityGrant[];
  relations: PersonRelations;
  /** API clients only: the L4 fields granted to it. */
  sensitiveFields?: ClientFieldGrant[];
}

/** The place of a target in the organisation tree. */
export interface OrgTarget {
  districtId: string;
  path: string;
}
