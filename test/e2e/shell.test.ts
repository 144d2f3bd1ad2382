import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/domains/accounts/schema';
import {
  insertCurrentYear,
  insertGuardianRelation,
  insertPerson,
  linkAccount,
} from '../../src/domains/people/people-test-fixtures';
import { enrolViaApi } from '../../src/domains/people/students-test-support';
import { createUser, type SeededDistrict, seedDistrict, type TestApp } from '../support/app';
import {
  chineseLabelsLeft,
  launchBrowser,
  openPage,
  overflowsSideways,
  screenshot,
  seriousA11yViolations,
  signInAs,
  startConsole,
} from '../support/browser';

/**
 * The console's shell (issue 5, point 1): sign-in, role-aware navigation, the language switch
 * (remembered), session expiry, sign-out; a guardian's page shows their child and nothing else.
 * Every journey fails on a console error and saves screenshots under test/e2e/screenshots/.
 */
describe('console shell', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let browser: Browser;
  let base = '';
  const names = { admin: 'bureau_admin_e2e', guardian: 'guardian_e2e' };

  beforeAll(async () => {
    ({ t, base } = await startConsole());
    const db = t.database.db;
    d = await seedDistrict(db);
    await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    const admin = await createUser(db, {
      username: names.admin,
      grants: [{ role: 'bureauAdmin', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    // Latin display names: the English check below then finds no Chinese but the switch's own label.
    await db.execute(sql`update ${users} set display_name = 'Wang Fang' where id = ${admin.userId}`);
    const schoolAdmin = await createUser(db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const mine = await enrolViaApi(t.app, schoolAdmin, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '李小红', idNumber: '110101201805120228' },
    });
    const other = await enrolViaApi(t.app, schoolAdmin, {
      schoolId: d.schoolA.id,
      classId: d.schoolA.classId,
      person: { name: '王小明', idNumber: '110101201907160335' },
    });
    expect(other.person.id).not.toBe(mine.person.id);
    const mother = await insertPerson(db, d.districtId, '李母');
    await insertGuardianRelation(db, {
      districtId: d.districtId,
      guardianPersonId: mother,
      childPersonId: mine.person.id,
    });
    const guardian = await createUser(db, { username: names.guardian, homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, mother, guardian.userId);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (username: string, viewport?: { width: number; height: number }) =>
    signInAs(browser, base, username, viewport);

  it('sign-in page: labelled, accessible, refuses a wrong password with the API’s message', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(base);
    await page.getByRole('heading', { name: '登录明德' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('用户名').fill(names.admin);
    await page.getByLabel('密码').fill('Wrong-password-1');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByRole('alert').filter({ hasText: '用户名或密码' }).waitFor();
    await screenshot(page, 'shell-sign-in-refused');
    // The refused sign-in answers 401, which the browser itself logs; nothing else may fail.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await page.context().close();
  });

  it('bureau administrator: home with roles; the language switch changes every label and is remembered', async () => {
    const { page, errors } = await signIn(names.admin);
    await page.getByRole('heading', { name: '欢迎，Wang Fang' }).waitFor();
    await expect.poll(() => page.getByText('区县教育局管理员').count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'shell-bureau-home-zh');

    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Welcome, Wang Fang' }).waitFor();
    // Nothing Chinese left but the switch back, which names its language in that language.
    expect((await chineseLabelsLeft(page, [])).filter((s) => s !== '中文')).toEqual([]);
    await screenshot(page, 'shell-bureau-home-en');

    await page.reload();
    await page.getByRole('heading', { name: 'Welcome, Wang Fang' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Mingde' }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('bureau administrator: searches the audit trail by action and verifies the chain', async () => {
    const { page, errors } = await signIn(names.admin);
    await page.locator('a:visible', { hasText: '审计日志' }).first().click();
    await page.getByLabel('操作（前缀）').fill('student.');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByRole('cell', { name: 'student.enrol' }).first().waitFor();
    const actions = await page.locator('.ant-table-tbody tr.ant-table-row td:nth-child(3)').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.startsWith('student.'))).toBe(true);
    // Who acted is shown by name and found by username (the searches themselves are audited).
    await page.getByLabel('操作（前缀）').fill('');
    await page.getByLabel('操作人用户名').fill(names.admin);
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page
      .getByRole('cell', { name: `Wang Fang（${names.admin}）` })
      .first()
      .waitFor();
    const who = await page.locator('.ant-table-tbody tr.ant-table-row td:nth-child(2)').allTextContents();
    expect(who.every((w) => w === `Wang Fang（${names.admin}）`)).toBe(true);
    // A person is found by ID number (looked up in a request body, never put in a URL).
    await page.getByLabel('操作人用户名').fill('');
    await page.getByLabel('涉及人员的证件号码').fill('110101201805120228');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByRole('cell', { name: 'student.enrol' }).first().waitFor();
    expect(page.url()).not.toContain('110101201805120228');
    await page.getByRole('button', { name: '校验审计链' }).click();
    await page.getByText(/审计链完整：共校验 \d+ 条记录/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'shell-audit');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('guardian on a phone: only their child, no bureau menu; an expired session returns to sign-in', async () => {
    const { page, errors } = await signIn(names.guardian, { width: 390, height: 844 });
    expect(await page.getByText('区域概况').count()).toBe(0);
    await page.goto(`${base}/children`);
    await page.getByRole('cell', { name: '李小红' }).waitFor();
    expect(await page.getByText('王小明').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'shell-guardian-children-phone');

    await page.getByRole('link', { name: '李小红' }).click();
    await page.getByText('110101********0228').waitFor();
    expect(await page.getByRole('button', { name: '查看完整信息' }).count()).toBe(0);
    await page.goBack();
    await page.locator('a:visible', { hasText: '谁查看过' }).first().click();
    await page.getByText('办理学籍').first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'shell-guardian-access-log-phone');

    // The session ends while the page is open: the next request returns the user to sign-in, saying why.
    await page.locator('a:visible', { hasText: '首页' }).first().click();
    await t.database.db.execute(sql`update sessions set revoked_at = now() where revoked_at is null
      and user_id = (select id from users where username = ${names.guardian})`);
    await page.locator('a:visible', { hasText: '我的孩子' }).first().click();
    await page.getByRole('heading', { name: '登录明德' }).waitFor();
    await page.getByText('登录已过期，请重新登录').waitFor();
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await page.context().close();
  });
});
