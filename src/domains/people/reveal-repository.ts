import { and, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { enrolments, persons } from './schema';

/** A person's enrolments with their encrypted 学籍号, newest first: only for a purposeful reveal. */
export async function encryptedStudentNumbersOf(db: DbOrTx, districtId: string, personId: string) {
  return db
    .select({
      enrolmentId: enrolments.id,
      schoolId: enrolments.schoolId,
      status: enrolments.status,
      studentNumberEnc: enrolments.studentNumberEnc,
    })
    .from(enrolments)
    .where(and(eq(enrolments.districtId, districtId), eq(enrolments.personId, personId)))
    .orderBy(desc(enrolments.enteredOn));
}

/** Encrypted ID numbers of these persons of one district: only for a purposeful unmasked export. */
export async function encryptedIdNumbersOf(
  db: DbOrTx,
  districtId: string,
  personIds: string[],
): Promise<Map<string, string | null>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .select({ id: persons.id, idNumberEnc: persons.idNumberEnc })
    .from(persons)
    .where(and(eq(persons.districtId, districtId), inArray(persons.id, personIds)));
  return new Map(rows.map((r) => [r.id, r.idNumberEnc]));
}
