import { z } from 'zod';
import { internal, personal, publicField } from '../../access/levels';
import { purposeCodes, purposeName, purposes } from '../../access/purposes';
import type { Lang } from '../../i18n/messages';
import type { PurposeRow } from './repository';

export const purposeCatalogueSchema = z.object({
  items: z.array(
    z.object({
      code: publicField(z.enum(purposeCodes)),
      name: publicField(z.string()),
      maxHours: publicField(z.number().int()),
    }),
  ),
});

export const purposeSchema = z.object({
  id: internal(z.guid()),
  districtId: internal(z.guid()),
  purpose: internal(z.enum(purposeCodes)),
  purposeName: internal(z.string()),
  reason: personal(z.string()),
  personId: internal(z.guid()).nullable(),
  orgUnitId: internal(z.guid()).nullable(),
  status: internal(z.enum(['pending', 'active', 'rejected', 'ended'])),
  /** Active and inside its window at the time of the answer. */
  inForce: internal(z.boolean()),
  hours: internal(z.number().int()),
  validFrom: internal(z.iso.datetime()).nullable(),
  validUntil: internal(z.iso.datetime()).nullable(),
  declaredBy: internal(z.guid()),
  decidedBy: internal(z.guid()).nullable(),
  decidedAt: internal(z.iso.datetime()).nullable(),
  decisionNote: personal(z.string()).nullable(),
  createdAt: internal(z.iso.datetime()),
});
export type PurposeView = z.infer<typeof purposeSchema>;

export function presentPurpose(row: PurposeRow, lang: Lang, now = new Date()): PurposeView {
  return {
    id: row.id,
    districtId: row.districtId,
    purpose: row.purpose as PurposeView['purpose'],
    purposeName: purposeName(row.purpose, lang),
    reason: row.reason,
    personId: row.personId,
    orgUnitId: row.orgUnitId,
    status: row.status,
    inForce: row.status === 'active' && row.validUntil !== null && row.validUntil > now,
    hours: row.hours,
    validFrom: row.validFrom?.toISOString() ?? null,
    validUntil: row.validUntil?.toISOString() ?? null,
    declaredBy: row.userId,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decisionNote: row.decisionNote,
    createdAt: row.createdAt.toISOString(),
  };
}

export const presentCatalogue = (lang: Lang) => ({
  items: purposeCodes.map((code) => ({
    code,
    name: purposes[code][lang],
    maxHours: purposes[code].maxHours,
  })),
});
