/**
 * What the org services share: field-error helpers, audit diffs, the version row and audit event
 * of a unit change, and what the caller may see. Use cases live in the *-service.ts modules beside
 * this one; each checks access through the policy and runs its change in one transaction.
 */
import { allowedOn, authorizeDistrictWide } from '../../access/policy';
import type { Principal } from '../../access/principal';
import { auditInTx, type Ctx, type RequestAuditEvent } from '../../context';
import type { Tx } from '../../db/client';
import type { DomainError } from '../../errors';
import type { ResourceName } from '../../i18n/messages';
import { type Visible, versionData } from './presenter';
import type { OrgUnitRow } from './repository';
import * as repo from './repository';

/** Which units' names and details the caller may see (presenters mask the others). */
export function visibleTo(principal: Principal): Visible {
  const readable = allowedOn(principal, 'org.read');
  return (districtId, path) => readable({ districtId, path });
}

/**
 * Bureau-level changes (groupings, academic years) need 'org.update' over the whole district. A
 * caller who reads something in the district learns 403; anyone else 404, as for units. (The
 * root unit is looked up only to confirm the district exists.)
 */
export async function authorizeBureauChange(
  ctx: Ctx,
  principal: Principal,
  districtId: string | null,
  resource: ResourceName,
): Promise<void> {
  const root = districtId === null ? undefined : await repo.findRoot(ctx.db, districtId);
  authorizeDistrictWide(principal, 'org.update', root ? root.districtId : null, resource, 'org.read');
}

/** Field-by-field differences, for audit details: `{ name: { old, new } }`. */
export function diff<T extends object>(
  before: Partial<T> | null,
  after: T,
  fields: readonly (keyof T & string)[],
) {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const f of fields) {
    const oldValue = before ? (before[f] ?? null) : null;
    const newValue = after[f] ?? null;
    if (oldValue !== newValue) changes[f] = { old: oldValue, new: newValue };
  }
  return changes;
}

export const unitFields = [
  'parentId',
  'kind',
  'name',
  'nameEn',
  'address',
  'schoolCode',
  'schoolType',
  'operatingTypeCode',
  'divisionCode',
  'gradeCode',
  'classNumber',
  'academicYearId',
  'status',
  'closedReason',
] as const satisfies readonly (keyof OrgUnitRow)[];

/** The version row and the audit event of one change to a unit, written in the change's transaction. */
export async function recordUnitChanges(
  ctx: Ctx,
  tx: Tx,
  changes: {
    row: OrgUnitRow;
    before: OrgUnitRow | null;
    change: 'create' | 'update' | 'move' | 'close' | 'reopen';
    extra?: Record<string, unknown>;
  }[],
): Promise<void> {
  if (changes.length === 0) return;
  const changedBy = ctx.principal?.userId ?? null;
  await repo.insertOrgUnitVersions(
    tx,
    changes.map(({ row, change }) => ({
      districtId: row.districtId,
      orgUnitId: row.id,
      version: row.version,
      change,
      data: versionData(row),
      changedBy,
    })),
  );
  await auditInTx(
    ctx,
    tx,
    ...changes.map(
      ({ row, before, change, extra }): RequestAuditEvent => ({
        districtId: row.districtId,
        action: `org.${change}`,
        targetType: 'orgUnit',
        targetId: row.id,
        details: { kind: row.kind, version: row.version, changes: diff(before, row, unitFields), ...extra },
      }),
    ),
  );
}

/**
 * Run one write in a savepoint, so that a unique violation (a name or code taken, perhaps by a
 * concurrent request) answers `taken` and leaves the caller's transaction usable.
 */
export async function writeUnique<T>(
  tx: Tx,
  write: (inner: Tx) => Promise<T>,
  taken: DomainError,
): Promise<T> {
  try {
    return await tx.transaction(write);
  } catch (error) {
    if (repo.uniqueViolation(error) !== null) throw taken;
    throw error;
  }
}
