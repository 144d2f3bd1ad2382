import type { Principal, RevealableField } from './principal';
import type { Action } from './roles';

/**
 * What an authorised app (API client) may be given, per resource and action. Each scope opens the
 * policy actions listed, on the organisations the app was registered with; `persons:reveal` opens
 * nothing by itself — the app also needs L4 fields granted one by one (sensitiveFields).
 * Write scopes are not offered yet: records an app would create must name a user who made them.
 */
const clientScopes = {
  'org:read': { actions: ['org.read'], 'zh-CN': '读取组织机构', en: 'Read organisations' },
  'persons:read': {
    actions: ['org.read', 'person.read'],
    'zh-CN': '读取人员、学籍与花名册（脱敏）',
    en: 'Read persons, enrolments and rosters (masked)',
  },
  'persons:reveal': {
    actions: [],
    'zh-CN': '读取已逐项授权的敏感字段',
    en: 'Read the sensitive fields granted one by one',
  },
} as const satisfies Record<string, { actions: readonly Action[]; 'zh-CN': string; en: string }>;

export type ClientScope = keyof typeof clientScopes;
export const clientScopeNames = Object.keys(clientScopes) as ClientScope[];

const isClientScope = (s: string): s is ClientScope => s in clientScopes;

/** The policy actions a set of scopes opens. */
export function actionsOfScopes(scopes: readonly string[]): Set<Action> {
  return new Set(scopes.filter(isClientScope).flatMap((s) => clientScopes[s].actions));
}

/**
 * Whether an app may reveal `fields` under `purpose`: it declares no purpose of its own, so every
 * field asked must be granted to it for that purpose by a bureau administrator, and not expired.
 */
export function clientMayReveal(
  principal: Principal,
  purpose: string | undefined,
  fields: readonly RevealableField[],
  now = Date.now(),
): boolean {
  const granted = principal.sensitiveFields ?? [];
  return (
    purpose !== undefined &&
    fields.every((f) =>
      granted.some((g) => g.field === f && g.purpose === purpose && Date.parse(g.expiresAt) > now),
    )
  );
}
