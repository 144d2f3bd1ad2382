import { authorizeDistrictWide, canEver, wholeDistrictsOf } from '../../access/policy';
import type { Principal } from '../../access/principal';
import type { Action } from '../../access/roles';
import { audit, type Ctx, requirePrincipal } from '../../context';
import { DomainError, fieldError, forbidden, invalidField, notFound } from '../../errors';
import { userIdsByUsername } from '../accounts/repository';
import { actorsOf, type EventActor } from './actors';
import { PLATFORM_DISTRICT_ID } from './log';
import { type AuditEventRow, districtExists, searchEvents } from './repository';
import { type AuditChainReport, verifyAuditChain } from './verify';

/**
 * The audit trail is read and verified per district: a chain belongs to one district, so only a
 * scope over the whole district (a grant on its root unit, a district-wide or city grant, or
 * platform administration) may see it: policy.authorizeDistrictWide, 404 for any other district.
 */

/** Without a districtId: the only district the caller covers, else its home district. */
function defaultDistrict(principal: Principal, action: Action): string {
  const covered = wholeDistrictsOf(principal, action);
  if (covered === 'all') return principal.homeDistrictId ?? PLATFORM_DISTRICT_ID;
  if (covered.length === 1 && covered[0]) return covered[0];
  if (principal.homeDistrictId && covered.includes(principal.homeDistrictId)) return principal.homeDistrictId;
  throw invalidField('query.districtId', 'audit.district_required');
}

export interface AuditEventSearch {
  districtId?: string;
  actorId?: string;
  /** The acting user by username (ignoring case) instead of by id; not together with actorId. */
  actorUsername?: string;
  subjectId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** A date (YYYY-MM-DD, from the start of that day in China Standard Time) or a date-time; inclusive. */
  from?: string;
  /** A date (up to the end of that day, China Standard Time) or a date-time; exclusive. */
  to?: string;
  before?: number;
  limit: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * The instants a bound is kept within: years 1–9999, as the database reads them (it has no year 0,
 * and '0000-01-01' in China time is a day of year -1 in UTC). No event lies outside, so a bound
 * beyond them selects the same events as the nearest edge.
 */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

// Date-only bounds are days in China Standard Time (UTC+8, no daylight saving).
function bound(value: string | undefined, edge: 'from' | 'to'): Date | undefined {
  if (value === undefined) return undefined;
  const start = DATE_ONLY.test(value) ? Date.parse(`${value}T00:00:00+08:00`) : Date.parse(value);
  const at = edge === 'to' && DATE_ONLY.test(value) ? start + DAY_MS : start;
  return new Date(Math.min(LATEST, Math.max(EARLIEST, at)));
}

/** An event with its actor named (at read time: names are never part of the chain). */
export type NamedAuditEvent = AuditEventRow & { actor: EventActor };

export interface AuditEventPage {
  districtId: string;
  items: NamedAuditEvent[];
  /** Pass as `before` for the next (older) page; null when this was the last. */
  nextBefore: number | null;
}

/** One actor filter at a time: a malformed request (400), as if the query schema had refused it. */
const ACTOR_TWICE = () =>
  new DomainError(400, 'request.invalid', {}, [fieldError('querystring.actorUsername', 'audit.actor_twice')]);

/**
 * Search one district's trail, newest first, each event naming its actor. The search itself is
 * audited ('audit.read'). A username that names nobody finds nothing: the same empty page as a
 * user who did nothing here, so the search does not tell which accounts exist.
 */
export async function searchAuditEvents(ctx: Ctx, input: AuditEventSearch): Promise<AuditEventPage> {
  if (input.actorId !== undefined && input.actorUsername !== undefined) throw ACTOR_TWICE();
  const principal = requirePrincipal(ctx);
  if (!canEver(principal, 'audit.read')) throw forbidden();
  const districtId = input.districtId?.toLowerCase() ?? defaultDistrict(principal, 'audit.read');
  authorizeDistrictWide(principal, 'audit.read', districtId, 'district');
  // A platform administrator passes any id: one that names no district has no trail (and the
  // search itself could not be audited in it).
  if (!(await districtExists(ctx.db, districtId))) throw notFound('district');
  const from = bound(input.from, 'from');
  const to = bound(input.to, 'to');

  // By username: the users it names (one, but for accounts that differ only in case); none, and
  // there is nothing to find.
  const actorIds =
    input.actorUsername !== undefined
      ? await userIdsByUsername(ctx.db, input.actorUsername)
      : input.actorId !== undefined
        ? [input.actorId.toLowerCase()]
        : undefined;
  const rows =
    actorIds?.length === 0
      ? []
      : await searchEvents(ctx.db, {
          districtId,
          actorIds,
          subjectId: input.subjectId,
          actionPrefix: input.action,
          targetType: input.targetType,
          targetId: input.targetId,
          from,
          to,
          beforeSeq: input.before,
          limit: input.limit + 1,
        });
  const page = rows.slice(0, input.limit);
  const actorOf = await actorsOf(ctx.db, districtId, page);
  const last = page.at(-1);

  await audit(ctx, {
    districtId,
    action: 'audit.read',
    targetType: 'auditEvent',
    // The person whose trail was looked up, when the search names one.
    subjectIds: input.subjectId ? [input.subjectId] : [],
    details: {
      filters: {
        actorId: input.actorId ?? null,
        // The users an actorUsername named, by id (null: not searched by username). Ids only:
        // the chain never holds a name.
        byActorUsername: input.actorUsername !== undefined ? (actorIds ?? []) : null,
        action: input.action ?? null,
        targetType: input.targetType ?? null,
        targetId: input.targetId ?? null,
        from: from?.toISOString() ?? null,
        to: to?.toISOString() ?? null,
        before: input.before ?? null,
        bySubject: input.subjectId !== undefined,
      },
      returned: page.length,
    },
  });
  return {
    districtId,
    items: page.map((r) => ({ ...r, actor: actorOf(r) })),
    nextBefore: rows.length > input.limit && last ? last.seq : null,
  };
}

/**
 * Verify the chains of the caller's districts (or one of them). Each verified district's chain
 * records the verification and its outcome ('audit.verify').
 */
export async function verifyAuditChains(ctx: Ctx, input: { districtId?: string }): Promise<AuditChainReport> {
  const principal = requirePrincipal(ctx);
  let districtIds: string[] | undefined;
  if (input.districtId) {
    const id = input.districtId.toLowerCase();
    authorizeDistrictWide(principal, 'audit.verify', id, 'district');
    districtIds = [id];
  } else {
    if (!canEver(principal, 'audit.verify')) throw forbidden();
    const covered = wholeDistrictsOf(principal, 'audit.verify');
    districtIds = covered === 'all' ? undefined : covered;
  }
  // Head file = the one this service keeps; without a configured one, verify the database alone.
  const report = await verifyAuditChain(ctx.db, ctx.config.auditHeadFile || null, { districtIds });

  await Promise.all(
    report.districts.map((d) =>
      audit(ctx, {
        districtId: d.districtId,
        action: 'audit.verify',
        targetType: 'auditChain',
        targetId: d.districtId,
        outcome: 'success',
        details: {
          ok: d.ok,
          events: d.events,
          firstBroken: d.firstBroken ?? null,
          headFile: report.headFile,
        },
      }),
    ),
  );
  return report;
}
