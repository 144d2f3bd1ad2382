import { clientMayReveal } from '../../access/client-scopes';
import type { Principal, RevealableField } from '../../access/principal';
import { decrypt, keysOf } from '../../access/protect';
import { type PurposeCode, purposeName } from '../../access/purposes';
import { audit, type Ctx, requirePrincipal } from '../../context';
import { DomainError } from '../../errors';
import { purposeInForce } from '../purposes/service';
import { visiblePersonOrThrow } from './persons-service';
import { encryptedStudentNumbersOf } from './reveal-repository';

export interface Revealed {
  personId: string;
  purpose: string;
  purposeName: string;
  idNumber?: string | null;
  phone?: string | null;
  studentNumbers?: { enrolmentId: string; schoolId: string; status: string; studentNumber: string | null }[];
}

/** An app reveals under the purpose its fields were granted for (it declares none of its own). */
function appPurpose(principal: Principal, purpose: PurposeCode | undefined, fields: RevealableField[]) {
  if (purpose === undefined || !clientMayReveal(principal, purpose, fields)) {
    throw new DomainError(403, 'purpose.required');
  }
  return { id: null, purpose };
}

/**
 * `POST /persons/:id/reveal`: the L4 fields asked for, in clear, under a purpose of the caller's
 * that is in force and covers the person (purposes/service.ts). Only the fields named are
 * decrypted and returned (minimisation); the read is audited with its purpose before it is answered.
 */
export async function revealPerson(
  ctx: Ctx,
  id: string,
  input: { purposeId?: string; purpose?: PurposeCode; fields: RevealableField[] },
): Promise<Revealed> {
  const principal = requirePrincipal(ctx);
  const person = await visiblePersonOrThrow(ctx, id, 'person.read');
  const purpose =
    principal.kind === 'apiClient'
      ? appPurpose(principal, input.purpose, input.fields)
      : await purposeInForce(ctx, input.purposeId, {
          kind: 'person',
          districtId: person.districtId,
          personId: person.id,
        });
  const keys = keysOf(ctx);
  const clear = (blob: string | null) => (blob ? decrypt(keys, blob) : null);
  const fields = new Set(input.fields);
  const out: Revealed = {
    personId: person.id,
    purpose: purpose.purpose,
    purposeName: purposeName(purpose.purpose, ctx.lang),
  };
  if (fields.has('idNumber')) out.idNumber = clear(person.idNumberEnc);
  if (fields.has('phone')) out.phone = clear(person.phoneEnc);
  if (fields.has('studentNumber')) {
    const rows = await encryptedStudentNumbersOf(ctx.db, person.districtId, person.id);
    out.studentNumbers = rows.map((r) => ({
      enrolmentId: r.enrolmentId,
      schoolId: r.schoolId,
      status: r.status,
      studentNumber: clear(r.studentNumberEnc),
    }));
  }
  await audit(ctx, {
    districtId: person.districtId,
    action: 'person.reveal',
    targetType: 'person',
    targetId: person.id,
    subjectIds: [person.id],
    purpose: purpose.purpose,
    details: {
      ...(purpose.id ? { purposeId: purpose.id } : { grantedToClient: true }),
      fields: [...fields].sort(),
    },
  });
  return out;
}
