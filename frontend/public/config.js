// Runtime configuration for the EAILI5 web app, read by src/lib/config.ts.
// Deployments overwrite this file (serve it with Cache-Control: no-cache), for example:
//   window.__EAILI5_CONFIG__ = { apiBaseUrl: "https://api.example.com", walletConnectProjectId: "<32 hex>" };
// The default (empty) means the API is on the same origin as the app, and no WalletConnect.
window.__EAILI5_CONFIG__ = window.__EAILI5_CONFIG__ || {};
