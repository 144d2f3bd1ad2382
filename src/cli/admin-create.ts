import type { Config } from '../config';
import { openDatabase } from '../db/client';
import { generatePassword, hashPassword, passwordProblem } from '../domains/accounts/passwords';
import { insertUser, usernameTaken } from '../domains/accounts/repository';
import { createAuditLog, PLATFORM_DISTRICT_ID } from '../domains/audit/log';
import { translate } from '../i18n/messages';

const USERNAME = /^[a-zA-Z0-9._-]{3,64}$/;

export interface AdminCreateArgs {
  username: string;
  displayName?: string;
  password?: string;
}

export interface AdminCreateOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: AdminCreateOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const both = (code: Parameters<typeof translate>[0], params: Record<string, unknown> = {}) =>
  `${translate(code, 'zh-CN', params)} / ${translate(code, 'en', params)}`;

/**
 * `mingde admin create`: a platform administrator, on a database that is already migrated. Without
 * --password a strong one is generated, printed once to stdout and must be changed at first
 * sign-in. Refuses an existing username. Audited in the platform chain as a system action.
 * Returns the process exit code.
 */
export async function runAdminCreate(
  config: Config,
  args: AdminCreateArgs,
  output: AdminCreateOutput = stdio,
): Promise<number> {
  if (!config.databaseUrl) throw new Error('runAdminCreate needs config.databaseUrl');
  if (!USERNAME.test(args.username)) {
    output.err(
      '用户名须为 3–64 位字母、数字、点、下划线或连字符 / the username needs 3–64 letters, digits, . _ or -',
    );
    return 1;
  }
  if (args.password !== undefined) {
    const problem = passwordProblem(args.password, args.username);
    if (problem) {
      output.err(both(problem));
      return 1;
    }
  }

  const database = openDatabase(config.databaseUrl, { max: 2 });
  const auditLog = createAuditLog({ db: database.db, headFile: config.auditHeadFile });
  try {
    if (await usernameTaken(database.db, args.username)) {
      output.err(both('user.username_taken', { username: args.username }));
      return 1;
    }
    const generated = args.password === undefined ? generatePassword() : null;
    const passwordHash = await hashPassword(args.password ?? generated ?? '');
    const user = await database.db.transaction(async (tx) => {
      const row = await insertUser(tx, {
        username: args.username,
        displayName: args.displayName?.trim() || '平台管理员',
        passwordHash,
        homeDistrictId: null,
        isPlatformAdmin: true,
        mustChangePassword: generated !== null,
        createdBy: null,
      });
      await auditLog.recordInTx(tx, [
        {
          districtId: PLATFORM_DISTRICT_ID,
          action: 'user.create',
          actorId: null,
          actorKind: 'system',
          targetType: 'user',
          targetId: row.id,
          outcome: 'success',
          details: { isPlatformAdmin: true, via: 'cli' },
        },
      ]);
      return row;
    });
    await auditLog.afterCommit();

    output.out(`已创建平台管理员 / platform administrator created: ${user.username}`);
    if (generated) {
      output.out(
        '初始密码（只显示这一次，首次登录后须修改）/ one-time password (shown once; change it at first sign-in):',
      );
      output.out(`  ${generated}`);
    }
    return 0;
  } finally {
    await auditLog.close();
    await database.close();
  }
}
