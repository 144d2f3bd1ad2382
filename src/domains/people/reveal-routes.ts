import { z } from 'zod';
import { internal, sensitive } from '../../access/levels';
import { revealableFields } from '../../access/principal';
import { purposeCodes } from '../../access/purposes';
import { type App, ctxOf } from '../../http/types';
import { revealPerson } from './reveal-service';

const revealedSchema = z.object({
  personId: internal(z.guid()),
  purpose: internal(z.string()),
  purposeName: internal(z.string()),
  idNumber: sensitive(z.string(), 'idNumber').nullable().optional(),
  phone: sensitive(z.string(), 'phone').nullable().optional(),
  studentNumbers: z
    .array(
      z.object({
        enrolmentId: internal(z.guid()),
        schoolId: internal(z.guid()),
        status: internal(z.string()),
        studentNumber: sensitive(z.string(), 'studentNumber').nullable(),
      }),
    )
    .optional(),
});

/** Showing a person's L4 fields under a declared purpose. */
export function revealRoutes(app: App): void {
  app.post(
    '/persons/:id/reveal',
    {
      schema: {
        tags: ['people'],
        summary: '查看敏感信息（须登记用途）/ show sensitive fields, under a declared purpose',
        description:
          'Returns only the fields named, in clear: the ID number, the phone, the 学籍号 of each enrolment. ' +
          'Needs a purpose of yours in force that covers the person (POST /purposes) and a role that may ' +
          'see L4 data about them; otherwise 403 purpose.required or purpose.no_sensitive_right. Audited ' +
          'with the purpose; the person’s guardians see it in the access log.',
        security: [{ session: [], csrf: [] }],
        params: z.object({ id: z.guid() }),
        body: z
          .strictObject({
            purposeId: z.guid().optional().describe('A user’s purpose in force (POST /purposes)'),
            purpose: z
              .enum(purposeCodes)
              .optional()
              .describe('An API client: the purpose its fields were granted for'),
            fields: z.array(z.enum(revealableFields)).min(1).max(revealableFields.length),
          })
          .refine((b) => (b.purposeId === undefined) !== (b.purpose === undefined), {
            message: 'Name exactly one of purposeId (users) and purpose (API clients)',
            path: ['purposeId'],
          }),
        response: { 200: revealedSchema },
      },
    },
    async (request) => revealPerson(ctxOf(request), request.params.id, request.body),
  );
}
