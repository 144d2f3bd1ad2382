import { describe, expect, it } from 'vitest';
import { actionLabel } from './access-log';

describe('access log action labels', () => {
  it.each([
    ['person.read', 'zh-CN', '查看个人信息'],
    ['roster.read', 'en', 'Viewed a class roster'],
    ['roster.export', 'zh-CN', '导出花名册（已脱敏）'],
    ['student.transferOut', 'zh-CN', '办理学籍'],
    ['guardian.activate', 'en', 'Guardian relation change'],
    ['personAccount.create', 'zh-CN', '开通账号'],
    ['person.accessLog.read', 'zh-CN', '查看访问记录'],
    ['person.manage', 'en', 'Registered or changed personal data'],
  ] as const)('%s (%s) → %s', (action, lang, label) => {
    expect(actionLabel(action, lang)).toBe(label);
  });

  it('an action it does not know is shown as its code', () => {
    expect(actionLabel('org.update', 'zh-CN')).toBe('org.update');
    expect(actionLabel('person', 'zh-CN')).toBe('person');
  });
});
