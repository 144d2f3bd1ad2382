import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import * as service from './academic-years-service';
import { academicYearSchema } from './presenter';
import { idParams, isoDate, tags } from './routes-common';

const termBody = z.strictObject({
  seq: z.number().int().min(1).max(4),
  name: z.string().trim().min(1).max(50),
  startsOn: isoDate,
  endsOn: isoDate,
});
const academicYearBody = {
  name: z.string().trim().min(1).max(20).meta({ description: "'2026-2027'" }),
  startsOn: isoDate,
  endsOn: isoDate,
  terms: z.array(termBody).min(1).max(4),
};

/** Academic years and terms. */
export function academicYearRoutes(app: App): void {
  app.post(
    '/academic-years',
    {
      schema: {
        tags,
        summary: '创建学年及学期 / Create an academic year with its terms',
        body: z.strictObject({ districtId: z.guid(), ...academicYearBody }),
        response: { 201: academicYearSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createAcademicYear(ctxOf(request), request.body)),
  );
  app.get(
    '/academic-years',
    {
      schema: {
        tags,
        summary: '区县的学年（标明当前学年、学期）/ Academic years, the current one marked',
        querystring: z.object({ districtId: z.guid() }),
        response: { 200: z.array(academicYearSchema) },
      },
    },
    async (request) => service.listAcademicYears(ctxOf(request), request.query.districtId),
  );
  app.patch(
    '/academic-years/:id',
    {
      schema: {
        tags,
        summary: '修改学年（terms 给出时整体替换）/ Update a year (terms, when given, replace the old ones)',
        params: idParams,
        body: z.strictObject({
          name: academicYearBody.name.optional(),
          startsOn: isoDate.optional(),
          endsOn: isoDate.optional(),
          terms: academicYearBody.terms.optional(),
        }),
        response: { 200: academicYearSchema },
      },
    },
    async (request) => service.updateAcademicYear(ctxOf(request), request.params.id, request.body),
  );
}
