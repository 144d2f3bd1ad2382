/**
 * The server half of `npm run bench:api`: Mingde's app on the embedded database of
 * MINGDE_DATA_DIR (demo district created on first use), with the product's person policy or —
 * `--policy allow-all`, the benchmark's own wiring — one that lets everybody see everybody, to
 * measure what scoping costs. Prints `ready <port>` when listening.
 */

import { ensureDemo } from '../demo/ensure';
import type { PersonAccessPolicy } from '../src/access/person-scope';
import { loadDataKeys } from '../src/access/protect';
import { openPlatform } from '../src/cli/platform';
import { loadConfig } from '../src/config';
import { createAuditLog } from '../src/domains/audit/log';
import { buildApp } from '../src/http/app';

const allowAll: PersonAccessPolicy = {
  personScope: () => ({ all: true, units: [], classes: [], persons: [] }),
  canEverPersons: () => true,
};

const policy = process.argv.includes('allow-all') ? 'allow-all' : 'enforced';
const say = (line: string) => process.stdout.write(`${line}\n`);
const config = loadConfig();
const platform = await openPlatform(() => {}, config);
const auditLog = createAuditLog({ db: platform.database.db, headFile: config.auditHeadFile });
await ensureDemo(platform, auditLog, say);
const app = await buildApp(
  {
    config: platform.config,
    database: platform.database,
    auditLog,
    dataKeys: loadDataKeys(config),
    ...(policy === 'allow-all' ? { personAccess: allowAll } : {}),
  },
  { logger: false },
);
await app.listen({ port: config.port, host: '127.0.0.1' });
say(`ready ${config.port} ${policy}`);

process.on('SIGTERM', async () => {
  await app.close();
  await auditLog.close();
  await platform.stop();
  process.exit(0);
});
