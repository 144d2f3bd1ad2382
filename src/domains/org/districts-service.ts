/**
 * City bureaus and districts (the tenants): create, list, read. `createCityBureauInTx` and
 * `createDistrictWithRoot` are the system variants (demo generator, CLI) that run in the caller's
 * transaction without a policy check.
 */
import { randomUUID } from 'node:crypto';
import { authorizeCity, authorizeInDistrict, cityScopeOf, districtsOf } from '../../access/policy';
import { auditInTx, type Ctx, inTransaction, requirePrincipal } from '../../context';
import type { DbOrTx, Tx } from '../../db/client';
import { conflict, type FieldError, fieldError, invalid, notFound, throwIfAny } from '../../errors';
import { divisionLevel, isWithin } from '../../standards/divisions';
import { PLATFORM_DISTRICT_ID } from '../audit/log';
import { type DistrictView, presentCityBureau, presentDistrict } from './presenter';
import * as repo from './repository';
import { childPath } from './rules';
import { diff, recordUnitChanges, visibleTo, writeUnique } from './service-common';

// ---------------------------------------------------------------------------------------------
// City bureaus

export async function createCityBureau(ctx: Ctx, input: { divisionCode: string; name: string }) {
  const principal = requirePrincipal(ctx);
  authorizeCity(principal, 'district.create', null);
  return presentCityBureau(await inTransaction(ctx, (tx) => createCityBureauInTx(ctx, tx, input)));
}

/** System use (demo generator): create a city bureau in the caller's transaction, without a policy check. */
export async function createCityBureauInTx(ctx: Ctx, tx: Tx, input: { divisionCode: string; name: string }) {
  const level = divisionLevel(input.divisionCode);
  if (!level)
    throw invalid([
      fieldError('body.divisionCode', 'org.division_invalid', { divisionCode: input.divisionCode }),
    ]);
  if (level === 'area') {
    throw invalid([
      fieldError('body.divisionCode', 'cityBureau.division_not_city', { divisionCode: input.divisionCode }),
    ]);
  }
  const created = await writeUnique(
    tx,
    (inner) => repo.insertCityBureau(inner, input),
    conflict('cityBureau.division_code_taken', { divisionCode: input.divisionCode }),
  );
  await auditInTx(ctx, tx, {
    districtId: PLATFORM_DISTRICT_ID,
    action: 'cityBureau.create',
    targetType: 'cityBureau',
    targetId: created.id,
    details: { changes: diff(null, created, ['divisionCode', 'name']) },
  });
  return created;
}

/** City bureaus the caller works for or whose districts it can read. */
export async function listCityBureaus(ctx: Ctx) {
  const principal = requirePrincipal(ctx);
  const cities = cityScopeOf(principal, 'org.read');
  const districtIds = districtsOf(principal, 'org.read');
  let ids: 'all' | string[] = 'all';
  if (cities !== 'all' && districtIds !== 'all') {
    const districts = await repo.listDistricts(ctx.db, districtIds);
    ids = [...new Set([...cities, ...districts.flatMap((d) => (d.cityBureauId ? [d.cityBureauId] : []))])];
  }
  return (await repo.listCityBureaus(ctx.db, ids)).map(presentCityBureau);
}

// ---------------------------------------------------------------------------------------------
// Districts

export interface CreateDistrictInput {
  divisionCode: string;
  /** The bureau's name, also the root unit's: '东城区教育委员会'. */
  name: string;
  cityBureauId?: string | null;
  /** Pre-generated ids (optional), e.g. for deterministic demo data. */
  id?: string;
  rootId?: string;
}

/** Platform administrators, or the admin of the city bureau the district belongs to. */
export async function createDistrict(ctx: Ctx, input: CreateDistrictInput): Promise<DistrictView> {
  const principal = requirePrincipal(ctx);
  authorizeCity(principal, 'district.create', input.cityBureauId ?? null);
  const created = await inTransaction(ctx, (tx) => createDistrictWithRoot(ctx, tx, input));
  // The principal was loaded before the district existed; creating it is what grants the view.
  return presentDistrict(created, () => true);
}

export async function listDistricts(ctx: Ctx): Promise<DistrictView[]> {
  const principal = requirePrincipal(ctx);
  const rows = await repo.listDistricts(ctx.db, districtsOf(principal, 'org.read'));
  const visible = visibleTo(principal);
  return rows.map((r) => presentDistrict(r, visible));
}

export async function getDistrict(ctx: Ctx, id: string): Promise<DistrictView> {
  const principal = requirePrincipal(ctx);
  authorizeInDistrict(principal, 'org.read', id, 'district');
  const row = await repo.findDistrict(ctx.db, id);
  if (!row) throw notFound('district');
  return presentDistrict(row, visibleTo(principal));
}

/**
 * System use (demo generator, `mingde` CLI): create a district and its district-bureau root unit
 * in the caller's transaction, without a policy check. Validates the GB/T 2260 code (and that it
 * lies in the city bureau's division); audits 'district.create' and 'org.create' in the new
 * district's chain. Returns the district with `rootId`.
 */
export async function createDistrictWithRoot(
  ctx: Ctx,
  tx: Tx,
  input: CreateDistrictInput,
): Promise<repo.DistrictWithRoot & { rootId: string; rootPath: string }> {
  const name = input.name.trim();
  const level = divisionLevel(input.divisionCode);
  const errors: FieldError[] = [];
  if (name.length < 1 || name.length > 100) errors.push(fieldError('body.name', 'org.name_invalid'));
  if (!level)
    errors.push(
      fieldError('body.divisionCode', 'org.division_invalid', { divisionCode: input.divisionCode }),
    );
  if (level === 'province') {
    errors.push(
      fieldError('body.divisionCode', 'district.division_not_district', { divisionCode: input.divisionCode }),
    );
  }
  if (input.cityBureauId) {
    const city = await repo.findCityBureau(tx, input.cityBureauId);
    if (!city) throw notFound('cityBureau');
    if (level && !isWithin(input.divisionCode, city.divisionCode)) {
      errors.push(
        fieldError('body.divisionCode', 'district.division_outside_city', {
          divisionCode: input.divisionCode,
          city: city.name,
        }),
      );
    }
  }
  throwIfAny(errors);

  const districtId = input.id ?? randomUUID();
  const district = await writeUnique(
    tx,
    (inner) =>
      repo.insertDistrict(inner, {
        id: districtId,
        divisionCode: input.divisionCode,
        name,
        cityBureauId: input.cityBureauId ?? null,
      }),
    conflict('district.division_code_taken', { divisionCode: input.divisionCode }),
  );
  const rootId = input.rootId ?? randomUUID();
  const [root] = await repo.insertOrgUnits(tx, [
    {
      districtId,
      id: rootId,
      parentId: null,
      path: childPath('/', rootId),
      kind: 'districtBureau',
      name,
      divisionCode: input.divisionCode,
    },
  ]);
  if (!root) throw new Error('root insert returned nothing');
  await auditInTx(ctx, tx, {
    districtId,
    action: 'district.create',
    targetType: 'district',
    targetId: districtId,
    details: { changes: diff(null, district, ['name', 'divisionCode', 'cityBureauId']) },
  });
  await recordUnitChanges(ctx, tx, [{ row: root, before: null, change: 'create' }]);
  return { ...district, rootId: root.id, rootPath: root.path };
}

/** System use (start-up): whether any district exists yet, i.e. whether the database is still empty. */
export async function hasAnyDistrict(db: DbOrTx): Promise<boolean> {
  return (await repo.listDistricts(db, 'all')).length > 0;
}

// ---------------------------------------------------------------------------------------------
// Reads for other domains (users' home districts, city grants), without a policy check.

/** The root unit of an open district: it stands for the district in the tree. */
export function districtRoot(db: DbOrTx, districtId: string): Promise<repo.OrgUnitPlace | undefined> {
  return repo.findOpenDistrictRoot(db, districtId);
}

/** An open city bureau. */
export async function cityBureauById(
  db: DbOrTx,
  id: string,
): Promise<{ id: string; name: string } | undefined> {
  const row = await repo.findCityBureau(db, id);
  return row && row.closedAt === null ? { id: row.id, name: row.name } : undefined;
}

/** City bureaus' names by id, in one query. */
export async function cityBureauNames(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
  const rows = await repo.listCityBureaus(db, [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, r.name]));
}
