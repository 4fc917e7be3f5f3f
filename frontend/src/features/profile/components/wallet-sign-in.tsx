import { useState } from 'react';
import { type Connector, useConnectors, WagmiProvider } from 'wagmi';

import { Button } from '@/components/ui/button';
import { createWalletConfig, type WalletConfig } from '@/lib/wallet/wagmi-config';

import { type SignInStep, useWalletSignIn } from '../hooks/use-wallet-sign-in';

const STEP_TEXT: Record<SignInStep, string> = {
  idle: '',
  connecting: 'Waiting for your wallet to connect…',
  switching: 'Asking your wallet to switch to the Base network…',
  signing: 'Check your wallet: it shows the sign-in message to sign. It is free.',
  verifying: 'Checking your signature…',
  done: 'Signed in.',
  failed: '',
};

const GENERIC_INJECTED_ID = 'injected';

/** Friendlier names than the connectors' own. */
function connectorLabel(connector: Connector): string {
  if (connector.id === GENERIC_INJECTED_ID) return 'Browser wallet';
  if (connector.type === 'coinbaseWallet') return 'Coinbase / Base Account';
  if (connector.type === 'walletConnect') return 'WalletConnect (QR code)';
  return connector.name;
}

/**
 * Wallets announced through EIP-6963 come with their own names; the generic `window.ethereum`
 * connector is then the same wallet again, and it is useless when no wallet is injected at all.
 */
function visibleConnectors(connectors: readonly Connector[]): Connector[] {
  const announced = connectors.some((c) => c.type === 'injected' && c.id !== GENERIC_INJECTED_ID);
  const hasInjected = typeof window !== 'undefined' && 'ethereum' in window && Boolean(window.ethereum);
  return connectors.filter((c) => c.id !== GENERIC_INJECTED_ID || (!announced && hasInjected));
}

function ConnectorButtons({ config, onSignedIn }: { config: WalletConfig; onSignedIn: () => void }) {
  const connectors = visibleConnectors(useConnectors());
  const { state, signIn } = useWalletSignIn(config, onSignedIn);
  const busy = state.step !== 'idle' && state.step !== 'failed' && state.step !== 'done';
  return (
    <div className="wallet-sign-in">
      <p className="wallet-sign-in__prompt">Choose your wallet:</p>
      <ul className="wallet-sign-in__list">
        {connectors.map((connector) => (
          <li key={connector.uid}>
            <Button
              variant="secondary"
              className="wallet-sign-in__option"
              disabled={busy}
              aria-busy={busy && state.connectorUid === connector.uid}
              onClick={() => void signIn(connector)}
            >
              {connector.icon && <img src={connector.icon} alt="" width={24} height={24} />}
              {connectorLabel(connector)}
            </Button>
          </li>
        ))}
      </ul>
      <p className="wallet-sign-in__status" role="status" aria-live="polite">
        {STEP_TEXT[state.step]}
      </p>
      {state.error && (
        <p className="wallet-sign-in__error" role="alert">
          {state.error}
        </p>
      )}
    </div>
  );
}

/** The wallet part of sign-in, loaded only when someone opens it (wagmi and viem stay out of the main bundle). */
export default function WalletSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [config] = useState(createWalletConfig);
  return (
    <WagmiProvider config={config} reconnectOnMount={false}>
      <ConnectorButtons config={config} onSignedIn={onSignedIn} />
    </WagmiProvider>
  );
}
