import type { RouteOptions } from 'fastify';
import type { App } from './types';

/** A route as registered: what the access-matrix and level tests walk. */
export interface RouteEntry {
  method: string;
  url: string;
  schema: RouteOptions['schema'];
  config: RouteOptions['config'];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after `registerRouteTable`, HEAD routes excepted. */
    routeTable: RouteEntry[];
  }
}

export function registerRouteTable(app: App): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      table.push({ method, url: route.url, schema: route.schema, config: route.config });
    }
  });
}
