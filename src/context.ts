import type { PersonAccessPolicy } from './access/person-scope';
import type { Principal } from './access/principal';
import type { DataKeys } from './access/protect';
import type { Config } from './config';
import type { Db, Tx } from './db/client';
import type { AuditEventInput, AuditLog } from './domains/audit/log';
import { unauthorized } from './errors';
import type { Lang } from './i18n/messages';

/** An audit event as a request records it: who asked, from where and under which request id is filled in. */
export type RequestAuditEvent = Omit<AuditEventInput, 'actorId' | 'actorKind' | 'requestId' | 'ip'>;

/** What every service function receives: who asks, the database, the audit trail, the language. */
export interface Ctx {
  principal: Principal | null;
  db: Db;
  config: Config;
  lang: Lang;
  requestId: string;
  ip: string;
  auditLog: AuditLog;
  /** Keys protecting identifiers (`keysOf(ctx)` in src/access/protect.ts); loaded once at start. */
  dataKeys?: DataKeys;
  /** Who may see which people; the product's policy unless a benchmark wires another. */
  personAccess?: PersonAccessPolicy;
  /** Set for work the platform does itself (CLI, demo generator): audited as 'system'. */
  system?: boolean;
}

export function requirePrincipal(ctx: Ctx): Principal {
  if (!ctx.principal) throw unauthorized();
  return ctx.principal;
}

function withActor(ctx: Ctx, event: RequestAuditEvent): AuditEventInput {
  return {
    ...event,
    actorId: ctx.principal?.userId ?? null,
    actorKind: ctx.principal?.kind ?? (ctx.system ? 'system' : 'anonymous'),
    requestId: ctx.requestId,
    ip: ctx.ip,
  };
}

/** Record after the fact (reads, sign-ins): resolves once the event is durable. */
export function audit(ctx: Ctx, event: RequestAuditEvent): Promise<void> {
  return ctx.auditLog.record(withActor(ctx, event));
}

/** Record inside the change's own transaction: the change and its event commit together. */
export function auditInTx(ctx: Ctx, tx: Tx, ...events: RequestAuditEvent[]): Promise<void> {
  return ctx.auditLog.recordInTx(
    tx,
    events.map((e) => withActor(ctx, e)),
  );
}

/** Run `fn` in a transaction; after it commits, the audit head file catches up. */
export async function inTransaction<T>(ctx: Ctx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction(fn);
  await ctx.auditLog.afterCommit();
  return result;
}
