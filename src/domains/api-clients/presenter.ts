import { z } from 'zod';
import { clientScopeNames } from '../../access/client-scopes';
import { internal } from '../../access/levels';
import { revealableFields } from '../../access/principal';
import { purposeCodes } from '../../access/purposes';
import type { ApiClientRow } from './repository';

export const apiClientSchema = z.object({
  id: internal(z.guid()),
  districtId: internal(z.guid()),
  name: internal(z.string()),
  orgUnitIds: internal(z.array(z.guid())),
  scopes: internal(z.array(z.enum(clientScopeNames as [string, ...string[]]))),
  legalBasis: internal(z.string()),
  retentionDays: internal(z.number().int()),
  rateLimitPerMinute: internal(z.number().int()),
  sensitiveFields: z.array(
    z.object({
      field: internal(z.enum(revealableFields)),
      purpose: internal(z.enum(purposeCodes)),
      expiresAt: internal(z.iso.datetime()),
    }),
  ),
  enabled: internal(z.boolean()),
  createdBy: internal(z.guid()).nullable(),
  createdAt: internal(z.iso.datetime()),
  updatedAt: internal(z.iso.datetime()),
  disabledAt: internal(z.iso.datetime()).nullable(),
});
export type ApiClientView = z.infer<typeof apiClientSchema>;

/** The client as its administrators see it; never its secret or the secret's hash. */
export function presentClient(row: ApiClientRow): ApiClientView {
  return {
    id: row.id,
    districtId: row.districtId,
    name: row.name,
    orgUnitIds: row.orgUnitIds,
    scopes: row.scopes,
    legalBasis: row.legalBasis,
    retentionDays: row.retentionDays,
    rateLimitPerMinute: row.rateLimitPerMinute,
    sensitiveFields: row.sensitiveFields as ApiClientView['sensitiveFields'],
    enabled: row.disabledAt === null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    disabledAt: row.disabledAt?.toISOString() ?? null,
  };
}

export const clientWithSecretSchema = z.object({
  client: apiClientSchema,
  /** Shown once: only its hash is kept. */
  clientSecret: internal(z.string()),
});
