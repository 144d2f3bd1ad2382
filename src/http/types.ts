import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PersonAccessPolicy } from '../access/person-scope';
import type { Principal } from '../access/principal';
import type { DataKeys } from '../access/protect';
import type { Config } from '../config';
import type { Ctx } from '../context';
import type { Database } from '../db/client';
import type { ActiveSession } from '../domains/accounts/sessions';
import type { AuditLog } from '../domains/audit/log';
import type { Lang } from '../i18n/messages';

export interface AppDeps {
  config: Config;
  database: Database;
  auditLog: AuditLog;
  dataKeys: DataKeys;
  /** Benchmarks only: another person policy (see access/person-scope.ts). */
  personAccess?: PersonAccessPolicy;
}

/** The Fastify instance every routes module receives. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyRequest {
    principal: Principal | null;
    session: ActiveSession | null;
    lang: Lang;
  }
}

/** The service context of a request. */
export function ctxOf(request: FastifyRequest): Ctx {
  const { config, database, auditLog, dataKeys, personAccess } = request.server.deps;
  return {
    principal: request.principal,
    db: database.db,
    config,
    lang: request.lang,
    requestId: request.id,
    ip: request.ip,
    auditLog,
    dataKeys,
    personAccess,
  };
}

export type { FastifyReply, FastifyRequest };
