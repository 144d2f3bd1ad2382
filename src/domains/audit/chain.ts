import { createHash } from 'node:crypto';

/**
 * The hash chain, as pure functions. Each event's `hash` is the sha256 (hex) of the UTF-8 bytes of
 * its canonical form: a JSON object of every column except `hash` itself, keys sorted, nested
 * object keys sorted too (jsonb hands keys back in its own order), `at` as an ISO-8601 UTC string
 * with milliseconds, `seq` as a number. `prevHash` is part of it, which is what links the chain;
 * the first event of a district links to GENESIS_HASH.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** One row of audit_events without its hash, as written and as read back. */
export interface ChainEvent {
  districtId: string;
  seq: number;
  at: Date;
  actorId: string | null;
  actorKind: 'user' | 'system' | 'apiClient' | 'anonymous';
  action: string;
  targetType: string | null;
  targetId: string | null;
  subjectIds: string[];
  purpose: string | null;
  outcome: 'success' | 'denied' | 'failure';
  requestId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prevHash: string;
}

/** JSON with object keys sorted recursively (code-unit order); otherwise exactly JSON.stringify. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    setOwn(sorted, key, sortKeys((value as Record<string, unknown>)[key]));
  }
  return sorted;
}

/** Like `target[key] = value`, but a key named "__proto__" stays an ordinary key. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function canonicalEvent(event: ChainEvent): string {
  return canonicalJson({
    districtId: event.districtId,
    seq: event.seq,
    at: event.at.toISOString(),
    actorId: event.actorId,
    actorKind: event.actorKind,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    subjectIds: event.subjectIds,
    purpose: event.purpose,
    outcome: event.outcome,
    requestId: event.requestId,
    ip: event.ip,
    details: event.details,
    prevHash: event.prevHash,
  });
}

export function hashEvent(event: ChainEvent): string {
  return createHash('sha256').update(canonicalEvent(event), 'utf8').digest('hex');
}

// NUL and lone surrogates cannot be stored in PostgreSQL text/jsonb (or come back changed), so
// they are replaced before hashing: the stored row must hash the same as the written one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be replaced
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/**
 * `value` as jsonb will hand it back: what JSON.stringify would keep (undefined dropped, NaN →
 * null, Dates → strings), with unstorable characters replaced in keys and strings.
 */
export function storableJson<T>(value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined) return null as T;
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'string') return storableText(v);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const clean: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) setOwn(clean, storableText(k), inner);
      return clean;
    }
    return v;
  }) as T;
}
