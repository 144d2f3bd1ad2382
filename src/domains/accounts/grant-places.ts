import type { UserPlacement } from '../../access/policy';
import type { DbOrTx } from '../../db/client';
import { cityBureauNames, districtRoot } from '../org/districts-service';
import { type OrgUnitPlace, orgUnitPlaces } from '../org/org-units-service';
import * as repo from './repository';

/**
 * Grants name organisation units and city bureaus, which belong to the org domain: their names,
 * kinds and places in the tree are read here through the org services, a batch at a time.
 */

/** A grant with its unit's name, kind and place, as the API shows it and the policy checks it. */
export interface GrantRow extends repo.GrantRecord {
  orgUnitName: string;
  orgUnitKind: OrgUnitPlace['kind'];
  orgUnitPath: string;
}

/** A city grant with its city bureau's name. */
export interface CityGrantRow extends repo.CityGrantRecord {
  cityBureauName: string;
}

export const grantOn = (grant: repo.GrantRecord, unit: OrgUnitPlace): GrantRow => ({
  ...grant,
  orgUnitName: unit.name,
  orgUnitKind: unit.kind,
  orgUnitPath: unit.path,
});

/** The grants with their units, in the same order; `activeUnitsOnly` leaves out grants on closed units. */
export async function withUnits(
  db: DbOrTx,
  grants: repo.GrantRecord[],
  options: { activeUnitsOnly?: boolean } = {},
): Promise<GrantRow[]> {
  const places = new Map(
    (
      await orgUnitPlaces(
        db,
        grants.map((g) => g.orgUnitId),
      )
    ).map((p) => [p.id, p]),
  );
  return grants.flatMap((g) => {
    const unit = places.get(g.orgUnitId);
    if (!unit || (options.activeUnitsOnly && unit.status !== 'active')) return [];
    return [grantOn(g, unit)];
  });
}

export async function withUnit(db: DbOrTx, grant: repo.GrantRecord): Promise<GrantRow> {
  const [row] = await withUnits(db, [grant]);
  if (!row) throw new Error(`unit of grant ${grant.id} not found`);
  return row;
}

/** The city grants with their bureaus' names, in the same order. */
export async function withBureaus(db: DbOrTx, grants: repo.CityGrantRecord[]): Promise<CityGrantRow[]> {
  const names = await cityBureauNames(
    db,
    grants.map((g) => g.cityBureauId),
  );
  return grants.flatMap((g) => {
    const name = names.get(g.cityBureauId);
    return name === undefined ? [] : [{ ...g, cityBureauName: name }];
  });
}

export async function withBureau(db: DbOrTx, grant: repo.CityGrantRecord): Promise<CityGrantRow> {
  const [row] = await withBureaus(db, [grant]);
  if (!row) throw new Error(`city bureau of city grant ${grant.id} not found`);
  return row;
}

/** Where a user sits in the tree (its grants that have not ended, its home district), for the policy. */
export async function placementOf(db: DbOrTx, user: repo.UserRow): Promise<UserPlacement> {
  const [grantUnits, cityGrantCount, root] = await Promise.all([
    repo.currentGrantUnits(db, user.id),
    repo.currentCityGrantCount(db, user.id),
    user.homeDistrictId ? districtRoot(db, user.homeDistrictId) : Promise.resolve(undefined),
  ]);
  const places = new Map(
    (
      await orgUnitPlaces(
        db,
        grantUnits.map((g) => g.orgUnitId),
      )
    ).map((p) => [p.id, p]),
  );
  return {
    userId: user.id,
    isPlatformAdmin: user.isPlatformAdmin,
    grantPlaces: grantUnits.flatMap((g) => {
      const place = places.get(g.orgUnitId);
      return place ? [{ districtId: place.districtId, path: place.path }] : [];
    }),
    cityGrantCount,
    homeRoot: root ? { districtId: root.districtId, path: root.path } : null,
  };
}
