import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import { schoolTypeIds } from '../../standards/school-types';
import * as service from './reference-service';
import { tags } from './routes-common';

const localName = z.object({ 'zh-CN': z.string(), en: z.string() });

const schoolTypeRefSchema = z.object({
  id: z.enum(schoolTypeIds),
  name: localName,
  stages: z.array(z.string()),
  operatingTypes: z.array(z.object({ code: z.string(), name: z.string() })),
  defaultOperatingType: z.string(),
  hasGrades: z.boolean(),
  grades: z.array(z.object({ code: z.string(), name: localName })),
  gradesByOperatingType: z.record(z.string(), z.array(z.string())).nullable(),
});
const divisionSchema = z.object({
  code: z.string(),
  level: z.enum(['province', 'city', 'area']),
  name: z.string(),
  chain: z.array(
    z.object({ code: z.string(), name: z.string(), level: z.enum(['province', 'city', 'area']) }),
  ),
});

/** Reference code lists for forms: any signed-in user. */
export function referenceRoutes(app: App): void {
  app.get(
    '/reference/school-types',
    {
      schema: {
        tags,
        summary: '学校类别及其办学类型、年级 / School categories with operating types and grades',
        response: { 200: z.array(schoolTypeRefSchema) },
      },
    },
    async (request) => service.listSchoolTypes(ctxOf(request)),
  );
  app.get(
    '/reference/divisions/:code',
    {
      schema: {
        tags,
        summary: '行政区划代码（GB/T 2260）名称 / Division name chain',
        params: z.object({ code: z.string().max(12) }),
        response: { 200: divisionSchema },
      },
    },
    async (request) => service.getDivision(ctxOf(request), request.params.code),
  );
}
