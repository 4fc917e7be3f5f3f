// Market feature, beyond the list and chart checks in app.test.mjs: the token page's recent trades.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE_URL, NO_BACKEND, openMobilePage, screenshot, seriousA11yViolations } from './support.mjs';

const AERO = '0x940181a94A35A4569E4529A3CDfB74e38FD98631';
const skip = NO_BACKEND && 'needs the real market API';

let session;

before(async () => {
  if (!skip) session = await openMobilePage();
});

after(async () => {
  await session?.browser.close();
});

test('the token page lists recent trades, labelled simulated', { skip }, async () => {
  const { page } = session;
  await page.goto(`${BASE_URL}/market/${AERO}`);
  const list = page.getByRole('list', { name: /Newest AERO trades/ });
  await list.waitFor();
  const rows = list.getByRole('listitem');
  await page.waitForFunction(() => document.querySelectorAll('.recent-trades__row').length >= 5);
  assert.ok((await rows.count()) >= 5);
  const first = await rows.first().innerText();
  assert.match(first, /(Bought|Sold)/);
  assert.match(first, /AERO/);
  assert.match(first, /\$/);
  assert.match(await page.locator('.recent-trades__intro').innerText(), /simulated/);
  await list.scrollIntoViewIfNeeded();
  await screenshot(page, 'market-token-recent-trades');
  assert.deepEqual(await seriousA11yViolations(page), []);
});

test('the market pages logged no errors', { skip }, () => {
  assert.deepEqual(session.errors, []);
});
