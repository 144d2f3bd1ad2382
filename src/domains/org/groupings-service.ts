/**
 * School groupings (学区 / 联盟 / 集团): bureau-level sets of schools of one district. Anyone who
 * reads in the district sees them; changing them needs 'org.update' over the whole district.
 * `createGroupingInTx` is the system variant (demo generator) without a policy check.
 */
import { authorizeInDistrict, canEver, districtsOf } from '../../access/policy';
import type { Principal } from '../../access/principal';
import { auditInTx, type Ctx, inTransaction, requirePrincipal } from '../../context';
import type { DbOrTx, Tx } from '../../db/client';
import {
  conflict,
  DomainError,
  type FieldError,
  fieldError,
  forbidden,
  invalid,
  throwIfAny,
} from '../../errors';
import { type GroupingView, presentGrouping } from './presenter';
import * as repo from './repository';
import { authorizeBureauChange, diff, visibleTo, writeUnique } from './service-common';

export interface CreateGroupingInput {
  districtId: string;
  kind: repo.GroupingRow['kind'];
  name: string;
  leadSchoolId?: string | null;
  schoolIds?: string[];
}

/** Active schools of the district among `ids`. */
async function activeSchoolIds(db: DbOrTx, districtId: string, ids: string[]): Promise<Set<string>> {
  const rows = await repo.findOrgUnits(db, districtId, ids);
  return new Set(rows.filter((r) => r.kind === 'school' && r.status === 'active').map((r) => r.id));
}

export async function createGrouping(ctx: Ctx, input: CreateGroupingInput): Promise<GroupingView> {
  const principal = requirePrincipal(ctx);
  await authorizeBureauChange(ctx, principal, input.districtId, 'district');
  const id = await inTransaction(ctx, async (tx) => (await createGroupingInTx(ctx, tx, input)).id);
  return getGrouping(ctx, id);
}

/** System use: create a grouping with its members in the caller's transaction, without a policy check. */
export async function createGroupingInTx(
  ctx: Ctx,
  tx: Tx,
  input: CreateGroupingInput,
): Promise<repo.GroupingRow> {
  const name = input.name.trim();
  const members = [
    ...new Set([...(input.leadSchoolId ? [input.leadSchoolId] : []), ...(input.schoolIds ?? [])]),
  ];
  const schools = await activeSchoolIds(tx, input.districtId, members);
  const errors: FieldError[] = [];
  if (input.leadSchoolId && !schools.has(input.leadSchoolId)) {
    errors.push(fieldError('body.leadSchoolId', 'org.grouping_member_not_school'));
  }
  (input.schoolIds ?? []).forEach((s, i) => {
    if (!schools.has(s)) errors.push(fieldError(`body.schoolIds.${i}`, 'org.grouping_member_not_school'));
  });
  throwIfAny(errors);
  const grouping = await writeUnique(
    tx,
    (inner) =>
      repo.insertGrouping(inner, {
        districtId: input.districtId,
        kind: input.kind,
        name,
        leadSchoolId: input.leadSchoolId ?? null,
      }),
    conflict('org.grouping_name_taken', { name }),
  );
  await repo.insertGroupingMembers(tx, input.districtId, grouping.id, members);
  await auditInTx(ctx, tx, {
    districtId: input.districtId,
    action: 'grouping.create',
    targetType: 'grouping',
    targetId: grouping.id,
    details: { changes: diff(null, grouping, ['kind', 'name', 'leadSchoolId']), schoolIds: members },
  });
  return grouping;
}

export async function listGroupings(
  ctx: Ctx,
  filter: { districtId?: string; kind?: repo.GroupingRow['kind']; includeClosed?: boolean },
): Promise<GroupingView[]> {
  const principal = requirePrincipal(ctx);
  if (!canEver(principal, 'org.read')) throw forbidden();
  // A district named outside the caller's: 404, as for any id out of scope.
  if (filter.districtId) authorizeInDistrict(principal, 'org.read', filter.districtId, 'district');
  const rows = await repo.listGroupings(ctx.db, districtsOf(principal, 'org.read'), {
    ...filter,
    includeClosed: filter.includeClosed ?? false,
  });
  const visible = visibleTo(principal);
  const byDistrict = new Map<string, string[]>();
  for (const r of rows) byDistrict.set(r.districtId, [...(byDistrict.get(r.districtId) ?? []), r.id]);
  const members = (
    await Promise.all(
      [...byDistrict].map(([districtId, ids]) => repo.groupingMembers(ctx.db, districtId, ids)),
    )
  ).flat();
  return rows.map((r) => presentGrouping(r, members, visible));
}

async function readableGrouping(ctx: Ctx, principal: Principal, id: string): Promise<repo.GroupingRow> {
  const grouping = await repo.findGrouping(ctx.db, id);
  authorizeInDistrict(principal, 'org.read', grouping?.districtId ?? null, 'grouping');
  return grouping as repo.GroupingRow;
}

export async function getGrouping(ctx: Ctx, id: string): Promise<GroupingView> {
  const principal = requirePrincipal(ctx);
  const grouping = await readableGrouping(ctx, principal, id);
  const members = await repo.groupingMembers(ctx.db, grouping.districtId, [grouping.id]);
  return presentGrouping(grouping, members, visibleTo(principal));
}

async function writableGrouping(ctx: Ctx, principal: Principal, id: string): Promise<repo.GroupingRow> {
  const grouping = await repo.findGrouping(ctx.db, id);
  await authorizeBureauChange(ctx, principal, grouping?.districtId ?? null, 'grouping');
  const row = grouping as repo.GroupingRow;
  if (row.closedAt) throw conflict('org.grouping_closed');
  return row;
}

/** Change a grouping the caller may change: `change` does it and returns the audit details. */
async function changeGrouping(
  ctx: Ctx,
  id: string,
  action: string,
  change: (tx: Tx, grouping: repo.GroupingRow) => Promise<Record<string, unknown>>,
): Promise<GroupingView> {
  const principal = requirePrincipal(ctx);
  const grouping = await writableGrouping(ctx, principal, id);
  await inTransaction(ctx, async (tx) => {
    const details = await change(tx, grouping);
    await auditInTx(ctx, tx, {
      districtId: grouping.districtId,
      action,
      targetType: 'grouping',
      targetId: grouping.id,
      details,
    });
  });
  return getGrouping(ctx, id);
}

export function addGroupingMember(ctx: Ctx, id: string, schoolId: string): Promise<GroupingView> {
  return changeGrouping(ctx, id, 'grouping.addMember', async (tx, grouping) => {
    const schools = await activeSchoolIds(tx, grouping.districtId, [schoolId]);
    if (!schools.has(schoolId))
      throw invalid([fieldError('body.schoolId', 'org.grouping_member_not_school')]);
    const added = await repo.insertGroupingMembers(tx, grouping.districtId, grouping.id, [schoolId]);
    if (added.length === 0) throw conflict('org.grouping_member_exists');
    return { schoolId };
  });
}

export function removeGroupingMember(ctx: Ctx, id: string, schoolId: string): Promise<GroupingView> {
  return changeGrouping(ctx, id, 'grouping.removeMember', async (tx, grouping) => {
    const removed = await repo.deleteGroupingMember(tx, grouping.districtId, grouping.id, schoolId);
    if (!removed) throw new DomainError(404, 'org.grouping_member_missing');
    return { schoolId };
  });
}

export function closeGrouping(ctx: Ctx, id: string): Promise<GroupingView> {
  return changeGrouping(ctx, id, 'grouping.close', async (tx, grouping) => {
    const row = await repo.closeGrouping(tx, grouping.districtId, grouping.id);
    if (!row) throw conflict('org.grouping_closed');
    return { changes: { closedAt: { old: null, new: row.closedAt?.toISOString() ?? null } } };
  });
}
