import fs from 'node:fs';
import path from 'node:path';

/** Where the console is built to, and from. */
const WEB_SOURCE = path.resolve('web');
export const WEB_DIST = path.resolve('dist/web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** Whether dist/web is missing or older than any file of web/ (or the vite config). */
function webBuildIsStale(): boolean {
  const index = path.join(WEB_DIST, 'index.html');
  if (!fs.existsSync(WEB_SOURCE)) return false;
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  return Math.max(newestMtime(WEB_SOURCE), fs.statSync('vite.config.ts').mtimeMs) > built;
}

/** Build the console with vite (in this process), when missing or stale. */
export async function ensureWebBuild(say: (line: string) => void): Promise<void> {
  if (!webBuildIsStale()) return;
  say('正在构建管理界面 / building the web console (dist/web) …');
  const { build } = await import('vite');
  // A production build whatever this process runs as (vitest sets NODE_ENV=test, which vite honours).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.resolve('vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}
