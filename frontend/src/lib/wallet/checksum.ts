import { getAddress } from 'viem';

/** EIP-55 spelling of an address (loaded on demand: it brings keccak, which the main bundle does not need). */
export function toChecksumAddress(address: string): string {
  return getAddress(address);
}
