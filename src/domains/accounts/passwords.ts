import { randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's second recommended profile (19 MiB, 2 passes).
const options = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Longest password accepted anywhere: argon2 would take any length, the request body should not. */
export const MAX_PASSWORD_LENGTH = 128;
export const MIN_PASSWORD_LENGTH = 10;

export const hashPassword = (password: string) => hash(password, options);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the username is unknown, so timing does not reveal which it was. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => {
  dummyHash ??= hashPassword('mingde-dummy-password-for-timing');
  return dummyHash;
};

// Passwords that pass the length and character rules yet top every leaked-password list.
const common = new Set([
  'password123',
  'password1234',
  'qwerty123456',
  'qwertyuiop1',
  '1234567890a',
  'a1234567890',
  'abc1234567',
  'abcd123456',
  'admin12345',
  'admin123456',
  'mingde12345',
  'woaini1314520',
  '1qaz2wsx3edc',
]);

export type PasswordProblem = 'auth.weak_password' | 'auth.password_contains_username';

/**
 * What is wrong with a new password, or null: at least 10 characters (at most 128) with letters
 * and digits, not a well-known one, and not containing the username.
 */
export function passwordProblem(password: string, username?: string): PasswordProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
    return 'auth.weak_password';
  if (!/\p{L}/u.test(password) || !/\d/.test(password)) return 'auth.weak_password';
  if (common.has(password.toLowerCase())) return 'auth.weak_password';
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    return 'auth.password_contains_username';
  }
  return null;
}

/** At least 10 characters with letters and digits, not a well-known password. */
export const isStrongPassword = (password: string, username?: string) =>
  passwordProblem(password, username) === null;

// No 0/O, 1/l/I: generated passwords are read off a screen and typed in by hand.
const lower = 'abcdefghijkmnpqrstuvwxyz';
const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const digits = '23456789';
const alphabet = lower + upper + digits;
const pick = (chars: string) => chars[randomInt(chars.length)] ?? '';

/** A random 16-character password (about 93 bits) with at least one lower, upper letter and digit. */
export function generatePassword(length = 16): string {
  const chars = [pick(lower), pick(upper), pick(digits)];
  while (chars.length < length) chars.push(pick(alphabet));
  // Fisher–Yates, so the guaranteed characters are not always in front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
  }
  return chars.join('');
}
