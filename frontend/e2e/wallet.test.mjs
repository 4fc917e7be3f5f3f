// Wallet sign-in end to end at 360 px: a guest completes a lesson, then signs in through the real
// Profile UI with a test wallet (an EIP-1193 provider injected into the page whose key lives in Node
// and signs with viem), keeps the lesson and its XP, sees this device in the sessions, exports their
// data, signs out, and finally deletes the new guest's data. Screenshots of each step in light and
// dark (test-results/wallet-*.png), axe on each screen.
//
// The server must accept the page's origin for SIWE (by default the host of EAILI5_PUBLIC_URL), e.g.
// EAILI5_PUBLIC_URL=http://127.0.0.1:8785 eaili5 serve --port 8785 with E2E_BASE_URL to match.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { privateKeyToAccount } from 'viem/accounts';

import { BASE_URL, NO_BACKEND, openMobilePage, screenshot, seriousA11yViolations, sessionToken } from './support.mjs';

const skip = NO_BACKEND && 'needs the real auth API';
// A throwaway key made for this test only; it never holds anything.
const TEST_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba';
const wallet = privateKeyToAccount(TEST_KEY);
const BASE_CHAIN_HEX = '0x2105';

let session;
let guestToken;
let guestXp;
let lessonId;
const signatures = [];

/**
 * Runs in the page before the app: `window.ethereum` answers like a browser wallet on Base. Signing
 * goes to Node (`__e2eWalletSign`), so the key never enters the page. Every other read (eth_call for
 * the Basename) fails as it would offline: the profile must then show the shortened address.
 */
function injectTestWallet({ address, chainId }) {
  const listeners = new Map();
  window.ethereum = {
    isMetaMask: false,
    async request({ method, params }) {
      switch (method) {
        case 'eth_requestAccounts':
        case 'eth_accounts':
          return [address];
        case 'eth_chainId':
          return chainId;
        case 'net_version':
          return String(Number(chainId));
        case 'wallet_requestPermissions':
        case 'wallet_revokePermissions':
          return [{ parentCapability: 'eth_accounts' }];
        case 'personal_sign':
          return window.__e2eWalletSign(params[0], params[1]);
        default:
          throw Object.assign(new Error(`test wallet is offline (${method})`), { code: 4900 });
      }
    },
    on(event, listener) {
      listeners.set(listener, event);
    },
    removeListener(_event, listener) {
      listeners.delete(listener);
    },
  };
}

async function api(method, path, token, body) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function apiOk(method, path, token, body) {
  const { status, body: answer } = await api(method, path, token, body);
  assert.ok(status >= 200 && status < 300, `${method} ${path}: ${status} ${JSON.stringify(answer)}`);
  return answer;
}

async function settled() {
  await session.page.waitForFunction(
    () => !document.querySelector('[aria-busy="true"], [role="status"].ui-page-skeleton'),
  );
}

/** Screenshots the screen in light and dark, with axe in both. */
async function checkScreen(name) {
  const { page } = session;
  for (const theme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: theme });
    await settled();
    await screenshot(page, `wallet-${name}-${theme}`);
    assert.deepEqual(await seriousA11yViolations(page), [], `axe on ${name} (${theme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

function accountCard() {
  return session.page.locator('.account-card');
}

before(async () => {
  if (skip) return;
  session = await openMobilePage();
  await session.page.exposeFunction('__e2eWalletSign', async (messageHex, address) => {
    assert.equal(address.toLowerCase(), wallet.address.toLowerCase(), 'personal_sign for our address');
    const message = Buffer.from(messageHex.slice(2), 'hex').toString('utf8');
    signatures.push(message);
    return wallet.signMessage({ message: { raw: messageHex } });
  });
  await session.page.addInitScript(injectTestWallet, { address: wallet.address, chainId: BASE_CHAIN_HEX });
});

after(async () => {
  await session?.browser.close();
});

test('a guest completes a lesson first', { skip }, async () => {
  const { page } = session;
  await page.goto(`${BASE_URL}/profile`);
  await page.getByRole('heading', { level: 1, name: 'Profile' }).waitFor();
  await accountCard().getByText('Guest', { exact: true }).waitFor();
  guestToken = await sessionToken(page);
  assert.ok(guestToken, 'the app stored a guest token');

  const { paths } = await apiOk('GET', '/api/learn/paths', guestToken);
  lessonId = paths[0].lessons[0].id;
  const done = await apiOk('POST', `/api/learn/lessons/${lessonId}/complete`, guestToken, { time_zone: 'UTC' });
  guestXp = (await apiOk('GET', '/api/learn/progress', guestToken)).xp;
  assert.ok(guestXp > 0, `the lesson earned XP (${JSON.stringify(done)})`);

  await page.goto(`${BASE_URL}/learn`);
  await page.getByTestId('learn-stats').getByTestId('xp').waitFor();
  assert.match(await page.getByTestId('learn-stats').getByTestId('xp').innerText(), new RegExp(`^${guestXp} XP`));
  await checkScreen('1-guest-learn');
});

test('the guest signs in with the wallet through the Profile tab', { skip }, async () => {
  const { page } = session;
  await page.goto(`${BASE_URL}/profile`);
  const signInCard = page.getByRole('region', { name: 'Sign in with your wallet' });
  await signInCard.waitFor();
  assert.match(await signInCard.innerText(), /Not a transaction/);
  await checkScreen('2-guest-profile');

  await page.getByRole('button', { name: 'Sign in with wallet' }).click();
  const browserWallet = page.getByRole('button', { name: 'Browser wallet' });
  await browserWallet.waitFor();
  assert.equal(await page.getByRole('button', { name: 'Coinbase / Base Account' }).count(), 1);
  await checkScreen('3-wallet-options');

  // The keyboard works: focus the wallet and press Enter.
  await browserWallet.focus();
  await page.keyboard.press('Enter');
  await accountCard().getByText('Signed in with wallet').waitFor({ timeout: 20_000 });

  assert.equal(signatures.length, 1, 'one message signed');
  const [message] = signatures;
  const host = new URL(BASE_URL).host;
  assert.match(
    message,
    new RegExp(`^${host.replace(/\./g, '\\.')} wants you to sign in with your Ethereum account:\n${wallet.address}\n`),
  );
  assert.match(
    message,
    new RegExp(`\nURI: ${BASE_URL.replace(/\./g, '\\.')}\nVersion: 1\nChain ID: 8453\nNonce: [a-zA-Z0-9]{8,}\n`),
  );

  // No Basename resolves offline: the shortened EIP-55 address, the full one below it.
  // The server keeps addresses lowercase; the page spells them EIP-55 (checksum code loads on demand).
  await page.waitForFunction(
    (address) => document.querySelector('[data-testid="wallet-address"]')?.textContent === address,
    wallet.address,
  );
  const shortened = `${wallet.address.slice(0, 6)}…${wallet.address.slice(-4)}`;
  assert.equal(await page.getByTestId('wallet-identity').innerText(), shortened);
  const sessions = page.getByRole('region', { name: 'Active sessions' });
  await sessions.getByText('This device').waitFor();
  await checkScreen('4-signed-in');
});

test('the token rotated and the guest progress is still there', { skip }, async () => {
  const { page } = session;
  const walletToken = await sessionToken(page);
  assert.notEqual(walletToken, guestToken, 'sign-in stored a new token');
  assert.equal((await api('GET', '/api/me', guestToken)).status, 401, 'the guest token stopped working');

  const me = await apiOk('GET', '/api/me', walletToken);
  assert.equal(me.wallet_address.toLowerCase(), wallet.address.toLowerCase());
  assert.equal(me.is_guest, false);
  const progress = await apiOk('GET', '/api/learn/progress', walletToken);
  assert.equal(progress.xp, guestXp, 'XP earned as a guest kept');
  const { paths } = await apiOk('GET', '/api/learn/paths', walletToken);
  assert.equal(paths[0].lessons.find((lesson) => lesson.id === lessonId).completed, true, 'lesson still done');

  await page.getByRole('link', { name: /Learn/ }).first().click();
  await page.getByTestId('learn-stats').getByTestId('xp').waitFor();
  assert.match(await page.getByTestId('learn-stats').getByTestId('xp').innerText(), new RegExp(`^${guestXp} XP`));
  await checkScreen('5-signed-in-learn');
});

test('export my data downloads a JSON file about this user', { skip }, async () => {
  const { page } = session;
  await page
    .getByRole('link', { name: /Profile/ })
    .first()
    .click();
  await accountCard().getByText('Signed in with wallet').waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export my data' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^eaili5-my-data-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  const me = await apiOk('GET', '/api/me', await sessionToken(page));
  assert.equal(exported.user_id, me.id);
  assert.ok(Object.keys(exported.tables).length > 0, 'tables exported');
  assert.doesNotMatch(JSON.stringify(exported), new RegExp(await sessionToken(page)), 'no token in the export');
});

test('signing out returns to a fresh guest and ends the wallet session', { skip }, async () => {
  const { page } = session;
  const walletToken = await sessionToken(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await accountCard().getByText('Guest', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Sign in with wallet' }).waitFor();
  const newGuestToken = await sessionToken(page);
  assert.notEqual(newGuestToken, walletToken);
  assert.equal((await api('GET', '/api/me', walletToken)).status, 401, 'the wallet token stopped working');
  assert.equal((await apiOk('GET', '/api/me', newGuestToken)).is_guest, true);
  await checkScreen('6-signed-out');
});

test('deleting my data asks for the exact words, then starts a new guest', { skip }, async () => {
  const { page } = session;
  const token = await sessionToken(page);
  const previous = await apiOk('GET', '/api/me', token);
  await page.getByRole('button', { name: 'Delete my data' }).click();
  const confirm = page.getByRole('button', { name: 'Delete everything' });
  assert.equal(await confirm.isDisabled(), true);
  await page.getByLabel('Type DELETE MY DATA to confirm').fill('DELETE MY DATA');
  await checkScreen('7-delete-confirm');
  await confirm.click();
  await page.getByText('Your data was deleted').waitFor();
  assert.equal((await api('GET', '/api/me', token)).status, 401, 'the deleted user has no session');
  await page.getByTestId('user-id').filter({ hasNotText: previous.id }).waitFor();
  const pageErrors = session.errors.filter((error) => error.startsWith('pageerror'));
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});
