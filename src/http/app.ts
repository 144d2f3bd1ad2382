import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import helmet from 'helmet';
import { accountsRoutes } from '../domains/accounts/routes';
import { apiClientsRoutes } from '../domains/api-clients/routes';
import { auditRoutes } from '../domains/audit/routes';
import { orgRoutes } from '../domains/org/routes';
import { overviewRoutes } from '../domains/overview/routes';
import { guardiansRoutes } from '../domains/people/guardians-routes';
import { importsRoutes } from '../domains/people/imports-routes';
import { personsRoutes } from '../domains/people/persons-routes';
import { revealRoutes } from '../domains/people/reveal-routes';
import { staffRoutes } from '../domains/people/staff-routes';
import { studentsRoutes } from '../domains/people/students-routes';
import { purposesRoutes } from '../domains/purposes/routes';
import { pickLang } from '../i18n/messages';
import { registerAuth } from './auth';
import { registerClientAuth } from './client-auth';
import { registerDataLevels } from './data-levels';
import { buildProblem, sendProblem } from './problem';
import { registerRouteTable } from './route-table';
import type { App, AppDeps } from './types';
import { registerWeb, wantsConsolePage } from './web';

/**
 * Log lines carry the route pattern, never the raw URL or body, so search terms and identifiers
 * typed by users never reach the log.
 */
function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: ['req.headers.cookie', 'req.headers.authorization', `req.headers["x-csrf-token"]`],
    serializers: {
      req: (req) => ({ method: req.method, route: req.routeOptions?.url ?? 'unmatched', id: req.id }),
      res: (res) => ({ statusCode: res.statusCode }),
      err: safeError,
    },
  };
}

/**
 * An error as it may be logged: a failed query's message carries its SQL parameters (names,
 * encrypted identifiers), so keep the kind, the database error code and the stack frames only.
 */
export function safeError(error: unknown): { type: string; message: string; stack: string; code?: string } {
  const e = error as {
    name?: string;
    code?: string;
    cause?: { code?: string };
    message?: unknown;
    stack?: string;
  };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const isQuery = message.startsWith('Failed query');
  return {
    type: e?.name ?? 'Error',
    code: e?.code ?? e?.cause?.code,
    message: isQuery
      ? 'Failed query (SQL and parameters withheld from the log)'
      : (message.split('\n')[0] ?? '').slice(0, 300),
    stack: (e?.stack ?? '')
      .split('\n')
      .filter((l) => l.trimStart().startsWith('at '))
      .slice(0, 12)
      .join('\n'),
  };
}

export async function buildApp(
  deps: AppDeps,
  options: { logger?: boolean; logStream?: NodeJS.WritableStream; web?: boolean } = {},
): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(config.logLevel, options.logStream),
    // Our own onResponse line replaces Fastify's request logs (which would carry the raw URL).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
    // The router's own refusals (a URL it cannot decode, an over-long path parameter) come before any
    // route or hook: answer them as problem+json like every other error.
    frameworkErrors: (error, request, reply) => {
      const lang = pickLang(request.headers['accept-language'], config.lang);
      sendProblem(reply, buildProblem(error, request, lang));
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.decorate('deps', deps);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.decorateRequest('lang', config.lang);
  app.addHook('onRequest', async (request, reply) => {
    const query = request.query as { lang?: string } | undefined;
    request.lang =
      query?.lang === 'en' || query?.lang === 'zh-CN'
        ? query.lang
        : pickLang(request.headers['accept-language'], config.lang);
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        user: request.principal?.userId,
      },
      'request',
    );
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = buildProblem(error, request, request.lang ?? config.lang);
    if (problem.status >= 500) request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem);
  });
  let servesConsole = false;
  app.setNotFoundHandler((request, reply) => {
    if (servesConsole && wantsConsolePage(request.method, request.url)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return sendProblem(reply, {
      ...buildProblem({ statusCode: 404 }, request, request.lang),
      title: request.lang === 'en' ? 'No such route' : '请求的地址不存在',
      code: 'request.not_found',
      type: 'https://mingde.dev/problems/request.not_found',
    });
  });

  // Security headers: helmet's middleware built once (the fastify plugin rebuilds it, parsing the
  // policy, on every request).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // Plain-HTTP LAN installs must keep working; upgrade only when cookies are HTTPS-only.
        upgradeInsecureRequests: config.cookieSecure === true ? [] : null,
      },
    },
    strictTransportSecurity: config.cookieSecure === true,
  });
  app.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
  );
  await app.register(fastifyCookie);
  // Roster uploads (.xlsx / .csv): one file of at most 50 MB, streamed to disk, never buffered.
  await app.register(fastifyMultipart, {
    limits: { fileSize: 50 * 1024 * 1024, files: 1, fields: 5, parts: 6 },
  });
  await app.register(fastifyRateLimit, {
    max: config.rateLimit,
    timeWindow: '1 minute',
    errorResponseBuilder: () => ({ statusCode: 429, message: 'rate limited' }),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: '明德 Mingde API',
        description: '区县教育数据平台 API / education data platform API. Errors are RFC 9457 problem+json.',
        version: '1',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'mingde_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  registerAuth(app);
  registerClientAuth(app);
  registerDataLevels(app);
  registerRouteTable(app);

  await app.register(
    async (api) => {
      const typed = api.withTypeProvider<ZodTypeProvider>();
      await accountsRoutes(typed);
      await orgRoutes(typed);
      await auditRoutes(typed);
      await importsRoutes(typed);
      personsRoutes(typed);
      studentsRoutes(typed);
      staffRoutes(typed);
      guardiansRoutes(typed);
      purposesRoutes(typed);
      await apiClientsRoutes(typed);
      overviewRoutes(typed);
      revealRoutes(typed);
    },
    { prefix: '/api/v1' },
  );
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  // The console (dist/web), for the service itself and browser tests; API tests go without it.
  if (options.web) servesConsole = await registerWeb(app);

  return app;
}
