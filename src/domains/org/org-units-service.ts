/**
 * Reading the organisation tree: a unit with its ancestors, its children, a search within the
 * caller's scope, and a unit's history. Creating units: org-tree-service.ts; changing them:
 * org-unit-update-service.ts and org-structure-service.ts.
 */
import { authorize, canEver, type Scope, scopeOf } from '../../access/policy';
import type { Principal } from '../../access/principal';
import { type Ctx, requirePrincipal } from '../../context';
import type { DbOrTx } from '../../db/client';
import { forbidden } from '../../errors';
import { type OrgUnitDetailView, presentOrgUnit, presentOrgUnitDetail, presentVersion } from './presenter';
import type { OrgUnitPlace, OrgUnitRow } from './repository';
import * as repo from './repository';
import { visibleTo } from './service-common';

function pageOf(page: number, pageSize: number): repo.Page {
  return { limit: pageSize, offset: (page - 1) * pageSize };
}

/** A unit the caller may read (404 outside its scope). */
async function readableUnit(ctx: Ctx, principal: Principal, id: string): Promise<OrgUnitRow> {
  const row = await repo.findOrgUnit(ctx.db, id);
  authorize(principal, 'org.read', row ?? null, 'orgUnit');
  return row as OrgUnitRow;
}

function unitPage(principal: Principal, found: { rows: OrgUnitRow[]; total: number }, filter: ListFilter) {
  const visible = visibleTo(principal);
  return {
    items: found.rows.map((r) => presentOrgUnit(r, visible)),
    total: found.total,
    page: filter.page,
    pageSize: filter.pageSize,
  };
}

export async function getOrgUnit(ctx: Ctx, id: string): Promise<OrgUnitDetailView> {
  const principal = requirePrincipal(ctx);
  const unit = await readableUnit(ctx, principal, id);
  const ancestorIds = unit.path.split('/').filter((x) => x && x !== unit.id);
  const [ancestors, counts] = await Promise.all([
    repo.findOrgUnits(ctx.db, unit.districtId, ancestorIds),
    repo.childCounts(ctx.db, unit.districtId, unit.id),
  ]);
  return presentOrgUnitDetail(unit, ancestors, counts, visibleTo(principal));
}

export interface ListFilter {
  kind?: OrgUnitRow['kind'];
  schoolType?: string;
  status: 'active' | 'closed' | 'all';
  q?: string;
  page: number;
  pageSize: number;
}

export async function listChildren(ctx: Ctx, id: string, filter: ListFilter) {
  const principal = requirePrincipal(ctx);
  const unit = await readableUnit(ctx, principal, id);
  const page = pageOf(filter.page, filter.pageSize);
  return unitPage(principal, await repo.listChildren(ctx.db, unit.districtId, unit.id, filter, page), filter);
}

/** Units in the caller's read scope; `q` matches the name (either language) or a school code prefix. */
export async function searchOrgUnits(ctx: Ctx, filter: ListFilter & { districtId?: string }) {
  const principal = requirePrincipal(ctx);
  if (!canEver(principal, 'org.read')) throw forbidden();
  const page = pageOf(filter.page, filter.pageSize);
  return unitPage(
    principal,
    await repo.searchOrgUnits(ctx.db, scopeOf(principal, 'org.read'), filter, page),
    filter,
  );
}

export async function getOrgUnitHistory(ctx: Ctx, id: string) {
  const principal = requirePrincipal(ctx);
  const unit = await readableUnit(ctx, principal, id);
  const visible = visibleTo(principal);
  return (await repo.listVersions(ctx.db, unit.districtId, unit.id)).map((v) => presentVersion(v, visible));
}

// ---------------------------------------------------------------------------------------------
// Reads for other domains (grants name units), without a policy check: the caller decides.

export type { OrgUnitPlace };

export async function orgUnitPlace(db: DbOrTx, id: string): Promise<OrgUnitPlace | undefined> {
  const [place] = await repo.findPlaces(db, [id]);
  return place;
}

/** Places of many units in one query (ids are unique across districts). */
export function orgUnitPlaces(db: DbOrTx, ids: string[]): Promise<OrgUnitPlace[]> {
  return repo.findPlaces(db, [...new Set(ids)]);
}

/** Every unit (open or closed) inside the scopes: for filtering other domains' rows by place. */
export function orgUnitIdsWithin(db: DbOrTx, scopes: Scope[]): Promise<{ districtId: string; id: string }[]> {
  return repo.idsWithin(db, scopes);
}
