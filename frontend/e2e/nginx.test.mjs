// The production web image's nginx (frontend/nginx.conf) serving the built app, in Chromium, with
// the API on another origin as in Google Cloud. Run by backend/tests/infra/test_nginx.py, which
// starts nginx and a backend; skipped unless E2E_NGINX_URL is set.
//
//   E2E_NGINX_URL  nginx serving dist/ with the generated config.js (e.g. http://127.0.0.1:18080)
//   E2E_API_URL    the API origin that config.js must point the app at (e.g. http://127.0.0.1:18000)
//   E2E_CHROMIUM   the browser binary (default /usr/bin/chromium)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

const NGINX_URL = (process.env.E2E_NGINX_URL ?? '').replace(/\/+$/, '');
const API_URL = (process.env.E2E_API_URL ?? '').replace(/\/+$/, '');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = NGINX_URL === '' && 'E2E_NGINX_URL is not set (backend/tests/infra/test_nginx.py sets it)';
const TIMEOUT_MS = 20_000;

let browser;

before(async () => {
  if (SKIP) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh page that records console errors (CSP violations land there), API responses and sockets. */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const seen = { errors: [], apiStatuses: [], socketFrames: 0, socketUrls: [] };
  page.on('pageerror', (error) => seen.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.url().startsWith(`${API_URL}/api/`)) seen.apiStatuses.push(response.status());
  });
  page.on('websocket', (socket) => {
    seen.socketUrls.push(socket.url());
    socket.on('framereceived', () => {
      seen.socketFrames += 1;
    });
  });
  return { context, page, seen };
}

test('the app loads through nginx and talks to the API origin from config.js', { skip: SKIP }, async () => {
  const { context, page, seen } = await openPage();
  try {
    // A deep link: nginx must answer it with index.html, and the router must render the market.
    const response = await page.goto(`${NGINX_URL}/market`);
    assert.equal(response.status(), 200);
    assert.equal(await page.evaluate(() => window.__EAILI5_CONFIG__?.apiBaseUrl), API_URL);
    await page.getByText('USDC', { exact: false }).first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('a[href^="/market/0x"]').length >= 5);
    assert.ok(seen.apiStatuses.length > 0, 'no request reached the API origin');
    assert.deepEqual(
      seen.apiStatuses.filter((status) => status >= 400),
      [],
      'API requests through the CSP and CORS must succeed',
    );
    // The WebSocket to the API origin is allowed by connect-src and live ticks arrive.
    const deadline = Date.now() + TIMEOUT_MS;
    while (seen.socketFrames === 0 && Date.now() < deadline) await page.waitForTimeout(200);
    assert.ok(
      seen.socketUrls.some((url) => url.startsWith(API_URL.replace(/^http/, 'ws'))),
      `no WebSocket to the API origin (saw ${seen.socketUrls.join(', ') || 'none'})`,
    );
    assert.ok(seen.socketFrames > 0, 'the WebSocket received no frame');
    assert.deepEqual(seen.errors, [], 'the page logged errors (a CSP violation shows up here)');
  } finally {
    await context.close();
  }
});
