import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import { personProfileSchema, personSummarySchema } from './persons-presenter';
import { getPersonProfile, lookupPersons } from './persons-service';

const tags = ['people'];
const idParams = z.object({ id: z.guid() });

/**
 * Persons. ID numbers travel only in request bodies (never in a URL, so never in access logs or
 * browser history) and leave only masked.
 */
export function personsRoutes(app: App): void {
  app.post(
    '/persons/lookup',
    {
      schema: {
        tags,
        summary:
          '按证件号码查找人员（仅返回可管理范围内的人员）/ Find a person by ID number, within your scope',
        body: z.strictObject({
          idType: z
            .string()
            .trim()
            .min(1)
            .max(4)
            .meta({ description: "JY/T 1001 身份证件类型, '1' = 居民身份证" }),
          idNumber: z.string().min(1).max(64),
          districtId: z.guid().optional(),
        }),
        response: { 200: z.object({ items: z.array(personSummarySchema) }) },
      },
    },
    async (request) => lookupPersons(ctxOf(request), request.body),
  );
  app.get(
    '/persons/:id',
    {
      schema: {
        tags,
        summary: '人员档案：基本信息与当前身份（学籍、岗位、监护关系）/ A person with current roles',
        params: idParams,
        response: { 200: personProfileSchema },
      },
    },
    async (request) => getPersonProfile(ctxOf(request), request.params.id),
  );
}
