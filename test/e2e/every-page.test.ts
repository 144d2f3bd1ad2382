import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/domains/accounts/schema';
import {
  accountFor,
  insertGuardianRelation,
  insertHeadTeacher,
  insertPerson,
  insertTeaching,
  onlyCurrentYear,
} from '../../src/domains/people/people-test-fixtures';
import { enrolViaApi } from '../../src/domains/people/students-test-support';
import { createUser, type SeededDistrict, seedDistrict, TEST_PASSWORD, type TestApp } from '../support/app';
import {
  chineseLabelsLeft,
  type FocusStop,
  launchBrowser,
  openPage,
  overflowsSideways,
  screenshot,
  seriousA11yViolations,
  signInAs,
  startConsole,
  tabOnce,
} from '../support/browser';

/**
 * Every page of the console (issue 5, points 4, 7 and 8): reached by keyboard with a visible focus,
 * no serious axe violation, no sideways scrolling at 1280×800 (guardian pages also at 390 wide),
 * and in English no label left in Chinese. Guardians and students see school, class and teachers.
 */
describe('every page', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let browser: Browser;
  let base = '';
  let student = '';
  let child = '';
  /** Names the test put into the database: data, not labels, so they stay as typed in English. */
  let data: string[] = [];

  beforeAll(async () => {
    ({ t, base } = await startConsole());
    const db = t.database.db;
    d = await seedDistrict(db);
    const year = await onlyCurrentYear(db, d, [d.schoolA.classId, d.schoolB.classId]);
    const admin = await createUser(db, {
      username: 'tour_admin',
      grants: [{ role: 'bureauAdmin', districtId: d.districtId, orgUnitId: d.rootId }],
    });
    await db.execute(sql`update ${users} set display_name = 'Wang Fang' where id = ${admin.userId}`);
    const schoolAdmin = await createUser(db, {
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    const enrolled = async (name: string, idNumber: string) =>
      (
        await enrolViaApi(t.app, schoolAdmin, {
          schoolId: d.schoolA.id,
          classId: d.schoolA.classId,
          person: { name, idNumber },
        })
      ).person.id;
    student = await enrolled('王小明', '110101201907160335');
    child = await enrolled('李小红', '110101201805120228');

    const head = await insertPerson(db, d.districtId, '陈老师');
    await insertHeadTeacher(db, {
      districtId: d.districtId,
      personId: head,
      classId: d.schoolA.classId,
      academicYearId: year.academicYearId,
    });
    const maths = await insertPerson(db, d.districtId, '张老师');
    await insertTeaching(db, {
      districtId: d.districtId,
      personId: maths,
      classId: d.schoolA.classId,
      termId: year.termId,
      subjectCode: '14',
    });
    const mother = await insertPerson(db, d.districtId, '李母');
    await insertGuardianRelation(db, {
      districtId: d.districtId,
      guardianPersonId: mother,
      childPersonId: child,
    });
    await accountFor(db, d.districtId, mother, 'tour_guardian');
    await accountFor(db, d.districtId, student, 'tour_student');

    const names = await db.execute<{ name: string }>(sql`
      select name from org_units where district_id = ${d.districtId}
      union select name from persons where district_id = ${d.districtId}
      union select name from districts where id = ${d.districtId}
      union select name from academic_years where district_id = ${d.districtId}
      union select name from terms where district_id = ${d.districtId}
      union select display_name from users`);
    // 数学: the JY/T 1001 subject list has Chinese names only; the teacher's subject is shown as coded.
    data = [...names.rows.map((r) => r.name), '数学'];
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Visit, wait for `ready`, then check layout and accessibility; a screenshot per page. */
  const check = async (page: Page, path: string, ready: string | RegExp, shot: string) => {
    await page.goto(`${base}${path}`);
    await page
      .getByText(ready)
      .first()
      .waitFor()
      .catch(async (e: unknown) => {
        await screenshot(page, `${shot}-failed`);
        throw e;
      });
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
    expect(await overflowsSideways(page), `${path} scrolls sideways`).toBe(false);
    expect(await seriousA11yViolations(page), path).toEqual([]);
    await screenshot(page, shot);
  };

  it('keyboard only: signs in, and every stop on the way to a page shows where the focus is', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(base);
    await page.getByRole('heading', { name: '登录明德' }).waitFor();
    const stops: FocusStop[] = [];
    const tabTo = async (target: RegExp, limit = 40) => {
      for (let i = 0; i < limit; i += 1) {
        const stop = await tabOnce(page);
        stops.push(stop);
        if (target.test(stop.what)) return;
      }
      throw new Error(`Tab never reached ${target}: ${stops.map((s) => s.what).join(' | ')}`);
    };
    await tabTo(/^input username/);
    await page.keyboard.type('tour_admin');
    await tabTo(/^input password/);
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '欢迎，Wang Fang' }).waitFor();

    // The skip link comes first; then the header's buttons and the menu, in reading order.
    await tabTo(/^a 跳到正文/, 1);
    await tabTo(/^a 组织机构/);
    await page.keyboard.press('Enter');
    await page.locator('.ant-tree-title', { hasText: '东城区教育委员会' }).waitFor();
    await tabTo(/^div 东城区教育委员会/);
    await screenshot(page, 'keyboard-org');

    // On a fresh page the skip link takes the focus past header and menu into the page itself.
    await page.goto(`${base}/users`);
    await page.getByRole('button', { name: '新建用户' }).waitFor();
    await tabTo(/^a 跳到正文/, 1);
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    await tabTo(/^input 搜索用户名或姓名/, 8);

    const unseen = stops.filter((s) => !s.ringed && s.what !== 'body');
    expect(unseen, 'focus without a visible ring').toEqual([]);
    expect(stops.map((s) => s.what)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^button .*English/),
        expect.stringMatching(/^button 退出登录/),
        expect.stringMatching(/^a 首页/),
        expect.stringMatching(/^a 区域概况/),
        expect.stringMatching(/^button 新建用户/),
      ]),
    );
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('bureau administrator: every page fits 1280×800, passes axe, and in English keeps no Chinese label', async () => {
    const { page, errors } = await signInAs(browser, base, 'tour_admin');
    const pages: [string, string | RegExp, string | RegExp, string][] = [
      ['/', '欢迎，Wang Fang', 'Welcome, Wang Fang', 'home'],
      ['/overview', /学校 2 所/, /2 schools/, 'overview'],
      ['/org', '东城区教育委员会', 'Choose', 'org'],
      [`/schools/${d.schoolA.id}`, '学校标识码', 'School code', 'school'],
      [`/classes/${d.schoolA.classId}`, '王小明', 'Student number', 'class'],
      [`/persons/${child}`, '班主任', 'Head teacher', 'person'],
      [`/schools/${d.schoolA.id}/imports`, '下载模板', 'Download the template', 'imports'],
      ['/users', '新建用户', 'New user', 'users'],
      ['/audit', '校验审计链', 'Verify the audit chain', 'audit'],
      ['/no-such-page', '页面不存在', 'No such page', 'not-found'],
    ];
    for (const [path, zh, , shot] of pages) await check(page, path, zh, `page-${shot}-zh`);

    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Switch to English' }).click();
    for (const [path, , en, shot] of pages) {
      await check(page, path, en, `page-${shot}-en`);
      // The switch back names its language in that language.
      const left = (await chineseLabelsLeft(page, data)).filter((s) => s !== '中文');
      expect(left, `${path} in English`).toEqual([]);
    }
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    await page.context().close();
  });

  it('guardian on a phone: the child’s school, class and teachers, in Chinese and in English', async () => {
    const { page, errors } = await signInAs(browser, base, 'tour_guardian', { width: 390, height: 844 });
    await check(page, '/children', '李小红', 'guardian-children-390');
    await check(page, `/persons/${child}`, '班主任', 'guardian-child-390');
    expect(await page.getByText('陈老师').count()).toBe(1);
    expect(await page.getByText('张老师').count()).toBe(1);
    // The school keeps the guardians; a guardian is not offered to manage them.
    expect(await page.getByRole('button', { name: '登记监护人' }).count()).toBe(0);
    await check(page, `/persons/${child}/access-log`, '办理学籍', 'guardian-access-log-390');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    const guardianPages = {
      children: '/children',
      child: `/persons/${child}`,
      log: `/persons/${child}/access-log`,
    };
    for (const [shot, path] of Object.entries(guardianPages)) {
      await check(page, path, /Head teacher|Relation|Student record change/, `guardian-${shot}-en-390`);
      expect(
        (await chineseLabelsLeft(page, data)).filter((s) => s !== '中文'),
        path,
      ).toEqual([]);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('student: "about me" shows their own class and teachers and no one else', async () => {
    const { page, errors } = await signInAs(browser, base, 'tour_student', { width: 390, height: 844 });
    await page.locator('a:visible', { hasText: '我的信息' }).first().click();
    await page.getByText('班主任').waitFor();
    await page.getByText('陈老师').waitFor();
    expect(await page.getByText('李小红').count()).toBe(0);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'student-me-390');
    await page.goto(`${base}/persons/${child}`);
    await page.getByText('人员不存在').first().waitFor();
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    await page.context().close();
  });
});
