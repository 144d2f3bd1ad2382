import type { FastifyRequest, RouteOptions } from 'fastify';
import type { z } from 'zod';
import { ceilingOf, type DataDomain } from '../access/ceilings';
import { presentAtCeiling } from '../access/levels';
import type { App } from './types';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Whose data the route answers with, for the caller's ceiling; set from the route's tag. */
    dataDomain?: DataDomain | 'self';
  }
}

/** Route tag → data domain. 'self': the caller's own session and account, at L3 for anyone. */
const domainOfTag: Record<string, DataDomain | 'self'> = {
  auth: 'self',
  users: 'accounts',
  grants: 'accounts',
  apiClients: 'accounts',
  audit: 'audit',
  org: 'org',
  people: 'people',
  staff: 'people',
  guardians: 'people',
  purposes: 'people',
};

export function domainOfRoute(route: Pick<RouteOptions, 'url' | 'schema'>): DataDomain | 'self' {
  const tags = (route.schema as { tags?: string[] } | undefined)?.tags ?? [];
  const domain = tags.map((t) => domainOfTag[t]).find((d) => d !== undefined);
  if (!domain) throw new Error(`route ${route.url} has no tag that names its data domain`);
  return domain;
}

const responseSchemaOf = (request: FastifyRequest, status: number): z.ZodType | undefined =>
  (request.routeOptions.schema?.response as Record<number, z.ZodType> | undefined)?.[status];

/**
 * Every response leaves at the caller's ceiling: fields declared above it are masked on the way
 * out (access/levels.ts), whatever the service put in. Services still choose what to fetch; this
 * is the last word, so a field can never leak by a presenter's oversight.
 */
export function registerDataLevels(app: App): void {
  app.addHook('onRoute', (route) => {
    if (!route.schema?.response || route.schema.hide) return;
    route.config = { ...route.config, dataDomain: route.config?.dataDomain ?? domainOfRoute(route) };
  });
  app.addHook('preSerialization', async (request, reply, payload) => {
    const domain = request.routeOptions.config.dataDomain;
    const schema = domain && responseSchemaOf(request, reply.statusCode);
    if (!schema) return payload;
    return presentAtCeiling(schema, payload, ceilingOf(request.principal, domain));
  });
}
