import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import './app/styles/tokens.css';
import './app/styles/base.css';
import { App } from './app/app';
import { linkFarcasterAccount } from './features/profile/api/quick-auth';
import { startMiniApp } from './lib/miniapp';
import { themeStore } from './lib/theme';

// Apply the saved theme before the first render so the page does not flash the wrong colours.
themeStore();

const container = document.getElementById('root');
if (!container) throw new Error('index.html must contain <div id="root">');

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Inside a Farcaster/Base mini app host: tell it the UI is ready, then link the Farcaster account
// (Quick Auth). Never awaited (hosts can hang); failures are logged, never shown.
void startMiniApp({
  onInside: (sdk) => {
    void linkFarcasterAccount(sdk);
  },
});
