import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable Mingde reads, with its default. README's configuration table is
 * generated from the same list (`mingde config`), so the two cannot drift apart.
 */
export const configVariables = {
  PORT: { default: '3000', doc: 'HTTP port / HTTP 端口' },
  HOST: { default: '127.0.0.1', doc: 'Address to listen on (0.0.0.0 for the LAN) / 监听地址' },
  DATABASE_URL: {
    default: '',
    doc: 'External PostgreSQL (≥15) URL; empty = embedded PostgreSQL in MINGDE_DATA_DIR / 外部数据库',
  },
  MINGDE_DATA_DIR: {
    default: './data',
    doc: 'Embedded database, password file, lock, audit head / 数据目录',
  },
  MINGDE_PG_PORT: { default: '0', doc: 'Embedded PostgreSQL port; 0 = pick a free one / 内嵌数据库端口' },
  MINGDE_DB_POOL: {
    default: '8',
    doc: 'Database connections per process; about 4 × CPU cores / 数据库连接数（约为 CPU 核数的 4 倍）',
  },
  MINGDE_DEMO: {
    default: 'auto',
    doc: 'auto = create the demo district on an empty embedded database; never; always / 演示数据',
  },
  MINGDE_AUDIT_HEAD_FILE: {
    default: '',
    doc: 'File keeping the latest audit hash of each district; empty = MINGDE_DATA_DIR/audit-head.json / 审计链头文件',
  },
  MINGDE_DATA_KEY_FILE: {
    default: '',
    doc: 'Keys protecting ID numbers (created 0600 on first use); empty = MINGDE_DATA_DIR/data-key / 数据密钥文件',
  },
  MINGDE_SESSION_HOURS: { default: '8', doc: 'Idle session lifetime in hours / 会话有效期（小时）' },
  MINGDE_LOCKOUT_THRESHOLD: { default: '5', doc: 'Failed sign-ins before lockout / 连续失败次数上限' },
  MINGDE_LOCKOUT_MINUTES: { default: '15', doc: 'Lockout duration in minutes / 锁定时长（分钟）' },
  MINGDE_RATE_LIMIT: { default: '600', doc: 'Requests per minute per client address / 每分钟请求上限' },
  MINGDE_SIGNIN_RATE_LIMIT: {
    default: '20',
    doc: 'Sign-in attempts per minute per address / 每分钟登录尝试上限',
  },
  MINGDE_COOKIE_SECURE: { default: 'auto', doc: 'Secure cookies: auto (when behind HTTPS), true, false' },
  MINGDE_TRUST_PROXY: { default: 'false', doc: 'Trust X-Forwarded-* from a reverse proxy / 信任反向代理' },
  MINGDE_LANG: { default: 'zh-CN', doc: 'Default language: zh-CN or en / 默认语言' },
  LOG_LEVEL: { default: 'info', doc: 'fatal, error, warn, info, debug / 日志级别' },
} as const;

type VariableName = keyof typeof configVariables;

const positiveInt = z.coerce.number().int().positive();
const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535),
  HOST: z.string().min(1),
  DATABASE_URL: z.union([
    z.literal(''),
    z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://'),
  ]),
  MINGDE_DATA_DIR: z.string().min(1),
  MINGDE_PG_PORT: z.coerce.number().int().min(0).max(65535),
  MINGDE_DB_POOL: positiveInt,
  MINGDE_DEMO: z.enum(['auto', 'never', 'always']),
  MINGDE_AUDIT_HEAD_FILE: z.string(),
  MINGDE_DATA_KEY_FILE: z.string(),
  MINGDE_SESSION_HOURS: positiveInt,
  MINGDE_LOCKOUT_THRESHOLD: positiveInt,
  MINGDE_LOCKOUT_MINUTES: positiveInt,
  MINGDE_RATE_LIMIT: positiveInt,
  MINGDE_SIGNIN_RATE_LIMIT: positiveInt,
  MINGDE_COOKIE_SECURE: z.enum(['auto', 'true', 'false']),
  MINGDE_TRUST_PROXY: boolText,
  MINGDE_LANG: z.enum(['zh-CN', 'en']),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  pgPort: number;
  /** Connections in the request pool: more than the cores can serve only adds switching. */
  dbPool: number;
  demo: 'auto' | 'never' | 'always';
  auditHeadFile: string;
  /** Encryption and hash keys for identifiers (see src/access/protect.ts). */
  dataKeyFile: string;
  sessionHours: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  rateLimit: number;
  signInRateLimit: number;
  cookieSecure: 'auto' | boolean;
  trustProxy: boolean;
  lang: 'zh-CN' | 'en';
  logLevel: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const raw: Record<string, string> = {};
  for (const [name, spec] of Object.entries(configVariables)) {
    raw[name] = env[name] ?? spec.default;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`配置无效 / invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(cwd, c.MINGDE_DATA_DIR);
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL || null,
    dataDir,
    pgPort: c.MINGDE_PG_PORT,
    dbPool: c.MINGDE_DB_POOL,
    demo: c.MINGDE_DEMO,
    auditHeadFile: c.MINGDE_AUDIT_HEAD_FILE
      ? path.resolve(cwd, c.MINGDE_AUDIT_HEAD_FILE)
      : path.join(dataDir, 'audit-head.json'),
    dataKeyFile: c.MINGDE_DATA_KEY_FILE
      ? path.resolve(cwd, c.MINGDE_DATA_KEY_FILE)
      : path.join(dataDir, 'data-key'),
    sessionHours: c.MINGDE_SESSION_HOURS,
    lockoutThreshold: c.MINGDE_LOCKOUT_THRESHOLD,
    lockoutMinutes: c.MINGDE_LOCKOUT_MINUTES,
    rateLimit: c.MINGDE_RATE_LIMIT,
    signInRateLimit: c.MINGDE_SIGNIN_RATE_LIMIT,
    cookieSecure: c.MINGDE_COOKIE_SECURE === 'auto' ? 'auto' : c.MINGDE_COOKIE_SECURE === 'true',
    trustProxy: c.MINGDE_TRUST_PROXY,
    lang: c.MINGDE_LANG,
    logLevel: c.LOG_LEVEL,
  };
}

/** The README's configuration table, one row per variable. */
export function configTable(): string {
  const rows = (Object.keys(configVariables) as VariableName[]).map((name) => {
    const spec = configVariables[name];
    return `| \`${name}\` | \`${spec.default || '(empty)'}\` | ${spec.doc} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
