import { parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import { describe, expect, it } from 'vitest';

import { buildSignInMessage, SIGN_IN_STATEMENT } from './siwe';

const ADDRESS_LOWER = '0xd8da6bf26964af9d7eed9e03e53415d37aa96045';
const ADDRESS_EIP55 = '0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045';
const NOW = new Date('2026-11-26T18:00:00.000Z');
const LOCATION = { host: '127.0.0.1:8785', origin: 'http://127.0.0.1:8785' };

describe('buildSignInMessage', () => {
  it('writes the EIP-4361 lines in order with the page host, origin, chain and server nonce', () => {
    const message = buildSignInMessage({
      address: ADDRESS_LOWER,
      chainId: 8453,
      nonce: 'a1B2c3D4e5F6g7H8',
      location: LOCATION,
      now: NOW,
    });

    expect(message.split('\n')).toEqual([
      '127.0.0.1:8785 wants you to sign in with your Ethereum account:',
      ADDRESS_EIP55,
      '',
      SIGN_IN_STATEMENT,
      '',
      'URI: http://127.0.0.1:8785',
      'Version: 1',
      'Chain ID: 8453',
      'Nonce: a1B2c3D4e5F6g7H8',
      'Issued At: 2026-11-26T18:00:00.000Z',
      'Expiration Time: 2026-11-26T18:05:00.000Z',
    ]);
  });

  it('round-trips through a SIWE parser and validates for the same domain and nonce only', () => {
    const message = buildSignInMessage({
      address: ADDRESS_EIP55,
      chainId: 84532,
      nonce: 'n0nce1234567',
      location: { host: 'eaili5.example', origin: 'https://eaili5.example' },
      now: NOW,
    });
    const parsed = parseSiweMessage(message);

    expect(parsed).toMatchObject({
      domain: 'eaili5.example',
      uri: 'https://eaili5.example',
      chainId: 84532,
      nonce: 'n0nce1234567',
      version: '1',
    });
    const at = new Date(NOW.getTime() + 60_000);
    expect(validateSiweMessage({ message: parsed, domain: 'eaili5.example', nonce: 'n0nce1234567', time: at })).toBe(
      true,
    );
    expect(validateSiweMessage({ message: parsed, domain: 'evil.example', time: at })).toBe(false);
    expect(validateSiweMessage({ message: parsed, time: new Date(NOW.getTime() + 6 * 60_000) })).toBe(false);
  });

  it('keeps the statement on one ASCII line, as the message format requires', () => {
    expect(SIGN_IN_STATEMENT).not.toContain('\n');
    expect(SIGN_IN_STATEMENT).toMatch(/^[\x20-\x7e]+$/);
    expect(SIGN_IN_STATEMENT).toMatch(/not a transaction/);
  });

  it('refuses chains other than Base and Base Sepolia, and nonces that are too short', () => {
    const input = { address: ADDRESS_LOWER, nonce: 'a1B2c3D4e5', location: LOCATION, now: NOW };
    expect(() => buildSignInMessage({ ...input, chainId: 1 })).toThrow(/Chain 1/);
    expect(() => buildSignInMessage({ ...input, chainId: 8453, nonce: 'short' })).toThrow();
  });
});
