import { accessRolesOf } from '../../access/ceilings';
import { mayDeclarePurpose } from '../../access/person-scope';
import { actionsEverAllowed, rolesEverAssignable } from '../../access/policy';
import { districtRoles } from '../../access/roles';
import {
  audit,
  auditInTx,
  type Ctx,
  inTransaction,
  type RequestAuditEvent,
  requirePrincipal,
} from '../../context';
import type { Tx } from '../../db/client';
import { DomainError, type FieldError } from '../../errors';
import { type AuditEventInput, PLATFORM_DISTRICT_ID } from '../audit/log';
import { type MeDto, toMe } from './dto';
import { withBureaus, withUnits } from './grant-places';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords';
import * as repo from './repository';
import {
  type ActiveSession,
  createSession,
  type NewSession,
  pruneSessions,
  revokeSession,
  revokeUserSessions,
  tokenHashOf,
} from './sessions';

/** Sign-in, sign-out, the signed-in user, password change. Users and grants: users-service, grants-service. */

/** The chain a user's own events go to: the home district, or the platform's for users without one. */
export const chainOf = (homeDistrictId: string | null) => homeDistrictId ?? PLATFORM_DISTRICT_ID;

const invalidCredentials = () => new DomainError(401, 'auth.invalid_credentials');
const accountLocked = (lockedUntil: Date, now = new Date()) =>
  new DomainError(423, 'auth.account_locked', {
    minutes: Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000)),
  });

/** Sign-in events name their actor themselves: nobody is signed in yet when they are written. */
function signInEvent(ctx: Ctx, actorId: string | null, event: RequestAuditEvent): AuditEventInput {
  return {
    ...event,
    action: 'auth.signIn',
    actorId,
    actorKind: actorId ? 'user' : 'anonymous',
    requestId: ctx.requestId,
    ip: ctx.ip,
  };
}

export interface SignInResult {
  user: repo.UserRow;
  session: NewSession;
}

/**
 * Check a username and password and open a new session. Unknown users and wrong passwords get the
 * same answer after the same work (an argon2 verification). `lockoutThreshold` failures in a row
 * lock the account for `lockoutMinutes`; while locked even the right password is refused. The
 * session token the browser presented, if any, is revoked (no session fixation). Every attempt is
 * audited, never with the password, and for unknown accounts without the attempted username.
 */
export async function signIn(
  ctx: Ctx,
  input: { username: string; password: string; presentedToken?: string },
): Promise<SignInResult> {
  const user = await repo.findUserByUsername(ctx.db, input.username);
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), input.password);
    await ctx.auditLog.record(
      signInEvent(ctx, null, {
        districtId: PLATFORM_DISTRICT_ID,
        action: 'auth.signIn',
        targetType: 'user',
        targetId: null,
        outcome: 'failure',
        details: { reason: 'unknown_user' },
      }),
    );
    throw invalidCredentials();
  }

  const event = (
    outcome: 'success' | 'failure' | 'denied',
    details: Record<string, unknown>,
  ): RequestAuditEvent => ({
    districtId: chainOf(user.homeDistrictId),
    action: 'auth.signIn',
    targetType: 'user',
    targetId: user.id,
    outcome,
    details,
  });

  if (user.lockedUntil && user.lockedUntil > new Date()) {
    await ctx.auditLog.record(signInEvent(ctx, null, event('denied', { reason: 'locked' })));
    throw accountLocked(user.lockedUntil);
  }

  if (!(await verifyPassword(user.passwordHash, input.password))) {
    const { lockedUntil } = await repo.recordFailedSignIn(
      ctx.db,
      user.id,
      ctx.config.lockoutThreshold,
      ctx.config.lockoutMinutes,
    );
    const locked = lockedUntil !== null && lockedUntil > new Date();
    await ctx.auditLog.record(
      signInEvent(
        ctx,
        null,
        event('failure', { reason: 'wrong_password', ...(locked ? { locked: true } : {}) }),
      ),
    );
    if (locked) throw accountLocked(lockedUntil);
    throw invalidCredentials();
  }

  // Only someone who knows the password learns that the account is disabled.
  if (user.status !== 'active') {
    await ctx.auditLog.record(signInEvent(ctx, null, event('denied', { reason: 'disabled' })));
    throw new DomainError(403, 'auth.account_disabled');
  }

  if (!(await repo.recordSuccessfulSignIn(ctx.db, user.id))) {
    // Locked by concurrent failures between the check above and now.
    const current = await repo.findUserById(ctx.db, user.id);
    await ctx.auditLog.record(signInEvent(ctx, null, event('denied', { reason: 'locked' })));
    throw accountLocked(current?.lockedUntil ?? new Date(Date.now() + ctx.config.lockoutMinutes * 60_000));
  }

  const session = await inTransaction(ctx, async (tx) => {
    if (input.presentedToken) await revokeSession(tx, tokenHashOf(input.presentedToken));
    await pruneSessions(tx, user.id);
    const created = await createSession(tx, user.id, ctx.config.sessionHours);
    await ctx.auditLog.recordInTx(tx, [signInEvent(ctx, user.id, event('success', {}))]);
    return created;
  });
  return { user: { ...user, failedSignIns: 0, lockedUntil: null }, session };
}

/** Revoke the current session; without one there is nothing to do (signing out twice is fine). */
export async function signOut(ctx: Ctx, session: ActiveSession | null): Promise<void> {
  const principal = ctx.principal;
  if (!session || !principal) return;
  await inTransaction(ctx, async (tx) => {
    await revokeSession(tx, session.tokenHash);
    await auditInTx(ctx, tx, {
      districtId: chainOf(principal.homeDistrictId),
      action: 'auth.signOut',
      targetType: 'user',
      targetId: principal.userId,
      outcome: 'success',
    });
  });
}

/** The signed-in user with the grants in force and the session's CSRF token. */
export async function getMe(ctx: Ctx, csrfToken: string): Promise<MeDto> {
  const principal = requirePrincipal(ctx);
  const user = await repo.findUserById(ctx.db, principal.userId);
  if (!user) throw new DomainError(401, 'auth.required');
  const [grants, cityGrants] = await Promise.all([
    repo
      .grantsOfUser(ctx.db, user.id, { inForceOnly: true })
      .then((rows) => withUnits(ctx.db, rows, { activeUnitsOnly: true })),
    repo.cityGrantsOfUser(ctx.db, user.id, { inForceOnly: true }).then((rows) => withBureaus(ctx.db, rows)),
  ]);
  const { headTeacherOf, teaches } = principal.relations;
  const classes = [
    ...headTeacherOf.map((c) => ({ id: c.classId, relation: 'headTeacher' as const })),
    ...teaches
      .filter((c) => !headTeacherOf.some((h) => h.classId === c.classId))
      .map((c) => ({ id: c.classId, relation: 'subjectTeacher' as const })),
  ];
  const personIds = principal.relations.self.map((p) => p.personId);
  const assignable = rolesEverAssignable(principal);
  return toMe(user, grants, cityGrants, csrfToken, [...accessRolesOf(principal)].sort(), classes, personIds, {
    can: actionsEverAllowed(principal),
    mayDeclarePurpose: mayDeclarePurpose(principal),
    assignableRoles: districtRoles.filter((r) => assignable.has(r)),
  });
}

const fieldError = (path: string, code: FieldError['messageCode'] & string): FieldError => ({
  path,
  code,
  messageCode: code,
});

/**
 * Change one's own password: the current one must be right, the new one strong and different.
 * Every other session of the user is signed out; this one stays. Bad fields are reported together.
 */
export async function changePassword(
  ctx: Ctx,
  session: ActiveSession | null,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const principal = requirePrincipal(ctx);
  const user = await repo.findUserById(ctx.db, principal.userId);
  if (!user || !session) throw new DomainError(401, 'auth.required');

  const errors: FieldError[] = [];
  const currentOk = await verifyPassword(user.passwordHash, input.currentPassword);
  if (!currentOk) errors.push(fieldError('body.currentPassword', 'auth.wrong_password'));
  const problem = passwordProblem(input.newPassword, user.username);
  if (problem) errors.push(fieldError('body.newPassword', problem));
  else if (currentOk && input.newPassword === input.currentPassword) {
    errors.push(fieldError('body.newPassword', 'auth.password_reused'));
  }
  if (errors.length > 0) {
    if (!currentOk) {
      await audit(ctx, {
        districtId: chainOf(user.homeDistrictId),
        action: 'auth.passwordChange',
        targetType: 'user',
        targetId: user.id,
        outcome: 'failure',
        details: { reason: 'wrong_password' },
      });
    }
    throw new DomainError(422, 'request.invalid', {}, errors);
  }

  const passwordHash = await hashPassword(input.newPassword);
  await inTransaction(ctx, async (tx: Tx) => {
    await repo.setPassword(tx, user.id, passwordHash, false);
    await revokeUserSessions(tx, user.id, session.tokenHash);
    await auditInTx(ctx, tx, {
      districtId: chainOf(user.homeDistrictId),
      action: 'auth.passwordChange',
      targetType: 'user',
      targetId: user.id,
      outcome: 'success',
    });
  });
}
