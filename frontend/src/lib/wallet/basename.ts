import {
  createPublicClient,
  custom,
  encodePacked,
  getAddress,
  isAddressEqual,
  keccak256,
  namehash,
  type Address,
  type EIP1193Provider,
  type Hex,
} from 'viem';
import { base } from 'viem/chains';

import { BASE_CHAIN_ID } from './chains';

/** Basenames' L2 resolver on Base mainnet: reverse records (address → name) and forward ones. */
export const BASENAME_L2_RESOLVER: Address = '0xC6d566A56A1aFf6508b41f6c90ff131615583BCD';
export const BASENAME_TIMEOUT_MS = 3000;

const L2_RESOLVER_ABI = [
  {
    name: 'name',
    type: 'function',
    stateMutability: 'view',
    inputs: [{ name: 'node', type: 'bytes32' }],
    outputs: [{ name: '', type: 'string' }],
  },
  {
    name: 'addr',
    type: 'function',
    stateMutability: 'view',
    inputs: [{ name: 'node', type: 'bytes32' }],
    outputs: [{ name: '', type: 'address' }],
  },
] as const;

/**
 * The reverse-record node of `address` on Base: namehash("<addr>.80002105.reverse"), where 80002105 is
 * Base's ENSIP-11 coin type (0x80000000 | 8453). Hashed label by label, as namehash does.
 */
const BASE_REVERSE_NODE = namehash(`${((0x80000000 | BASE_CHAIN_ID) >>> 0).toString(16)}.reverse`);

export function basenameReverseNode(address: Address): Hex {
  const addressLabel = keccak256(address.toLowerCase().slice(2) as Hex);
  return keccak256(encodePacked(['bytes32', 'bytes32'], [BASE_REVERSE_NODE, addressLabel]));
}

function timeout(ms: number): Promise<null> {
  return new Promise((resolve) =>
    setTimeout(() => {
      resolve(null);
    }, ms),
  );
}

async function lookUp(provider: EIP1193Provider, address: Address): Promise<string | null> {
  // The wallet's own provider answers: no extra RPC endpoint for the page to reach (or for a CSP to allow).
  const client = createPublicClient({ chain: base, transport: custom(provider) });
  const name = await client.readContract({
    address: BASENAME_L2_RESOLVER,
    abi: L2_RESOLVER_ABI,
    functionName: 'name',
    args: [basenameReverseNode(address)],
  });
  if (!name) return null;
  // Anyone can claim any name in their reverse record: it counts only if the name points back.
  const owner = await client.readContract({
    address: BASENAME_L2_RESOLVER,
    abi: L2_RESOLVER_ABI,
    functionName: 'addr',
    args: [namehash(name)],
  });
  return isAddressEqual(owner, address) ? name : null;
}

/**
 * The address's Basename (e.g. "alice.base.eth"), or null when it has none, the wallet is not on
 * Base mainnet, or the lookup fails or takes longer than `timeoutMs`. Best effort by design.
 */
export async function resolveBasename(
  provider: EIP1193Provider,
  address: string,
  chainId: number,
  timeoutMs = BASENAME_TIMEOUT_MS,
): Promise<string | null> {
  if (chainId !== BASE_CHAIN_ID) return null;
  try {
    return await Promise.race([lookUp(provider, getAddress(address)), timeout(timeoutMs)]);
  } catch {
    return null;
  }
}
