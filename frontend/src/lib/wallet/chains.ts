/**
 * The chains a wallet may sign in from. Kept free of viem imports so the main bundle can name them
 * without loading the wallet code.
 */
export const BASE_CHAIN_ID = 8453;
export const BASE_SEPOLIA_CHAIN_ID = 84532;
export const SIGN_IN_CHAIN_IDS: readonly number[] = [BASE_CHAIN_ID, BASE_SEPOLIA_CHAIN_ID];

export function isSignInChain(chainId: number | undefined): boolean {
  return chainId !== undefined && SIGN_IN_CHAIN_IDS.includes(chainId);
}

/** "0x1234…abcd": enough to recognise an address, short enough for a 360 px screen. */
export function shortenAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
