import { useConnectionState } from '@/lib/realtime';
import { type ConnectionState } from '@/lib/ws-client';

import './connection-status.css';

const TEXT: Record<ConnectionState, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline',
};

/**
 * Live-updates indicator. The state is spelled out (not colour alone) and is a polite live region,
 * so a dropped connection is announced without stealing focus.
 */
export function ConnectionStatusView({ state }: { state: ConnectionState }) {
  return (
    <p className={`connection-status connection-status--${state}`} role="status">
      <span className="connection-status__dot" aria-hidden="true" />
      <span className="visually-hidden">Live updates: </span>
      {TEXT[state]}
    </p>
  );
}

/** The indicator wired to the app's WebSocket. */
export function ConnectionStatus() {
  return <ConnectionStatusView state={useConnectionState()} />;
}
