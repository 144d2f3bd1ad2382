import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type AccessRole, accessRoles } from '../src/access/ceilings';
import { type DataLevel, leafFields } from '../src/access/levels';
import { multipart } from '../src/domains/people/imports-test-support';
import { today } from '../src/domains/people/people-test-fixtures';
import { domainOfRoute } from '../src/http/data-levels';
import { createTestApp, createUserWithRole, request, type TestApp, type TestUser } from './support/app';
import { type Bundle, buildWorld, cityUser, type World } from './support/world';

/**
 * The access matrix (issue 4, point 6): every route × every role × a target in the caller's
 * scope, one in another school of the district and one in another district. Expectations are
 * written here, independently of src/access: what each role may ever do (HAS), how far it reaches
 * (REACH), and its ceiling per domain (CEILING). Per DESIGN.md, an id outside the caller's scope
 * answers 404 and an action the role never has answers 403. Every response is searched for the
 * names and identifiers of people the caller may not see, and for any ID number or phone in
 * clear; every field of a 2xx answer is checked against the caller's ceiling. A route without a
 * case here fails the test, so new routes are covered or noticed.
 *
 * Writes out of reach are sent with a valid body, must be refused and must change no row; writes
 * in reach go last (they change the world the other cases read) and must be let through.
 */

type Kind = 'in' | 'outSchool' | 'outDistrict';
type On =
  | 'none' // no target: lists, searches, the caller's own things
  | 'inDistrict' // anything of a district that anyone working in it may read
  | 'wholeDistrict' // needs the action over the whole district
  | 'unit'
  | 'school'
  | 'class'
  | 'student'
  | 'guardian'
  | 'staff'
  | 'user'
  | 'platform';

interface Case {
  /** The action the route needs; null: any signed-in caller. 'sensitive': an L4-capable role. */
  action: string | null;
  on: On;
  path?: (b: Bundle) => string;
  body?: (b: Bundle, w: World) => unknown;
  write?: true;
  /** The route authorises by grants only (org policy): roles from relations never have it. */
  grantsOnly?: true;
  /** wholeDistrict: a caller who reads the district but may not do this answers 403, not 404. */
  revealedBy?: true;
  /** Exceptions, each with its reason in a comment at the case. */
  override?: (role: AccessRole, kind: Kind) => Expected | undefined;
  upload?: true;
}
type Expected = 'ok' | 'skip' | 400 | 401 | 403 | 404 | 409;

const I = 'internal' as const;
const P = 'personal' as const;
const S = 'sensitive' as const;
const O = 'public' as const;

// What each role may ever do. Relation roles (班主任, 任课教师, 监护人, 学生 …) read people only.
const admin = [
  'org.read',
  'org.create',
  'org.update',
  'org.move',
  'org.close',
  'user.read',
  'user.manage',
  'grant.manage',
  'audit.read',
  'audit.verify',
  'person.read',
  'person.manage',
  'staff.manage',
  'guardian.manage',
  'roster.import',
  'purpose.approve',
  'apiClient.manage',
  'sensitive',
];
// biome-ignore format: a table
const HAS: Record<AccessRole, string[]> = {
  platformAdmin: [...admin, 'district.create'],
  cityBureauAdmin: [...admin, 'district.create'],
  cityBureauAnalyst: ['org.read'],
  bureauAdmin: admin,
  bureauAnalyst: ['org.read'],
  inspector: ['org.read', 'person.read', 'sensitive'],
  principal: ['org.read', 'org.update', 'user.read', 'person.read', 'sensitive'],
  schoolAdmin: ['org.read', 'org.create', 'org.update', 'org.move', 'org.close', 'user.read', 'user.manage',
    'grant.manage', 'person.read', 'person.manage', 'staff.manage', 'guardian.manage', 'roster.import', 'sensitive'],
  headTeacher: ['person.read', 'sensitive'],
  subjectTeacher: ['person.read'],
  schoolDoctor: ['org.read', 'person.read'],
  counsellor: ['org.read', 'person.read'],
  // Everybody with a person record reads it (only it).
  staffMember: ['person.read'],
  guardian: ['person.read'],
  student: ['person.read'],
  learner: ['person.read'],
  apiClient: ['org.read', 'person.read'],
};
const RELATION_ROLES: AccessRole[] = [
  'headTeacher',
  'subjectTeacher',
  'guardian',
  'student',
  'learner',
  'staffMember',
];

/** How far a role reaches, for a target of each kind. */
function reaches(role: AccessRole, on: On, kind: Kind): boolean {
  switch (role) {
    case 'platformAdmin':
      return true;
    case 'cityBureauAdmin':
    case 'cityBureauAnalyst':
    case 'bureauAdmin':
    case 'bureauAnalyst':
    case 'inspector':
      return on !== 'platform' && kind !== 'outDistrict';
    case 'principal':
    case 'schoolAdmin':
    case 'schoolDoctor':
    case 'counsellor':
    case 'apiClient':
      if (on === 'inDistrict') return kind !== 'outDistrict';
      return on !== 'wholeDistrict' && on !== 'platform' && kind === 'in';
    case 'headTeacher':
      return kind === 'in' && ['class', 'student', 'guardian'].includes(on);
    case 'subjectTeacher':
      return kind === 'in' && ['class', 'student'].includes(on);
    case 'guardian':
      // Their child (the in-scope student) and themselves (the in-scope guardian).
      return kind === 'in' && ['student', 'guardian'].includes(on);
    case 'student':
      return kind === 'in' && on === 'student';
    default:
      return false;
  }
}

// Ceilings per domain, as DESIGN.md's roles see data (org, people, accounts, audit).
// biome-ignore format: a table
const CEILING: Record<AccessRole, Record<'org' | 'people' | 'accounts' | 'audit', DataLevel>> = {
  platformAdmin:     { org: I, people: S, accounts: S, audit: S },
  cityBureauAdmin:   { org: I, people: S, accounts: P, audit: P },
  cityBureauAnalyst: { org: I, people: I, accounts: P, audit: I },
  bureauAdmin:       { org: I, people: S, accounts: P, audit: P },
  bureauAnalyst:     { org: I, people: I, accounts: P, audit: I },
  inspector:         { org: I, people: S, accounts: P, audit: P },
  principal:         { org: I, people: S, accounts: P, audit: P },
  schoolAdmin:       { org: I, people: S, accounts: P, audit: P },
  headTeacher:       { org: I, people: S, accounts: P, audit: I },
  subjectTeacher:    { org: I, people: P, accounts: P, audit: I },
  schoolDoctor:      { org: I, people: P, accounts: P, audit: I },
  counsellor:        { org: I, people: P, accounts: P, audit: I },
  staffMember:       { org: I, people: P, accounts: P, audit: I },
  guardian:          { org: I, people: P, accounts: P, audit: I },
  student:           { org: I, people: P, accounts: P, audit: I },
  learner:           { org: I, people: P, accounts: P, audit: I },
  apiClient:         { org: I, people: P, accounts: O, audit: O },
};
const rank: Record<DataLevel, number> = { public: 1, internal: 2, personal: 3, sensitive: 4 };

/** Who may see each school's student and guardian (names, masked identifiers). */
const SEES_STUDENT: Record<Kind, AccessRole[]> = {
  in: [
    'platformAdmin',
    'cityBureauAdmin',
    'bureauAdmin',
    'inspector',
    'principal',
    'schoolAdmin',
    'schoolDoctor',
    'counsellor',
    'headTeacher',
    'subjectTeacher',
    'guardian',
    'student',
    'apiClient',
  ],
  outSchool: ['platformAdmin', 'cityBureauAdmin', 'bureauAdmin', 'inspector'],
  outDistrict: ['platformAdmin'],
};
const SEES_GUARDIAN: Record<Kind, AccessRole[]> = {
  in: [
    'platformAdmin',
    'cityBureauAdmin',
    'bureauAdmin',
    'inspector',
    'principal',
    'schoolAdmin',
    'schoolDoctor',
    'counsellor',
    'headTeacher',
    'guardian',
    'apiClient',
  ],
  outSchool: SEES_STUDENT.outSchool,
  outDistrict: SEES_STUDENT.outDistrict,
};

/** A case for a read, or for a write (sent only out of the caller's reach; see the note above). */
const read = (action: string | null, on: On, path: Case['path'], more: Partial<Case> = {}): Case => ({
  action,
  on,
  path,
  ...more,
});
const write = (
  action: string | null,
  on: On,
  path: Case['path'],
  body?: Case['body'],
  more: Partial<Case> = {},
): Case => ({ action, on, path, body, write: true, ...more });
/** Routes the organisation policy authorises (grants only; 403 for roles from relations). */
const byGrants = { grantsOnly: true } as const;
/** Changes to a whole district: a caller who reads the district but may not change it gets 403. */
const districtWide = { grantsOnly: true, revealedBy: true } as const;
/** Readable but not manageable (a principal reads school users; a 班主任 reads the class): 403. */
const readOnlyGets403 = (role: AccessRole, kind: Kind) =>
  (role === 'principal' && kind === 'in') || manageReadOnly(role, kind) ? 403 : undefined;
const personReadOnly = {
  override: (role: AccessRole, kind: Kind) => (manageReadOnly(role, kind) ? 403 : undefined),
};
const platformOnly = (inReach: Expected) => ({
  ...byGrants,
  override: (role: AccessRole) => (role === 'platformAdmin' ? inReach : 403),
});
const unique = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;
const day = () => today();

// biome-ignore format: one route per line reads as the table it is
const cases: Record<string, Case> = {
  // Signing in and out, the caller's own account. A wrong password or client secret, whoever asks.
  'POST /auth/sign-in': write(null, 'none', () => '/auth/sign-in', () => ({ username: unique('nobody'), password: 'Wrong-password-1' }), { override: () => 401 }),
  'POST /auth/sign-out': write(null, 'none', () => '/auth/sign-out'),
  // An app has no session.
  'GET /auth/me': read(null, 'none', () => '/auth/me', { override: (role) => (role === 'apiClient' ? 401 : undefined) }),
  'POST /auth/password': write(null, 'none', () => '/auth/password'),
  'GET /auth/session': read(null, 'none', () => '/auth/session'),
  'POST /oauth/token': write(null, 'none', () => '/oauth/token', () => ({ grant_type: 'client_credentials', client_id: randomUUID(), client_secret: 'x' }), { override: () => 401 }),

  // Users and grants.
  'GET /users': read('user.read', 'none', () => '/users', byGrants),
  'POST /users': write('user.manage', 'school', () => '/users', (b) => ({ username: unique('m'), displayName: '新用户', homeDistrictId: b.districtId, grant: { orgUnitId: b.schoolId, role: 'counsellor' } }), byGrants),
  'GET /users/:id': read('user.read', 'user', (b) => `/users/${b.userId}`, byGrants),
  'PATCH /users/:id': write('user.manage', 'user', (b) => `/users/${b.userId}`, () => ({ displayName: '改名' }), { ...byGrants, override: readOnlyGets403 }),
  'POST /users/:id/reset-password': write('user.manage', 'user', (b) => `/users/${b.userId}/reset-password`, undefined, { ...byGrants, override: readOnlyGets403 }),
  'POST /users/:id/unlock': write('user.manage', 'user', (b) => `/users/${b.userId}/unlock`, undefined, { ...byGrants, override: readOnlyGets403 }),
  'GET /users/:id/grants': read('user.read', 'user', (b) => `/users/${b.userId}/grants`, byGrants),
  'POST /grants': write('grant.manage', 'school', () => '/grants', (b) => ({ userId: b.userId, orgUnitId: b.schoolId, role: 'counsellor' }), byGrants),
  'POST /grants/:id/revoke': write('grant.manage', 'school', (b) => `/grants/${b.grantId}/revoke`, undefined, byGrants),
  'POST /city-grants': write('grant.manage', 'platform', () => '/city-grants', (b, w) => ({ userId: b.userId, cityBureauId: w.cityBureauId, role: 'cityBureauAnalyst' }), platformOnly('skip')),
  'POST /city-grants/:id/revoke': write('grant.manage', 'platform', () => `/city-grants/${randomUUID()}/revoke`, undefined, platformOnly(404)),

  // Organisations.
  'GET /reference/school-types': read(null, 'none', () => '/reference/school-types'),
  'GET /reference/guardian-relations': read(null, 'none', () => '/reference/guardian-relations'),
  'GET /reference/divisions/:code': read(null, 'none', () => '/reference/divisions/110101'),
  'POST /city-bureaus': write('district.create', 'platform', () => '/city-bureaus', () => ({ divisionCode: '120100', name: '天津市教育委员会' }), platformOnly('skip')),
  'GET /city-bureaus': read(null, 'none', () => '/city-bureaus'),
  // Without a city named, creating a district is for platform administrators only.
  'POST /districts': write('district.create', 'platform', () => '/districts', () => ({ divisionCode: '110105', name: '朝阳区教育委员会' }), platformOnly('skip')),
  'GET /districts': read(null, 'none', () => '/districts'),
  'GET /districts/:id': read('org.read', 'inDistrict', (b) => `/districts/${b.districtId}`, byGrants),
  'GET /districts/:id/overview': read('org.read', 'wholeDistrict', (b) => `/districts/${b.districtId}/overview`, districtWide),
  'GET /org-units': read('org.read', 'none', () => '/org-units?q=学校', byGrants),
  'POST /org-units': write('org.create', 'unit', () => '/org-units', (b) => ({ kind: 'campus', parentId: b.schoolId, name: '新校区' }), byGrants),
  'GET /org-units/:id': read('org.read', 'unit', (b) => `/org-units/${b.schoolId}`, byGrants),
  'GET /org-units/:id/children': read('org.read', 'unit', (b) => `/org-units/${b.schoolId}/children`, byGrants),
  'GET /org-units/:id/history': read('org.read', 'unit', (b) => `/org-units/${b.schoolId}/history`, byGrants),
  'PATCH /org-units/:id': write('org.update', 'unit', (b) => `/org-units/${b.classId}`, () => ({ version: 1, name: '改名班' }), byGrants),
  'POST /org-units/:id/move': write('org.move', 'unit', (b) => `/org-units/${b.classId}/move`, (b) => ({ newParentId: b.gradeId }), byGrants),
  'POST /org-units/:id/close': write('org.close', 'unit', (b) => `/org-units/${b.classId}/close`, () => ({ reason: '撤并' }), byGrants),
  'POST /org-units/:id/reopen': write('org.close', 'unit', (b) => `/org-units/${b.classId}/reopen`, () => ({}), byGrants),
  'POST /groupings': write('org.update', 'wholeDistrict', () => '/groupings', (b) => ({ districtId: b.districtId, kind: 'schoolAlliance', name: unique('联盟'), schoolIds: [b.schoolId] }), districtWide),
  'GET /groupings': read('org.read', 'inDistrict', (b) => `/groupings?districtId=${b.districtId}`, byGrants),
  'GET /groupings/:id': read('org.read', 'inDistrict', (b) => `/groupings/${b.groupingId}`, byGrants),
  'POST /groupings/:id/members': write('org.update', 'wholeDistrict', (b) => `/groupings/${b.groupingId}/members`, (b) => ({ schoolId: b.schoolId }), districtWide),
  'DELETE /groupings/:id/members/:schoolId': write('org.update', 'wholeDistrict', (b) => `/groupings/${b.groupingId}/members/${b.schoolId}`, undefined, districtWide),
  'POST /groupings/:id/close': write('org.update', 'wholeDistrict', (b) => `/groupings/${b.groupingId}/close`, undefined, districtWide),
  'POST /academic-years': write('org.update', 'wholeDistrict', () => '/academic-years', (b) => ({ districtId: b.districtId, name: '2030-2031', startsOn: '2030-09-01', endsOn: '2031-08-31', terms: [{ seq: 1, name: '第一学期', startsOn: '2030-09-01', endsOn: '2031-01-31' }] }), districtWide),
  'GET /academic-years': read('org.read', 'inDistrict', (b) => `/academic-years?districtId=${b.districtId}`, byGrants),
  'PATCH /academic-years/:id': write('org.update', 'wholeDistrict', (b) => `/academic-years/${b.academicYearId}`, () => ({ name: '改名学年' }), districtWide),

  // Audit. The access log answers the student and their guardian only; others who may read the
  // student learn nothing new from a 403.
  'GET /audit/events': read('audit.read', 'wholeDistrict', (b) => `/audit/events?districtId=${b.districtId}`, byGrants),
  'POST /audit/verify': read('audit.verify', 'wholeDistrict', (b) => `/audit/verify?districtId=${b.districtId}`, byGrants),
  'GET /persons/:id/access-log': read('person.read', 'student', (b) => `/persons/${b.studentId}/access-log`, {
    override: (role, kind) =>
      kind === 'in' && (role === 'guardian' || role === 'student') ? 'ok' : SEES_STUDENT[kind].includes(role) ? 403 : undefined,
  }),

  // Roster imports.
  'GET /imports/templates/:file': read(null, 'none', () => '/imports/templates/students.csv'),
  'POST /schools/:id/imports': write('roster.import', 'school', (b) => `/schools/${b.schoolId}/imports?kind=students`, undefined, { ...byGrants, upload: true }),
  'GET /schools/:id/imports': read('roster.import', 'school', (b) => `/schools/${b.schoolId}/imports`, byGrants),
  'GET /imports/:id': read('roster.import', 'school', (b) => `/imports/${b.importId}`, byGrants),
  'GET /imports/:id/problems': read('roster.import', 'school', (b) => `/imports/${b.importId}/problems`, byGrants),
  'POST /imports/:id/confirm': write('roster.import', 'school', (b) => `/imports/${b.importId}/confirm`, undefined, byGrants),
  'POST /imports/:id/cancel': write('roster.import', 'school', (b) => `/imports/${b.importId}/cancel`, undefined, byGrants),

  // People. A lookup by an ID number out of reach answers an empty list (the leak check applies).
  'POST /persons/lookup': { ...read('person.manage', 'none', () => '/persons/lookup'), body: (b) => ({ idType: '1', idNumber: plantedOf(b).studentIdNumber }) },
  'GET /persons/:id': read('person.read', 'student', (b) => `/persons/${b.studentId}`),
  // Someone else's purpose never covers the caller.
  'POST /persons/:id/reveal': write('person.read', 'student', (b) => `/persons/${b.studentId}/reveal`, (b) => ({ purposeId: b.purposeId, fields: ['idNumber'] }), {
    override: (role, kind) => (SEES_STUDENT[kind].includes(role) ? 403 : undefined),
  }),
  'POST /students': write('person.manage', 'school', () => '/students', (b) => ({ schoolId: b.schoolId, classId: b.classId, person: { name: '新同学' } })),
  'POST /enrolments/:id/changes': write('person.manage', 'student', (b) => `/enrolments/${b.enrolmentId}/changes`, () => ({ changeType: 'suspend', effectiveOn: day() }), personReadOnly),
  'POST /transfers': write('person.manage', 'student', () => '/transfers', (b) => ({ personId: b.studentId, toSchoolId: b.schoolId, toClassId: b.classId, effectiveOn: day() }), personReadOnly),
  // Between districts: only with the right over the whole district the student leaves (a school
  // administrator who sees the student: 403).
  'POST /district-transfers': write('person.manage', 'wholeDistrict', () => '/district-transfers', (b, w) => {
    const other = b.districtId === w.d.districtId ? w.e : w.d;
    return { personId: b.studentId, toDistrictId: other.districtId, toSchoolId: other.schoolA.id, effectiveOn: day() };
  }, { override: (role, kind) => (manageReadOnly(role, kind) || (role === 'schoolAdmin' && kind === 'in') ? 403 : undefined) }),
  'GET /persons/:id/enrolment-history': read('person.read', 'student', (b) => `/persons/${b.studentId}/enrolment-history`),
  'GET /classes/:id/roster': read('person.read', 'class', (b) => `/classes/${b.classId}/roster`),
  'GET /classes/:id/roster/export': read('person.read', 'class', (b) => `/classes/${b.classId}/roster/export?format=csv`),
  'GET /schools/:id/students/export': read('person.read', 'school', (b) => `/schools/${b.schoolId}/students/export?format=csv`),
  'GET /schools/:id/students': read('person.read', 'school', (b) => `/schools/${b.schoolId}/students`),
  'POST /schools/:id/promotion': write('person.manage', 'school', (b) => `/schools/${b.schoolId}/promotion`, (b) => ({ fromAcademicYearId: b.academicYearId, toAcademicYearId: b.academicYearId, effectiveOn: day(), dryRun: true }), byGrants),
  'POST /staff': write('staff.manage', 'school', () => '/staff', (b) => ({ schoolId: b.schoolId, name: '新老师', postCode: '10', establishmentCode: '1', isFullTimeTeacher: true, startedOn: day() })),
  'POST /staff-posts/:id/end': write('staff.manage', 'staff', (b) => `/staff-posts/${b.staffPostId}/end`, () => ({})),
  'GET /schools/:id/staff': read('person.read', 'school', (b) => `/schools/${b.schoolId}/staff`, byGrants),
  'POST /teaching-assignments': write('staff.manage', 'class', () => '/teaching-assignments', (b) => ({ personId: b.staffId, classId: b.classId, subjectCode: '15', termId: b.termId })),
  'POST /teaching-assignments/:id/end': write('staff.manage', 'class', (b) => `/teaching-assignments/${b.teachingId}/end`, () => ({})),
  'POST /head-teacher-assignments': write('staff.manage', 'class', () => '/head-teacher-assignments', (b) => ({ personId: b.staffId, classId: b.classId, academicYearId: b.academicYearId })),
  'POST /head-teacher-assignments/:id/end': write('staff.manage', 'class', (b) => `/head-teacher-assignments/${b.headTeacherAssignmentId}/end`, () => ({})),
  'GET /classes/:id/teachers': read('person.read', 'class', (b) => `/classes/${b.classId}/teachers`),
  // The student and their guardian (names and subjects only), and whoever reads the student's class.
  'GET /persons/:id/teachers': read('person.read', 'student', (b) => `/persons/${b.studentId}/teachers`),
  'POST /staff/:personId/account': write('staff.manage', 'staff', (b) => `/staff/${b.staffId}/account`, () => ({ username: unique('t') })),
  'POST /students/:personId/guardians': write('guardian.manage', 'student', (b) => `/students/${b.studentId}/guardians`, () => ({ name: '新家长', phone: '13800001111', relationCode: '51' }), personReadOnly),
  'POST /guardian-relations/:id/end': write('guardian.manage', 'student', (b) => `/guardian-relations/${b.guardianRelationId}/end`, undefined, personReadOnly),
  'GET /students/:personId/guardians': read('person.read', 'student', (b) => `/students/${b.studentId}/guardians`),
  'POST /guardians/:personId/activation-code': write('guardian.manage', 'guardian', (b) => `/guardians/${b.guardianId}/activation-code`, undefined, personReadOnly),
  // Anonymous and rate-limited by address: covered by guardians.int.test.ts.
  'POST /guardian-activation': write(null, 'none', () => '/guardian-activation'),
  'GET /me/children': read(null, 'none', () => '/me/children'),

  // Purposes. Declaring one needs an L4-capable role over the student; ending one, being its declarer.
  'GET /purposes/catalogue': read(null, 'none', () => '/purposes/catalogue'),
  'POST /purposes': write('sensitive', 'student', () => '/purposes', (b) => ({ purpose: 'homeSchoolContact', reason: '核对', personId: b.studentId }), {
    override: (role, kind) => (SEES_STUDENT[kind].includes(role) && !HAS[role].includes('sensitive') ? 403 : undefined),
  }),
  'GET /purposes': read(null, 'none', () => '/purposes'),
  'POST /purposes/:id/approve': write('purpose.approve', 'student', (b) => `/purposes/${b.purposeId}/approve`, () => ({}), byGrants),
  'POST /purposes/:id/reject': write('purpose.approve', 'student', (b) => `/purposes/${b.purposeId}/reject`, () => ({ note: '不同意' }), byGrants),
  'POST /purposes/:id/end': write(null, 'none', (b) => `/purposes/${b.purposeId}/end`, undefined, { override: () => 404 }),

  // Authorised apps.
  'POST /api-clients': write('apiClient.manage', 'wholeDistrict', () => '/api-clients', (b) => ({ name: '测试应用', orgUnitIds: [b.schoolId], scopes: ['org:read'], legalBasis: '协议', retentionDays: 7 }), byGrants),
  'GET /api-clients': read('apiClient.manage', 'none', () => '/api-clients', byGrants),
  'GET /api-clients/:id': read('apiClient.manage', 'wholeDistrict', (b) => `/api-clients/${b.apiClientId}`, byGrants),
  'PATCH /api-clients/:id': write('apiClient.manage', 'wholeDistrict', (b) => `/api-clients/${b.apiClientId}`, () => ({ name: '改名应用' }), byGrants),
  'POST /api-clients/:id/secret': write('apiClient.manage', 'wholeDistrict', (b) => `/api-clients/${b.apiClientId}/secret`, undefined, byGrants),
  'POST /api-clients/:id/disable': write('apiClient.manage', 'wholeDistrict', (b) => `/api-clients/${b.apiClientId}/disable`, undefined, byGrants),
  'POST /api-clients/:id/enable': write('apiClient.manage', 'wholeDistrict', (b) => `/api-clients/${b.apiClientId}/enable`, undefined, byGrants),
  'PUT /api-clients/:id/sensitive-fields': write('apiClient.manage', 'wholeDistrict', (b) => `/api-clients/${b.apiClientId}/sensitive-fields`, () => ({ fields: [] }), byGrants),
};

let world: World;
const plantedOf = (b: Bundle) =>
  world.planted[(Object.keys(world.bundles) as Kind[]).find((k) => world.bundles[k] === b) ?? 'in'];

/** Roles that read a person but do not manage: refused with 403 (the person's existence is known). */
function manageReadOnly(role: AccessRole, kind: Kind): boolean {
  return (
    SEES_STUDENT[kind].includes(role) && HAS[role].includes('person.manage') === false && HAS[role].length > 0
  );
}

function expected(role: AccessRole, c: Case, kind: Kind): Expected {
  const o = c.override?.(role, kind);
  if (o !== undefined) return o;
  const has =
    c.action === null || (HAS[role].includes(c.action) && !(c.grantsOnly && RELATION_ROLES.includes(role)));
  if (!has) return 403;
  if (c.on === 'none') return c.write ? 'skip' : 'ok';
  if (reaches(role, c.on, kind)) return c.write ? 'skip' : 'ok';
  if (c.on === 'wholeDistrict' && c.revealedBy && HAS[role].includes('org.read') && kind !== 'outDistrict')
    return 403;
  return 404;
}

/** Values of fields above the ceiling that are not masked (null, starred, empty). */
function unmaskedAbove(schema: z.ZodType, value: unknown, ceiling: DataLevel): string[] {
  const out: string[] = [];
  for (const leaf of leafFields(schema)) {
    const level = leaf.level?.level ?? 'sensitive';
    if (rank[level] <= rank[ceiling]) continue;
    for (const v of valuesAt(value, leaf.path)) {
      const masked =
        v === null ||
        v === undefined ||
        (typeof v === 'string' && v.includes('*')) ||
        (typeof v === 'object' && Object.keys(v as object).length === 0);
      if (!masked) out.push(`${leaf.path} (${level}) = ${JSON.stringify(v).slice(0, 40)}`);
    }
  }
  return out;
}

function valuesAt(value: unknown, path: string): unknown[] {
  if (path === '(body)') return [value];
  let current: unknown[] = [value];
  for (const part of path.split('.')) {
    const list = part.endsWith('[]');
    const key = list ? part.slice(0, -2) : part;
    current = current.flatMap((v) => {
      const next = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return list ? (Array.isArray(next) ? next : []) : [next];
    });
  }
  return current;
}

describe('access matrix: every route × every role × in and out of scope', () => {
  let t: TestApp;
  const callers = new Map<AccessRole, TestUser | { bearer: string }>();

  beforeAll(async () => {
    t = await createTestApp({ MINGDE_RATE_LIMIT: '100000', MINGDE_SIGNIN_RATE_LIMIT: '100000' });
    world = await buildWorld(t.app, t.database);
    const db = t.database.db;
    const { d } = world;
    callers.set('platformAdmin', world.platformAdmin);
    callers.set('cityBureauAdmin', await cityUser(t.database, world.cityBureauId, 'cityBureauAdmin'));
    callers.set('cityBureauAnalyst', await cityUser(t.database, world.cityBureauId, 'cityBureauAnalyst'));
    for (const role of ['bureauAdmin', 'bureauAnalyst', 'inspector'] as const)
      callers.set(role, await createUserWithRole(db, role, d));
    for (const role of ['principal', 'schoolAdmin', 'schoolDoctor', 'counsellor'] as const) {
      callers.set(role, await createUserWithRole(db, role, d, d.schoolA.id));
    }
    for (const role of [
      'headTeacher',
      'subjectTeacher',
      'guardian',
      'student',
      'staffMember',
      'learner',
    ] as const) {
      callers.set(role, world.accounts[role]);
    }
    const admin = world.platformAdmin;
    const client = await request(t.app, admin, 'POST', '/api/v1/api-clients', {
      name: '矩阵测试应用',
      orgUnitIds: [d.schoolA.id],
      scopes: ['org:read', 'persons:read'],
      legalBasis: '测试',
      retentionDays: 1,
      rateLimitPerMinute: 100000,
    });
    const { client: c, clientSecret } = client.json();
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: c.id, client_secret: clientSecret },
    });
    callers.set('apiClient', { bearer: token.json().access_token });
  }, 120_000);
  afterAll(() => t?.close());

  const send = (caller: TestUser | { bearer: string }, method: string, url: string, c: Case, b: Bundle) => {
    const upload = c.upload ? multipart('s.csv', Buffer.from('姓名\r\n')) : undefined;
    const body = upload?.payload ?? c.body?.(b, world);
    const headers = upload?.headers ?? {};
    if ('bearer' in caller) {
      return request(t.app, null, method as 'GET', url, body, {
        authorization: `Bearer ${caller.bearer}`,
        ...headers,
      });
    }
    return request(t.app, caller, method as 'GET', url, body, headers);
  };

  async function rowCounts(): Promise<Record<string, number>> {
    const tables = await t.database.db.execute<{ relname: string }>(sql`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'
        and c.relname not in ('audit_events', 'audit_heads', 'sessions', '__drizzle_migrations')`);
    const parts = tables.rows.map((r) => `(select count(*) from "${r.relname}")::int as "${r.relname}"`);
    const [row] = (await t.database.db.execute(sql.raw(`select ${parts.join(', ')}`))).rows;
    return row as Record<string, number>;
  }

  it('has a case for every route, and a caller for every role', () => {
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/api/v1/'));
    const keys = routes.map((r) => `${r.method} ${r.url.slice('/api/v1'.length)}`);
    expect(
      keys.filter((k) => !(k in cases)),
      'routes without a case in the access matrix',
    ).toEqual([]);
    expect(
      Object.keys(cases).filter((k) => !keys.includes(k)),
      'cases for routes that do not exist',
    ).toEqual([]);
    expect(
      accessRoles.filter((r) => !callers.has(r)),
      'roles without a caller',
    ).toEqual([]);
  });

  const kinds: Kind[] = ['in', 'outSchool', 'outDistrict'];
  const routeOf = (key: string) =>
    t.app.routeTable.find((r) => `${r.method} ${r.url.slice('/api/v1'.length)}` === key);

  /** Send one case as one role against one bundle; what went wrong, if anything. */
  async function check(role: AccessRole, key: string, c: Case, kind: Kind, want: Expected | 'allowed') {
    const problems: string[] = [];
    const caller = callers.get(role);
    const route = routeOf(key);
    if (!caller || !route) return [`${role} ${key}: no caller or no route`];
    const [method, pattern] = key.split(' ') as [string, string];
    const b = world.bundles[kind];
    const url = `/api/v1${c.path ? c.path(b) : pattern}`;
    const before = c.write ? await rowCounts() : null;
    const res = await send(caller, method, url, c, b);
    const at = `${role} ${kind} ${method} ${url.replace('/api/v1', '')}`;
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    if (res.statusCode >= 500) problems.push(`${at}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    else if (want === 'allowed' ? res.statusCode === 403 : want === 'ok' ? !ok : res.statusCode !== want) {
      problems.push(`${at}: expected ${want}, got ${res.statusCode} ${res.body.slice(0, 160)}`);
    }
    if (before && !ok && want !== 'allowed') {
      const after = await rowCounts();
      const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
      if (changed.length > 0) problems.push(`${at}: refused but wrote to ${changed.join(', ')}`);
    }
    // Nobody out of reach, no identifier in clear, in any answer.
    const text = res.body;
    for (const k of kinds) {
      const p = world.planted[k];
      const hidden = [
        ...(SEES_STUDENT[k].includes(role) ? [] : [p.studentName, p.studentIdMasked]),
        ...(SEES_GUARDIAN[k].includes(role) ? [] : [p.guardianName, p.guardianPhoneMasked]),
      ];
      for (const s of hidden) if (text.includes(s)) problems.push(`${at}: leaks ${s}`);
      for (const s of [
        p.studentIdNumber,
        p.guardianIdNumber,
        p.guardianPhone,
        p.staffIdNumber,
        p.staffPhone,
      ]) {
        if (text.includes(s)) problems.push(`${at}: an identifier in clear (${s.slice(0, 4)}…)`);
      }
    }
    // Every field at most the caller's ceiling, or masked.
    const schema = (route.schema?.response as Record<number, z.ZodType> | undefined)?.[res.statusCode];
    if (schema && ok && res.headers['content-type']?.toString().includes('json')) {
      const domain = route.config?.dataDomain ?? domainOfRoute({ url: route.url, schema: route.schema });
      const ceiling =
        domain === 'self' ? P : CEILING[role][domain as 'org' | 'people' | 'accounts' | 'audit'];
      for (const v of unmaskedAbove(schema, res.json(), ceiling)) {
        problems.push(`${at}: above ceiling ${ceiling}: ${v}`);
      }
    }
    return problems;
  }

  it('answers every request as DESIGN.md says, leaks nobody out of reach, masks above every ceiling', async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const [key, c] of Object.entries(cases)) {
      for (const role of accessRoles) {
        for (const kind of kinds) {
          const want = expected(role, c, kind);
          if (want === 'skip') continue;
          problems.push(...(await check(role, key, c, kind, want)));
          sent++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(2000);
  }, 600_000);

  // Last, since these change the world: each write in a caller's reach is let through (never 403;
  // the target may meanwhile be closed or ended by an earlier caller: 404, 409 and 422 are fine).
  // Signing oneself out, changing one's password and anonymous activation are left to the auth and
  // guardian tests: they would end the callers' own sessions.
  const ownSession = new Set(['POST /auth/sign-out', 'POST /auth/password', 'POST /guardian-activation']);
  it('lets every write through for the roles that may make it, leaking nothing', async () => {
    const problems: string[] = [];
    let sent = 0;
    // Ends, revocations and closings last: they take away relations and units the others rely on.
    const ending = (key: string) => /\/(end|revoke|close|disable)$/.test(key);
    const writes = Object.entries(cases).filter(([key, c]) => c.write && !ownSession.has(key));
    for (const [key, c] of [...writes.filter(([k]) => !ending(k)), ...writes.filter(([k]) => ending(k))]) {
      for (const role of accessRoles) {
        for (const kind of kinds) {
          if (expected(role, c, kind) !== 'skip') continue;
          problems.push(...(await check(role, key, c, kind, 'allowed')));
          sent++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(150);
  }, 600_000);
});
