import { describe, expect, it } from 'vitest';

import { ApiError, SignInRefusedError } from '@/lib/api';

import { describeSignInError, describeSignInRefusal, isWalletRejection } from './sign-in-errors';

const refusal = (reason: string) => new SignInRefusedError(reason as SignInRefusedError['reason'], 'refused');

describe('sign-in refusal reasons', () => {
  it.each([
    ['nonce_expired', /timed out/],
    ['nonce_unknown', /not one we made/],
    ['nonce_used', /already used/],
    ['nonce_session_mismatch', /another browser/],
    ['domain_mismatch', /names a different website/],
    ['uri_mismatch', /points at a different website/],
    ['chain_unsupported', /Base network/],
    ['version_unsupported', /cannot read/],
    ['expired', /already expired.*clock/],
    ['not_yet_valid', /not valid yet.*clock/],
    ['malformed_message', /could not read/],
    ['bad_signature', /does not match your wallet/],
  ])('%s gets its own plain message', (reason, words) => {
    expect(describeSignInError(refusal(reason))).toMatch(words);
  });

  it('gives every reason different words', () => {
    const reasons = ['nonce_expired', 'nonce_unknown', 'nonce_used', 'nonce_session_mismatch', 'domain_mismatch'];
    expect(new Set(reasons.map((reason) => describeSignInRefusal(reason))).size).toBe(reasons.length);
  });

  it('falls back to general words for a reason this build does not know, never showing the code', () => {
    const message = describeSignInError(refusal('something_new'));
    expect(message).toMatch(/not signed in/);
    expect(message).not.toContain('something_new');
    expect(describeSignInRefusal('toString')).toBe(message);
  });

  it('describes other API failures like any other API error', () => {
    expect(describeSignInError(new ApiError(0, 'NetworkError', 'x'))).toMatch(/can't reach EAILI5/);
    expect(describeSignInError(new ApiError(429, 'RateLimited', 'x', [], 30))).toMatch(/30 seconds/);
    expect(describeSignInError(new ApiError(401, 'Unauthorized', 'x'))).toMatch(/session ended/);
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
