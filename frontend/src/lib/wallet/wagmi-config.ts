import { createConfig, createStorage, http, noopStorage } from 'wagmi';
import { base, baseSepolia } from 'wagmi/chains';
import { coinbaseWallet, injected } from 'wagmi/connectors';

/**
 * wagmi for sign-in only: Base and Base Sepolia, browser wallets (EIP-1193 `window.ethereum` and
 * every wallet announced through EIP-6963) and Coinbase Wallet / Base Account, whose smart wallets
 * sign with EIP-1271 or ERC-6492 (the server checks both).
 *
 * Nothing is remembered between visits (noop storage): the server session, not a wallet connection,
 * is what keeps a person signed in. The transports exist because wagmi needs one per chain; the
 * app reads nothing through them (see basename.ts).
 */
export function createWalletConfig() {
  return createConfig({
    chains: [base, baseSepolia],
    connectors: [
      injected({ shimDisconnect: false }),
      coinbaseWallet({ appName: 'EAILI5', preference: { options: 'all' } }),
    ],
    transports: { [base.id]: http(), [baseSepolia.id]: http() },
    storage: createStorage({ storage: noopStorage }),
    ssr: false,
  });
}

export type WalletConfig = ReturnType<typeof createWalletConfig>;
