import { ownOrChildDistrictOf } from '../../access/person-scope';
import { purposeName } from '../../access/purposes';
import { audit, type Ctx, requirePrincipal } from '../../context';
import { forbidden } from '../../errors';
import type { Lang } from '../../i18n/messages';
import { visiblePersonOrThrow } from '../people/persons-service';
import { actorsOf } from './actors';
import { type AuditEventRow, searchEvents } from './repository';

/**
 * "Who looked at my child's data, and why" (PIPL's right to know; issue 4's guardian view): the
 * audit events that name a person, for that person and for their guardians only. Other callers use
 * the audit search (`GET /audit/events?subjectId=`), which needs a district-wide audit role.
 * A caller who may read the person but is neither gets 403 (the person's existence is no secret to
 * them); anybody else 404.
 */

/** What an entry shows: never the other persons an event names, its address, request or hashes. */
export interface AccessLogEntry {
  at: Date;
  actor: { kind: AuditEventRow['actorKind']; name: string | null; isYou: boolean };
  action: string;
  actionLabel: string;
  purpose: string | null;
  outcome: AuditEventRow['outcome'];
}

export interface AccessLogPage {
  items: AccessLogEntry[];
  /** Pass as `before` for the next (older) page; null when this was the last. */
  nextBefore: number | null;
}

/** Labels by action prefix, most specific first. */
const ACTION_LABELS: [prefix: string, label: Record<Lang, string>][] = [
  ['person.accessLog.read', { 'zh-CN': '查看访问记录', en: 'Viewed this access log' }],
  ['person.read', { 'zh-CN': '查看个人信息', en: 'Viewed personal data' }],
  [
    'person.reveal',
    {
      'zh-CN': '查看敏感信息（证件号、电话或学籍号）',
      en: 'Viewed sensitive data (ID, phone or student number)',
    },
  ],
  ['roster.exportUnmasked', { 'zh-CN': '导出花名册（未脱敏）', en: 'Exported a roster (unmasked)' }],
  ['purpose.', { 'zh-CN': '登记或审批查看用途', en: 'Declared or decided a purpose' }],
  ['roster.read', { 'zh-CN': '查看班级花名册', en: 'Viewed a class roster' }],
  ['person.lookup', { 'zh-CN': '按证件号查找', en: 'Looked up by ID number' }],
  ['roster.export', { 'zh-CN': '导出花名册（已脱敏）', en: 'Exported a roster (masked)' }],
  ['person.', { 'zh-CN': '登记或修改个人信息', en: 'Registered or changed personal data' }],
  ['personAccount.', { 'zh-CN': '开通账号', en: 'Opened an account' }],
  ['student.', { 'zh-CN': '办理学籍', en: 'Student record change' }],
  ['promote', { 'zh-CN': '升级', en: 'Promotion' }],
  ['graduate', { 'zh-CN': '毕业', en: 'Graduation' }],
  ['guardian.', { 'zh-CN': '办理监护关系', en: 'Guardian relation change' }],
  ['staff.', { 'zh-CN': '办理教职工事务', en: 'Staff record change' }],
  ['roster.import.', { 'zh-CN': '名册导入', en: 'Roster import' }],
  ['audit.read', { 'zh-CN': '查询审计记录', en: 'Searched the audit trail' }],
  ['apiClient.call', { 'zh-CN': '授权应用调用接口', en: 'An authorised app called the API' }],
];

export function actionLabel(action: string, lang: Lang): string {
  for (const [prefix, label] of ACTION_LABELS) {
    if (action === prefix || (prefix.endsWith('.') && action.startsWith(prefix))) return label[lang];
  }
  return action;
}

export async function listAccessToPerson(
  ctx: Ctx,
  personId: string,
  input: { before?: number; limit: number },
): Promise<AccessLogPage> {
  const principal = requirePrincipal(ctx);
  const districtId = ownOrChildDistrictOf(principal, personId);
  if (!districtId) {
    // 404 unless the caller may read this person anyway (then they learn nothing new: 403).
    await visiblePersonOrThrow(ctx, personId, 'person.read');
    throw forbidden();
  }
  const id = personId.toLowerCase();
  const rows = await searchEvents(ctx.db, {
    districtId,
    subjectId: id,
    beforeSeq: input.before,
    limit: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const actorOf = await actorsOf(ctx.db, districtId, page);
  await audit(ctx, {
    districtId,
    action: 'person.accessLog.read',
    targetType: 'person',
    targetId: id,
    subjectIds: [id],
    details: { returned: page.length },
  });
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      at: r.at,
      actor: {
        kind: r.actorKind,
        name: actorOf(r).name,
        isYou: r.actorId === principal.userId,
      },
      action: r.action,
      actionLabel: actionLabel(r.action, ctx.lang),
      purpose: r.purpose && purposeName(r.purpose, ctx.lang),
      outcome: r.outcome,
    })),
    nextBefore: rows.length > input.limit && last ? last.seq : null,
  };
}
