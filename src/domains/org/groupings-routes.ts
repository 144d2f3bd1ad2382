import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import * as service from './groupings-service';
import { groupingSchema } from './presenter';
import { idParams, name, tags } from './routes-common';

const groupingKind = z.enum(['schoolZone', 'schoolAlliance', 'schoolGroup']);

/** Groupings of schools. */
export function groupingRoutes(app: App): void {
  app.post(
    '/groupings',
    {
      schema: {
        tags,
        summary: '创建学区、联盟或集团 / Create a school zone, alliance or group',
        body: z.strictObject({
          districtId: z.guid(),
          kind: groupingKind,
          name,
          leadSchoolId: z.guid().nullable().optional(),
          schoolIds: z.array(z.guid()).max(500).optional(),
        }),
        response: { 201: groupingSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createGrouping(ctxOf(request), request.body)),
  );
  app.get(
    '/groupings',
    {
      schema: {
        tags,
        summary: '学校分组 / School groupings',
        querystring: z.object({
          districtId: z.guid().optional(),
          kind: groupingKind.optional(),
          includeClosed: z.stringbool().optional(),
        }),
        response: { 200: z.array(groupingSchema) },
      },
    },
    async (request) => service.listGroupings(ctxOf(request), request.query),
  );
  app.get(
    '/groupings/:id',
    {
      schema: {
        tags,
        summary: '学校分组及成员 / A grouping with its schools',
        params: idParams,
        response: { 200: groupingSchema },
      },
    },
    async (request) => service.getGrouping(ctxOf(request), request.params.id),
  );
  app.post(
    '/groupings/:id/members',
    {
      schema: {
        tags,
        summary: '将学校加入分组 / Add a school',
        params: idParams,
        body: z.strictObject({ schoolId: z.guid() }),
        response: { 200: groupingSchema },
      },
    },
    async (request) => service.addGroupingMember(ctxOf(request), request.params.id, request.body.schoolId),
  );
  app.delete(
    '/groupings/:id/members/:schoolId',
    {
      schema: {
        tags,
        summary: '将学校移出分组 / Remove a school',
        params: z.object({ id: z.guid(), schoolId: z.guid() }),
        response: { 200: groupingSchema },
      },
    },
    async (request) =>
      service.removeGroupingMember(ctxOf(request), request.params.id, request.params.schoolId),
  );
  app.post(
    '/groupings/:id/close',
    {
      schema: {
        tags,
        summary: '撤销分组 / Close a grouping',
        params: idParams,
        response: { 200: groupingSchema },
      },
    },
    async (request) => service.closeGrouping(ctxOf(request), request.params.id),
  );
}
