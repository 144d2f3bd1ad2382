/**
 * Changing the shape of the tree: moving a unit with its subtree, closing (never deleting) and
 * reopening. Each takes the district's tree lock exclusively, so no unit is created under a unit
 * being moved or closed.
 */
import { authorize } from '../../access/policy';
import type { Principal } from '../../access/principal';
import type { Action } from '../../access/roles';
import { type Ctx, inTransaction, requirePrincipal } from '../../context';
import type { Tx } from '../../db/client';
import { conflict, fieldError, invalid, notFound } from '../../errors';
import { assertRoomUnder, schoolInfoOf, subtreeUnits } from './org-unit-checks';
import { type OrgUnitView, presentOrgUnit } from './presenter';
import type { OrgUnitRow } from './repository';
import * as repo from './repository';
import {
  canNest,
  childPath,
  isInSubtree,
  nestingError,
  schoolTypeConflictError,
  subtreeFitsSchool,
} from './rules';
import { recordUnitChanges, visibleTo } from './service-common';

/**
 * Lock the district's tree exclusively and re-read the unit under it, re-checking access on the
 * fresh row (a concurrent move may have changed its place).
 */
async function lockForStructureChange(
  tx: Tx,
  principal: Principal,
  id: string,
  action: Action,
  version: number | undefined,
): Promise<OrgUnitRow> {
  const found = await repo.findOrgUnit(tx, id);
  authorize(principal, action, found ?? null, 'orgUnit');
  const unit = found as OrgUnitRow;
  await repo.lockTree(tx, unit.districtId, 'exclusive');
  const current = await repo.lockOrgUnit(tx, unit.districtId, unit.id);
  authorize(principal, action, current ?? null, 'orgUnit');
  const row = current as OrgUnitRow;
  if (row.kind === 'districtBureau') throw conflict('org.root_immutable');
  if (version !== undefined && row.version !== version) throw conflict('org.version_conflict');
  return row;
}

/**
 * Move a unit (and its subtree) under another parent of the same district. Policy: 'org.move' on
 * the unit and on the new parent. All paths below are rewritten in the same transaction.
 */
export async function moveOrgUnit(
  ctx: Ctx,
  id: string,
  input: { newParentId: string; version?: number },
): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const moved = await inTransaction(ctx, async (tx) => {
    const unit = await lockForStructureChange(tx, principal, id, 'org.move', input.version);
    if (unit.status === 'closed') throw conflict('org.already_closed');
    const target = await repo.findOrgUnit(tx, input.newParentId);
    authorize(principal, 'org.move', target ?? null, 'orgUnit');
    const parent = target as OrgUnitRow;
    const field = 'body.newParentId';
    if (parent.districtId !== unit.districtId)
      throw invalid([fieldError(field, 'org.move_across_districts')]);
    if (isInSubtree(parent.path, unit.path)) throw invalid([fieldError(field, 'org.move_into_own_subtree')]);
    if (parent.status !== 'active') throw invalid([fieldError(field, 'org.closed_parent')]);
    if (parent.id === unit.parentId) return unit;

    const school = await schoolInfoOf(tx, parent);
    if (!canNest(unit.kind, parent.kind, school))
      throw invalid([nestingError(field, unit.kind, parent.kind)]);
    if (unit.kind === 'class' && parent.kind === 'grade' && unit.gradeCode !== parent.gradeCode) {
      throw invalid([
        fieldError(field, 'org.grade_code_mismatch', {
          gradeCode: unit.gradeCode ?? '',
          parentGradeCode: parent.gradeCode ?? '',
        }),
      ]);
    }
    const rows = await repo.subtree(tx, unit.districtId, unit.path);
    if (school && unit.kind !== 'school') {
      const units = subtreeUnits(rows, { id: unit.id, kind: parent.kind });
      if (!subtreeFitsSchool(units, school))
        throw invalid([schoolTypeConflictError(field, school.schoolType)]);
    }
    await assertRoomUnder(tx, unit, parent.id);

    const newPath = childPath(parent.path, unit.id);
    const row = await repo.updateOrgUnit(tx, unit.districtId, unit.id, {
      parentId: parent.id,
      path: newPath,
    });
    if (!row) throw notFound('orgUnit');
    const descendants = await repo.rewriteDescendantPaths(tx, unit.districtId, unit.path, newPath);
    await recordUnitChanges(ctx, tx, [
      { row, before: unit, change: 'move', extra: { descendantsMoved: descendants } },
    ]);
    return row;
  });
  return presentOrgUnit(moved, visibleTo(principal));
}

/**
 * Close a unit (never deleted). Refuses while active children remain, unless `cascade`, which
 * closes the whole active subtree with the same reason; each closed unit gets its version row and
 * audit event.
 */
export async function closeOrgUnit(
  ctx: Ctx,
  id: string,
  input: { reason: string; cascade?: boolean; version?: number },
): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const reason = input.reason.trim();
  const closed = await inTransaction(ctx, async (tx) => {
    const unit = await lockForStructureChange(tx, principal, id, 'org.close', input.version);
    if (unit.status === 'closed') throw conflict('org.already_closed');
    const rows = await repo.subtree(tx, unit.districtId, unit.path);
    const activeBelow = rows.filter((r) => r.id !== unit.id && r.status === 'active');
    const activeChildren = activeBelow.filter((r) => r.parentId === unit.id).length;
    if (activeChildren > 0 && !input.cascade)
      throw conflict('org.has_active_children', { count: activeChildren });

    const closing = [unit, ...activeBelow];
    const closedRows = await repo.closeOrgUnits(
      tx,
      unit.districtId,
      closing.map((r) => r.id),
      reason,
    );
    const before = new Map(closing.map((r) => [r.id, r]));
    const changes = closedRows.map((row) => ({
      row,
      before: before.get(row.id) ?? null,
      change: 'close' as const,
      extra: { reason, ...(row.id === unit.id ? {} : { cascadeFrom: unit.id }) },
    }));
    const self = closedRows.find((r) => r.id === unit.id);
    await recordUnitChanges(ctx, tx, changes);
    if (!self) throw notFound('orgUnit');
    return self;
  });
  return presentOrgUnit(closed, visibleTo(principal));
}

/** Reopen one closed unit (its subtree stays closed): its parent must be open and have room for it. */
export async function reopenOrgUnit(ctx: Ctx, id: string, input: { version?: number }): Promise<OrgUnitView> {
  const principal = requirePrincipal(ctx);
  const reopened = await inTransaction(ctx, async (tx) => {
    const unit = await lockForStructureChange(tx, principal, id, 'org.close', input.version);
    if (unit.status !== 'closed') throw conflict('org.not_closed');
    const parent = unit.parentId ? await repo.findOrgUnit(tx, unit.parentId) : undefined;
    if (parent?.status !== 'active') throw conflict('org.closed_parent');
    const school = await schoolInfoOf(tx, parent);
    if (school && (unit.kind === 'grade' || unit.kind === 'class')) {
      const units = subtreeUnits([unit], { id: unit.id, kind: parent.kind });
      if (!subtreeFitsSchool(units, school))
        throw invalid([schoolTypeConflictError('id', school.schoolType)]);
    }
    await assertRoomUnder(tx, unit, parent.id);
    const row = await repo.updateOrgUnit(tx, unit.districtId, unit.id, {
      status: 'active',
      closedAt: null,
      closedReason: null,
    });
    if (!row) throw notFound('orgUnit');
    await recordUnitChanges(ctx, tx, [{ row, before: unit, change: 'reopen' }]);
    return row;
  });
  return presentOrgUnit(reopened, visibleTo(principal));
}
