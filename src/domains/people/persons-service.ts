/**
 * Persons: registration (one person per human per district, found again by the keyed hash of the
 * ID number), lookup by ID number, and the profile. Reads are scoped by `personScope` and audited
 * with one event naming every person returned.
 */
import { personAccessOf } from '../../access/person-scope';
import { encrypt, identityHash, keysOf, maskIdNumber, maskPhone } from '../../access/protect';
import { audit, type Ctx, type RequestAuditEvent, requirePrincipal } from '../../context';
import type { Tx } from '../../db/client';
import { fieldError, forbidden, invalid, notFound } from '../../errors';
import { isValidCode } from '../../standards/codes';
import { idNumberProblemMessage, parseIdDocument } from '../../standards/id-number';
import { PLATFORM_DISTRICT_ID } from '../audit/log';
import { type PersonProfile, type PersonSummary, presentPerson, presentProfile } from './persons-presenter';
import * as repo from './persons-repository';
import { type CheckedPerson, checkPersonInput, type PersonInput } from './persons-validation';
import { scopeDistricts } from './visibility-sql';

export interface RegisterPersonInput extends PersonInput {
  districtId: string;
}

export interface RegisteredPerson {
  person: repo.PersonRow;
  /** False: a person with the same ID number was already registered in the district. */
  created: boolean;
  /** For an existing person: given fields that differ from the registered ones (never overwritten). */
  mismatches: ('name' | 'genderCode' | 'birthDate')[];
}

/**
 * System use (no policy check; the caller has authorised the work and writes the audit event):
 * validate registration data (422 listing every bad field, named `${path}.…`), then find the
 * person of the district with the same ID number (keyed hash) or insert one with the number
 * encrypted, hashed and masked. Registering the same person twice finds the first registration;
 * its data is never overwritten (一数一源), differences are reported in `mismatches`.
 */
export async function registerPerson(
  ctx: Ctx,
  tx: Tx,
  input: RegisterPersonInput,
  options: { path?: string } = {},
): Promise<RegisteredPerson> {
  const checked = checkPersonInput(input, options.path ?? 'body');
  if (!checked.ok) throw invalid(checked.errors);
  return registerCheckedPerson(ctx, tx, input.districtId, checked.value);
}

/** `registerPerson` for data that already passed `checkPersonInput`. */
export async function registerCheckedPerson(
  ctx: Ctx,
  tx: Tx,
  districtId: string,
  p: CheckedPerson,
): Promise<RegisteredPerson> {
  const keys = keysOf(ctx);
  const idHash = p.idNumber ? identityHash(keys, 'idNumber', p.idNumber) : null;
  const existing = async (): Promise<RegisteredPerson | null> => {
    if (!idHash) return null;
    const row = await repo.findPersonByHash(tx, districtId, idHash);
    return row ? { person: row, created: false, mismatches: mismatches(row, p) } : null;
  };
  const found = await existing();
  if (found) return found;
  const inserted = await repo.insertPerson(tx, {
    districtId,
    name: p.name,
    genderCode: p.genderCode,
    birthDate: p.birthDate,
    ethnicityCode: p.ethnicityCode,
    idType: p.idType,
    idNumberEnc: p.idNumber ? encrypt(keys, p.idNumber) : null,
    idHash,
    idMasked: p.idNumber ? maskIdNumber(p.idNumber) : null,
    phoneEnc: p.phone ? encrypt(keys, p.phone) : null,
    phoneMasked: p.phone ? maskPhone(p.phone) : null,
  });
  if (inserted) return { person: inserted, created: true, mismatches: [] };
  // A concurrent registration of the same number won the insert: that one is the person.
  const raced = await existing();
  if (!raced) throw new Error('person insert conflicted but no person has the hash');
  return raced;
}

function mismatches(row: repo.PersonRow, p: CheckedPerson): RegisteredPerson['mismatches'] {
  const out: RegisteredPerson['mismatches'] = [];
  if (row.name !== p.name) out.push('name');
  if (p.genderCode !== null && row.genderCode !== null && row.genderCode !== p.genderCode)
    out.push('genderCode');
  if (p.birthDate !== null && row.birthDate !== null && row.birthDate !== p.birthDate) out.push('birthDate');
  return out;
}

/** The district an audit event of a request without a subject goes to. */
function auditDistrict(ctx: Ctx, districtId?: string): string {
  return districtId ?? ctx.principal?.homeDistrictId ?? PLATFORM_DISTRICT_ID;
}

/** Record one read event per district touched, naming the persons of that district. */
export async function auditPersonsRead(
  ctx: Ctx,
  action: string,
  rows: { districtId: string; id: string }[],
  extra: Omit<RequestAuditEvent, 'districtId' | 'action' | 'subjectIds'> = {},
  emptyDistrictId?: string,
): Promise<void> {
  const byDistrict = new Map<string, string[]>();
  for (const r of rows) {
    const ids = byDistrict.get(r.districtId);
    if (ids) ids.push(r.id);
    else byDistrict.set(r.districtId, [r.id]);
  }
  if (byDistrict.size === 0) byDistrict.set(auditDistrict(ctx, emptyDistrictId), []);
  for (const [districtId, ids] of byDistrict) {
    await audit(ctx, { ...extra, districtId, action, subjectIds: [...new Set(ids)] });
  }
}

/**
 * `POST /persons/lookup`: is this ID number registered? Needs 'person.manage' somewhere (403
 * otherwise); answers only persons the caller may manage, in every district it works in (or the
 * one named). Audited even when nothing is found; the number itself is never recorded.
 */
export async function lookupPersons(
  ctx: Ctx,
  input: { idType: string; idNumber: string; districtId?: string },
): Promise<{ items: PersonSummary[] }> {
  const principal = requirePrincipal(ctx);
  if (!personAccessOf(ctx).canEverPersons(principal, 'person.manage')) throw forbidden();
  const idType = input.idType.trim().toUpperCase();
  if (!isValidCode('idDocumentType', idType))
    throw invalid([fieldError('body.idType', 'idNumber.unknown_type')]);
  const doc = parseIdDocument(idType, input.idNumber);
  if (!doc.ok) throw invalid([fieldError('body.idNumber', idNumberProblemMessage(doc.problem))]);
  const hash = identityHash(keysOf(ctx), 'idNumber', doc.value.idNumber);
  const scope = personAccessOf(ctx).personScope(principal, 'person.manage');
  const rows = await repo.findVisiblePersonsByHash(ctx.db, scope, hash, input.districtId);
  // An empty answer is recorded in the named district only if the caller works there.
  const districts = scopeDistricts(scope);
  const named = input.districtId && districts !== 'all' && districts.includes(input.districtId);
  await auditPersonsRead(
    ctx,
    'person.lookup',
    rows,
    { details: { idType, found: rows.length } },
    named ? input.districtId : undefined,
  );
  return { items: rows.map(presentPerson) };
}

/**
 * `GET /persons/:id`: the person with the roles the caller may see — current enrolment (school,
 * class), current staff posts, guardians and children (only those visible to the caller too).
 * 403 when the caller's roles never read persons; 404 when this one is out of scope.
 */
export async function getPersonProfile(ctx: Ctx, id: string): Promise<PersonProfile> {
  const principal = requirePrincipal(ctx);
  if (!personAccessOf(ctx).canEverPersons(principal, 'person.read')) throw forbidden();
  const scope = personAccessOf(ctx).personScope(principal, 'person.read');
  const found = await repo.findVisibleProfile(ctx.db, scope, id);
  if (!found) throw notFound('person');
  const { person, parts } = found;
  const touched = [
    person.id,
    ...parts.guardians.map((g) => g.personId),
    ...parts.children.map((c) => c.personId),
  ];
  await auditPersonsRead(
    ctx,
    'person.read',
    touched.map((pid) => ({ districtId: person.districtId, id: pid })),
    { targetType: 'person', targetId: person.id, details: { view: 'profile' } },
  );
  return presentProfile(person, parts);
}

/**
 * A person the caller may act on with `action`: 403 when its roles never may, or when it may read
 * this person but not do `action` to them; 404 when the person is out of scope.
 */
export async function visiblePersonOrThrow(
  ctx: Ctx,
  id: string,
  action: 'person.read' | 'person.manage',
): Promise<repo.PersonRow> {
  const principal = requirePrincipal(ctx);
  if (!personAccessOf(ctx).canEverPersons(principal, action)) throw forbidden();
  const person = await repo.findVisiblePerson(ctx.db, personAccessOf(ctx).personScope(principal, action), id);
  if (person) return person;
  // Readable but not manageable: the caller knows the person exists, so 403 rather than 404.
  if (
    action !== 'person.read' &&
    (await repo.findVisiblePerson(ctx.db, personAccessOf(ctx).personScope(principal, 'person.read'), id))
  ) {
    throw forbidden();
  }
  throw notFound('person');
}
