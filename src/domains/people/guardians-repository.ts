/**
 * The only code that touches guardian relations and activation codes. List queries take the
 * caller's PersonScope and filter with visibility-sql; "system" reads say so.
 */
import { and, asc, desc, eq, gt, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { PersonScope } from '../../access/person-scope';
import type { DbOrTx, Tx } from '../../db/client';
import { currentPlaceJoins } from './current-place-sql';
import { guardianActivationCodes, guardianRelations, persons } from './schema';
import { personVisibleSql } from './visibility-sql';

export type GuardianRelationRow = typeof guardianRelations.$inferSelect;

const activeRelation = or(isNull(guardianRelations.endedAt), gt(guardianRelations.endedAt, sql`now()`));

/** System read: a person the caller was already authorised to deal with (for the response). */
export async function personById(db: DbOrTx, districtId: string, id: string) {
  const [row] = await db
    .select()
    .from(persons)
    .where(and(eq(persons.districtId, districtId), eq(persons.id, id)));
  if (!row) throw new Error('person of a guardian relation is missing');
  return row;
}

export async function findRelation(db: DbOrTx, id: string): Promise<GuardianRelationRow | undefined> {
  const [row] = await db.select().from(guardianRelations).where(eq(guardianRelations.id, id));
  return row;
}

/** The active relation between this guardian and child, if any. */
export async function findActiveRelation(
  db: DbOrTx,
  v: { districtId: string; guardianPersonId: string; childPersonId: string },
): Promise<GuardianRelationRow | undefined> {
  const [row] = await db
    .select()
    .from(guardianRelations)
    .where(
      and(
        eq(guardianRelations.districtId, v.districtId),
        eq(guardianRelations.guardianPersonId, v.guardianPersonId),
        eq(guardianRelations.childPersonId, v.childPersonId),
        activeRelation,
      ),
    )
    .limit(1);
  return row;
}

export async function insertRelation(
  tx: Tx,
  values: typeof guardianRelations.$inferInsert,
): Promise<GuardianRelationRow> {
  const [row] = await tx.insert(guardianRelations).values(values).returning();
  if (!row) throw new Error('guardian relation insert returned nothing');
  return row;
}

/** A child has one primary guardian: the others stop being primary. */
export async function clearPrimary(tx: Tx, districtId: string, childPersonId: string): Promise<void> {
  await tx
    .update(guardianRelations)
    .set({ isPrimary: false })
    .where(
      and(
        eq(guardianRelations.districtId, districtId),
        eq(guardianRelations.childPersonId, childPersonId),
        eq(guardianRelations.isPrimary, true),
        activeRelation,
      ),
    );
}

export async function endRelation(tx: Tx, districtId: string, id: string): Promise<GuardianRelationRow> {
  const [row] = await tx
    .update(guardianRelations)
    .set({ endedAt: sql`now()` })
    .where(and(eq(guardianRelations.districtId, districtId), eq(guardianRelations.id, id)))
    .returning();
  if (!row) throw new Error('guardian relation update returned nothing');
  return row;
}

/**
 * System read: the child's guardians (active or not) without an ID number, with the encrypted
 * phone — to find a guardian registered again without an ID number (same name and phone).
 */
export async function guardiansWithoutIdOf(tx: Tx, districtId: string, childPersonId: string) {
  return tx
    .select({ personId: persons.id, name: persons.name, phoneEnc: persons.phoneEnc })
    .from(guardianRelations)
    .innerJoin(
      persons,
      and(
        eq(persons.districtId, guardianRelations.districtId),
        eq(persons.id, guardianRelations.guardianPersonId),
      ),
    )
    .where(
      and(
        eq(guardianRelations.districtId, districtId),
        eq(guardianRelations.childPersonId, childPersonId),
        isNull(persons.idHash),
      ),
    );
}

export interface GuardianListRow extends Record<string, unknown> {
  relationId: string;
  personId: string;
  name: string;
  idType: string | null;
  idMasked: string | null;
  phoneMasked: string | null;
  relationCode: string;
  isPrimary: boolean;
  startedAt: Date;
  endedAt: Date | null;
  hasAccount: boolean;
}

/** The child's guardians (active ones unless `includeEnded`) that are visible under `scope`. */
export async function listGuardiansOf(
  db: DbOrTx,
  v: { districtId: string; childPersonId: string; includeEnded: boolean; scope: PersonScope },
): Promise<GuardianListRow[]> {
  return db
    .select({
      relationId: guardianRelations.id,
      personId: persons.id,
      name: persons.name,
      idType: persons.idType,
      idMasked: persons.idMasked,
      phoneMasked: persons.phoneMasked,
      relationCode: guardianRelations.relationCode,
      isPrimary: guardianRelations.isPrimary,
      startedAt: guardianRelations.startedAt,
      endedAt: guardianRelations.endedAt,
      hasAccount: sql<boolean>`exists (select 1 from person_accounts pa
        where pa.district_id = ${persons.districtId} and pa.person_id = ${persons.id})`,
    })
    .from(guardianRelations)
    .innerJoin(
      persons,
      and(
        eq(persons.districtId, guardianRelations.districtId),
        eq(persons.id, guardianRelations.guardianPersonId),
      ),
    )
    .where(
      and(
        eq(guardianRelations.districtId, v.districtId),
        eq(guardianRelations.childPersonId, v.childPersonId),
        v.includeEnded ? undefined : activeRelation,
        personVisibleSql(v.scope, { districtId: persons.districtId, id: persons.id }),
      ),
    )
    .orderBy(desc(guardianRelations.isPrimary), asc(guardianRelations.startedAt), asc(persons.id));
}

export async function hasActiveChildren(
  db: DbOrTx,
  districtId: string,
  guardianPersonId: string,
): Promise<boolean> {
  const [row] = await db
    .select({ id: guardianRelations.id })
    .from(guardianRelations)
    .where(
      and(
        eq(guardianRelations.districtId, districtId),
        eq(guardianRelations.guardianPersonId, guardianPersonId),
        activeRelation,
      ),
    )
    .limit(1);
  return row !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Activation codes

const usable = and(isNull(guardianActivationCodes.usedAt), gt(guardianActivationCodes.expiresAt, sql`now()`));

/** Unused, unexpired codes of the guardian stop working now (they are kept, expired). */
export async function revokeUnusedCodes(
  tx: Tx,
  districtId: string,
  guardianPersonId: string,
): Promise<number> {
  const rows = await tx
    .update(guardianActivationCodes)
    .set({ expiresAt: sql`now()` })
    .where(
      and(
        eq(guardianActivationCodes.districtId, districtId),
        eq(guardianActivationCodes.guardianPersonId, guardianPersonId),
        usable,
      ),
    )
    .returning({ id: guardianActivationCodes.id });
  return rows.length;
}

export async function insertActivationCode(
  tx: Tx,
  v: {
    districtId: string;
    guardianPersonId: string;
    codeHash: string;
    validDays: number;
    createdBy: string | null;
  },
): Promise<{ id: string; expiresAt: Date }> {
  const [row] = await tx
    .insert(guardianActivationCodes)
    .values({
      districtId: v.districtId,
      guardianPersonId: v.guardianPersonId,
      codeHash: v.codeHash,
      expiresAt: sql`now() + make_interval(days => ${v.validDays})`,
      createdBy: v.createdBy,
    })
    .returning({ id: guardianActivationCodes.id, expiresAt: guardianActivationCodes.expiresAt });
  if (!row) throw new Error('activation code insert returned nothing');
  return row;
}

/** System read: the unused, unexpired code with this hash, with the guardian's name. */
export async function findUsableCode(db: DbOrTx, codeHash: string) {
  const [row] = await db
    .select({
      id: guardianActivationCodes.id,
      districtId: guardianActivationCodes.districtId,
      guardianPersonId: guardianActivationCodes.guardianPersonId,
      guardianName: persons.name,
    })
    .from(guardianActivationCodes)
    .innerJoin(
      persons,
      and(
        eq(persons.districtId, guardianActivationCodes.districtId),
        eq(persons.id, guardianActivationCodes.guardianPersonId),
      ),
    )
    .where(and(eq(guardianActivationCodes.codeHash, codeHash), usable))
    .limit(1);
  return row;
}

/** Mark the code used if it still is usable; false when another request got there first. */
export async function claimCode(tx: Tx, districtId: string, id: string): Promise<boolean> {
  const rows = await tx
    .update(guardianActivationCodes)
    .set({ usedAt: sql`now()` })
    .where(
      and(eq(guardianActivationCodes.districtId, districtId), eq(guardianActivationCodes.id, id), usable),
    )
    .returning({ id: guardianActivationCodes.id });
  return rows.length === 1;
}

// ---------------------------------------------------------------------------------------------
// A guardian's own children

export interface ChildRow extends Record<string, unknown> {
  districtId: string;
  personId: string;
  name: string;
  genderCode: string | null;
  birthDate: string | null;
  relationCode: string;
  isPrimary: boolean;
  schoolId: string | null;
  schoolName: string | null;
  enrolmentStatus: string | null;
  classId: string | null;
  className: string | null;
}

/**
 * The children of the guardian persons `guardians` (the caller's own person records), restricted
 * to `children` (the caller's relations, loaded this request), with the current school and class.
 */
export async function childrenOf(
  db: DbOrTx,
  guardians: { districtId: string; personId: string }[],
  children: { districtId: string; personId: string }[],
): Promise<ChildRow[]> {
  if (guardians.length === 0 || children.length === 0) return [];
  const pairs = (list: { districtId: string; personId: string }[]): SQL =>
    sql.join(
      list.map((x) => sql`(${x.districtId}::uuid, ${x.personId}::uuid)`),
      sql`, `,
    );
  const result = await db.execute<ChildRow>(sql`
    select distinct on (p.district_id, p.id)
      p.district_id as "districtId", p.id as "personId", p.name, p.gender_code as "genderCode",
      p.birth_date::text as "birthDate", g.relation_code as "relationCode", g.is_primary as "isPrimary",
      e.school_id as "schoolId", s.name as "schoolName", e.status as "enrolmentStatus",
      c.id as "classId", c.name as "className"
    from guardian_relations g
    join persons p on p.district_id = g.district_id and p.id = g.child_person_id
    ${currentPlaceJoins}
    where (g.district_id, g.guardian_person_id) in (${pairs(guardians)})
      and (g.district_id, g.child_person_id) in (${pairs(children)})
      and (g.ended_at is null or g.ended_at > now())
    order by p.district_id, p.id, g.is_primary desc`);
  return result.rows.sort(
    (a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.personId.localeCompare(b.personId),
  );
}
