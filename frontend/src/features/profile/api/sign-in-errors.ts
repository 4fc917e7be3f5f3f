import { ApiError, describeError, SignInRefusedError, type SignInRefusalReason } from '@/lib/api';

/**
 * Why the server refused a sign-in (401 `SignInFailed` with a `reason`), in words for someone new to
 * wallets. Every refusal changed nothing on the server, so trying again is always safe. A Record over
 * the generated union: a reason the server adds fails the type check until it has its words here.
 */
const REASON_MESSAGES: Record<SignInRefusalReason, string> = {
  nonce_expired: 'The sign-in request timed out (they last 5 minutes). Please try again.',
  nonce_unknown: 'This sign-in request is not one we made. Please try again: you will get a new one.',
  nonce_used: 'This sign-in request was already used. Please try again: you will get a new one.',
  nonce_session_mismatch: 'This sign-in request belongs to another browser or tab. Please try again here.',
  domain_mismatch:
    'The message you signed names a different website. Make sure the address bar shows the real EAILI5 site, then try again.',
  uri_mismatch:
    'The message you signed points at a different website. Make sure the address bar shows the real EAILI5 site, then try again.',
  chain_unsupported: 'Switch your wallet to the Base network, then try again.',
  version_unsupported: 'Your wallet made a sign-in message we cannot read. Please try again or use another wallet.',
  expired: 'The signed message had already expired. Check that your device clock is right, then try again.',
  not_yet_valid: 'The signed message is not valid yet. Check that your device clock is right, then try again.',
  malformed_message: 'Your wallet changed the sign-in message, so we could not read it. Please try again.',
  bad_signature: 'The signature does not match your wallet address. Please try again with the same wallet.',
};

const GENERIC_REFUSAL = 'We could not check that signature, so you are not signed in. Please try again.';

export function describeSignInRefusal(reason: string | null): string {
  // A reason newer than this build is still a refusal: say so in general words, never show the code.
  return reason !== null && Object.hasOwn(REASON_MESSAGES, reason)
    ? REASON_MESSAGES[reason as SignInRefusalReason]
    : GENERIC_REFUSAL;
}

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 8;) {
    chain.push(current);
    current = typeof current === 'object' && 'cause' in current ? current.cause : undefined;
  }
  return chain;
}

function hasName(error: unknown, names: readonly string[]): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && names.includes(String(error.name));
}

/** EIP-1193 code 4001 (or wagmi's wrapper of it): the person said no in their wallet. */
export function isWalletRejection(error: unknown): boolean {
  return errorChain(error).some(
    (link) =>
      hasName(link, ['UserRejectedRequestError']) ||
      (typeof link === 'object' && link !== null && 'code' in link && link.code === 4001),
  );
}

/** Words for any failure of the sign-in flow: in the wallet, on the way, or refused by the server. */
export function describeSignInError(error: unknown): string {
  if (error instanceof SignInRefusedError) return describeSignInRefusal(error.reason);
  if (error instanceof ApiError) {
    // A 401 without a reason: this browser's session itself was not accepted.
    return error.isUnauthorized ? 'Your session ended. Reload the page and try again.' : describeError(error);
  }
  if (isWalletRejection(error)) return 'You cancelled in your wallet. Nothing was signed and nothing changed.';
  if (errorChain(error).some((link) => hasName(link, ['ProviderNotFoundError', 'ConnectorNotFoundError']))) {
    return 'No wallet was found. Install a wallet app or browser extension, or choose another way to connect.';
  }
  if (errorChain(error).some((link) => hasName(link, ['ConnectorChainMismatchError', 'SwitchChainError']))) {
    return 'Switch your wallet to the Base network, then try again.';
  }
  return 'Something went wrong with your wallet. Nothing was signed. Please try again.';
}
