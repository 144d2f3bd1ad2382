import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import * as service from './districts-service';
import { cityBureauSchema, districtSchema } from './presenter';
import { code, idParams, name, tags } from './routes-common';

/** City bureaus and districts. */
export function districtRoutes(app: App): void {
  app.post(
    '/city-bureaus',
    {
      schema: {
        tags,
        summary: '创建市教育局（平台管理员）/ Create a city bureau (platform administrators)',
        body: z.strictObject({ divisionCode: code(12), name }),
        response: { 201: cityBureauSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createCityBureau(ctxOf(request), request.body)),
  );
  app.get(
    '/city-bureaus',
    {
      schema: { tags, summary: '市教育局列表 / City bureaus', response: { 200: z.array(cityBureauSchema) } },
    },
    async (request) => service.listCityBureaus(ctxOf(request)),
  );
  app.post(
    '/districts',
    {
      schema: {
        tags,
        summary: '创建区县及其教育局根节点 / Create a district with its bureau root unit',
        body: z.strictObject({ divisionCode: code(12), name, cityBureauId: z.guid().nullable().optional() }),
        response: { 201: districtSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createDistrict(ctxOf(request), request.body)),
  );
  app.get(
    '/districts',
    {
      schema: {
        tags,
        summary: '可访问的区县 / Districts you can read',
        response: { 200: z.array(districtSchema) },
      },
    },
    async (request) => service.listDistricts(ctxOf(request)),
  );
  app.get(
    '/districts/:id',
    { schema: { tags, summary: '区县 / District', params: idParams, response: { 200: districtSchema } } },
    async (request) => service.getDistrict(ctxOf(request), request.params.id),
  );
}
