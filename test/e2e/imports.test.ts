import { count } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentRecord, studentsCsv } from '../../src/domains/people/imports-test-support';
import { onlyCurrentYear } from '../../src/domains/people/people-test-fixtures';
import { persons } from '../../src/domains/people/schema';
import { createUser, type SeededDistrict, seedDistrict, type TestApp } from '../support/app';
import { launchBrowser, screenshot, seriousA11yViolations, signInAs, startConsole } from '../support/browser';

/**
 * Roster import in the console (issue 5, points 5 and 8): a file with two bad rows shows both,
 * by row and column, and writes nothing until the school administrator confirms.
 */
describe('roster import page', () => {
  let t: TestApp;
  let d: SeededDistrict;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    ({ t, base } = await startConsole());
    const db = t.database.db;
    d = await seedDistrict(db);
    await onlyCurrentYear(db, d, [d.schoolA.classId]);
    await createUser(db, {
      username: 'school_admin_e2e',
      grants: [{ role: 'schoolAdmin', districtId: d.districtId, orgUnitId: d.schoolA.id }],
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const personCount = async () => (await t.database.db.select({ n: count() }).from(persons))[0]?.n ?? 0;

  it('shows both bad rows, writes nothing until confirmed, then writes the valid ones', async () => {
    const { page, errors } = await signInAs(browser, base, 'school_admin_e2e');
    await page.locator('a:visible', { hasText: '组织机构' }).first().click();
    await page
      .getByRole('link', { name: /第一实验小学/ })
      .first()
      .click();
    await page.getByRole('link', { name: '名册导入' }).click();

    const klass = { grade: '一年级', number: '1' };
    const rows = [0, 1, 2, 3].map((i) => studentRecord(i, klass));
    rows[1] = { ...(rows[1] as Record<string, string>), 身份证件号: '110101201501010012' };
    rows[3] = { ...(rows[3] as Record<string, string>), 班级: '7' };
    await page.locator('input[type=file]').setInputFiles({
      name: '学生名册.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\uFEFF${studentsCsv(rows)}`, 'utf8'),
    });
    await page.getByText('共 4 行：有效 2 行，有问题 2 行。确认前不会写入任何数据。').waitFor();
    const problemRows = page.locator('.ant-table-tbody tr');
    const rowNumbers = await problemRows.locator('td:first-child').allTextContents();
    expect([...new Set(rowNumbers)].sort()).toEqual(['3', '5']);
    expect(await page.getByRole('cell', { name: '身份证件号' }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('cell', { name: '班级' }).count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'import-checked');
    expect(await personCount()).toBe(0);

    await page.getByRole('button', { name: '确认导入有效行' }).click();
    await page.getByText(/已写入：新增 \d+/).waitFor();
    // Two students and each one's guardian.
    expect(await personCount()).toBe(4);
    await screenshot(page, 'import-applied');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
