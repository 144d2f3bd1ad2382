import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  blobKeyVersion,
  DataKeyError,
  type DataKeys,
  decrypt,
  encrypt,
  generateDataKeys,
  identityHash,
  keysOf,
  loadDataKeys,
  maskIdNumber,
  maskName,
  maskPhone,
  maskStudentNumber,
  normaliseIdentifier,
} from './protect';

/** Fixed keys so hashes are literal: encryption key 0x01…, hash key 0x02…. */
const fixedKeys = (): DataKeys => ({
  currentVersion: 1,
  encryption: new Map([[1, Buffer.alloc(32, 1)]]),
  hash: Buffer.alloc(32, 2),
});

describe('encrypt / decrypt', () => {
  it('round-trips Chinese text and marks the key version', () => {
    const keys = generateDataKeys();
    const blob = encrypt(keys, '11010519491231002X 张三');
    expect(blob.startsWith('v1:')).toBe(true);
    expect(blob).not.toContain('110105');
    expect(blobKeyVersion(blob)).toBe(1);
    expect(decrypt(keys, blob)).toBe('11010519491231002X 张三');
  });

  it('uses a fresh IV: the same text encrypts differently each time', () => {
    const keys = generateDataKeys();
    expect(encrypt(keys, 'same')).not.toBe(encrypt(keys, 'same'));
  });

  it('reads blobs of an older key version after a new one becomes current', () => {
    const old = fixedKeys();
    const blob = encrypt(old, '110101200001011234');
    const rotated: DataKeys = {
      currentVersion: 2,
      encryption: new Map([...old.encryption, [2, Buffer.alloc(32, 3)]]),
      hash: old.hash,
    };
    expect(decrypt(rotated, blob)).toBe('110101200001011234');
    expect(blobKeyVersion(encrypt(rotated, 'x'))).toBe(2);
  });

  it('refuses a tampered blob, a foreign key and a non-blob', () => {
    const keys = generateDataKeys();
    const blob = encrypt(keys, '110101200001011234');
    const raw = Buffer.from(blob.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => decrypt(keys, `v1:${raw.toString('base64')}`)).toThrow();
    expect(() => decrypt(generateDataKeys(), blob)).toThrow();
    expect(() => decrypt(keys, '110101200001011234')).toThrow('not an encrypted blob');
    expect(() => decrypt(keys, blob.replace(/^v1:/, 'v9:'))).toThrow('no key for version 9');
  });
});

describe('identityHash', () => {
  it('is HMAC-SHA256 of "kind:normalised value" under the hash key', () => {
    // Literal, computed independently: printf 'idNumber:11010519491231002X' |
    //   openssl dgst -sha256 -mac HMAC -macopt hexkey:0202…02 (32 bytes of 0x02)
    expect(identityHash(fixedKeys(), 'idNumber', '11010519491231002X')).toBe(
      'bf6ce865232b4a86a4a23fa5559a2eb162e792c0222a22a8bee5cb3e5b754d1a',
    );
  });

  it('normalises: trimmed, upper-case x, full-width digits folded', () => {
    const keys = fixedKeys();
    const h = identityHash(keys, 'idNumber', '11010519491231002X');
    expect(identityHash(keys, 'idNumber', ' 11010519491231002x ')).toBe(h);
    expect(identityHash(keys, 'idNumber', '１１０１０５１９４９１２３１００２ｘ')).toBe(h);
    expect(normaliseIdentifier('phone', '+86 138-1234-5678')).toBe('13812345678');
  });

  it('differs by kind and by key, and is the same for every district (no district in the input)', () => {
    const keys = fixedKeys();
    const h = identityHash(keys, 'idNumber', '110101200001011234');
    expect(identityHash(keys, 'studentNumber', '110101200001011234')).not.toBe(h);
    expect(identityHash(generateDataKeys(), 'idNumber', '110101200001011234')).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('masks', () => {
  it('masks ID numbers: address code and last four kept', () => {
    expect(maskIdNumber('110101200001011234')).toBe('110101********1234');
    expect(maskIdNumber('11010519491231002x')).toBe('110105********002X');
    // 15-digit first-generation numbers: same rule.
    expect(maskIdNumber('110105491231002')).toBe('110105*****1002');
    // Passports and permits: first character and last two.
    expect(maskIdNumber('E12345678')).toBe('E******78');
    expect(maskIdNumber('AB12')).toBe('****');
  });

  it('masks 学籍号: the letter, then the ID number mask', () => {
    expect(maskStudentNumber('G110101200001011234')).toBe('G110101********1234');
    expect(maskStudentNumber('g11010519491231002x')).toBe('G110105********002X');
  });

  it('masks names: first character kept', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('买买提·艾力')).toBe('买*****');
    expect(maskName('王')).toBe('*');
    expect(maskName('𠮷野家')).toBe('𠮷**');
  });

  it('masks phones: 138****5678', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
    expect(maskPhone('010-6512345')).toBe('******2345');
    expect(maskPhone('12345')).toBe('*****');
  });
});

describe('loadDataKeys', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mingde-keys-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('creates a 0600 key file on first use and reads the same keys afterwards', () => {
    const file = path.join(tmp(), 'sub', 'data-key');
    const first = loadDataKeys({ dataKeyFile: file });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const content = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(content.format).toBe('mingde-data-key/1');
    expect(content.current).toBe(1);
    const again = loadDataKeys({ dataKeyFile: file });
    expect(again.currentVersion).toBe(1);
    expect(decrypt(again, encrypt(first, '张三'))).toBe('张三');
    expect(identityHash(again, 'idNumber', 'x')).toBe(identityHash(first, 'idNumber', 'x'));
  });

  it.skipIf(process.platform === 'win32')('refuses a key file others can read, in both languages', () => {
    const file = path.join(tmp(), 'data-key');
    loadDataKeys({ dataKeyFile: file });
    fs.chmodSync(file, 0o644);
    expect(() => loadDataKeys({ dataKeyFile: file })).toThrow(DataKeyError);
    expect(() => loadDataKeys({ dataKeyFile: file })).toThrow(
      `数据密钥文件 ${file} 的权限为 644，其他用户可以读取；请执行 chmod 600 ${file} 后重试 / ` +
        `data key file ${file} has mode 644 and is readable by others; run chmod 600 ${file} and retry`,
    );
  });

  it('refuses a damaged key file with a clear message', () => {
    const file = path.join(tmp(), 'data-key');
    fs.writeFileSync(file, '{not json', { mode: 0o600 });
    expect(() => loadDataKeys({ dataKeyFile: file })).toThrow('不是有效的 JSON / data key file');
    fs.writeFileSync(
      file,
      JSON.stringify({ format: 'mingde-data-key/1', current: 2, encryption: { 1: 'AAAA' }, hash: 'AAAA' }),
    );
    expect(() => loadDataKeys({ dataKeyFile: file })).toThrow('not a 32-byte base64 key');
  });

  it('keysOf fails loudly when a context was built without keys', () => {
    expect(() => keysOf({})).toThrow('data keys are not loaded');
    const keys = fixedKeys();
    expect(keysOf({ dataKeys: keys })).toBe(keys);
  });
});
