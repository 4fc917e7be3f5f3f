import { describe, expect, it } from 'vitest';

import { ApiError } from '@/lib/api';

import { describeSignInError, describeSignInRefusal, isWalletRejection, signInRefusalReason } from './sign-in-errors';

const refusal = (kind: string, detail = 'Sign-in refused') => new ApiError(401, kind, detail);

describe('sign-in refusal reasons', () => {
  it.each([
    ['nonce_expired', /timed out/],
    ['domain_mismatch', /different website/],
    ['uri_mismatch', /different website/],
    ['chain_not_allowed', /Base network/],
    ['bad_signature', /does not match your wallet/],
    ['message_expired', /clock/],
    ['not_yet_valid', /clock/],
    ['nonce_used', /already used/],
    ['malformed_message', /could not read/],
    ['rpc_unavailable', /smart wallet/],
  ])('%s gets its own plain message', (code, words) => {
    expect(describeSignInError(refusal(code))).toMatch(words);
  });

  it('reads the code from the error kind, in any case, or from the detail', () => {
    expect(signInRefusalReason(refusal('NONCE_EXPIRED'))).toBe('nonce_expired');
    expect(signInRefusalReason(refusal('Unauthorized', 'reason: domain_mismatch (got evil.example)'))).toBe(
      'domain_mismatch',
    );
    expect(signInRefusalReason(refusal('Unauthorized', 'no code here'))).toBeNull();
  });

  it('maps other spellings to the same reason', () => {
    expect(signInRefusalReason(refusal('invalid_signature'))).toBe('bad_signature');
    expect(signInRefusalReason(refusal('nonce_reused'))).toBe('nonce_used');
  });

  it('falls back to a general message for unknown reasons, and never shows raw codes', () => {
    const message = describeSignInRefusal(null);
    expect(message).toMatch(/not signed in/);
    expect(describeSignInError(refusal('something_new'))).toBe(message);
  });

  it('describes non-401 API failures like any other API error', () => {
    expect(describeSignInError(new ApiError(0, 'NetworkError', 'x'))).toMatch(/can't reach EAILI5/);
    expect(describeSignInError(new ApiError(429, 'RateLimited', 'x', [], 30))).toMatch(/30 seconds/);
  });
});

describe('wallet-side failures', () => {
  it('recognises a rejection by EIP-1193 code or wagmi error name, also as a cause', () => {
    expect(isWalletRejection({ code: 4001, message: 'User rejected' })).toBe(true);
    const wrapped = Object.assign(new Error('failed'), { cause: { name: 'UserRejectedRequestError' } });
    expect(isWalletRejection(wrapped)).toBe(true);
    expect(isWalletRejection(new Error('other'))).toBe(false);
    expect(describeSignInError(wrapped)).toMatch(/cancelled/);
  });

  it('explains a missing wallet', () => {
    const error = Object.assign(new Error('Provider not found.'), { name: 'ProviderNotFoundError' });
    expect(describeSignInError(error)).toMatch(/No wallet was found/);
  });
});
