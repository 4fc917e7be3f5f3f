/**
 * Runtime configuration. `public/config.js` sets `window.__EAILI5_CONFIG__` before the bundle
 * loads, so one build can be pointed at any API by rewriting that file at deploy time.
 */
export interface RuntimeConfig {
  /** Origin (and optional path prefix) of the API, e.g. "https://api.example.com". Default: same origin. */
  apiBaseUrl?: string;
  /** WalletConnect Cloud project id; when set, the wallet sign-in offers WalletConnect (QR / mobile wallets). */
  walletConnectProjectId?: string;
}

declare global {
  interface Window {
    __EAILI5_CONFIG__?: RuntimeConfig;
  }
}

function trimTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function apiBaseUrl(): string {
  const configured = window.__EAILI5_CONFIG__?.apiBaseUrl?.trim() ?? '';
  // An empty string (a template left unfilled at deploy) means the default, like a missing value.
  return trimTrailingSlash(configured === '' ? window.location.origin : configured);
}

/** The WebSocket endpoint that belongs to the API origin, with ws:// or wss:// to match http(s). */
export function websocketUrl(): string {
  const url = new URL(`${apiBaseUrl()}/ws`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** WalletConnect project ids are 32 hex characters; anything else (e.g. an unfilled template) means "not configured". */
const WALLETCONNECT_PROJECT_ID = /^[0-9a-f]{32}$/i;

/** The configured WalletConnect project id, or null when WalletConnect is not offered. */
export function walletConnectProjectId(config: RuntimeConfig | undefined = window.__EAILI5_CONFIG__): string | null {
  const id = config?.walletConnectProjectId?.trim() ?? '';
  return WALLETCONNECT_PROJECT_ID.test(id) ? id : null;
}
