import { createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { DataKeys } from '../../access/protect';
import { memoPerOwner } from '../../memo';

/**
 * OAuth2 client-credentials access tokens: JWTs (HS256) signed with a key derived from the data
 * encryption key of the version named in the token's `kid`, so `mingde keys rotate` also rotates
 * the signing key while tokens issued just before stay valid until they expire (one hour).
 */
const ISSUER = 'mingde';
const AUDIENCE = 'mingde-api';
export const TOKEN_SECONDS = 3600;

// Derived once per key set and version: every request with a bearer token verifies with it.
const derivedKey = memoPerOwner(
  (base: Buffer, _version: number) =>
    new Uint8Array(hkdfSync('sha256', base, Buffer.alloc(0), 'mingde/api-client-token', 32)),
);

function signingKey(keys: DataKeys, version: number): Uint8Array | null {
  const base = keys.encryption.get(version);
  return base ? derivedKey(base, version) : null;
}

interface TokenClaims {
  clientId: string;
  districtId: string;
  scopes: string[];
  secretVersion: number;
}

export async function signToken(keys: DataKeys, claims: TokenClaims): Promise<string> {
  const key = signingKey(keys, keys.currentVersion);
  if (!key) throw new Error('no current encryption key');
  return new SignJWT({ did: claims.districtId, scope: claims.scopes.join(' '), sv: claims.secretVersion })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: `k${keys.currentVersion}` })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.clientId)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_SECONDS}s`)
    .setJti(randomBytes(12).toString('base64url'))
    .sign(key);
}

/** The claims of a valid token, or null (bad signature, expired, wrong issuer or audience, malformed). */
export async function verifyToken(keys: DataKeys, token: string): Promise<TokenClaims | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const version = Number(/^k(\d+)$/.exec(header.kid ?? '')?.[1]);
        const key = Number.isInteger(version) ? signingKey(keys, version) : null;
        if (!key) throw new errors.JWSSignatureVerificationFailed();
        return key;
      },
      { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] },
    );
    const { sub, did, scope, sv } = payload as {
      sub?: unknown;
      did?: unknown;
      scope?: unknown;
      sv?: unknown;
    };
    if (
      typeof sub !== 'string' ||
      typeof did !== 'string' ||
      typeof scope !== 'string' ||
      typeof sv !== 'number'
    ) {
      return null;
    }
    return { clientId: sub, districtId: did, scopes: scope.split(' ').filter(Boolean), secretVersion: sv };
  } catch {
    return null;
  }
}

/** A client secret: 32 random bytes, shown once; only its SHA-256 is stored (it is not a password). */
export function newClientSecret(): { secret: string; hash: string } {
  const secret = `mdcs_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: secretHash(secret) };
}

export const secretHash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(secretHash(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
