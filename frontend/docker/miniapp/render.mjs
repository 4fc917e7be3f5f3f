// Renders the mini app images from the SVG sources next to this file into frontend/public/miniapp/
// at the exact pixel sizes the Farcaster manifest and embed expect (backend/src/eaili5/auth/manifest.py).
//   cd frontend && node docker/miniapp/render.mjs        (Chromium: /usr/bin/chromium or $E2E_CHROMIUM)
// The PNGs are committed; rerun after editing an SVG. Text uses Liberation Sans (fonts-liberation).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = new URL('./', import.meta.url);
const OUT = new URL('../../public/miniapp/', import.meta.url);
const IMAGES = [
  { svg: 'icon.svg', png: 'icon-1024.png', width: 1024, height: 1024 },
  { svg: 'splash.svg', png: 'splash-200.png', width: 200, height: 200 },
  { svg: 'og.svg', png: 'og-1200x630.png', width: 1200, height: 630 },
  { svg: 'embed.svg', png: 'embed-1200x800.png', width: 1200, height: 800 },
];

const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const { svg, png, width, height } of IMAGES) {
    const source = await readFile(new URL(svg, HERE), 'utf8');
    await page.setViewportSize({ width, height });
    await page.setContent(`<!doctype html><body style="margin:0;background:#0b1020">${source}</body>`);
    await page.evaluate('document.fonts.ready.then(() => true)');
    // Every image is opaque (an opaque page background under it), as the icon must be.
    await page.screenshot({ path: fileURLToPath(new URL(png, OUT)), clip: { x: 0, y: 0, width, height } });
    console.log(`${png}: ${width}×${height}`);
  }
} finally {
  await browser.close();
}
