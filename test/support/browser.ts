import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { createTestApp, TEST_PASSWORD, type TestApp } from './app';

/**
 * Debian's chromium driven by playwright-core (no browser download). Each page records console
 * errors and uncaught exceptions; a journey fails on any of them.
 */
export const SCREENSHOTS = path.resolve('test/e2e/screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
}

export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const axeSource = fs.readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe-core violations on the page as it is now (rule id and first target). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the console's CSP (script-src 'self') stays in force.
  await page.evaluate(axeSource);
  // A string, evaluated in the page: this file is compiled without the DOM's types.
  const violations = (await page.evaluate('axe.run(document).then((r) => r.violations)')) as {
    id: string;
    impact: string;
    nodes: { target: string[] }[];
  }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

/** A test app serving the built console on a free port of 127.0.0.1, and its address. */
export async function startConsole(): Promise<{ t: TestApp; base: string }> {
  const t = await createTestApp({}, undefined, { web: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  return { t, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** Sign in through the console's own form (the test users' password) and wait for the shell. */
export async function signInAs(
  browser: Browser,
  base: string,
  username: string,
  viewport?: { width: number; height: number },
): Promise<WatchedPage> {
  const watched = await openPage(browser, viewport);
  await watched.page.goto(base);
  await watched.page.getByLabel('用户名').fill(username);
  await watched.page.getByLabel('密码').fill(TEST_PASSWORD);
  await watched.page.getByRole('button', { name: /登\s*录/ }).click();
  await watched.page.getByRole('button', { name: /退出登录/ }).waitFor();
  return watched;
}

/** Whether the page is wider than the window (a layout that breaks makes the user scroll sideways). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth > window.innerWidth')) as boolean;
}

export interface FocusStop {
  /** Tag and accessible text of the focused element. */
  what: string;
  /** An outline or a focus shadow is drawn around it. */
  ringed: boolean;
}

/** Press Tab once and describe where the focus landed and whether the user can see it. */
export async function tabOnce(page: Page): Promise<FocusStop> {
  await page.keyboard.press('Tab');
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { what: 'body', ringed: false };
    // A field's ring may be drawn by its wrapper (antd draws it around input and icons together).
    const ringed = (node) => {
      const s = getComputedStyle(node);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none');
    };
    const wrapper = el.closest('.ant-input-affix-wrapper, .ant-select, .ant-picker, .ant-input-number');
    const label = (el.getAttribute('aria-label') || el.textContent || el.id || '').trim();
    return {
      what: el.tagName.toLowerCase() + ' ' + label.slice(0, 40),
      ringed: Boolean(ringed(el) || (wrapper && ringed(wrapper))),
    };
  })()`)) as FocusStop;
}

/**
 * Chinese left on the page once the data the test put in (names of people, schools, classes) is
 * taken out: in English, whatever remains is a label the switch missed.
 */
export async function chineseLabelsLeft(page: Page, data: string[]): Promise<string[]> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText: the text a user sees
  let text = await page.locator('body').innerText();
  for (const value of [...data].sort((a, b) => b.length - a.length)) text = text.split(value).join(' ');
  return text.match(/[^\s]*[\u4e00-\u9fff]+[^\s]*/g) ?? [];
}

/**
 * Choose an option of a select inside `scope` (a dialog): open it (typing `typed` to search, if
 * given), click the option, and wait until the field shows it chosen, so that a dropdown still
 * opening cannot swallow the click.
 */
export async function choose(
  page: Page,
  scope: Locator,
  label: string,
  option: string | RegExp,
  typed?: string,
): Promise<void> {
  const field = scope.getByLabel(label);
  await field.click();
  if (typed !== undefined) await field.fill(typed);
  await page.locator('.ant-select-dropdown:visible').getByTitle(option, { exact: true }).click();
  await scope.getByTitle(option, { exact: true }).first().waitFor();
}
