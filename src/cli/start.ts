import fs from 'node:fs';
import path from 'node:path';
import { ensureDemo } from '../../demo/ensure';
import { loadDataKeys } from '../access/protect';
import { loadConfig } from '../config';
import { createAuditLog } from '../domains/audit/log';
import { buildApp } from '../http/app';
import { ensureWebBuild } from '../http/web-build';
import { openPlatform } from './platform';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** initdb and postgres chatter goes to <dataDir>/postgres.log; Mingde's own lines to the terminal. */
function embeddedLog(dataDir: string): (line: string) => void {
  const file = path.join(dataDir, 'postgres.log');
  return (line) => {
    if (/^(initdb|postgres):/.test(line)) {
      fs.appendFileSync(file, `${line}\n`, { mode: 0o600 });
    } else {
      say(line);
    }
  };
}

/**
 * `mingde start`: database (embedded unless DATABASE_URL), migrations, the demo district on a
 * fresh embedded database, then HTTP. SIGINT/SIGTERM drain in order: HTTP, audit writer, pool,
 * database. A second signal exits at once.
 */
export async function runStart(): Promise<void> {
  const config = loadConfig();
  say(
    `明德 Mingde 正在启动 / starting (${config.databaseUrl ? '外部数据库 external database' : `内嵌 PostgreSQL: ${config.dataDir}`})`,
  );
  const platform = await openPlatform(config.databaseUrl ? say : embeddedLog(config.dataDir), config);
  const { database } = platform;
  let dataKeys: ReturnType<typeof loadDataKeys>;
  try {
    dataKeys = loadDataKeys(config);
  } catch (error) {
    await platform.stop();
    throw error;
  }
  const auditLog = createAuditLog({ db: database.db, headFile: config.auditHeadFile });

  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let stoppingSince = 0;
  const shutdown = async (signal: string) => {
    if (stoppingSince) {
      // Ctrl-C reaches npm and this process alike, and npm relays it: ignore that echo.
      if (Date.now() - stoppingSince < 1500) return;
      say('再次收到信号，立即退出 / second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    say(`收到 ${signal}，正在停止 / ${signal}: shutting down`);
    try {
      await app?.close();
      await auditLog.close();
      await platform.stop();
      say('已停止 / stopped');
      process.exit(0);
    } catch (error) {
      process.stderr.write(`停止时出错 / error while stopping: ${String(error)}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await ensureDemo(platform, auditLog, say);
    await ensureWebBuild(say);
    app = await buildApp({ config: platform.config, database, auditLog, dataKeys }, { web: true });
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app?.close();
    await auditLog.close();
    await platform.stop();
    throw error;
  }
  const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  say(`明德 Mingde 已启动 / ready: http://${shownHost}:${config.port}  (API 文档 / docs: /api/docs)`);
}
