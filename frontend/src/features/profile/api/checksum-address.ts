import { useQuery } from '@tanstack/react-query';

/**
 * The EIP-55 spelling of an address (the server keeps addresses lowercase). The checksum code loads
 * on demand; until it has, the address shows as the server sent it.
 */
export function useChecksumAddress(address: string): string {
  const checksummed = useQuery({
    queryKey: ['eip55', address.toLowerCase()] as const,
    queryFn: async () => (await import('@/lib/wallet/checksum')).toChecksumAddress(address),
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return checksummed.data ?? address;
}
