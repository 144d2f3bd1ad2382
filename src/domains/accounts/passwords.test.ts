import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  hashPassword,
  isStrongPassword,
  passwordProblem,
  verifyPassword,
} from './passwords';

describe('passwordProblem', () => {
  it('accepts ten characters with letters and digits', () => {
    expect(passwordProblem('Mingde2035x')).toBeNull();
    expect(passwordProblem('明德教育数据平台2035')).toBeNull();
  });

  it('refuses short, letter-only, digit-only and over-long passwords', () => {
    expect(passwordProblem('abc123456')).toBe('auth.weak_password'); // 9 characters
    expect(passwordProblem('abcdefghijkl')).toBe('auth.weak_password');
    expect(passwordProblem('123456789012')).toBe('auth.weak_password');
    expect(passwordProblem(`a1${'x'.repeat(127)}`)).toBe('auth.weak_password'); // 129 characters
  });

  it('refuses well-known passwords whatever their case', () => {
    expect(passwordProblem('Password123')).toBe('auth.weak_password');
    expect(passwordProblem('ADMIN123456')).toBe('auth.weak_password');
  });

  it('refuses a password that contains the username', () => {
    expect(passwordProblem('zhangsan2035!', 'ZhangSan')).toBe('auth.password_contains_username');
    expect(passwordProblem('zhangsan2035!', 'lisi')).toBeNull();
  });

  it('isStrongPassword agrees', () => {
    expect(isStrongPassword('Mingde2035x')).toBe(true);
    expect(isStrongPassword('short1')).toBe(false);
  });
});

describe('generatePassword', () => {
  it('gives 16 unambiguous characters that pass the strength rules, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/\d/);
      expect(passwordProblem(p)).toBeNull();
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});

describe('hashPassword / verifyPassword', () => {
  it('hashes with argon2id and verifies only the same password', async () => {
    const hash = await hashPassword('Mingde2035x');
    expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await verifyPassword(hash, 'Mingde2035x')).toBe(true);
    expect(await verifyPassword(hash, 'Mingde2035y')).toBe(false);
  });

  it('treats a malformed hash as a mismatch, not an error', async () => {
    expect(await verifyPassword('not-a-hash', 'Mingde2035x')).toBe(false);
  });
});
