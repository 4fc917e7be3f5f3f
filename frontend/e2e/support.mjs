// Shared set-up for the per-feature end-to-end files (`e2e/*.test.mjs`): one mobile-sized page in
// Debian's Chromium against the real server at E2E_BASE_URL, screenshots and axe checks.
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
/** Set when run against `vite preview` with no backend: feature files that need the API skip. */
export const NO_BACKEND = process.env.E2E_NO_BACKEND === '1';
export const RESULTS_DIR = fileURLToPath(new URL('../test-results/', import.meta.url));
export const TIMEOUT_MS = 15_000;
export const TOKEN_KEY = 'eaili5.token';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource;

/**
 * Launches the browser and opens one 360 px wide touch page; `errors` collects what the page logged
 * (a healthy app logs none). Close with `browser.close()` in `after`.
 */
export async function openMobilePage() {
  await mkdir(RESULTS_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { browser, context, page, errors };
}

/** Saves `<name>.png` (the viewport) and `<name>-full.png` (the whole page) under test-results/. */
export async function screenshot(page, name) {
  await page.screenshot({ path: `${RESULTS_DIR}${name}.png` });
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
  await page.screenshot({ path: `${RESULTS_DIR}${name}-full.png` });
  await page.setViewportSize(viewport);
}

/** The page's serious and critical axe violations, as readable strings. */
export async function seriousA11yViolations(page) {
  // Evaluated through the DevTools protocol: an inline <script> would be blocked by the app's CSP.
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeSource ??= await readFile(AXE_SCRIPT, 'utf8');
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async () => {
     
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} at ${v.targets.join(', ')}`);
}

/** The guest session token the app stored, for calling the API as the same user. */
export async function sessionToken(page) {
  return page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
}
