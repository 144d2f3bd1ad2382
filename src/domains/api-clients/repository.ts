import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { orgUnits } from '../org/schema';
import { apiClients } from './schema';

export type ApiClientRow = typeof apiClients.$inferSelect;
export type NewApiClientRow = typeof apiClients.$inferInsert;

export async function insertClient(tx: Tx, row: NewApiClientRow): Promise<ApiClientRow> {
  const [inserted] = await tx.insert(apiClients).values(row).returning();
  if (!inserted) throw new Error('insert returned no row');
  return inserted;
}

/** A client by id alone (routes and tokens name it so); the district comes from the row. */
export async function findClient(db: DbOrTx, id: string): Promise<ApiClientRow | undefined> {
  const [row] = await db.select().from(apiClients).where(eq(apiClients.id, id));
  return row;
}

export async function listClients(db: DbOrTx, districtIds: 'all' | string[]): Promise<ApiClientRow[]> {
  if (districtIds !== 'all' && districtIds.length === 0) return [];
  return db
    .select()
    .from(apiClients)
    .where(districtIds === 'all' ? undefined : inArray(apiClients.districtId, districtIds))
    .orderBy(asc(apiClients.districtId), asc(apiClients.name));
}

export async function updateClient(
  tx: Tx,
  row: Pick<ApiClientRow, 'districtId' | 'id'>,
  set: Partial<Omit<NewApiClientRow, 'districtId' | 'id'>> & { bumpSecretVersion?: boolean },
): Promise<ApiClientRow | undefined> {
  const { bumpSecretVersion, ...values } = set;
  const [updated] = await tx
    .update(apiClients)
    .set({
      ...values,
      ...(bumpSecretVersion ? { secretVersion: sql`${apiClients.secretVersion} + 1` } : {}),
      updatedAt: sql`now()`,
    })
    .where(and(eq(apiClients.districtId, row.districtId), eq(apiClients.id, row.id)))
    .returning();
  return updated;
}

/** Active units of a district among `ids`, with their paths. */
export async function activeUnits(
  db: DbOrTx,
  districtId: string,
  ids: string[],
): Promise<{ id: string; path: string; districtId: string }[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: orgUnits.id, path: orgUnits.path, districtId: orgUnits.districtId })
    .from(orgUnits)
    .where(
      and(eq(orgUnits.districtId, districtId), inArray(orgUnits.id, ids), eq(orgUnits.status, 'active')),
    );
}

/** What a request by a client needs: the client if enabled, and the paths of its units. */
export async function loadEnabledClient(
  db: DbOrTx,
  id: string,
): Promise<{ client: ApiClientRow; units: { id: string; path: string }[] } | undefined> {
  const [client] = await db
    .select()
    .from(apiClients)
    .where(and(eq(apiClients.id, id), isNull(apiClients.disabledAt)));
  if (!client) return undefined;
  return { client, units: await activeUnits(db, client.districtId, client.orgUnitIds) };
}
