import { z } from 'zod';
import { internal } from '../../access/levels';
import { cityRoles, districtRoles } from '../../access/roles';
import { DomainError } from '../../errors';
import { originMatchesHost, SESSION_COOKIE, sessionCookieOptions } from '../../http/auth';
import { type App, ctxOf } from '../../http/types';
import {
  cityGrantDto,
  createUserResponse,
  grantDto,
  meResponse,
  oneTimePasswordResponse,
  signInResponse,
  toSignedInUser,
  userDto,
  userGrantsResponse,
} from './dto';
import * as grantsService from './grants-service';
import { MAX_PASSWORD_LENGTH } from './passwords';
import * as authService from './service';
import { csrfTokenFor } from './sessions';
import * as usersService from './users-service';

const idParams = z.object({ id: z.uuid() });
const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);
const displayName = z.string().trim().min(1).max(100);
const username = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/)
  .describe('3–64 characters: letters, digits, dot, underscore, hyphen');
const expiresAt = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .optional()
  .describe('ISO date-time in the future; absent = no expiry');
const noContent = { 204: z.null().describe('No content') };

const session = [{ session: [] }];
const sessionAndCsrf = [{ session: [], csrf: [] }];

/** Sign-in, the signed-in user, users and grants administration. Rules live in the services. */
export async function accountsRoutes(app: App): Promise<void> {
  const { config } = app.deps;
  const signInLimit = { max: config.signInRateLimit, timeWindow: '1 minute' };

  app.post(
    '/auth/sign-in',
    {
      config: { csrfExempt: true, allowWhilePasswordChangeRequired: true, rateLimit: signInLimit },
      schema: {
        tags: ['auth'],
        summary: '登录 / sign in',
        description:
          'Sets the HttpOnly session cookie `mingde_session` and returns the CSRF token. ' +
          `${config.lockoutThreshold} failures in a row lock the account for ${config.lockoutMinutes} minutes (423).`,
        body: z.object({ username: z.string().min(1).max(64), password }),
        response: { 200: signInResponse },
      },
    },
    async (request, reply) => {
      // Login CSRF: a foreign page must not sign the browser into someone else's account.
      if (!originMatchesHost(request)) throw new DomainError(403, 'auth.origin_mismatch');
      const result = await authService.signIn(ctxOf(request), {
        ...request.body,
        presentedToken: request.cookies[SESSION_COOKIE],
      });
      reply.setCookie(SESSION_COOKIE, result.session.token, sessionCookieOptions(config, request));
      return { user: toSignedInUser(result.user), csrfToken: result.session.csrfToken };
    },
  );

  app.post(
    '/auth/sign-out',
    {
      config: { allowWhilePasswordChangeRequired: true },
      schema: {
        tags: ['auth'],
        summary: '退出登录 / sign out',
        security: sessionAndCsrf,
        response: noContent,
      },
    },
    async (request, reply) => {
      await authService.signOut(ctxOf(request), request.session);
      reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config, request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { allowWhilePasswordChangeRequired: true },
      schema: {
        tags: ['auth'],
        summary: '当前用户 / the signed-in user',
        description: 'The user, the grants in force with role and organisation names, and the CSRF token.',
        security: session,
        response: { 200: meResponse },
      },
    },
    async (request) => {
      const token = request.cookies[SESSION_COOKIE] ?? '';
      return authService.getMe(ctxOf(request), request.session ? csrfTokenFor(token) : '');
    },
  );

  app.get(
    '/auth/session',
    {
      config: { allowWhilePasswordChangeRequired: true },
      schema: {
        tags: ['auth'],
        summary: '是否已登录 / whether the request carries a live session',
        description: 'Never 401: a page can ask before it has a session (GET /auth/me answers 401 then).',
        response: { 200: z.object({ signedIn: internal(z.boolean()) }) },
      },
    },
    async (request) => ({ signedIn: request.session !== null }),
  );

  app.post(
    '/auth/password',
    {
      config: { allowWhilePasswordChangeRequired: true, rateLimit: signInLimit },
      schema: {
        tags: ['auth'],
        summary: '修改密码 / change password',
        description: 'Signs out every other session of the user.',
        security: sessionAndCsrf,
        body: z.object({ currentPassword: password, newPassword: password }),
        response: noContent,
      },
    },
    async (request, reply) => {
      await authService.changePassword(ctxOf(request), request.session, request.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: '用户列表 / users',
        description: 'Users placed (by grant or home district) inside the caller\'s "user.read" scope.',
        security: session,
        querystring: z.object({
          q: z.string().max(100).optional().describe('Part of the username or display name'),
          status: z.enum(['active', 'disabled']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(userDto), total: internal(z.number().int()) }) },
      },
    },
    async (request) => usersService.listUsers(ctxOf(request), request.query),
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: '创建用户 / create a user',
        description:
          'District-level administrators may create users of their district with or without `grant`; ' +
          'school administrators must give `grant` (a role in their school). Without `initialPassword` ' +
          'a one-time password is generated and returned only in this response. The user must change ' +
          'it at first sign-in.',
        security: sessionAndCsrf,
        body: z.object({
          username,
          displayName,
          homeDistrictId: z.uuid(),
          initialPassword: password.optional(),
          grant: z.object({ orgUnitId: z.uuid(), role: z.enum(districtRoles), expiresAt }).optional(),
        }),
        response: { 201: createUserResponse },
      },
    },
    async (request, reply) => {
      const created = await usersService.createUser(ctxOf(request), request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: '用户 / a user',
        security: session,
        params: idParams,
        response: { 200: userDto },
      },
    },
    async (request) => usersService.getUser(ctxOf(request), request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: '修改或停用用户 / rename, disable or enable a user',
        description: 'Disabling signs the user out everywhere at once.',
        security: sessionAndCsrf,
        params: idParams,
        body: z.object({
          displayName: displayName.optional(),
          status: z.enum(['active', 'disabled']).optional(),
        }),
        response: { 200: userDto },
      },
    },
    async (request) => usersService.updateUser(ctxOf(request), request.params.id, request.body),
  );

  app.post(
    '/users/:id/reset-password',
    {
      schema: {
        tags: ['users'],
        summary: '重置密码 / reset a password',
        description: 'Returns a one-time password once; the user is signed out and must change it.',
        security: sessionAndCsrf,
        params: idParams,
        response: { 200: oneTimePasswordResponse },
      },
    },
    async (request) => usersService.resetPassword(ctxOf(request), request.params.id),
  );

  app.post(
    '/users/:id/unlock',
    {
      schema: {
        tags: ['users'],
        summary: '解除锁定 / unlock a user',
        security: sessionAndCsrf,
        params: idParams,
        response: { 200: userDto },
      },
    },
    async (request) => usersService.unlockUser(ctxOf(request), request.params.id),
  );

  app.get(
    '/users/:id/grants',
    {
      schema: {
        tags: ['grants'],
        summary: '用户的授权 / grants of a user',
        description: 'Revoked and expired ones too (see `inForce`), as far as the caller may see them.',
        security: session,
        params: idParams,
        response: { 200: userGrantsResponse },
      },
    },
    async (request) => usersService.listUserGrants(ctxOf(request), request.params.id),
  );

  app.post(
    '/grants',
    {
      schema: {
        tags: ['grants'],
        summary: '授权 / grant a role on an organisation subtree',
        description:
          'Bureau roles go on the district bureau unit, school roles on a school. Only roles within ' +
          "the caller's own rights (403 grant.beyond_own_rights).",
        security: sessionAndCsrf,
        body: z.object({ userId: z.uuid(), orgUnitId: z.uuid(), role: z.enum(districtRoles), expiresAt }),
        response: { 201: grantDto },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await grantsService.createGrant(ctxOf(request), request.body)),
  );

  app.post(
    '/grants/:id/revoke',
    {
      schema: {
        tags: ['grants'],
        summary: '撤销授权 / revoke a grant',
        description: 'The grant is kept with revokedAt/revokedBy and stops giving access at once.',
        security: sessionAndCsrf,
        params: idParams,
        response: { 200: grantDto },
      },
    },
    async (request) => grantsService.revokeGrant(ctxOf(request), request.params.id),
  );

  app.post(
    '/city-grants',
    {
      schema: {
        tags: ['grants'],
        summary: '授予市级角色 / grant a city role (platform administrators)',
        security: sessionAndCsrf,
        body: z.object({ userId: z.uuid(), cityBureauId: z.uuid(), role: z.enum(cityRoles), expiresAt }),
        response: { 201: cityGrantDto },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await grantsService.createCityGrant(ctxOf(request), request.body)),
  );

  app.post(
    '/city-grants/:id/revoke',
    {
      schema: {
        tags: ['grants'],
        summary: '撤销市级角色 / revoke a city grant (platform administrators)',
        security: sessionAndCsrf,
        params: idParams,
        response: { 200: cityGrantDto },
      },
    },
    async (request) => grantsService.revokeCityGrant(ctxOf(request), request.params.id),
  );
}
