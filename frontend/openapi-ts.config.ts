import { defineConfig } from '@hey-api/openapi-ts';

// `openapi.json` is exported by the backend (`eaili5 openapi > frontend/openapi.json`).
// Everything under src/client is regenerated from it by `npm run gen:api`: never edit it by hand.
export default defineConfig({
  input: './openapi.json',
  output: {
    path: './src/client',
  },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
});
