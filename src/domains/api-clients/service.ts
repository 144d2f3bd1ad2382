import { actionsOfScopes, type ClientScope } from '../../access/client-scopes';
import { authorizeDistrictWide, canEver, districtsOf } from '../../access/policy';
import type { ClientFieldGrant, Principal } from '../../access/principal';
import { noRelations } from '../../access/principal';
import { keysOf } from '../../access/protect';
import { audit, auditInTx, type Ctx, inTransaction, requirePrincipal } from '../../context';
import type { DbOrTx } from '../../db/client';
import { forbidden, invalidField, notFound } from '../../errors';
import { findOrgUnit } from '../org/repository';
import * as repo from './repository';
import { newClientSecret, secretMatches, signToken, TOKEN_SECONDS, verifyToken } from './tokens';

/**
 * Authorised apps (授权应用, capability A6): registered and managed by a bureau administrator of
 * the district ('apiClient.manage' over the whole district), each with organisations, scopes,
 * legal basis, retention period and rate limit; L4 fields only when granted field by field.
 */

export interface ClientInput {
  name: string;
  orgUnitIds: string[];
  scopes: ClientScope[];
  legalBasis: string;
  retentionDays: number;
  rateLimitPerMinute: number;
}

/** The district the units belong to (all of one district, each open and readable by the caller). */
async function districtOfUnits(ctx: Ctx, orgUnitIds: string[]): Promise<string> {
  const principal = requirePrincipal(ctx);
  const first = orgUnitIds[0] ? await findOrgUnit(ctx.db, orgUnitIds[0]) : undefined;
  authorizeDistrictWide(principal, 'apiClient.manage', first?.districtId ?? null, 'orgUnit', 'org.read');
  const districtId = first?.districtId as string;
  const units = await repo.activeUnits(ctx.db, districtId, [...new Set(orgUnitIds)]);
  if (units.length !== new Set(orgUnitIds).size) {
    throw invalidField('orgUnitIds', 'apiClient.unit_outside_district');
  }
  return districtId;
}

export async function registerClient(
  ctx: Ctx,
  input: ClientInput,
): Promise<{ client: repo.ApiClientRow; secret: string }> {
  const principal = requirePrincipal(ctx);
  const districtId = await districtOfUnits(ctx, input.orgUnitIds);
  const { secret, hash } = newClientSecret();
  const client = await inTransaction(ctx, async (tx) => {
    const row = await repo.insertClient(tx, {
      ...input,
      orgUnitIds: [...new Set(input.orgUnitIds)],
      districtId,
      secretHash: hash,
      createdBy: principal.kind === 'user' ? principal.userId : null,
    });
    await auditInTx(ctx, tx, {
      districtId,
      action: 'apiClient.create',
      targetType: 'apiClient',
      targetId: row.id,
      details: { name: row.name, scopes: row.scopes, orgUnitIds: row.orgUnitIds, legalBasis: row.legalBasis },
    });
    return row;
  });
  return { client, secret };
}

/** A client the caller manages: 404 when it does not exist or lies outside the caller's districts. */
async function managedClient(ctx: Ctx, id: string): Promise<repo.ApiClientRow> {
  const principal = requirePrincipal(ctx);
  const row = await repo.findClient(ctx.db, id);
  authorizeDistrictWide(principal, 'apiClient.manage', row?.districtId ?? null, 'apiClient');
  return row as repo.ApiClientRow;
}

export async function listClients(ctx: Ctx): Promise<repo.ApiClientRow[]> {
  const principal = requirePrincipal(ctx);
  if (!canEver(principal, 'apiClient.manage')) throw forbidden();
  return repo.listClients(ctx.db, districtsOf(principal, 'apiClient.manage'));
}

export const getClient = managedClient;

/** Change a client the caller manages (`row`, loaded by managedClient), audited as `action`. */
async function change(
  ctx: Ctx,
  row: repo.ApiClientRow,
  action: string,
  set: Parameters<typeof repo.updateClient>[2],
  details: Record<string, unknown>,
): Promise<repo.ApiClientRow> {
  return inTransaction(ctx, async (tx) => {
    const updated = await repo.updateClient(tx, row, set);
    if (!updated) throw notFound('apiClient');
    await auditInTx(ctx, tx, {
      districtId: row.districtId,
      action,
      targetType: 'apiClient',
      targetId: row.id,
      details,
    });
    return updated;
  });
}

export async function updateClient(
  ctx: Ctx,
  id: string,
  patch: Partial<ClientInput>,
): Promise<repo.ApiClientRow> {
  const row = await managedClient(ctx, id);
  if (patch.orgUnitIds) {
    const districtId = await districtOfUnits(ctx, patch.orgUnitIds);
    if (districtId !== row.districtId) throw invalidField('orgUnitIds', 'apiClient.unit_outside_district');
    patch.orgUnitIds = [...new Set(patch.orgUnitIds)];
  }
  // Without persons:reveal the granted fields would be unusable; drop them so none linger.
  const dropFields = patch.scopes && !patch.scopes.includes('persons:reveal');
  return change(
    ctx,
    row,
    'apiClient.update',
    { ...patch, ...(dropFields ? { sensitiveFields: [] } : {}) },
    {
      changed: Object.keys(patch).sort(),
      ...patch,
    },
  );
}

export async function setClientEnabled(ctx: Ctx, id: string, enabled: boolean): Promise<repo.ApiClientRow> {
  return change(
    ctx,
    await managedClient(ctx, id),
    enabled ? 'apiClient.enable' : 'apiClient.disable',
    { disabledAt: enabled ? null : new Date() },
    {},
  );
}

/** A new secret (shown once); tokens issued under the old one stop working at once. */
export async function rotateSecret(
  ctx: Ctx,
  id: string,
): Promise<{ client: repo.ApiClientRow; secret: string }> {
  const { secret, hash } = newClientSecret();
  const client = await change(
    ctx,
    await managedClient(ctx, id),
    'apiClient.secret.rotate',
    { secretHash: hash, bumpSecretVersion: true },
    {},
  );
  return { client, secret };
}

/** Replace the L4 fields granted to the client; each names its purpose and an end date. */
export async function setSensitiveFields(
  ctx: Ctx,
  id: string,
  fields: ClientFieldGrant[],
): Promise<repo.ApiClientRow> {
  const row = await managedClient(ctx, id);
  if (fields.length > 0 && !row.scopes.includes('persons:reveal')) {
    throw invalidField('fields', 'apiClient.field_needs_scope');
  }
  return change(
    ctx,
    row,
    'apiClient.sensitiveFields.set',
    { sensitiveFields: fields },
    {
      before: row.sensitiveFields,
      after: fields,
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Tokens and the client's principal

export class TokenRequestError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type',
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * OAuth2 client credentials (RFC 6749 §4.4): a token for the scopes asked (all the client's by
 * default), never more than the client has. Audited on the client's district, success or not.
 */
export async function issueToken(
  ctx: Ctx,
  input: { clientId: string; clientSecret: string; scope?: string },
): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
  const client = /^[0-9a-f-]{36}$/i.test(input.clientId)
    ? await repo.findClient(ctx.db, input.clientId)
    : undefined;
  const refuse = () =>
    new TokenRequestError(401, 'invalid_client', 'Unknown client, wrong secret, or a disabled client');
  if (!client) throw refuse();
  const asClient = { ...ctx, principal: clientPrincipalStub(client) };
  const event = {
    districtId: client.districtId,
    action: 'apiClient.token',
    targetType: 'apiClient',
    targetId: client.id,
  };
  if (client.disabledAt || !secretMatches(input.clientSecret, client.secretHash)) {
    await audit(asClient, { ...event, outcome: 'denied' });
    throw refuse();
  }
  const asked = input.scope?.split(' ').filter(Boolean) ?? client.scopes;
  const refused = asked.filter((s) => !client.scopes.includes(s));
  if (refused.length > 0) {
    throw new TokenRequestError(400, 'invalid_scope', `Not granted to this client: ${refused.join(' ')}`);
  }
  const scopes = [...new Set(asked)].sort();
  const token = await signToken(keysOf(ctx), {
    clientId: client.id,
    districtId: client.districtId,
    scopes,
    secretVersion: client.secretVersion,
  });
  await audit(asClient, { ...event, details: { scopes } });
  return { access_token: token, token_type: 'Bearer', expires_in: TOKEN_SECONDS, scope: scopes.join(' ') };
}

const clientPrincipalStub = (client: repo.ApiClientRow): Principal => ({
  kind: 'apiClient',
  userId: client.id,
  username: `client:${client.id}`,
  displayName: client.name,
  homeDistrictId: client.districtId,
  isPlatformAdmin: false,
  grants: [],
  cityGrants: [],
  relations: noRelations(),
});

/**
 * The principal of a bearer token, or null when the token is not valid now: bad or expired, the
 * client disabled or its secret replaced since. Scopes are those of the token that the client
 * still has; L4 fields those granted, not expired, and only with persons:reveal.
 */
export async function clientPrincipalOf(
  db: DbOrTx,
  keys: Parameters<typeof verifyToken>[0],
  token: string,
): Promise<{ principal: Principal; rateLimitPerMinute: number } | null> {
  const claims = await verifyToken(keys, token);
  if (!claims) return null;
  const loaded = await repo.loadEnabledClient(db, claims.clientId);
  if (!loaded || loaded.client.secretVersion !== claims.secretVersion) return null;
  const { client, units } = loaded;
  const scopes = claims.scopes.filter((s) => client.scopes.includes(s));
  const actions = actionsOfScopes(scopes);
  const now = Date.now();
  return {
    rateLimitPerMinute: client.rateLimitPerMinute,
    principal: {
      ...clientPrincipalStub(client),
      grants: units.map((u) => ({
        grantId: client.id,
        role: 'apiClient',
        districtId: client.districtId,
        orgUnitId: u.id,
        path: u.path,
        actions,
      })),
      sensitiveFields: scopes.includes('persons:reveal')
        ? client.sensitiveFields.filter((f) => Date.parse(f.expiresAt) > now)
        : [],
    },
  };
}
