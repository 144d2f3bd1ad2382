import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  insertCurrentYear,
  insertHeadTeacher,
  insertPerson,
  linkAccount,
} from '../../src/domains/people/people-test-fixtures';
import { enrolViaApi, eventsOf } from '../../src/domains/people/students-test-support';
import { createUser, type SeededDistrict, seedDistrict, type TestApp } from '../support/app';
import {
  choose,
  launchBrowser,
  screenshot,
  seriousA11yViolations,
  signInAs,
  startConsole,
} from '../support/browser';

/**
 * School and class pages (issue 5, points 3 and 8): a bureau administrator opens a school, a
 * class and a student, exports the roster and asks to see the ID number (a bureau role's purpose
 * waits for approval); a head teacher sees their class and cannot open another by its URL.
 */
describe('school, class and student pages', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    ({ t, base } = await startConsole());
    const db = t.database.db;
    d = await seedDistrict(db);
    const year = await insertCurrentYear(db, d.districtId, [d.schoolA.classId, d.schoolB.classId]);
    await createUser(db, {
      username: 'school_admin_e2e',
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    await createUser(db, {
      username: 'bureau_e2e',
      grants: [{ role: 'bureauAdmin', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    const schoolAdmin = await createUser(db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    for (const [name, idNumber] of [
      ['王小明', '110101201907160335'],
      ['李小红', '110101201805120228'],
    ] as const) {
      await enrolViaApi(t.app, schoolAdmin, {
        schoolId: d.schoolA.id,
        classId: d.schoolA.classId,
        person: { name, idNumber },
      });
    }
    const teacher = await insertPerson(db, d.districtId, '陈老师');
    const head = await createUser(db, { username: 'head_e2e', homeDistrictId: d.districtId });
    await linkAccount(db, d.districtId, teacher, head.userId);
    await insertHeadTeacher(db, {
      districtId: d.districtId,
      personId: teacher,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (username: string) => signInAs(browser, base, username);

  it('bureau administrator: organisation tree → school → class → student; exports the roster; asks for a purpose', async () => {
    const { page, errors } = await signIn('bureau_e2e');
    await page.locator('a:visible', { hasText: '组织机构' }).first().click();
    await page.getByText('东城区教育委员会').first().waitFor();
    await page.locator('.ant-tree-switcher').first().click();
    await page
      .getByRole('link', { name: /第一实验小学/ })
      .first()
      .click();
    await page.getByText('学校标识码').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'school-page');

    await page.getByRole('link', { name: /1班/ }).first().click();
    await page.getByRole('cell', { name: '王小明' }).waitFor();
    expect(await page.getByText('110101********0335').count()).toBe(1);
    expect(await page.locator('body').textContent()).not.toContain('110101201907160335');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'class-roster');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /导出 Excel/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = await download.path();
    expect(fs.statSync(file).size).toBeGreaterThan(1000);
    expect(await eventsOf(t.database.db, d.districtId, 'roster.export')).toHaveLength(1);

    await page.getByRole('link', { name: '王小明' }).click();
    await page.getByText('110101********0335').waitFor();
    await page.getByRole('button', { name: '查看完整信息' }).click();
    await choose(page, page.getByRole('dialog'), '用途', '督导核查');
    await page.getByRole('dialog').getByLabel('理由').fill('双随机抽查学籍真实性');
    await page.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByText('已提交，待另一名管理员审批后方可查看').waitFor();
    expect(await page.locator('body').textContent()).not.toContain('110101201907160335');
    await screenshot(page, 'student-purpose-pending');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('bureau administrator: the district overview draws its charts with the numbers beside them', async () => {
    const { page, errors } = await signIn('bureau_e2e');
    await page.locator('a:visible', { hasText: '区域概况' }).first().click();
    await page.getByText(/学校 2 所，在籍学生 2 人/).waitFor();
    await expect.poll(() => page.locator('[role=img] canvas').count()).toBe(4);
    await page.getByRole('cell', { name: '小学', exact: true }).first().waitFor();
    await page.getByRole('cell', { name: '一年级' }).first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'district-overview');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('bureau administrator: creates a principal for a school, hands over the one-time password, revokes the grant', async () => {
    const { page, errors } = await signIn('bureau_e2e');
    await page.locator('a:visible', { hasText: '用户与授权' }).first().click();
    await page.getByRole('button', { name: '新建用户' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill('principal_new');
    await dialog.getByLabel('姓名').fill('赵校长');
    await choose(page, dialog, '角色', '校长');
    await choose(page, dialog, '组织', '东城区第一实验小学', '第一实验');
    await dialog.getByRole('button', { name: '新建用户' }).click();
    await dialog.getByText(/一次性密码/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'users-one-time-password');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByText('已创建用户 principal_new').waitFor();

    await page.getByRole('button', { name: 'principal_new' }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByRole('cell', { name: '生效中' }).waitFor();
    await drawer.getByRole('button', { name: /撤\s*销/ }).click();
    await drawer.getByRole('cell', { name: '已结束' }).waitFor();
    await screenshot(page, 'users-grant-revoked');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('bureau administrator: adds a school under the bureau from the organisation tree', async () => {
    const { page, errors } = await signIn('bureau_e2e');
    await page.locator('a:visible', { hasText: '组织机构' }).first().click();
    await page.locator('.ant-tree-title', { hasText: '东城区教育委员会' }).click();
    await page.getByRole('button', { name: '新建学校' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称').fill('东城区第三实验小学');
    await choose(page, dialog, '办学类型', '小学');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByText('已保存').waitFor();
    await page.getByRole('link', { name: '东城区第三实验小学' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'org-school-added');

    // Edit the new school: its English name and address.
    // The name selects the unit (its link opens the school page instead).
    await page
      .locator('.ant-tree-title', { hasText: '东城区第三实验小学' })
      .click({ position: { x: 4, y: 4 } });
    await page.getByRole('button', { name: /编\s*辑/ }).click();
    await dialog.getByLabel('英文名称').fill('Dongcheng No. 3 Experimental Primary School');
    await dialog.getByLabel('地址').fill('东城区和平里北街1号');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByText('已保存').waitFor();
    await page.getByText('东城区和平里北街1号').waitFor();
    await page.getByRole('link', { name: '打开学校页面' }).click();
    await page.getByText('学校标识码').waitFor();
    await page.getByText('东城区和平里北街1号').waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('school administrator: adds a grade to a campus and a class to it; the school page lists the class', async () => {
    const { page, errors } = await signIn('school_admin_e2e');
    await page.locator('a:visible', { hasText: '组织机构' }).first().click();
    await page.locator('.ant-tree-title', { hasText: '第一实验小学' }).first().waitFor();
    await page.locator('.ant-tree-switcher').first().click();
    await page.locator('.ant-tree-title', { hasText: '第一实验小学本部' }).click();
    await page.getByRole('button', { name: '新建年级' }).click();
    const dialog = page.getByRole('dialog');
    // A grade the campus has already: the API's refusal shows in the dialog, which stays open.
    await choose(page, dialog, '年级', '一年级');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await dialog.getByRole('alert').filter({ hasText: '该校区已有年级代码为' }).waitFor();
    await choose(page, dialog, '年级', '三年级');
    expect(await dialog.getByLabel('名称').inputValue()).toBe('三年级');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByText('已保存').waitFor();

    await page.locator('.ant-tree-switcher').nth(1).click();
    await page.locator('.ant-tree-title', { hasText: '三年级' }).click();
    await page.getByRole('button', { name: '新建班级' }).click();
    // The current academic year is chosen for the new class; the name follows its number.
    await expect.poll(() => dialog.getByTitle(/测试学年（当前）/).count()).toBe(1);
    await dialog.getByLabel('班号').fill('2');
    expect(await dialog.getByLabel('名称').inputValue()).toBe('三年级（2）班');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'org-class-new');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByText('已保存').waitFor();

    await page.goto(`${base}/schools/${d.schoolA.id}`);
    await page.getByRole('link', { name: '三年级（2）班' }).waitFor();
    await page.getByRole('cell', { name: '三年级', exact: true }).waitFor();
    await screenshot(page, 'school-new-class');
    // The refused grade answers 409, which the browser logs; nothing else may fail.
    expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
    await page.context().close();
  });

  it('school administrator: registers a guardian, hands out an activation code, ends the relation', async () => {
    const { page, errors } = await signIn('school_admin_e2e');
    await page.goto(`${base}/classes/${d.schoolA.classId}`);
    await page.getByRole('link', { name: '李小红' }).click();
    await page.getByRole('button', { name: '登记监护人' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('姓名').fill('李建国');
    await choose(page, dialog, '关系', '父亲', '父');
    await dialog.getByLabel('电话').fill('13812345678');
    await dialog.getByRole('checkbox', { name: '第一联系人' }).check();
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    const row = page.getByRole('row', { name: /李建国/ });
    await row.getByText('138****5678').waitFor();
    expect(await row.getByText('第一联系人').count()).toBe(1);
    expect(await page.locator('body').textContent()).not.toContain('13812345678');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'guardians-registered');

    await row.getByRole('button', { name: '生成激活码' }).click();
    await page.getByText(/李建国 的激活码：[A-Z0-9]{8}/).waitFor();
    expect(await eventsOf(t.database.db, d.districtId, 'guardian.activationCode')).toHaveLength(1);

    await row.getByRole('button', { name: '解除关系' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await page.getByText('已保存').waitFor();
    await expect.poll(() => page.getByRole('row', { name: /李建国/ }).count()).toBe(0);
    // Ended for good: after a reload the school no longer sees the former guardian at all.
    await page.reload();
    await page.getByRole('button', { name: '登记监护人' }).waitFor();
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
    expect(await page.getByText('李建国').count()).toBe(0);
    await screenshot(page, 'guardians-ended');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('head teacher: "my class" opens their class; another class by URL shows not found', async () => {
    const { page, errors } = await signIn('head_e2e');
    await page.locator('a:visible', { hasText: '我的班级' }).first().click();
    await page.getByRole('cell', { name: '李小红' }).waitFor();
    await page.goto(`${base}/classes/${d.schoolB.classId}`);
    await page.getByText('组织不存在').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    await screenshot(page, 'head-teacher-other-class');
    // The refused roster answers 404, which the browser logs; nothing else may fail.
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    await page.context().close();
  });
});
