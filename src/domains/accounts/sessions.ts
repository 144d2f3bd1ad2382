import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { sessions } from './schema';

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const newToken = () => randomBytes(32).toString('base64url');

/** What the sessions table stores for a token: its hash, never the token itself. */
export const tokenHashOf = (token: string) => sha256(token);

/**
 * The CSRF token of a session, derived from its secret token so that it can be handed out again
 * (GET /auth/me after a page reload) without storing it in clear.
 */
export const csrfTokenFor = (token: string) => sha256(`mingde-csrf:${token}`);

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: DbOrTx, userId: string, hours: number): Promise<NewSession> {
  const token = newToken();
  const csrfToken = csrfTokenFor(token);
  const expiresAt = new Date(Date.now() + hours * 3_600_000);
  await db
    .insert(sessions)
    .values({ tokenHash: sha256(token), userId, csrfTokenHash: sha256(csrfToken), expiresAt });
  return { token, csrfToken, expiresAt };
}

export type ActiveSession = {
  tokenHash: string;
  userId: string;
  csrfTokenHash: string;
};

export function csrfTokenMatches(session: ActiveSession, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(sha256(presented));
  const b = Buffer.from(session.csrfTokenHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function revokeSession(db: DbOrTx, tokenHash: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt)));
}

/** Sign a user out everywhere (password change, account disabled). */
export async function revokeUserSessions(
  db: DbOrTx,
  userId: string,
  exceptTokenHash?: string,
): Promise<void> {
  const others = exceptTokenHash ? sql`${sessions.tokenHash} <> ${exceptTokenHash}` : sql`true`;
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), others));
}

/** Forget a user's sessions that ended more than 30 days ago (run at sign-in, so the table stays small). */
export async function pruneSessions(db: DbOrTx, userId: string): Promise<void> {
  const monthAgo = sql`now() - interval '30 days'`;
  await db
    .delete(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        or(lt(sessions.expiresAt, monthAgo), lt(sessions.revokedAt, monthAgo)),
      ),
    );
}
