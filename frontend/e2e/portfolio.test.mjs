// Portfolio feature, beyond the market-order flow in app.test.mjs: a limit order placed and cancelled,
// the equity chart after trades, and the leaderboard with the caller's own rank.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE_URL, NO_BACKEND, openMobilePage, screenshot, seriousA11yViolations, sessionToken } from './support.mjs';

const WETH = '0x4200000000000000000000000000000000000006';
const skip = NO_BACKEND && 'needs the real portfolio API';

let session;

before(async () => {
  if (skip) return;
  session = await openMobilePage();
  await session.page.goto(`${BASE_URL}/portfolio`);
  await session.page.getByTestId('total-value').waitFor();
  await api('POST', '/api/portfolio/reset');
});

after(async () => {
  await session?.browser.close();
});

async function api(method, path, body, extraHeaders = {}) {
  const { page } = session;
  const response = await page.request.fetch(`${BASE_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await sessionToken(page)}`, ...extraHeaders },
    data: body,
  });
  assert.ok(response.ok(), `${method} ${path}: ${response.status()} ${await response.text()}`);
  return response.json();
}

async function buy(usd) {
  return api(
    'POST',
    '/api/portfolio/orders',
    { side: 'buy', token: WETH, usd_amount: usd },
    {
      'Idempotency-Key': crypto.randomUUID(),
    },
  );
}

test('a limit buy is explained, placed, listed and cancelled', { skip }, async () => {
  const { page } = session;
  const weth = await api('GET', `/api/tokens/${WETH}`);
  // Half the price now: the simulated market never gets there during the test, so the order waits.
  const trigger = (Number(weth.price_usd) / 2).toFixed(2);
  await page.goto(`${BASE_URL}/portfolio?token=${WETH}`);
  const ticket = page.getByTestId('trade-ticket');
  await ticket.getByRole('group', { name: 'When to trade' }).getByRole('button', { name: 'Limit' }).click();
  await ticket
    .getByTestId('trigger-explanation')
    .getByText('Your buy waits until 1 WETH costs this price or less.')
    .waitFor();
  await ticket.getByLabel(/How much play money to spend/).fill('10');
  await ticket.getByLabel(/Trigger price/).fill(trigger);
  await ticket
    .getByText(/Nothing is set aside now/)
    .first()
    .waitFor();
  await ticket.scrollIntoViewIfNeeded();
  await screenshot(page, 'portfolio-limit-ticket');
  const review = ticket.getByRole('button', { name: 'Review order' });
  await page.waitForFunction((el) => el && !el.disabled, await review.elementHandle());
  await review.click();
  assert.match(
    await ticket.getByTestId('waiting-sentence').innerText(),
    /^Buy \$10\.00 of WETH when the price is \$[\d.]+ or lower\.$/,
  );
  await ticket.getByRole('button', { name: 'Place order' }).click();
  await ticket.getByTestId('order-placed').getByText('Your order is waiting.').waitFor();

  const open = page.getByTestId('open-order');
  await open.first().waitFor();
  assert.equal(await open.count(), 1);
  assert.match(await open.first().innerText(), /Buy \$10\.00 of WETH when the price is \$[\d,.]+ or lower\./);
  assert.equal((await page.getByTestId('cash').textContent())?.trim(), '$100.00', 'nothing is reserved');
  await open.first().scrollIntoViewIfNeeded();
  await screenshot(page, 'portfolio-open-order');
  assert.deepEqual(await seriousA11yViolations(page), []);

  await open
    .first()
    .getByRole('button', { name: /^Cancel:/ })
    .click();
  await page.getByText(/^No waiting orders\./).waitFor();
  const cancelled = await api('GET', '/api/portfolio/orders?status=cancelled');
  assert.equal(cancelled.items.length, 1);
  assert.equal((await api('GET', '/api/portfolio/orders?status=open')).items.length, 0);
  await page.getByText(/Recently ended/).click();
  await page.getByTestId('closed-order').filter({ hasText: 'Cancelled' }).waitFor();
});

test('the equity chart shows the run after trades', { skip }, async () => {
  const { page } = session;
  await buy('20');
  await buy('15');
  await page.goto(`${BASE_URL}/portfolio`);
  const chart = page.getByTestId('equity-chart');
  await chart.locator('canvas').first().waitFor();
  const equity = await api('GET', '/api/portfolio/equity?range=7d');
  assert.deepEqual(
    equity.points.map((p) => p.kind),
    ['start', 'trade', 'trade', 'now'],
  );
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 250 && box.height > 120, `the chart has room: ${JSON.stringify(box)}`);
  await page.getByTestId('max-drawdown').waitFor();
  await chart.scrollIntoViewIfNeeded();
  await screenshot(page, 'portfolio-equity-chart');
  for (const range of ['1 day', '30 days', 'All']) {
    await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: range }).click();
  }
  await chart.locator('canvas').first().waitFor();
});

test('a sell offers stop-loss and take-profit, with the trigger explained', { skip }, async () => {
  const { page } = session;
  await page.goto(`${BASE_URL}/portfolio?token=${WETH}&side=sell`);
  const ticket = page.getByTestId('trade-ticket');
  const kinds = ticket.getByRole('group', { name: 'When to trade' });
  await kinds.getByRole('button', { name: 'Stop-loss' }).click();
  await ticket
    .getByTestId('trigger-explanation')
    .getByText(/falls to this price or lower/)
    .waitFor();
  await ticket.getByLabel(/Trigger price/).fill('1000000');
  await ticket
    .getByTestId('trigger-problem')
    .getByText(/must be below the price now/)
    .waitFor();
  const box = await kinds.boundingBox();
  const width = page.viewportSize()?.width ?? 360;
  assert.ok(box && box.x >= 0 && box.x + box.width <= width, `the four choices fit: ${JSON.stringify(box)}`);
  await ticket.scrollIntoViewIfNeeded();
  await screenshot(page, 'portfolio-stop-loss-ticket');
  await kinds.getByRole('button', { name: 'Take-profit' }).click();
  await ticket
    .getByTestId('trigger-explanation')
    .getByText(/rises to this price or higher/)
    .waitFor();
  await ticket.getByRole('button', { name: 'Close the trade ticket' }).click();
});

test('the leaderboard ranks the run once it has enough trades, under a nickname', { skip }, async () => {
  const { page } = session;
  await buy('5'); // the third trade: enough to be ranked
  const me = await api('GET', '/api/me');
  // The ranking is recomputed at most every 10 s for everyone: wait until it includes this run.
  const deadline = Date.now() + 30_000;
  let board = await api('GET', '/api/leaderboard?period=week');
  while (!board.you.qualified && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    board = await api('GET', '/api/leaderboard?period=week');
  }
  assert.equal(board.you.qualified, true, JSON.stringify(board.you));
  assert.ok(!JSON.stringify(board).includes(me.id), 'no id on the leaderboard');
  await page.goto(`${BASE_URL}/portfolio`);
  const leaderboard = page.getByTestId('leaderboard');
  const mine = leaderboard.locator('.pf-rank--you');
  await mine.waitFor();
  assert.match(await mine.innerText(), new RegExp(board.you.entry.display_name));
  assert.match(await leaderboard.getByTestId('leaderboard-you').innerText(), /You are number \d+ of \d+\./);
  await leaderboard.scrollIntoViewIfNeeded();
  await screenshot(page, 'portfolio-leaderboard');
  assert.deepEqual(await seriousA11yViolations(page), []);
  await leaderboard.getByRole('button', { name: 'This run' }).click();
  await mine.waitFor();
});

test('the portfolio pages logged no errors', { skip }, () => {
  assert.deepEqual(session.errors, []);
});
