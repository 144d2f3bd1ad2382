import type { MessageKey } from './i18n';

/**
 * The console's pages and who is offered them, by the roles GET /auth/me lists. Offering is
 * convenience only: every page shows what the API answers, and the API decides access.
 */
export interface NavItem {
  path: string;
  label: MessageKey;
  roles: readonly string[] | 'everyone';
}

/** Roles granted on organisations, who read the organisation tree. */
const orgReaders = [
  'platformAdmin',
  'cityBureauAdmin',
  'cityBureauAnalyst',
  'bureauAdmin',
  'bureauAnalyst',
  'inspector',
  'principal',
  'schoolAdmin',
  'schoolDoctor',
  'counsellor',
];

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
  { path: '/org', label: 'navOrg', roles: orgReaders },
  { path: '/children', label: 'navChildren', roles: ['guardian'] },
  {
    path: '/users',
    label: 'navUsers',
    roles: ['platformAdmin', 'cityBureauAdmin', 'bureauAdmin', 'principal', 'schoolAdmin'],
  },
  { path: '/audit', label: 'navAudit', roles: ['platformAdmin', 'cityBureauAdmin', 'bureauAdmin'] },
];

/** The pages the user's roles offer; a teacher's classes and one's own record come first. */
export function itemsFor(
  roles: readonly string[],
  classes: readonly { id: string }[] = [],
  personIds: readonly string[] = [],
): NavItem[] {
  const offered = navItems.filter(
    (item) => item.roles === 'everyone' || item.roles.some((r) => roles.includes(r)),
  );
  const own = (path: string, label: MessageKey): NavItem => ({ path, label, roles: 'everyone' });
  return [
    offered[0] as NavItem,
    ...classes.map((c) => own(`/classes/${c.id}`, 'myClass')),
    ...personIds.slice(0, 1).map((id) => own(`/persons/${id}`, 'navMe')),
    ...offered.slice(1),
  ];
}

/** Roles that keep rosters (roster.import): who is offered the import page. */
export const rosterKeepers = ['platformAdmin', 'cityBureauAdmin', 'bureauAdmin', 'schoolAdmin'];

/** Roles that may ask to see L4 data under a purpose (the API's people ceiling `sensitive`). */
export const sensitiveRoles = [
  'platformAdmin',
  'cityBureauAdmin',
  'bureauAdmin',
  'inspector',
  'principal',
  'schoolAdmin',
  'headTeacher',
];

/** Roles that create, move and close organisations (org.create / org.move / org.close). */
export const orgKeepers = ['platformAdmin', 'cityBureauAdmin', 'bureauAdmin', 'schoolAdmin'];
