import { ApiError, describeError } from '@/lib/api';

/**
 * Why the server refused a sign-in (401 with a reason code), in words for someone new to wallets.
 * Every refusal changed nothing on the server, so trying again is always safe.
 */
const REASON_MESSAGES: Record<string, string> = {
  nonce_expired: 'The sign-in request timed out (they last 5 minutes). Please try again.',
  nonce_unknown: 'This sign-in request is not one we made for this browser. Please try again.',
  nonce_used: 'This sign-in request was already used. Please try again: you will get a new one.',
  nonce_mismatch: 'This sign-in request belongs to another browser session. Please try again.',
  domain_mismatch:
    'The message you signed names a different website. Make sure the address bar shows the real EAILI5 site, then try again.',
  uri_mismatch:
    'The message you signed points at a different website. Make sure the address bar shows the real EAILI5 site, then try again.',
  chain_not_allowed: 'Switch your wallet to the Base network, then try again.',
  unsupported_version: 'Your wallet made a sign-in message we cannot read. Please try again or use another wallet.',
  message_expired: 'The signed message had already expired. Check that your device clock is right, then try again.',
  not_yet_valid: 'The signed message is not valid yet. Check that your device clock is right, then try again.',
  malformed_message: 'Your wallet changed the sign-in message, so we could not read it. Please try again.',
  bad_signature: 'The signature does not match your wallet address. Please try again with the same wallet.',
  rpc_unavailable:
    'We could not reach the Base network to check your smart wallet. Nothing was changed: please try again in a minute.',
};

/** Other spellings the server (or a later version of it) may use for the same reasons. */
const ALIASES: Record<string, string> = {
  nonce_invalid: 'nonce_unknown',
  nonce_not_found: 'nonce_unknown',
  nonce_reused: 'nonce_used',
  nonce_consumed: 'nonce_used',
  nonce_session_mismatch: 'nonce_mismatch',
  wrong_domain: 'domain_mismatch',
  wrong_uri: 'uri_mismatch',
  chain_mismatch: 'chain_not_allowed',
  unsupported_chain: 'chain_not_allowed',
  chain_id_not_allowed: 'chain_not_allowed',
  invalid_version: 'unsupported_version',
  expired: 'message_expired',
  message_not_yet_valid: 'not_yet_valid',
  invalid_message: 'malformed_message',
  invalid_signature: 'bad_signature',
  signature_mismatch: 'bad_signature',
  rpc_error: 'rpc_unavailable',
};

const GENERIC_REFUSAL = 'We could not check that signature, so you are not signed in. Please try again.';

function knownReason(code: string): string | null {
  const normalized = code.trim().toLowerCase();
  const canonical = ALIASES[normalized] ?? normalized;
  return canonical in REASON_MESSAGES ? canonical : null;
}

/** The reason code of a refused sign-in: the error kind, or else the first code named in the detail. */
export function signInRefusalReason(error: ApiError): string | null {
  const fromKind = knownReason(error.kind);
  if (fromKind) return fromKind;
  for (const word of error.detail.match(/[a-z][a-z0-9]*(?:_[a-z0-9]+)+/g) ?? []) {
    const reason = knownReason(word);
    if (reason) return reason;
  }
  return null;
}

export function describeSignInRefusal(reason: string | null): string {
  return (reason && REASON_MESSAGES[reason]) ?? GENERIC_REFUSAL;
}

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 8; ) {
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
  if (error instanceof ApiError) {
    return error.status === 401 ? describeSignInRefusal(signInRefusalReason(error)) : describeError(error);
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
