import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ClientScope, clientScopeNames } from '../../access/client-scopes';
import { internal } from '../../access/levels';
import { revealableFields } from '../../access/principal';
import { purposeCodes } from '../../access/purposes';
import { type App, ctxOf } from '../../http/types';
import { apiClientSchema, clientWithSecretSchema, presentClient } from './presenter';
import * as service from './service';

const tags = ['apiClients'];
const session = [{ session: [] }];
const sessionAndCsrf = [{ session: [], csrf: [] }];
const idParams = z.object({ id: z.guid() });
const refusal = internal(z.record(z.string(), z.unknown()));

const clientFields = {
  name: z.string().trim().min(2).max(100),
  orgUnitIds: z.array(z.guid()).min(1).max(500),
  scopes: z
    .array(z.enum(clientScopeNames as [ClientScope, ...ClientScope[]]))
    .min(1)
    .describe('org:read, persons:read, persons:reveal'),
  legalBasis: z.string().trim().min(2).max(1000).describe('处理个人信息的合法性基础 (PIPL art. 13)'),
  retentionDays: z.number().int().min(1).max(3650).describe('数据保存期限（天）'),
  rateLimitPerMinute: z.number().int().min(1).max(100_000),
};

/** Authorised apps: registration and management by bureau administrators, and the token endpoint. */
export async function apiClientsRoutes(app: App): Promise<void> {
  const { config } = app.deps;

  app.post(
    '/api-clients',
    {
      schema: {
        tags,
        summary: '登记授权应用 / register an API client',
        description: 'Returns the client secret once; only its hash is kept.',
        security: sessionAndCsrf,
        body: z.strictObject({
          ...clientFields,
          rateLimitPerMinute: clientFields.rateLimitPerMinute.default(600),
        }),
        response: { 201: clientWithSecretSchema },
      },
    },
    async (request, reply) => {
      const { client, secret } = await service.registerClient(ctxOf(request), request.body);
      return reply.code(201).send({ client: presentClient(client), clientSecret: secret });
    },
  );

  app.get(
    '/api-clients',
    {
      schema: {
        tags,
        summary: '授权应用列表 / API clients of the districts you manage',
        security: session,
        response: { 200: z.object({ items: z.array(apiClientSchema) }) },
      },
    },
    async (request) => ({ items: (await service.listClients(ctxOf(request))).map(presentClient) }),
  );

  app.get(
    '/api-clients/:id',
    {
      schema: {
        tags,
        summary: '授权应用 / an API client',
        security: session,
        params: idParams,
        response: { 200: apiClientSchema },
      },
    },
    async (request) => presentClient(await service.getClient(ctxOf(request), request.params.id)),
  );

  app.patch(
    '/api-clients/:id',
    {
      schema: {
        tags,
        summary: '修改授权应用 / change an API client',
        description: 'Removing persons:reveal also removes every sensitive field granted.',
        security: sessionAndCsrf,
        params: idParams,
        body: z.strictObject(clientFields).partial(),
        response: { 200: apiClientSchema },
      },
    },
    async (request) =>
      presentClient(await service.updateClient(ctxOf(request), request.params.id, request.body)),
  );

  app.post(
    '/api-clients/:id/secret',
    {
      schema: {
        tags,
        summary: '更换应用密钥 / replace the client secret',
        description: 'Tokens issued under the old secret stop working at once.',
        security: sessionAndCsrf,
        params: idParams,
        response: { 200: clientWithSecretSchema },
      },
    },
    async (request) => {
      const { client, secret } = await service.rotateSecret(ctxOf(request), request.params.id);
      return { client: presentClient(client), clientSecret: secret };
    },
  );

  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(
      `/api-clients/:id/${verb}`,
      {
        schema: {
          tags,
          summary: enabled ? '启用授权应用 / enable an API client' : '停用授权应用 / disable an API client',
          security: sessionAndCsrf,
          params: idParams,
          response: { 200: apiClientSchema },
        },
      },
      async (request) =>
        presentClient(await service.setClientEnabled(ctxOf(request), request.params.id, enabled)),
    );
  }

  app.put(
    '/api-clients/:id/sensitive-fields',
    {
      schema: {
        tags,
        summary: '逐项授予敏感字段 / grant L4 fields one by one',
        description:
          'Replaces the list. Each field is granted for one purpose until a date; the client reads it with ' +
          'POST /persons/:id/reveal naming that purpose. Needs the persons:reveal scope.',
        security: sessionAndCsrf,
        params: idParams,
        body: z.strictObject({
          fields: z
            .array(
              z.strictObject({
                field: z.enum(revealableFields),
                purpose: z.enum(purposeCodes),
                expiresAt: z.iso.datetime({ offset: true }).refine((v) => Date.parse(v) > Date.now(), {
                  message: 'Must lie in the future',
                }),
              }),
            )
            .max(revealableFields.length * purposeCodes.length),
        }),
        response: { 200: apiClientSchema },
      },
    },
    async (request) => {
      const fields = request.body.fields.map((f) => ({
        ...f,
        expiresAt: new Date(f.expiresAt).toISOString(),
      }));
      return presentClient(await service.setSensitiveFields(ctxOf(request), request.params.id, fields));
    },
  );

  // The token endpoint takes the form encoding RFC 6749 prescribes; only here (its own context).
  await app.register(async (context) => {
    const oauth = context.withTypeProvider<ZodTypeProvider>();
    oauth.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    oauth.post(
      '/oauth/token',
      {
        config: { csrfExempt: true, rateLimit: { max: config.signInRateLimit, timeWindow: '1 minute' } },
        schema: {
          tags: ['auth'],
          summary: '获取访问令牌（OAuth2 客户端凭证）/ an access token (OAuth2 client credentials)',
          description:
            'grant_type=client_credentials; the client id and secret by HTTP Basic or in the body; optional ' +
            'scope (space-separated, at most the client’s). Refusals follow RFC 6749 §5.2 ' +
            '(`{ error, error_description }`, 400 or 401); a malformed body is a problem+json 400 like elsewhere.',
          body: z.object({
            grant_type: z.string().optional(),
            client_id: z.string().max(100).optional(),
            client_secret: z.string().max(200).optional(),
            scope: z.string().max(500).optional(),
          }),
          response: {
            200: z.object({
              access_token: internal(z.string()),
              token_type: internal(z.literal('Bearer')),
              expires_in: internal(z.number().int()),
              scope: internal(z.string()),
            }),
            // RFC 6749 refusals, or problem+json for a malformed body: both leave as they are.
            400: refusal,
            401: refusal,
          },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        const basic = basicCredentials(request.headers.authorization);
        const { grant_type, scope } = request.body ?? {};
        const clientId = basic?.id ?? request.body?.client_id;
        const clientSecret = basic?.secret ?? request.body?.client_secret;
        try {
          if (grant_type !== 'client_credentials') {
            throw new service.TokenRequestError(400, 'unsupported_grant_type', 'Only client_credentials');
          }
          if (!clientId || !clientSecret) {
            throw new service.TokenRequestError(
              400,
              'invalid_request',
              'client_id and client_secret are required',
            );
          }
          return await service.issueToken(ctxOf(request), { clientId, clientSecret, scope });
        } catch (error) {
          if (!(error instanceof service.TokenRequestError)) throw error;
          if (error.status === 401 && basic) reply.header('www-authenticate', 'Basic realm="mingde"');
          return reply.code(error.status).send({ error: error.error, error_description: error.description });
        }
      },
    );
  });
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  } catch {
    return null; // malformed percent-encoding: no credentials
  }
}
