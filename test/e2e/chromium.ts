/**
 * Headless Chromium for the browser tests: Debian's package at /usr/bin/chromium, never a
 * browser downloaded by playwright. Without it a developer machine skips the tests with a
 * reason; in CI (`CI` set) they run and fail when it is missing (.ci/run installs it).
 * Host names other than 127.0.0.1/localhost resolve to nothing: the browser talks to loopback only.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/** The `skip` option of the browser suites: false (run) or why they are skipped. */
export function chromiumSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return false;
  return `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium); the browser tests run in CI`;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`CI=${process.env.CI ?? ''}: ${CHROMIUM_PATH} is missing; .ci/run must install the Debian chromium package`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 15_000 });
}

/**
 * A fresh browser context for one test (10 s default timeout). Script errors and console errors
 * (a CSP violation is one) fail the test, except those matching `allow` (a request the test
 * aborts on purpose).
 */
export async function withPage<T>(
  browser: Browser,
  fn: (page: Page, context: BrowserContext) => Promise<T>,
  o: { locale?: string; viewport?: { width: number; height: number }; allow?: RegExp } = {},
): Promise<T> {
  const context = await browser.newContext({ locale: o.locale ?? 'en-GB', ...(o.viewport && { viewport: o.viewport }) });
  context.setDefaultTimeout(10_000);
  const problems: string[] = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !o.allow?.test(m.text())) problems.push(`console error: ${m.text()} (at ${page.url()})`);
    });
    const result = await fn(page, context);
    assert.deepEqual(problems, [], 'no script or console errors in the pages');
    return result;
  } finally {
    await context.close();
  }
}
