import { type CreateConnectorFn } from 'wagmi';
import { base, baseSepolia } from 'wagmi/chains';
import { afterEach, describe, expect, it } from 'vitest';

import { walletConnectProjectId } from '../config';
import { walletConnectors } from './wagmi-config';

const PROJECT_ID = '0123456789abcdef0123456789abcdef';

/** What each connector factory builds, without setting it up (WalletConnect's setup would dial its relay). */
function connectorTypes(factories: CreateConnectorFn[]): string[] {
  return factories.map((factory) => {
    const connector = factory({
      chains: [base, baseSepolia],
      emitter: { emit: () => undefined, on: () => undefined, off: () => undefined, once: () => undefined },
      storage: null,
      transports: {},
    } as unknown as Parameters<CreateConnectorFn>[0]);
    return connector.type;
  });
}

describe('wallet connectors', () => {
  afterEach(() => {
    window.__EAILI5_CONFIG__ = {};
  });

  it('offer browser wallets and Coinbase / Base Account, and WalletConnect only with a project id', () => {
    expect(connectorTypes(walletConnectors(null))).toEqual(['injected', 'coinbaseWallet']);
    expect(connectorTypes(walletConnectors(PROJECT_ID))).toEqual(['injected', 'coinbaseWallet', 'walletConnect']);
  });

  it('read the project id from the runtime config (config.js), not from the build', () => {
    window.__EAILI5_CONFIG__ = {};
    expect(connectorTypes(walletConnectors())).not.toContain('walletConnect');
    window.__EAILI5_CONFIG__ = { walletConnectProjectId: PROJECT_ID };
    expect(connectorTypes(walletConnectors())).toContain('walletConnect');
  });

  it('treat an empty or malformed project id as not configured', () => {
    expect(walletConnectProjectId({ walletConnectProjectId: '' })).toBeNull();
    expect(walletConnectProjectId({ walletConnectProjectId: '  ' })).toBeNull();
    expect(walletConnectProjectId({ walletConnectProjectId: '${WALLETCONNECT_PROJECT_ID}' })).toBeNull();
    expect(walletConnectProjectId({ walletConnectProjectId: `${PROJECT_ID}"; alert(1)` })).toBeNull();
    expect(walletConnectProjectId({ walletConnectProjectId: ` ${PROJECT_ID.toUpperCase()} ` })).toBe(
      PROJECT_ID.toUpperCase(),
    );
    expect(walletConnectProjectId(undefined)).toBeNull();
  });
});
