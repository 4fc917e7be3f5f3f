import { type CreateConnectorFn, createConfig, createStorage, http, noopStorage } from 'wagmi';
import { base, baseSepolia } from 'wagmi/chains';
import { coinbaseWallet, injected, walletConnect } from 'wagmi/connectors';

import { walletConnectProjectId } from '../config';

/**
 * The connectors offered: browser wallets, Coinbase Wallet / Base Account, and WalletConnect (QR
 * code / mobile wallets) only when a project id is configured at deploy time (config.js). The
 * WalletConnect connector imports `@walletconnect/ethereum-provider` dynamically when it sets up, so
 * that code is a separate chunk fetched only on deployments that offer it.
 */
export function walletConnectors(projectId: string | null = walletConnectProjectId()): CreateConnectorFn[] {
  const connectors: CreateConnectorFn[] = [
    injected({ shimDisconnect: false }),
    coinbaseWallet({ appName: 'EAILI5', preference: { options: 'all' } }),
  ];
  if (projectId) {
    const url = window.location.origin;
    connectors.push(
      walletConnect({
        projectId,
        showQrModal: true,
        metadata: { name: 'EAILI5', description: 'Learn crypto on Base', url, icons: [`${url}/miniapp/icon-1024.png`] },
      }),
    );
  }
  return connectors;
}

/**
 * wagmi for sign-in only: Base and Base Sepolia, browser wallets (EIP-1193 `window.ethereum` and
 * every wallet announced through EIP-6963), Coinbase Wallet / Base Account, whose smart wallets
 * sign with EIP-1271 or ERC-6492 (the server checks both), and WalletConnect when configured.
 *
 * Nothing is remembered between visits (noop storage): the server session, not a wallet connection,
 * is what keeps a person signed in. The transports exist because wagmi needs one per chain; the
 * app reads nothing through them (see basename.ts).
 */
export function createWalletConfig(projectId: string | null = walletConnectProjectId()) {
  return createConfig({
    chains: [base, baseSepolia],
    connectors: walletConnectors(projectId),
    transports: { [base.id]: http(), [baseSepolia.id]: http() },
    storage: createStorage({ storage: noopStorage }),
    ssr: false,
  });
}

export type WalletConfig = ReturnType<typeof createWalletConfig>;
