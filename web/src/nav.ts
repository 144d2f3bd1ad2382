import type { MessageKey } from './i18n';
import type { Me } from './session';

/**
 * The console's pages and who is offered them, by the roles GET /auth/me lists. Offering is
 * convenience only: every page shows what the API answers, and the API decides access.
 */
export interface NavItem {
  path: string;
  label: MessageKey;
  /** Offered by role (relations, or a view only some grant roles need) … */
  roles?: readonly string[] | 'everyone';
  /** … or to whoever may ever do this action (GET /auth/me `can`, from the API's policy). */
  action?: string;
}

export const navItems: NavItem[] = [
  { path: '/', label: 'home', roles: 'everyone' },
  {
    path: '/overview',
    label: 'navOverview',
    roles: [
      'platformAdmin',
      'cityBureauAdmin',
      'cityBureauAnalyst',
      'bureauAdmin',
      'bureauAnalyst',
      'inspector',
    ],
  },
  { path: '/org', label: 'navOrg', action: 'org.read' },
  { path: '/children', label: 'navChildren', roles: ['guardian'] },
  { path: '/users', label: 'navUsers', action: 'user.read' },
  { path: '/audit', label: 'navAudit', action: 'audit.read' },
];

/** The pages the user is offered; a teacher's classes and one's own record come first. */
export function itemsFor(me: Pick<Me, 'roles' | 'can' | 'classes' | 'personIds'>): NavItem[] {
  const { roles, can, classes, personIds } = me;
  const offered = navItems.filter(
    (item) =>
      item.roles === 'everyone' ||
      (item.roles?.some((r) => roles.includes(r)) ?? false) ||
      (item.action !== undefined && can.includes(item.action)),
  );
  const own = (path: string, label: MessageKey): NavItem => ({ path, label, roles: 'everyone' });
  return [
    offered[0] as NavItem,
    ...classes.map((c) => own(`/classes/${c.id}`, 'myClass')),
    ...personIds.slice(0, 1).map((id) => own(`/persons/${id}`, 'navMe')),
    ...offered.slice(1),
  ];
}
