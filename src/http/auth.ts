import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { loadSessionPrincipal } from '../domains/accounts/principal-repository';
import { csrfTokenMatches, tokenHashOf } from '../domains/accounts/sessions';
import { DomainError } from '../errors';
import { bearerTokenOf } from './client-auth';
import type { App } from './types';

export const SESSION_COOKIE = 'mingde_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no CSRF token (sign-in: there is no session yet; it checks Origin instead). */
    csrfExempt?: boolean;
    /** The route stays open to a user who must change the password first (me, sign-out, password). */
    allowWhilePasswordChangeRequired?: boolean;
  }
}

/** Whether the session cookie gets the Secure attribute. */
export function cookieIsSecure(config: Config, request: FastifyRequest): boolean {
  return config.cookieSecure === 'auto' ? request.protocol === 'https' : config.cookieSecure;
}

/** The attributes of the session cookie; the same for setting and clearing it. */
export function sessionCookieOptions(config: Config, request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: cookieIsSecure(config, request) };
}

/**
 * Whether the request's Origin header, when there is one, names the host the request was sent to.
 * Browsers send Origin on every cross-site POST, so this stops a foreign page from signing the
 * victim into the attacker's account (login CSRF). Default ports are normalised away by URL.
 */
export function originMatchesHost(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === new URL(`${request.protocol}://${request.host}`).host;
  } catch {
    return false; // "null" (sandboxed frames, file://) or garbage: not our page
  }
}

/**
 * Resolves the session cookie into a principal on every request, and refuses state-changing
 * requests on a cookie session without the session's CSRF token. The principal is loaded from the
 * grants in force at this moment, so a revoked or expired grant, or a disabled account, stops
 * working at once.
 */
export function registerAuth(app: App): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('session', null);

  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = request.cookies[SESSION_COOKIE];
    // An app's bearer token wins over any cookie (client-auth.ts); a cookie alone is a user's session.
    if (!token || bearerTokenOf(request) !== null) return;
    const { database, config } = app.deps;
    // The session and its user's principal in one statement: one round trip on every request.
    const loaded = await loadSessionPrincipal(database.db, tokenHashOf(token), config.sessionHours);
    if (!loaded) return;
    const { session } = loaded;
    const routeConfig = request.routeOptions.config;
    if (!SAFE_METHODS.has(request.method) && !routeConfig?.csrfExempt) {
      const presented = request.headers[CSRF_HEADER];
      if (!csrfTokenMatches(session, typeof presented === 'string' ? presented : undefined)) {
        throw new DomainError(403, 'auth.csrf_invalid');
      }
    }
    // A one-time password handed out by an administrator is known to that administrator: no API
    // but changing it (and signing out) until the user has chosen their own. Pages still load, so
    // the console can show the change-password form.
    const api = request.routeOptions.url?.startsWith('/api/v1/') ?? false;
    if (loaded.mustChangePassword && api && !routeConfig?.allowWhilePasswordChangeRequired) {
      throw new DomainError(403, 'auth.password_change_required');
    }
    request.session = session;
    request.principal = loaded.principal;
  });
}
