import {
  decodeFunctionData,
  encodeFunctionResult,
  namehash,
  parseAbi,
  type Address,
  type EIP1193Provider,
  type Hex,
} from 'viem';
import { describe, expect, it } from 'vitest';

import { BASENAME_L2_RESOLVER, basenameReverseNode, resolveBasename } from './basename';

const ADDRESS: Address = '0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045';
const OTHER: Address = '0x000000000000000000000000000000000000dEaD';
const ABI = parseAbi([
  'function name(bytes32 node) view returns (string)',
  'function addr(bytes32 node) view returns (address)',
]);

/**
 * A wallet's EIP-1193 provider answering eth_call for the L2 resolver from two tables (reverse and
 * forward records), the way a real node would ABI-encode them.
 */
function walletProvider(
  records: { reverse: Record<Hex, string>; forward: Record<Hex, Address> },
  calls: string[] = [],
) {
  const request = ({ method, params }: { method: string; params?: unknown }) => {
    calls.push(method);
    if (method !== 'eth_call') return Promise.reject(new Error(`unexpected ${method}`));
    const [{ to, data }] = params as [{ to: string; data: Hex }];
    if (to.toLowerCase() !== BASENAME_L2_RESOLVER.toLowerCase()) return Promise.reject(new Error('wrong contract'));
    const { functionName, args } = decodeFunctionData({ abi: ABI, data });
    const [node] = args;
    const result =
      functionName === 'name'
        ? encodeFunctionResult({ abi: ABI, functionName, result: records.reverse[node] ?? '' })
        : encodeFunctionResult({
            abi: ABI,
            functionName,
            result: records.forward[node] ?? '0x0000000000000000000000000000000000000000',
          });
    return Promise.resolve(result);
  };
  return { request, on: () => undefined, removeListener: () => undefined } as unknown as EIP1193Provider;
}

describe('basenameReverseNode', () => {
  it('is the namehash of "<address>.80002105.reverse" (ENSIP-19 for Base)', () => {
    expect(basenameReverseNode(ADDRESS)).toBe(namehash(`${ADDRESS.toLowerCase().slice(2)}.80002105.reverse`));
    expect(basenameReverseNode(OTHER)).toBe(namehash(`${OTHER.toLowerCase().slice(2)}.80002105.reverse`));
  });
});

describe('resolveBasename', () => {
  const reverse = { [basenameReverseNode(ADDRESS)]: 'alice.base.eth' };

  it('returns the name when the reverse record points back to the address', async () => {
    const provider = walletProvider({ reverse, forward: { [namehash('alice.base.eth')]: ADDRESS } });
    await expect(resolveBasename(provider, ADDRESS.toLowerCase(), 8453)).resolves.toBe('alice.base.eth');
  });

  it('ignores a reverse record that names someone else', async () => {
    const provider = walletProvider({ reverse, forward: { [namehash('alice.base.eth')]: OTHER } });
    await expect(resolveBasename(provider, ADDRESS, 8453)).resolves.toBeNull();
  });

  it('returns null without a reverse record, on errors, and off Base mainnet', async () => {
    const calls: string[] = [];
    await expect(resolveBasename(walletProvider({ reverse: {}, forward: {} }), ADDRESS, 8453)).resolves.toBeNull();
    const failing = { request: () => Promise.reject(new Error('offline')) } as unknown as EIP1193Provider;
    await expect(resolveBasename(failing, ADDRESS, 8453)).resolves.toBeNull();
    await expect(resolveBasename(walletProvider({ reverse, forward: {} }, calls), ADDRESS, 84532)).resolves.toBeNull();
    expect(calls).toEqual([]);
  });

  it('gives up after the timeout', async () => {
    const hanging = { request: () => new Promise(() => undefined) } as unknown as EIP1193Provider;
    await expect(resolveBasename(hanging, ADDRESS, 8453, 50)).resolves.toBeNull();
  });
});
