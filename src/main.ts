import { parseArgs } from 'node:util';
import { runDemo } from '../demo/ensure';
import { DemoOptionError, parseDemoOptions } from '../demo/options';
import { runAdminCreate } from './cli/admin-create';
import { runAuditVerify } from './cli/audit-verify';
import { runKeys } from './cli/keys';
import { openPlatform } from './cli/platform';
import { runStart } from './cli/start';
import { ConfigError, configTable } from './config';
import { DataDirInUseError } from './db/embedded';
import { createAuditLog } from './domains/audit/log';

const usage = `明德 Mingde

用法 / usage: mingde <command>
  start                         启动服务 / start the service (default)
  migrate                       执行数据库迁移 / apply database migrations
  demo [--seed N] [--students N] [--force]
                                生成演示区县（默认 20,000 名学生，最多 1,000,000）/
                                generate the demo district (20,000 students by default, up to 1,000,000)
  admin create --username U [--display-name N] [--password P]
                                创建平台管理员 / create a platform administrator
  audit verify                  校验审计链 / verify the audit hash chains
  keys rotate                   新增加密密钥版本并重新加密全部数据（须先停止服务）/
                                new encryption key version, then re-encrypt every stored blob (stop the service first)
  keys reencrypt                只重新加密不在当前版本上的数据 / re-encrypt blobs not on the current key version
  config                        列出配置项 / list configuration variables
`;

const say = (line: string) => process.stdout.write(`${line}\n`);

async function withPlatform(
  fn: (p: Awaited<ReturnType<typeof openPlatform>>) => Promise<number>,
): Promise<number> {
  const platform = await openPlatform(() => {}, undefined, { shareRunning: true });
  try {
    return await fn(platform);
  } finally {
    await platform.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      'display-name': { type: 'string' },
      password: { type: 'string' },
      seed: { type: 'string' },
      students: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  switch (command) {
    case 'start':
      await runStart();
      return -1; // keep running
    case 'migrate':
      return withPlatform(async () => {
        say('迁移完成 / migrations applied');
        return 0;
      });
    case 'demo': {
      const options = parseDemoOptions(values);
      return withPlatform(async (p) => {
        const auditLog = createAuditLog({ db: p.database.db, headFile: p.config.auditHeadFile });
        try {
          await runDemo(p, auditLog, say, options);
        } finally {
          await auditLog.close();
        }
        return 0;
      });
    }
    case 'admin':
      if (positionals[0] !== 'create' || !values.username) break;
      return withPlatform((p) =>
        runAdminCreate(p.config, {
          username: values.username as string,
          displayName: values['display-name'],
          password: values.password,
        }),
      );
    case 'audit':
      if (positionals[0] !== 'verify') break;
      return withPlatform((p) => runAuditVerify(p.config));
    case 'keys': {
      const step = positionals[0];
      if (step !== 'rotate' && step !== 'reencrypt') break;
      // Not beside a running service: it holds the old keys in memory and could not read the new blobs.
      const platform = await openPlatform(() => {});
      try {
        return await runKeys(platform, step, say);
      } finally {
        await platform.stop();
      }
    }
    case 'config':
      say(configTable());
      return 0;
    case 'help':
    case '--help':
      say(usage);
      return 0;
  }
  process.stderr.write(usage);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof DemoOptionError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof ConfigError || error instanceof DataDirInUseError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(
        `启动失败 / failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(1);
  },
);
