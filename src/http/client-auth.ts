import type { FastifyRequest } from 'fastify';
import { audit } from '../context';
import { clientPrincipalOf } from '../domains/api-clients/service';
import { DomainError } from '../errors';
import { type App, ctxOf } from './types';

/** Requests per client in the current minute: a fixed window, per process. */
class ClientRateLimiter {
  private readonly windows = new Map<string, { minute: number; count: number }>();

  /** Whether one more request fits; the window map holds only this minute's clients. */
  allow(clientId: string, perMinute: number, now = Date.now()): boolean {
    const minute = Math.floor(now / 60_000);
    let w = this.windows.get(clientId);
    if (!w || w.minute !== minute) {
      if (this.windows.size > 10_000) this.windows.clear();
      w = { minute, count: 0 };
      this.windows.set(clientId, w);
    }
    w.count += 1;
    return w.count <= perMinute;
  }
}

/** The bearer token of `Authorization: Bearer <token>`, or null when the request carries none. */
export function bearerTokenOf(request: FastifyRequest): string | null {
  const match = /^Bearer\s+(.*)$/i.exec(request.headers.authorization ?? '');
  return match ? (match[1] ?? '').trim() : null;
}

/**
 * Authorised apps call the API with `Authorization: Bearer <token>` (from POST /api/v1/oauth/token).
 * The token is checked against the client on every request (disabled, secret replaced, scopes
 * narrowed: effective at once), each client keeps to its own rate limit, and every call is audited
 * with its route and outcome on the client's district.
 */
export function registerClientAuth(app: App): void {
  const limiter = new ClientRateLimiter();
  app.addHook('onRequest', async (request, reply) => {
    const token = bearerTokenOf(request);
    if (token === null) return;
    const { database, dataKeys } = app.deps;
    const loaded = await clientPrincipalOf(database.db, dataKeys, token);
    if (!loaded) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new DomainError(401, 'auth.token_invalid');
    }
    request.principal = loaded.principal;
    if (!limiter.allow(loaded.principal.userId, loaded.rateLimitPerMinute)) {
      reply.header('retry-after', String(60 - (Math.floor(Date.now() / 1000) % 60)));
      throw new DomainError(429, 'apiClient.rate_limited', { max: loaded.rateLimitPerMinute });
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const principal = request.principal;
    if (principal?.kind !== 'apiClient' || !principal.homeDistrictId) return;
    const status = reply.statusCode;
    await audit(ctxOf(request), {
      districtId: principal.homeDistrictId,
      action: 'apiClient.call',
      targetType: 'route',
      targetId: `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      outcome:
        status < 400 ? 'success' : status === 401 || status === 403 || status === 429 ? 'denied' : 'failure',
      details: { status },
    });
  });
}
