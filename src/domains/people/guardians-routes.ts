import { z } from 'zod';
import { internal, personal } from '../../access/levels';
import { DomainError } from '../../errors';
import { originMatchesHost } from '../../http/auth';
import { type App, ctxOf } from '../../http/types';
import { guardianRelationCodes } from '../../standards/family-relation';
import { MAX_PASSWORD_LENGTH } from '../accounts/passwords';
import {
  activationCodeSchema,
  childSchema,
  guardianListItemSchema,
  guardianRelationSchema,
} from './guardians-presenter';
import * as service from './guardians-service';

const tags = ['guardians'];
const session = [{ session: [] }];
const sessionAndCsrf = [{ session: [], csrf: [] }];
const code = (max: number) => z.string().trim().min(1).max(max);

/** Guardian relations, guardian account activation, a guardian's children. Rules live in guardians-service. */
export function guardiansRoutes(app: App): void {
  const { config } = app.deps;

  app.post(
    '/students/:personId/guardians',
    {
      schema: {
        tags,
        summary: '登记监护人 / register a guardian of a student',
        description:
          'Registers the guardian (found again by ID number, or without one among the student’s guardians ' +
          'by name and phone) and relates them to the student. Phones and ID numbers are stored encrypted ' +
          `and returned masked. relationCode: GB/T 4761 (${guardianRelationCodes.join(', ')}).`,
        security: sessionAndCsrf,
        params: z.object({ personId: z.guid() }),
        body: z.strictObject({
          name: z.string().max(100),
          idType: code(4).nullish().describe("JY/T 1001 身份证件类型, '1' = 居民身份证"),
          idNumber: z.string().max(64).nullish(),
          phone: z.string().min(1).max(32),
          relationCode: code(4).describe(
            'GB/T 4761 家庭关系代码: 51 父亲, 52 母亲, 61 祖父, 62 祖母, 63 外祖父, 64 外祖母 …',
          ),
          isPrimary: z.boolean().default(false).describe('The first contact; one per student'),
        }),
        response: { 201: guardianRelationSchema.extend({ personCreated: internal(z.boolean()) }) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.addGuardian(ctxOf(request), request.params.personId, request.body)),
  );

  app.post(
    '/guardian-relations/:id/end',
    {
      schema: {
        tags,
        summary: '解除监护关系 / end a guardian relation',
        description: 'The guardian loses access to the student on the next request; the relation is kept.',
        security: sessionAndCsrf,
        params: z.object({ id: z.guid() }),
        response: { 200: guardianRelationSchema },
      },
    },
    async (request) => service.endGuardianRelation(ctxOf(request), request.params.id),
  );

  app.get(
    '/students/:personId/guardians',
    {
      schema: {
        tags,
        summary: '学生的监护人 / guardians of a student',
        description: 'Those the caller may see; one audit event names the student and every guardian.',
        security: session,
        params: z.object({ personId: z.guid() }),
        querystring: z.object({
          includeEnded: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        }),
        response: { 200: z.object({ items: z.array(guardianListItemSchema) }) },
      },
    },
    async (request) => service.listGuardians(ctxOf(request), request.params.personId, request.query),
  );

  app.post(
    '/guardians/:personId/activation-code',
    {
      schema: {
        tags,
        summary: '生成监护人激活码 / a one-time activation code for a guardian',
        description:
          `8 characters, valid ${service.ACTIVATION_CODE_DAYS} days, shown only in this response (only a ` +
          'keyed hash is stored). Earlier unused codes of the guardian stop working.',
        security: sessionAndCsrf,
        params: z.object({ personId: z.guid() }),
        response: { 201: activationCodeSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createActivationCode(ctxOf(request), request.params.personId)),
  );

  app.post(
    '/guardian-activation',
    {
      config: {
        csrfExempt: true,
        rateLimit: { max: config.signInRateLimit, timeWindow: '1 minute' },
        // Nobody is signed in yet: the answer is the account the caller has just opened, their own.
        dataDomain: 'self',
      },
      schema: {
        tags,
        summary: '监护人激活账号 / a guardian opens an account with the activation code',
        description:
          'Public. A wrong, expired or used code gets one answer (400 guardian.activation_invalid). ' +
          'Rate-limited like sign-in. Sign in afterwards with the chosen username and password.',
        body: z.strictObject({
          code: z.string().min(1).max(32),
          username: z
            .string()
            .min(3)
            .max(64)
            .regex(/^[a-zA-Z0-9._-]+$/)
            .describe('3–64 characters: letters, digits, dot, underscore, hyphen'),
          password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
        }),
        response: { 201: z.object({ userId: internal(z.guid()), username: personal(z.string()) }) },
      },
    },
    async (request, reply) => {
      // Same as sign-in: a foreign page must not open accounts through the visitor's browser.
      if (!originMatchesHost(request)) throw new DomainError(403, 'auth.origin_mismatch');
      return reply.code(201).send(await service.activateGuardian(ctxOf(request), request.body));
    },
  );

  app.get(
    '/me/children',
    {
      schema: {
        tags,
        summary: '我的孩子 / my children (guardians)',
        description:
          "Exactly the caller's children under a guardian relation in force, with school and class. Audited.",
        security: session,
        response: { 200: z.object({ items: z.array(childSchema) }) },
      },
    },
    async (request) => service.listMyChildren(ctxOf(request)),
  );
}
