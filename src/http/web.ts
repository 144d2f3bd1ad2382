import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { App } from './types';
import { WEB_DIST } from './web-build';

/**
 * The console's files from dist/web, when built: hashed assets cached for a year, and index.html
 * (never cached) for every other GET outside /api, so the console's own routes load on reload.
 */
export async function registerWeb(app: App): Promise<boolean> {
  const index = path.join(WEB_DIST, 'index.html');
  if (!fs.existsSync(index)) return false;
  await app.register(fastifyStatic, {
    root: WEB_DIST,
    wildcard: false,
    index: false,
    cacheControl: false, // set below: @fastify/send would otherwise overwrite it with max-age=0
    setHeaders: (res, file) => {
      res.setHeader(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return true;
}

/** Whether a request that matched no route should get the console's page. */
export const wantsConsolePage = (method: string, url: string) =>
  (method === 'GET' || method === 'HEAD') && !url.startsWith('/api/') && url !== '/api';
