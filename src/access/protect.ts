import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { type Config, ConfigError } from '../config';

/**
 * Protecting identifiers (ID numbers, 学籍号, phones, activation codes): AES-256-GCM encryption
 * with the key version inside every blob (so `mingde keys rotate` can re-encrypt later and old
 * blobs stay readable meanwhile), a keyed HMAC-SHA256 to find a person by ID number without
 * storing it in clear (one hash key per installation, so the same person hashes the same in every
 * district and a transfer links the records), and the masks shown on screen.
 */

const KEY_FILE_FORMAT = 'mingde-data-key/1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The keys loaded once at start (`loadDataKeys`) and handed to services through the request context. */
export interface DataKeys {
  /** The version new blobs are encrypted with. */
  readonly currentVersion: number;
  readonly encryption: ReadonlyMap<number, Buffer>;
  readonly hash: Buffer;
}

/** A key file that cannot be used; shown as a configuration error (bilingual, no stack trace). */
export class DataKeyError extends ConfigError {}

interface KeyFile {
  format: string;
  current: number;
  encryption: Record<string, string>;
  hash: string;
  createdAt?: string;
}

/** Fresh random keys (version 1); used for a new key file and by tests. */
export function generateDataKeys(): DataKeys {
  return {
    currentVersion: 1,
    encryption: new Map([[1, randomBytes(KEY_BYTES)]]),
    hash: randomBytes(KEY_BYTES),
  };
}

function toFile(keys: DataKeys): KeyFile {
  const encryption: Record<string, string> = {};
  for (const [v, key] of keys.encryption) encryption[String(v)] = key.toString('base64');
  return {
    format: KEY_FILE_FORMAT,
    current: keys.currentVersion,
    encryption,
    hash: keys.hash.toString('base64'),
    createdAt: new Date().toISOString(),
  };
}

function decodeKey(file: string, label: string, text: unknown): Buffer {
  const key = typeof text === 'string' ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new DataKeyError(
      `数据密钥文件 ${file} 中的 ${label} 不是 32 字节的 base64 密钥 / ${label} in data key file ${file} is not a 32-byte base64 key`,
    );
  }
  return key;
}

function parseKeyFile(file: string, text: string): DataKeys {
  let raw: Partial<KeyFile>;
  try {
    raw = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw new DataKeyError(`数据密钥文件 ${file} 不是有效的 JSON / data key file ${file} is not valid JSON`);
  }
  if (raw.format !== KEY_FILE_FORMAT || typeof raw.encryption !== 'object' || raw.encryption === null) {
    throw new DataKeyError(
      `数据密钥文件 ${file} 格式无法识别（应为 ${KEY_FILE_FORMAT}）/ data key file ${file} has an unknown format (expected ${KEY_FILE_FORMAT})`,
    );
  }
  const encryption = new Map<number, Buffer>();
  for (const [v, key] of Object.entries(raw.encryption)) {
    const version = Number(v);
    if (!Number.isInteger(version) || version < 1 || version > 65535) {
      throw new DataKeyError(
        `数据密钥文件 ${file} 中的密钥版本 "${v}" 无效 / key version "${v}" in data key file ${file} is invalid`,
      );
    }
    encryption.set(version, decodeKey(file, `encryption[${v}]`, key));
  }
  const current = Number(raw.current);
  if (!encryption.has(current)) {
    throw new DataKeyError(
      `数据密钥文件 ${file} 中没有当前版本 ${String(raw.current)} 的密钥 / data key file ${file} has no key for current version ${String(raw.current)}`,
    );
  }
  return { currentVersion: current, encryption, hash: decodeKey(file, 'hash', raw.hash) };
}

/**
 * Read the key file named by the configuration (MINGDE_DATA_KEY_FILE, default <dataDir>/data-key),
 * creating it with random keys, mode 0600, on first use. A file that others can read is refused:
 * whoever reads it can decrypt every ID number.
 */
export function loadDataKeys(config: Pick<Config, 'dataKeyFile'>): DataKeys {
  const file = config.dataKeyFile;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const keys = generateDataKeys();
    try {
      // 'wx': two processes starting at once must not both write a key file.
      fs.writeFileSync(file, `${JSON.stringify(toFile(keys), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      return keys;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DataKeyError(
          `无法创建数据密钥文件 ${file}：${String(error)} / cannot create data key file ${file}: ${String(error)}`,
        );
      }
    }
  }
  const stat = fs.statSync(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8);
    throw new DataKeyError(
      `数据密钥文件 ${file} 的权限为 ${mode}，其他用户可以读取；请执行 chmod 600 ${file} 后重试 / ` +
        `data key file ${file} has mode ${mode} and is readable by others; run chmod 600 ${file} and retry`,
    );
  }
  return parseKeyFile(file, fs.readFileSync(file, 'utf8'));
}

/**
 * Add a new encryption key version to the key file and make it current (`mingde keys rotate`).
 * Older versions stay: blobs made with them must stay readable until re-encrypted, and backups
 * still hold them. The hash key is not rotated — every identity hash would have to be recomputed,
 * and a one-time activation code cannot be. The file is replaced atomically (writeFileAtomic).
 */
export async function addEncryptionKey(config: Pick<Config, 'dataKeyFile'>): Promise<DataKeys> {
  const file = config.dataKeyFile;
  const keys = loadDataKeys(config);
  const version = Math.max(...keys.encryption.keys()) + 1;
  const next: DataKeys = {
    currentVersion: version,
    encryption: new Map([...keys.encryption, [version, randomBytes(KEY_BYTES)]]),
    hash: keys.hash,
  };
  await writeFileAtomic(file, `${JSON.stringify(toFile(next), null, 2)}\n`);
  return next;
}

/** The keys of a context; services that handle identifiers call this (a missing key set is a wiring bug). */
export function keysOf(ctx: { dataKeys?: DataKeys }): DataKeys {
  if (!ctx.dataKeys) throw new Error('data keys are not loaded in this context (loadDataKeys at start)');
  return ctx.dataKeys;
}

/** Encrypt with the current key: `v<version>:<base64(iv ‖ tag ‖ ciphertext)>`. */
export function encrypt(keys: DataKeys, text: string): string {
  const key = keys.encryption.get(keys.currentVersion);
  if (!key) throw new Error(`no encryption key for version ${keys.currentVersion}`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `v${keys.currentVersion}:${Buffer.concat([iv, tag, body]).toString('base64')}`;
}

/** The version a blob was encrypted with (for `mingde keys rotate`), or null when it is not a blob. */
export function blobKeyVersion(blob: string): number | null {
  const m = /^v(\d+):/.exec(blob);
  return m ? Number(m[1]) : null;
}

/** Decrypt a blob made by `encrypt` with any key version still in the key file. */
export function decrypt(keys: DataKeys, blob: string): string {
  const version = blobKeyVersion(blob);
  const key = version === null ? undefined : keys.encryption.get(version);
  if (version === null || !key) {
    throw new Error(version === null ? 'not an encrypted blob' : `no key for version ${version}`);
  }
  const raw = Buffer.from(blob.slice(blob.indexOf(':') + 1), 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted blob is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}

export type IdentityKind = 'idNumber' | 'studentNumber' | 'phone' | 'activationCode';

/**
 * The form an identifier is compared in: full-width characters folded (NFKC: '１１０…' → '110…'),
 * spaces removed, upper case (a check digit typed as 'x' is 'X'); phones also lose '-' and a
 * leading +86.
 */
export function normaliseIdentifier(kind: IdentityKind, value: string): string {
  const v = value.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  if (kind === 'phone') return v.replace(/-/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
  return v;
}

/** Keyed hash (HMAC-SHA256, hex) of a normalised identifier; the kind is part of the input. */
export function identityHash(keys: DataKeys, kind: IdentityKind, value: string): string {
  return createHmac('sha256', keys.hash)
    .update(`${kind}:${normaliseIdentifier(kind, value)}`)
    .digest('hex');
}

const stars = (n: number) => '*'.repeat(Math.max(0, n));

/** Keep `head` leading and `tail` trailing characters, star the rest. */
function keepEnds(chars: string[], head: number, tail: number): string {
  if (chars.length <= head + tail) return stars(chars.length);
  const end = tail > 0 ? chars.slice(-tail).join('') : '';
  return chars.slice(0, head).join('') + stars(chars.length - head - tail) + end;
}

/**
 * '110101200001011234' → '110101********1234' (address code and last four kept, birth date
 * hidden); other documents (passports, permits, 6–14 characters) keep the first and last two.
 */
export function maskIdNumber(value: string): string {
  const chars = Array.from(normaliseIdentifier('idNumber', value));
  if (chars.length >= 15) return keepEnds(chars, 6, 4);
  if (chars.length >= 6) return keepEnds(chars, 1, 2);
  return stars(chars.length);
}

/** 学籍号 'G110101200001011234' → 'G110101********1234': the letter, then the ID number's mask. */
export function maskStudentNumber(value: string): string {
  const v = normaliseIdentifier('studentNumber', value);
  if (/^[A-Z]/.test(v) && v.length >= 16) return v[0] + maskIdNumber(v.slice(1));
  return maskIdNumber(v);
}

/** '张三' → '张*', '欧阳娜娜' → '欧***': the first character stays, the rest is starred. */
export function maskName(value: string): string {
  const chars = Array.from(value.trim());
  if (chars.length <= 1) return stars(chars.length);
  return chars[0] + stars(chars.length - 1);
}

/** '13812345678' → '138****5678'; shorter numbers keep only the last four. */
export function maskPhone(value: string): string {
  const chars = Array.from(normaliseIdentifier('phone', value));
  if (chars.length >= 11) return keepEnds(chars, 3, 4);
  if (chars.length >= 7) return keepEnds(chars, 0, 4);
  return stars(chars.length);
}
