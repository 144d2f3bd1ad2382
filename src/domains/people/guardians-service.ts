/**
 * Guardians (监护人): guardian–child relations with the GB/T 4761 relation, guardian accounts
 * activated by a one-time code the school hands out, and a guardian's own children. Changes need
 * 'guardian.manage' over the child (school administrators, bureau administrators); a guardian sees
 * exactly the children of its relations in force (loaded per request: removing a relation ends
 * access on the next request).
 */
import { randomInt } from 'node:crypto';
import { type PersonAction, personAccessOf } from '../../access/person-scope';
import { decrypt, identityHash, keysOf, normaliseIdentifier } from '../../access/protect';
import { audit, auditInTx, type Ctx, inTransaction, requirePrincipal } from '../../context';
import type { Tx } from '../../db/client';
import { conflict, DomainError, fieldError, forbidden, invalid, notFound } from '../../errors';
import { guardianRelation } from '../../standards/family-relation';
import { passwordProblem } from '../accounts/passwords';
import { createUserInTx } from '../accounts/users-service';
import { PLATFORM_DISTRICT_ID } from '../audit/log';
import {
  type ActivationCodeView,
  type ChildView,
  type GuardianListItem,
  type GuardianRelationView,
  presentChild,
  presentGuardianListRow,
  presentGuardianRelation,
} from './guardians-presenter';
import * as repo from './guardians-repository';
import * as persons from './persons-repository';
import { auditPersonsRead, registerCheckedPerson } from './persons-service';
import { type CheckedPerson, checkPersonInput } from './persons-validation';
import { accountOfPerson, insertPersonAccount } from './staff-repository';

/** How long an activation code works. */
export const ACTIVATION_CODE_DAYS = 14;
/** No 0/O, 1/I/L: read aloud or copied from paper without confusion. 31^8 ≈ 8.5 × 10^11 codes. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_LENGTH = 8;

export function generateActivationCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** What is hashed: case, spaces, full-width forms and hyphens (ABCD-EFGH) do not matter. */
const codeHashOf = (ctx: Ctx, code: string) =>
  identityHash(keysOf(ctx), 'activationCode', code.replace(/[-－]/g, ''));

/**
 * A person the caller may do `action` to: 403 when its roles never may, or when it may read this
 * person but not do `action`; 404 when the person is out of scope.
 */
async function personFor(ctx: Ctx, personId: string, action: PersonAction): Promise<persons.PersonRow> {
  const principal = requirePrincipal(ctx);
  if (!personAccessOf(ctx).canEverPersons(principal, action)) throw forbidden();
  const person = await persons.findVisiblePerson(
    ctx.db,
    personAccessOf(ctx).personScope(principal, action),
    personId,
  );
  if (person) return person;
  if (
    action !== 'person.read' &&
    (await persons.findVisiblePerson(
      ctx.db,
      personAccessOf(ctx).personScope(principal, 'person.read'),
      personId,
    ))
  ) {
    throw forbidden();
  }
  throw notFound('person');
}

// ---------------------------------------------------------------------------------------------
// Relations

export interface GuardianInput {
  name: string;
  idType?: string | null;
  idNumber?: string | null;
  phone: string;
  relationCode: string;
  isPrimary: boolean;
}

/**
 * System use (imports; no policy check, no audit — the caller does both): register or find the
 * guardian and relate them to the child. Found by ID number; without one, among the child's
 * guardians without an ID number by the same name and phone (so re-entering a guardian does not
 * create a second person). An active relation already there is returned with `created: false`.
 */
export async function addGuardianInTx(
  ctx: Ctx,
  tx: Tx,
  v: {
    districtId: string;
    childPersonId: string;
    guardian: CheckedPerson;
    relationCode: string;
    isPrimary: boolean;
  },
): Promise<{
  relation: repo.GuardianRelationRow;
  guardian: persons.PersonRow;
  created: boolean;
  personCreated: boolean;
}> {
  // Serialise guardian changes of one child (primary flag, duplicates).
  await persons.lockPerson(tx, v.districtId, v.childPersonId);
  let guardian: persons.PersonRow | undefined;
  let personCreated = false;
  if (!v.guardian.idNumber && v.guardian.phone) {
    const keys = keysOf(ctx);
    const phone = normaliseIdentifier('phone', v.guardian.phone);
    for (const g of await repo.guardiansWithoutIdOf(tx, v.districtId, v.childPersonId)) {
      if (g.name === v.guardian.name && g.phoneEnc && decrypt(keys, g.phoneEnc) === phone) {
        guardian = await persons.lockPerson(tx, v.districtId, g.personId);
        break;
      }
    }
  }
  if (!guardian) {
    const registered = await registerCheckedPerson(ctx, tx, v.districtId, v.guardian);
    guardian = registered.person;
    personCreated = registered.created;
  }
  if (guardian.id === v.childPersonId) throw invalid([fieldError('body.idNumber', 'guardian.self')]);
  const existing = await repo.findActiveRelation(tx, {
    districtId: v.districtId,
    guardianPersonId: guardian.id,
    childPersonId: v.childPersonId,
  });
  if (existing) return { relation: existing, guardian, created: false, personCreated };
  if (v.isPrimary) await repo.clearPrimary(tx, v.districtId, v.childPersonId);
  const relation = await repo.insertRelation(tx, {
    districtId: v.districtId,
    guardianPersonId: guardian.id,
    childPersonId: v.childPersonId,
    relationCode: v.relationCode,
    isPrimary: v.isPrimary,
  });
  return { relation, guardian, created: true, personCreated };
}

/** `POST /students/:personId/guardians`. Every bad field is reported at once. */
export async function addGuardian(
  ctx: Ctx,
  childPersonId: string,
  input: GuardianInput,
): Promise<GuardianRelationView & { personCreated: boolean }> {
  const child = await personFor(ctx, childPersonId, 'guardian.manage');
  const checked = checkPersonInput(
    { name: input.name, idType: input.idType, idNumber: input.idNumber, phone: input.phone },
    'body',
  );
  const errors = checked.ok ? [] : [...checked.errors];
  if (!guardianRelation(input.relationCode))
    errors.push(fieldError('body.relationCode', 'guardian.relation_unknown'));
  if (!checked.ok || errors.length > 0) throw invalid(errors);

  const result = await inTransaction(ctx, async (tx) => {
    const added = await addGuardianInTx(ctx, tx, {
      districtId: child.districtId,
      childPersonId: child.id,
      guardian: checked.value,
      relationCode: input.relationCode,
      isPrimary: input.isPrimary,
    });
    if (!added.created) throw conflict('guardian.relation_exists');
    await auditInTx(ctx, tx, {
      districtId: child.districtId,
      action: 'guardian.add',
      targetType: 'guardianRelation',
      targetId: added.relation.id,
      subjectIds: [child.id, added.guardian.id],
      outcome: 'success',
      details: {
        relationCode: input.relationCode,
        isPrimary: input.isPrimary,
        personCreated: added.personCreated,
      },
    });
    return added;
  });
  return {
    ...presentGuardianRelation(result.relation, result.guardian),
    personCreated: result.personCreated,
  };
}

/** `POST /guardian-relations/:id/end`: the guardian loses access to the child on the next request. */
export async function endGuardianRelation(ctx: Ctx, id: string): Promise<GuardianRelationView> {
  if (!personAccessOf(ctx).canEverPersons(requirePrincipal(ctx), 'guardian.manage')) throw forbidden();
  const found = await repo.findRelation(ctx.db, id);
  if (!found) throw notFound('guardianRelation');
  // A relation is managed by whoever manages the child; out of sight, the relation is "not found".
  await personFor(ctx, found.childPersonId, 'guardian.manage').catch((error: unknown) => {
    throw error instanceof DomainError && error.status === 404 ? notFound('guardianRelation') : error;
  });
  if (found.endedAt && found.endedAt <= new Date()) throw conflict('guardian.relation_already_ended');
  const row = await inTransaction(ctx, async (tx) => {
    const row = await repo.endRelation(tx, found.districtId, found.id);
    await auditInTx(ctx, tx, {
      districtId: found.districtId,
      action: 'guardian.end',
      targetType: 'guardianRelation',
      targetId: found.id,
      subjectIds: [found.childPersonId, found.guardianPersonId],
      outcome: 'success',
    });
    return row;
  });
  return presentGuardianRelation(row, await repo.personById(ctx.db, row.districtId, row.guardianPersonId));
}

/**
 * `GET /students/:personId/guardians`: the child's guardians the caller may see (a head teacher
 * sees the guardians of the class; a subject teacher, the student, or another guardian see only
 * those the visibility rule lets through). One audit event names the child and every guardian.
 */
export async function listGuardians(
  ctx: Ctx,
  childPersonId: string,
  query: { includeEnded: boolean },
): Promise<{ items: GuardianListItem[] }> {
  const principal = requirePrincipal(ctx);
  const child = await personFor(ctx, childPersonId, 'person.read');
  const rows = await repo.listGuardiansOf(ctx.db, {
    districtId: child.districtId,
    childPersonId: child.id,
    includeEnded: query.includeEnded,
    scope: personAccessOf(ctx).personScope(principal, 'person.read'),
  });
  await auditPersonsRead(
    ctx,
    'person.read',
    [child, ...rows.map((r) => ({ districtId: child.districtId, id: r.personId }))],
    { targetType: 'person', targetId: child.id, details: { view: 'guardians' } },
  );
  return { items: rows.map(presentGuardianListRow) };
}

// ---------------------------------------------------------------------------------------------
// Activation

/**
 * `POST /guardians/:personId/activation-code`: a one-time code for the guardian to open an
 * account, shown only in this response (only its keyed hash is stored), valid 14 days; earlier
 * unused codes of the guardian stop working.
 */
export async function createActivationCode(ctx: Ctx, guardianPersonId: string): Promise<ActivationCodeView> {
  const principal = requirePrincipal(ctx);
  const guardian = await personFor(ctx, guardianPersonId, 'guardian.manage');
  if (!(await repo.hasActiveChildren(ctx.db, guardian.districtId, guardian.id)))
    throw conflict('guardian.no_children');
  if (await accountOfPerson(ctx.db, guardian.districtId, guardian.id))
    throw conflict('guardian.already_activated');
  const code = generateActivationCode();
  const created = await inTransaction(ctx, async (tx) => {
    await persons.lockPerson(tx, guardian.districtId, guardian.id);
    const revoked = await repo.revokeUnusedCodes(tx, guardian.districtId, guardian.id);
    const row = await repo.insertActivationCode(tx, {
      districtId: guardian.districtId,
      guardianPersonId: guardian.id,
      codeHash: codeHashOf(ctx, code),
      validDays: ACTIVATION_CODE_DAYS,
      createdBy: principal.userId,
    });
    await auditInTx(ctx, tx, {
      districtId: guardian.districtId,
      action: 'guardian.activationCode',
      targetType: 'person',
      targetId: guardian.id,
      subjectIds: [guardian.id],
      outcome: 'success',
      details: { revokedCodes: revoked },
    });
    return row;
  });
  return { guardianPersonId: guardian.id, code, expiresAt: created.expiresAt.toISOString() };
}

const activationInvalid = () => new DomainError(400, 'guardian.activation_invalid');

/**
 * `POST /guardian-activation` (public): open the guardian's account with the code, a username and
 * a password of their choosing. A wrong, expired or used code gets one generic answer, audited
 * without the code; the code works once (claimed in the same transaction that creates the account).
 */
export async function activateGuardian(
  ctx: Ctx,
  input: { code: string; username: string; password: string },
): Promise<{ userId: string; username: string }> {
  const problem = passwordProblem(input.password, input.username);
  if (problem) throw invalid([fieldError('body.password', problem)]);
  const found = await repo.findUsableCode(ctx.db, codeHashOf(ctx, input.code));
  const refuse = async (reason: string, districtId = PLATFORM_DISTRICT_ID) => {
    await audit(ctx, { districtId, action: 'guardian.activate', outcome: 'failure', details: { reason } });
    return activationInvalid();
  };
  if (!found) throw await refuse('invalid_code');

  const result = await inTransaction(ctx, async (tx) => {
    if (!(await repo.claimCode(tx, found.districtId, found.id))) return null;
    await persons.lockPerson(tx, found.districtId, found.guardianPersonId);
    if (await accountOfPerson(tx, found.districtId, found.guardianPersonId)) return null;
    const user = await createUserInTx(ctx, tx, {
      username: input.username,
      displayName: found.guardianName,
      password: input.password,
      homeDistrictId: found.districtId,
      mustChangePassword: false,
    });
    await insertPersonAccount(tx, {
      districtId: found.districtId,
      personId: found.guardianPersonId,
      userId: user.id,
    });
    await repo.revokeUnusedCodes(tx, found.districtId, found.guardianPersonId);
    await auditInTx(ctx, tx, {
      districtId: found.districtId,
      action: 'guardian.activate',
      targetType: 'user',
      targetId: user.id,
      subjectIds: [found.guardianPersonId],
      outcome: 'success',
    });
    return { userId: user.id, username: user.username };
  });
  if (!result) throw await refuse('code_taken', found.districtId);
  return result;
}

// ---------------------------------------------------------------------------------------------
// A guardian's own view

/** `GET /me/children`: exactly the caller's own children now, with school and class. Audited. */
export async function listMyChildren(ctx: Ctx): Promise<{ items: ChildView[] }> {
  const principal = requirePrincipal(ctx);
  const { self, guardianOf } = principal.relations;
  const rows = await repo.childrenOf(ctx.db, self, guardianOf);
  await auditPersonsRead(
    ctx,
    'person.read',
    rows.map((r) => ({ districtId: r.districtId, id: r.personId })),
    { details: { view: 'myChildren' } },
  );
  return { items: rows.map(presentChild) };
}
