import { useSyncExternalStore } from 'react';

import { websocketUrl } from './config';
import { ensureSession, renewSession } from './session';
import { type ConnectionState, WsClient } from './ws-client';

/** The app's single WebSocket connection. Started and stopped by the app shell. */
export const realtime = new WsClient({
  url: websocketUrl,
  getToken: ensureSession,
  // Reconnecting and refreshing cached data after a renewal is wired up by the app shell.
  onAuthRejected: renewSession,
});

/** Re-renders on connection state changes (connected / connecting / offline). */
export function useConnectionState(client: WsClient = realtime): ConnectionState {
  return useSyncExternalStore(client.onStateChange, client.getState, client.getState);
}
