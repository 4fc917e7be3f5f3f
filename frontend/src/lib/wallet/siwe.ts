import { getAddress } from 'viem';
import { createSiweMessage } from 'viem/siwe';

import { isSignInChain } from './chains';

/** Shown in the wallet above the technical lines: what the person is agreeing to, in plain words. */
export const SIGN_IN_STATEMENT =
  'Sign in to EAILI5 with this wallet. This only proves the wallet is yours: it is not a transaction and costs nothing.';

/** How long the signed message stays valid; the server's nonce lives 5 minutes anyway. */
export const SIGN_IN_MESSAGE_TTL_MS = 5 * 60_000;

export interface SignInMessageInput {
  address: string;
  chainId: number;
  nonce: string;
  /** The page's location: the message names this site, so a signature cannot be replayed elsewhere. */
  location: Pick<Location, 'host' | 'origin'>;
  now?: Date;
}

/**
 * The EIP-4361 message the wallet signs: domain = the host the person sees, URI = the origin, the
 * connected chain (Base or Base Sepolia), and the server's single-use nonce.
 */
export function buildSignInMessage({
  address,
  chainId,
  nonce,
  location,
  now = new Date(),
}: SignInMessageInput): string {
  if (!isSignInChain(chainId)) throw new Error(`Chain ${chainId} cannot be used to sign in`);
  return createSiweMessage({
    address: getAddress(address),
    chainId,
    domain: location.host,
    uri: location.origin,
    version: '1',
    nonce,
    statement: SIGN_IN_STATEMENT,
    issuedAt: now,
    expirationTime: new Date(now.getTime() + SIGN_IN_MESSAGE_TTL_MS),
  });
}
