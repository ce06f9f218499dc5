/**
 * Headless Chromium for the browser tests: Debian's package at /usr/bin/chromium, never a
 * browser downloaded by playwright. Without it a developer machine skips the tests with a
 * reason; in CI (`CI` set) they run and fail when it is missing (.ci/run installs it).
 * Host names other than 127.0.0.1/localhost resolve to nothing: the browser talks to loopback only.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
