/**
 * Academic years and their terms, per district. Anyone who reads in the district sees them;
 * creating and changing them needs 'org.update' over the whole district. `createAcademicYearInTx`
 * is the system variant (demo generator) without a policy check.
 */
import { authorizeInDistrict } from '../../access/policy';
import { chinaToday } from '../../china-time';
import { auditInTx, type Ctx, inTransaction, requirePrincipal } from '../../context';
import type { DbOrTx, Tx } from '../../db/client';
import { conflict, notFound, throwIfAny } from '../../errors';
import { type AcademicYearView, presentAcademicYear } from './presenter';
import * as repo from './repository';
import { type AcademicYearInput, academicYearErrors, type TermInput } from './rules';
import { authorizeBureauChange, diff, writeUnique } from './service-common';

const termInput = ({ seq, name, startsOn, endsOn }: repo.TermRow): TermInput => ({
  seq,
  name,
  startsOn,
  endsOn,
});

function replaceTerms(tx: Tx, year: repo.AcademicYearRow, terms: readonly TermInput[]): Promise<void> {
  return repo.replaceTerms(
    tx,
    year.districtId,
    year.id,
    terms.map((t) => ({ ...t, name: t.name.trim() })),
  );
}

async function present(db: DbOrTx, year: repo.AcademicYearRow): Promise<AcademicYearView> {
  const termRows = await repo.termsOf(db, year.districtId, [year.id]);
  return presentAcademicYear(year, termRows, chinaToday());
}

export async function createAcademicYear(
  ctx: Ctx,
  input: AcademicYearInput & { districtId: string },
): Promise<AcademicYearView> {
  const principal = requirePrincipal(ctx);
  await authorizeBureauChange(ctx, principal, input.districtId, 'district');
  const year = await inTransaction(ctx, (tx) => createAcademicYearInTx(ctx, tx, input));
  return present(ctx.db, year);
}

/** System use: create an academic year with its terms in the caller's transaction, without a policy check. */
export async function createAcademicYearInTx(
  ctx: Ctx,
  tx: Tx,
  input: AcademicYearInput & { districtId: string },
): Promise<repo.AcademicYearRow> {
  throwIfAny(academicYearErrors('body', input));
  const year = await writeUnique(
    tx,
    (inner) =>
      repo.insertAcademicYear(inner, {
        districtId: input.districtId,
        name: input.name,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
      }),
    conflict('academicYear.name_taken', { name: input.name }),
  );
  await replaceTerms(tx, year, input.terms);
  await auditInTx(ctx, tx, {
    districtId: input.districtId,
    action: 'academicYear.create',
    targetType: 'academicYear',
    targetId: year.id,
    details: { changes: diff(null, year, ['name', 'startsOn', 'endsOn']), terms: input.terms },
  });
  return year;
}

export async function listAcademicYears(ctx: Ctx, districtId: string, today = chinaToday()) {
  const principal = requirePrincipal(ctx);
  authorizeInDistrict(principal, 'org.read', districtId, 'district');
  const years = await repo.listAcademicYears(ctx.db, districtId);
  const termRows = await repo.termsOf(
    ctx.db,
    districtId,
    years.map((y) => y.id),
  );
  return years.map((y) => presentAcademicYear(y, termRows, today));
}

export async function updateAcademicYear(
  ctx: Ctx,
  id: string,
  input: Partial<AcademicYearInput>,
): Promise<AcademicYearView> {
  const principal = requirePrincipal(ctx);
  const found = await repo.findAcademicYear(ctx.db, id);
  await authorizeBureauChange(ctx, principal, found?.districtId ?? null, 'academicYear');
  const year = found as repo.AcademicYearRow;
  const updated = await inTransaction(ctx, async (tx) => {
    const current = await repo.lockAcademicYear(tx, year.districtId, year.id);
    if (!current) throw notFound('academicYear');
    const currentTerms = (await repo.termsOf(tx, year.districtId, [year.id])).map(termInput);
    const next = {
      name: input.name ?? current.name,
      startsOn: input.startsOn ?? current.startsOn,
      endsOn: input.endsOn ?? current.endsOn,
      terms: input.terms ?? currentTerms,
    };
    throwIfAny(academicYearErrors('body', next));
    const row = await writeUnique(
      tx,
      (inner) => repo.updateAcademicYear(inner, year.districtId, year.id, next),
      conflict('academicYear.name_taken', { name: next.name }),
    );
    if (!row) throw notFound('academicYear');
    if (input.terms) await replaceTerms(tx, year, input.terms);
    await auditInTx(ctx, tx, {
      districtId: year.districtId,
      action: 'academicYear.update',
      targetType: 'academicYear',
      targetId: year.id,
      details: {
        changes: diff(current, row, ['name', 'startsOn', 'endsOn']),
        ...(input.terms ? { terms: { old: currentTerms, new: input.terms } } : {}),
      },
    });
    return row;
  });
  return present(ctx.db, updated);
}

/** System use (demo generator): the terms of one academic year, in order. */
export function termsOfYear(db: DbOrTx, districtId: string, academicYearId: string) {
  return repo.termsOf(db, districtId, [academicYearId]);
}
