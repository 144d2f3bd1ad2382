import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { accessPurposes } from './schema';

export type PurposeRow = typeof accessPurposes.$inferSelect;
export type NewPurposeRow = typeof accessPurposes.$inferInsert;

export async function insertPurpose(tx: Tx, row: NewPurposeRow): Promise<PurposeRow> {
  const [inserted] = await tx.insert(accessPurposes).values(row).returning();
  if (!inserted) throw new Error('insert returned no row');
  return inserted;
}

/** A purpose by id alone (routes name it so); the district comes from the row. */
export async function findPurpose(db: DbOrTx, id: string): Promise<PurposeRow | undefined> {
  const [row] = await db.select().from(accessPurposes).where(eq(accessPurposes.id, id));
  return row;
}

/**
 * Move a purpose on from `from` statuses; undefined when it is no longer in one of them (a
 * concurrent decision won). The window of a purpose that becomes active starts now, in the
 * database's clock, like every other validity check.
 */
export async function changePurposeStatus(
  tx: Tx,
  row: Pick<PurposeRow, 'districtId' | 'id'>,
  from: PurposeRow['status'][],
  change: { status: PurposeRow['status']; decidedBy?: string; decisionNote?: string | null },
): Promise<PurposeRow | undefined> {
  const now = sql`now()`;
  const [updated] = await tx
    .update(accessPurposes)
    .set({
      status: change.status,
      ...(change.decidedBy
        ? { decidedBy: change.decidedBy, decidedAt: now, decisionNote: change.decisionNote ?? null }
        : {}),
      ...(change.status === 'active'
        ? { validFrom: now, validUntil: sql`now() + make_interval(hours => ${accessPurposes.hours})` }
        : {}),
      ...(change.status === 'ended' ? { endedAt: now } : {}),
    })
    .where(
      and(
        eq(accessPurposes.districtId, row.districtId),
        eq(accessPurposes.id, row.id),
        inArray(accessPurposes.status, from),
      ),
    )
    .returning();
  return updated;
}

/** The user's own purposes, newest first. */
export async function listPurposesOf(db: DbOrTx, userId: string, limit: number): Promise<PurposeRow[]> {
  return db
    .select()
    .from(accessPurposes)
    .where(eq(accessPurposes.userId, userId))
    .orderBy(desc(accessPurposes.createdAt))
    .limit(limit);
}

/** Purposes awaiting approval in these districts ('all': anywhere), oldest first. */
export async function listPendingPurposes(db: DbOrTx, districtIds: 'all' | string[]): Promise<PurposeRow[]> {
  if (districtIds !== 'all' && districtIds.length === 0) return [];
  return db
    .select()
    .from(accessPurposes)
    .where(
      and(
        eq(accessPurposes.status, 'pending'),
        districtIds === 'all' ? undefined : inArray(accessPurposes.districtId, districtIds),
      ),
    )
    .orderBy(accessPurposes.createdAt)
    .limit(500);
}

/** The user's purpose `id` if it is active and inside its window, by the database's clock. */
export async function findPurposeInForce(
  db: DbOrTx,
  id: string,
  userId: string,
): Promise<PurposeRow | undefined> {
  const [row] = await db
    .select()
    .from(accessPurposes)
    .where(
      and(
        eq(accessPurposes.id, id),
        eq(accessPurposes.userId, userId),
        eq(accessPurposes.status, 'active'),
        sql`now() < ${accessPurposes.validUntil}`,
      ),
    );
  return row;
}
