import { z } from 'zod';
import { purposeCodes } from '../../access/purposes';
import { type App, ctxOf } from '../../http/types';
import { presentCatalogue, presentPurpose, purposeCatalogueSchema, purposeSchema } from './presenter';
import * as service from './service';

const tags = ['purposes'];
const session = [{ session: [] }];
const sessionAndCsrf = [{ session: [], csrf: [] }];
const idParams = z.object({ id: z.guid() });
const note = z.string().trim().min(1).max(500);

/** Purposes (用途) for seeing L4 data. Rules live in purposes/service.ts. */
export function purposesRoutes(app: App): void {
  app.get(
    '/purposes/catalogue',
    {
      schema: {
        tags,
        summary: '用途清单 / the purposes one may declare, with their longest window',
        security: session,
        response: { 200: purposeCatalogueSchema },
      },
    },
    async (request) => presentCatalogue(request.lang),
  );

  app.post(
    '/purposes',
    {
      schema: {
        tags,
        summary: '登记用途 / declare a purpose for seeing sensitive (L4) data',
        description:
          'About one person (`personId`) or everyone in an organisation unit (`orgUnitId`). In force at once ' +
          'for a school role (校长, 学校管理员, 班主任); a bureau role’s purpose waits for approval by another ' +
          'bureau administrator. Pass its id as `purposeId` when revealing or exporting unmasked.',
        security: sessionAndCsrf,
        body: z
          .strictObject({
            purpose: z.enum(purposeCodes),
            reason: z.string().trim().min(2).max(500),
            personId: z.guid().optional(),
            orgUnitId: z.guid().optional(),
            hours: z.number().int().min(1).max(720).optional(),
          })
          .refine((b) => (b.personId === undefined) !== (b.orgUnitId === undefined), {
            message: 'Name exactly one of personId and orgUnitId',
            path: ['personId'],
          }),
        response: { 201: purposeSchema },
      },
    },
    async (request, reply) => {
      const { personId, orgUnitId, ...rest } = request.body;
      const target = personId ? { personId } : { orgUnitId: orgUnitId as string };
      const row = await service.declarePurpose(ctxOf(request), { ...rest, target });
      return reply.code(201).send(presentPurpose(row, request.lang));
    },
  );

  app.get(
    '/purposes',
    {
      schema: {
        tags,
        summary: '我的用途登记 / my purposes, or those awaiting my approval',
        security: session,
        querystring: z.strictObject({ view: z.enum(['mine', 'toApprove']).default('mine') }),
        response: { 200: z.object({ items: z.array(purposeSchema) }) },
      },
    },
    async (request) => {
      const rows = await service.listPurposes(ctxOf(request), request.query.view);
      return { items: rows.map((r) => presentPurpose(r, request.lang)) };
    },
  );

  for (const [verb, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    app.post(
      `/purposes/:id/${verb}`,
      {
        schema: {
          tags,
          summary: approve ? '批准用途 / approve a purpose' : '驳回用途 / reject a purpose',
          description: 'By a bureau administrator other than the declarer, within their scope.',
          security: sessionAndCsrf,
          params: idParams,
          body: z.strictObject({ note: approve ? note.optional() : note }),
          response: { 200: purposeSchema },
        },
      },
      async (request) =>
        presentPurpose(
          await service.decidePurpose(ctxOf(request), request.params.id, {
            approve,
            note: request.body.note,
          }),
          request.lang,
        ),
    );
  }

  app.post(
    '/purposes/:id/end',
    {
      schema: {
        tags,
        summary: '结束用途 / end (or withdraw) my purpose early',
        security: sessionAndCsrf,
        params: idParams,
        response: { 200: purposeSchema },
      },
    },
    async (request) =>
      presentPurpose(await service.endPurpose(ctxOf(request), request.params.id), request.lang),
  );
}
