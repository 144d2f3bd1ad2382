import type { DbOrTx } from '../../db/client';
import { type AuditEventRow, actorNamesOf } from './repository';

/** Who acted, as the trail shows it: a user's name and username, an app's name; else nulls. */
export interface EventActor {
  name: string | null;
  username: string | null;
}

const NOBODY: EventActor = { name: null, username: null };

type Acting = Pick<AuditEventRow, 'actorId' | 'actorKind'>;

const distinctIds = (events: Acting[], kind: AuditEventRow['actorKind']) => [
  ...new Set(events.flatMap((e) => (e.actorKind === kind && e.actorId ? [e.actorId] : []))),
];

/**
 * Name the actors of a page of one district's events (the audit search and the access log):
 * one lookup for the whole page. Names are resolved when read, never stored in the chain, so an
 * event shows its actor's current name, and the hashes never depend on one. The system, anonymous
 * callers and actors that no longer exist have no name.
 */
export async function actorsOf(
  db: DbOrTx,
  districtId: string,
  events: Acting[],
): Promise<(event: Acting) => EventActor> {
  const names = await actorNamesOf(db, districtId, {
    userIds: distinctIds(events, 'user'),
    clientIds: distinctIds(events, 'apiClient'),
  });
  return (event) => {
    if (!event.actorId) return NOBODY;
    if (event.actorKind === 'user') return names.users.get(event.actorId) ?? NOBODY;
    if (event.actorKind === 'apiClient') {
      return { name: names.clients.get(event.actorId) ?? null, username: null };
    }
    return NOBODY;
  };
}
