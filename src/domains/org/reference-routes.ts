import { z } from 'zod';
import { publicField } from '../../access/levels';
import { type App, ctxOf } from '../../http/types';
import { schoolTypeIds } from '../../standards/school-types';
import * as service from './reference-service';
import { tags } from './routes-common';

// Published code lists (the standards' own tables): every field is public.
const localName = z.object({ 'zh-CN': publicField(z.string()), en: publicField(z.string()) });

const schoolTypeRefSchema = z.object({
  id: publicField(z.enum(schoolTypeIds)),
  name: localName,
  stages: publicField(z.array(z.string())),
  operatingTypes: z.array(z.object({ code: publicField(z.string()), name: publicField(z.string()) })),
  defaultOperatingType: publicField(z.string()),
  hasGrades: publicField(z.boolean()),
  grades: z.array(z.object({ code: publicField(z.string()), name: localName })),
  gradesByOperatingType: publicField(z.record(z.string(), z.array(z.string()))).nullable(),
});
const divisionLevel = publicField(z.enum(['province', 'city', 'area']));
const divisionSchema = z.object({
  code: publicField(z.string()),
  level: divisionLevel,
  name: publicField(z.string()),
  chain: z.array(
    z.object({ code: publicField(z.string()), name: publicField(z.string()), level: divisionLevel }),
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
    '/reference/guardian-relations',
    {
      schema: {
        tags,
        summary: '监护人与学生的关系（GB/T 4761 家庭关系代码）/ Relations a guardian can have to a student',
        response: { 200: z.array(z.object({ code: publicField(z.string()), name: localName })) },
      },
    },
    async (request) => service.listGuardianRelations(ctxOf(request)),
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
