// Stored and reflected HTML never runs in the browser. Hostile strings are stored through the real API
// as the page's own guest (conversation titles and questions), then shown by other screens than the
// one that wrote them: the chat history drawer, the chat page title and the conversation itself; and
// a search term carried in a URL is shown back on the market list. Every string must appear character
// for character as text; no element, handler or javascript: link may come of it, nothing may execute
// (a flag the payloads would set stays unset), and the CSP must not even have had to block anything.
// Screenshots: test-results/security-*.png.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE_URL, NO_BACKEND, openMobilePage, screenshot, sessionToken } from './support.mjs';

const skip = NO_BACKEND && 'needs the real API';

/** Each payload would push its name onto window.__pwned if it ever ran. */
const ATTACKS = {
  img: `<img src=x onerror="(window.__pwned=window.__pwned||[]).push('img')">`,
  script: `<script>(window.__pwned=window.__pwned||[]).push('script')</script>`,
  svg: `"><svg/onload="(window.__pwned=window.__pwned||[]).push('svg')">`,
  link: `[tap me](javascript:(window.__pwned=window.__pwned||[]).push('link'))`,
  iframe: `<iframe srcdoc="<script>parent.__pwned=['iframe']</script>"></iframe>`,
};

let session;
const cspViolations = [];

before(async () => {
  if (skip) return;
  session = await openMobilePage();
  session.page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
});

after(async () => {
  await session?.browser.close();
});

const page = () => session.page;

async function api(method, path, token, body) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Whatever a payload could have created or run, anywhere in the page. */
async function assertNothingInjected(where) {
  const found = await page().evaluate(() => ({
    pwned: window.__pwned ?? null,
    handlers: document.querySelectorAll('[onerror], [onload], [onclick], [onmouseover]').length,
    images: [...document.querySelectorAll('img')].filter((img) => img.getAttribute('src') === 'x').length,
    inlineScripts: document.querySelectorAll('script:not([src])').length,
    frames: document.querySelectorAll('iframe, object, embed').length,
    scriptLinks: [...document.querySelectorAll('a[href]')].filter((a) =>
      /^\s*javascript:/i.test(a.getAttribute('href')),
    ).length,
  }));
  assert.deepEqual(
    found,
    { pwned: null, handlers: 0, images: 0, inlineScripts: 0, frames: 0, scriptLinks: 0 },
    `${where}: a payload became markup or ran`,
  );
  assert.deepEqual(cspViolations, [], `${where}: the CSP had to block something`);
}

/** The chat page's title, once the opened conversation has loaded, is exactly `title`. */
async function pageTitleIs(title) {
  await page().waitForFunction(
    (expected) => document.querySelector('.chat-page__title')?.textContent === expected,
    title,
  );
}

test('stored HTML in conversation titles and questions shows as text in history and chat', { skip }, async () => {
  cspViolations.length = 0;
  await page().goto(`${BASE_URL}/chat`);
  await page().waitForFunction(() => localStorage.getItem('eaili5.token'));
  const token = await sessionToken(page());
  for (const attack of Object.values(ATTACKS)) {
    const reply = await api('POST', '/api/chat', token, { text: `What is ${attack}?` });
    await api('PATCH', `/api/conversations/${reply.conversation_id}`, token, { title: attack });
  }
  const stored = await api('GET', '/api/conversations', token);
  assert.deepEqual(stored.items.map((c) => c.title).sort(), Object.values(ATTACKS).sort(), 'stored exactly');

  await page().reload();
  await page().getByRole('button', { name: 'History' }).click();
  const drawer = page().getByRole('dialog', { name: 'Your conversations' });
  await drawer.getByRole('list', { name: 'Recent conversations' }).waitFor();
  await drawer
    .locator('.chat-history__title')
    .nth(Object.keys(ATTACKS).length - 1)
    .waitFor();
  const titles = await drawer.locator('.chat-history__title').allTextContents();
  assert.deepEqual(titles.sort(), Object.values(ATTACKS).sort(), 'each title shown character for character');
  await screenshot(page(), 'security-history');
  await assertNothingInjected('history drawer');

  await drawer.locator('.chat-history__open').filter({ hasText: ATTACKS.img }).click();
  await drawer.waitFor({ state: 'hidden' });
  await pageTitleIs(ATTACKS.img);
  const question = page().locator('.chat-question__text').last();
  await question.waitFor();
  assert.equal(await question.evaluate((el) => el.lastChild?.textContent), `What is ${ATTACKS.img}?`);
  await screenshot(page(), 'security-conversation');
  await assertNothingInjected('opened conversation');

  await page().getByRole('button', { name: 'History' }).click();
  await drawer.locator('.chat-history__open').filter({ hasText: ATTACKS.link }).click();
  await drawer.waitFor({ state: 'hidden' });
  await pageTitleIs(ATTACKS.link);
  await page().locator('.chat-question__text').last().waitFor();
  await assertNothingInjected('conversation with a javascript: link');
});

test('a search term from the URL is shown back as text on the market list', { skip }, async () => {
  cspViolations.length = 0;
  const attack = `<img src=x onerror="window.__pwned=['search']">`; // within the 64-character limit
  await page().goto(`${BASE_URL}/market?q=${encodeURIComponent(attack)}`);
  const empty = page().getByText(/^No token matches/);
  await empty.waitFor();
  assert.equal(await empty.textContent(), `No token matches “${attack}”. Try a symbol like ETH or USDC.`);
  await screenshot(page(), 'security-market-search');
  await assertNothingInjected('market search');
});
