import { useCallback, useRef, useState } from 'react';
import { type EIP1193Provider } from 'viem';
import { type Connector } from 'wagmi';
import { connect, disconnect, signMessage, switchChain } from 'wagmi/actions';

import { fetchSignInNonce, type SignInResult, verifySignIn } from '@/lib/api';
import { rotateSession } from '@/lib/session';
import { resolveBasename } from '@/lib/wallet/basename';
import { rememberBasename } from '@/lib/wallet/basename-store';
import { BASE_CHAIN_ID, isSignInChain } from '@/lib/wallet/chains';
import { buildSignInMessage } from '@/lib/wallet/siwe';
import { type WalletConfig } from '@/lib/wallet/wagmi-config';

import { describeSignInError } from '../api/sign-in-errors';

export type SignInStep = 'idle' | 'connecting' | 'switching' | 'signing' | 'verifying' | 'done' | 'failed';

export interface SignInState {
  step: SignInStep;
  error: string | null;
  /** Which connector the current attempt uses, so only its button shows progress. */
  connectorUid: string | null;
}

const IDLE: SignInState = { step: 'idle', error: null, connectorUid: null };

async function connectOnSignInChain(config: WalletConfig, connector: Connector, onSwitch: () => void) {
  // A connection left over from an earlier attempt would make connect() throw.
  await disconnect(config).catch(() => undefined);
  const { accounts, chainId } = await connect(config, { connector });
  if (isSignInChain(chainId)) return { address: accounts[0], chainId };
  onSwitch();
  const chain = await switchChain(config, { chainId: BASE_CHAIN_ID, connector });
  return { address: accounts[0], chainId: chain.id };
}

async function lookUpBasename(connector: Connector, address: string, chainId: number): Promise<void> {
  try {
    const provider = (await connector.getProvider()) as EIP1193Provider;
    rememberBasename(address, await resolveBasename(provider, address, chainId));
  } catch {
    // Best effort: the profile then shows the shortened address.
  }
}

/**
 * Connect → sign the EIP-4361 message with the server's nonce → verify → adopt the rotated token.
 * The wallet is disconnected afterwards either way: the server session is what keeps someone signed in.
 */
export function useWalletSignIn(config: WalletConfig, onSignedIn: () => void) {
  const [state, setState] = useState<SignInState>(IDLE);
  const running = useRef(false);

  const signIn = useCallback(
    async (connector: Connector) => {
      if (running.current) return;
      running.current = true;
      const progress = (step: SignInStep) => {
        setState({ step, error: null, connectorUid: connector.uid });
      };
      try {
        progress('connecting');
        const { address, chainId } = await connectOnSignInChain(config, connector, () => {
          progress('switching');
        });
        progress('signing');
        const { nonce } = await fetchSignInNonce();
        const message = buildSignInMessage({ address, chainId, nonce, location: window.location });
        const signature = await signMessage(config, { account: address, message, connector });
        progress('verifying');
        let result: SignInResult | undefined;
        await rotateSession(async () => {
          result = await verifySignIn({ message, signature });
          return result.token;
        });
        setState({ step: 'done', error: null, connectorUid: connector.uid });
        onSignedIn();
        // After the token is in place: the profile shows the shortened address until a name arrives.
        if (result) await lookUpBasename(connector, result.address, chainId);
      } catch (error) {
        setState({ step: 'failed', error: describeSignInError(error), connectorUid: connector.uid });
      } finally {
        running.current = false;
        await disconnect(config).catch(() => undefined);
      }
    },
    [config, onSignedIn],
  );

  const reset = useCallback(() => {
    setState(IDLE);
  }, []);
  return { state, signIn, reset };
}
