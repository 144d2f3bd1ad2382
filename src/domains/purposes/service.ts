import {
  isEmptyScope,
  mayDeclarePurpose,
  type PersonScope,
  personAccessOf,
  personScope,
  sensitiveScopes,
} from '../../access/person-scope';
import { covers, scopeOf } from '../../access/policy';
import type { OrgTarget, Principal } from '../../access/principal';
import { type PurposeCode, purposes } from '../../access/purposes';
import { auditInTx, type Ctx, inTransaction, requirePrincipal } from '../../context';
import { conflict, DomainError, forbidden, invalidField, notFound } from '../../errors';
import { findOrgUnit, findPlaces } from '../org/repository';
import { findVisiblePerson, visiblePersonIds } from '../people/persons-repository';
import { scopeCoversUnit, scopeDistricts } from '../people/visibility-sql';
import * as repo from './repository';

/**
 * Purposes (用途) for L4 data: declared by the user who will see the data, about one person or
 * everyone in an organisation unit, for a limited time. A school role's purpose is in force at
 * once; a bureau role's waits for a second person (a bureau administrator other than the
 * declarer) to approve it — for a named student, as DESIGN.md asks, and for a whole unit too,
 * since that covers every named student in it.
 */

export type Target = { personId: string } | { orgUnitId: string };

export interface DeclareInput {
  purpose: PurposeCode;
  reason: string;
  target: Target;
  /** Defaults to the purpose's longest allowed window. */
  hours?: number;
}

type Coverage = 'direct' | 'withApproval';

/** Whether a person or unit lies in a scope. */
async function scopeCovers(ctx: Ctx, scope: PersonScope, target: ResolvedTarget): Promise<boolean> {
  if (isEmptyScope(scope)) return false;
  if (target.kind === 'unit') return scopeCoversUnit(scope, target.unit);
  return (await findVisiblePerson(ctx.db, scope, target.personId)) !== undefined;
}

/** An organisation unit as the checks need it (an org unit row, or a roster's unit). */
export type UnitRef = OrgTarget & { id: string; kind: string };

type ResolvedTarget =
  | { kind: 'person'; districtId: string; personId: string }
  | { kind: 'unit'; districtId: string; unit: UnitRef };

/** The target as the caller may name it: 404 when it may not even read it. */
async function resolveTarget(ctx: Ctx, principal: Principal, target: Target): Promise<ResolvedTarget> {
  if ('personId' in target) {
    const scope = personAccessOf(ctx).personScope(principal, 'person.read');
    const person = await findVisiblePerson(ctx.db, scope, target.personId);
    if (!person) throw notFound('person');
    return { kind: 'person', districtId: person.districtId, personId: person.id };
  }
  const unit = await findOrgUnit(ctx.db, target.orgUnitId);
  // Readable through a grant, or (a 班主任's class) through a relationship with it.
  const readable =
    unit &&
    (covers(scopeOf(principal, 'org.read'), unit) ||
      scopeCoversUnit(personAccessOf(ctx).personScope(principal, 'person.read'), unit));
  if (!unit || !readable) throw notFound('orgUnit');
  return { kind: 'unit', districtId: unit.districtId, unit };
}

/** How the caller's L4 rights reach the target: at once, only with approval, or not at all. */
async function coverageOf(ctx: Ctx, principal: Principal, target: ResolvedTarget): Promise<Coverage | null> {
  const { direct, withApproval } = sensitiveScopes(principal);
  if (await scopeCovers(ctx, direct, target)) return 'direct';
  if (await scopeCovers(ctx, withApproval, target)) return 'withApproval';
  return null;
}

function checkHours(ctx: Ctx, purpose: PurposeCode, hours: number | undefined): number {
  const max = purposes[purpose].maxHours;
  if (hours === undefined) return max;
  if (hours > max) {
    throw invalidField('hours', 'purpose.too_long', { purpose: purposes[purpose][ctx.lang], max });
  }
  return hours;
}

export async function declarePurpose(ctx: Ctx, input: DeclareInput): Promise<repo.PurposeRow> {
  const principal = requirePrincipal(ctx);
  if (!mayDeclarePurpose(principal)) throw forbidden();
  const target = await resolveTarget(ctx, principal, input.target);
  const coverage = await coverageOf(ctx, principal, target);
  if (!coverage) throw new DomainError(403, 'purpose.no_sensitive_right');
  const hours = checkHours(ctx, input.purpose, input.hours);
  const personId = target.kind === 'person' ? target.personId : null;
  return inTransaction(ctx, async (tx) => {
    let row = await repo.insertPurpose(tx, {
      districtId: target.districtId,
      userId: principal.userId,
      purpose: input.purpose,
      reason: input.reason,
      personId,
      orgUnitId: target.kind === 'unit' ? target.unit.id : null,
      status: 'pending',
      hours,
    });
    if (coverage === 'direct')
      row = (await repo.changePurposeStatus(tx, row, ['pending'], { status: 'active' })) ?? row;
    await auditInTx(ctx, tx, {
      districtId: row.districtId,
      action: 'purpose.declare',
      targetType: 'purpose',
      targetId: row.id,
      subjectIds: personId ? [personId] : [],
      purpose: row.purpose,
      details: { status: row.status, hours, orgUnitId: row.orgUnitId },
    });
    return row;
  });
}

/** A purpose the caller may decide on: 404 outside its approval scope, 403 for its own. */
async function decidable(ctx: Ctx, id: string): Promise<repo.PurposeRow> {
  const principal = requirePrincipal(ctx);
  const scope = personScope(principal, 'purpose.approve');
  if (isEmptyScope(scope)) throw forbidden();
  const row = await repo.findPurpose(ctx.db, id);
  if (!row || (await rowsWithin(ctx, scope, [row])).length === 0) throw notFound('purpose');
  if (row.userId === principal.userId) throw new DomainError(403, 'purpose.self_approval');
  return row;
}

export async function decidePurpose(
  ctx: Ctx,
  id: string,
  decision: { approve: boolean; note?: string },
): Promise<repo.PurposeRow> {
  const principal = requirePrincipal(ctx);
  const row = await decidable(ctx, id);
  return inTransaction(ctx, async (tx) => {
    const updated = await repo.changePurposeStatus(tx, row, ['pending'], {
      status: decision.approve ? 'active' : 'rejected',
      decidedBy: principal.userId,
      decisionNote: decision.note ?? null,
    });
    if (!updated) throw conflict('purpose.not_pending');
    await auditInTx(ctx, tx, {
      districtId: row.districtId,
      action: decision.approve ? 'purpose.approve' : 'purpose.reject',
      targetType: 'purpose',
      targetId: row.id,
      subjectIds: row.personId ? [row.personId] : [],
      purpose: row.purpose,
      details: { declaredBy: row.userId },
    });
    return updated;
  });
}

/** The declarer ends its purpose before its time (or withdraws it while pending). */
export async function endPurpose(ctx: Ctx, id: string): Promise<repo.PurposeRow> {
  const principal = requirePrincipal(ctx);
  const row = await repo.findPurpose(ctx.db, id);
  if (!row || row.userId !== principal.userId) throw notFound('purpose');
  return inTransaction(ctx, async (tx) => {
    const updated = await repo.changePurposeStatus(tx, row, ['pending', 'active'], { status: 'ended' });
    if (!updated) throw conflict('purpose.already_ended');
    await auditInTx(ctx, tx, {
      districtId: row.districtId,
      action: 'purpose.end',
      targetType: 'purpose',
      targetId: row.id,
      subjectIds: row.personId ? [row.personId] : [],
      purpose: row.purpose,
    });
    return updated;
  });
}

/** 'mine': the caller's own purposes; 'toApprove': others' purposes awaiting the caller's decision. */
export async function listPurposes(ctx: Ctx, view: 'mine' | 'toApprove'): Promise<repo.PurposeRow[]> {
  const principal = requirePrincipal(ctx);
  if (view === 'mine') return repo.listPurposesOf(ctx.db, principal.userId, 200);
  const scope = personScope(principal, 'purpose.approve');
  if (isEmptyScope(scope)) throw forbidden();
  const pending = await repo.listPendingPurposes(ctx.db, scopeDistricts(scope));
  return rowsWithin(
    ctx,
    scope,
    pending.filter((r) => r.userId !== principal.userId),
  );
}

/** The rows whose person or unit lies in the scope: two statements, whatever the number of rows. */
async function rowsWithin(ctx: Ctx, scope: PersonScope, rows: repo.PurposeRow[]): Promise<repo.PurposeRow[]> {
  const personIds = rows.flatMap((r) => (r.personId ? [r.personId] : []));
  const unitIds = rows.flatMap((r) => (!r.personId && r.orgUnitId ? [r.orgUnitId] : []));
  const [visible, places] = await Promise.all([
    visiblePersonIds(ctx.db, scope, personIds),
    findPlaces(ctx.db, unitIds),
  ]);
  const placeOf = new Map(places.map((p) => [p.id, p]));
  return rows.filter((r) => {
    if (r.personId) return visible.has(r.personId);
    const place = r.orgUnitId ? placeOf.get(r.orgUnitId) : undefined;
    return place !== undefined && scopeCoversUnit(scope, place);
  });
}

/**
 * The caller's purpose `purposeId`, in force now and covering the person (or, with `unit`, the
 * whole unit), while the caller still holds L4 rights there; else 403 purpose.required.
 */
export async function purposeInForce(
  ctx: Ctx,
  purposeId: string | undefined,
  target: { kind: 'person'; districtId: string; personId: string } | { kind: 'unit'; unit: UnitRef },
): Promise<repo.PurposeRow> {
  const principal = requirePrincipal(ctx);
  const denied = () => new DomainError(403, 'purpose.required');
  const row = purposeId ? await repo.findPurposeInForce(ctx.db, purposeId, principal.userId) : undefined;
  if (!row) throw denied();
  const resolved: ResolvedTarget =
    target.kind === 'unit' ? { kind: 'unit', districtId: target.unit.districtId, unit: target.unit } : target;
  if (!(await purposeCovers(ctx, row, resolved))) throw denied();
  if (!(await coverageOf(ctx, principal, resolved))) throw new DomainError(403, 'purpose.no_sensitive_right');
  return row;
}

/** Whether a purpose's target reaches a person or a whole unit. */
async function purposeCovers(ctx: Ctx, row: repo.PurposeRow, target: ResolvedTarget): Promise<boolean> {
  if (row.districtId !== target.districtId) return false;
  if (row.personId) return target.kind === 'person' && target.personId === row.personId;
  const unit = row.orgUnitId ? await findOrgUnit(ctx.db, row.orgUnitId) : undefined;
  if (!unit) return false;
  const scope: PersonScope =
    unit.kind === 'class'
      ? {
          all: false,
          units: [],
          persons: [],
          classes: [{ districtId: unit.districtId, classId: unit.id, withGuardians: true }],
        }
      : {
          all: false,
          units: [{ districtId: unit.districtId, pathPrefix: unit.path }],
          classes: [],
          persons: [],
        };
  return scopeCovers(ctx, scope, target);
}
