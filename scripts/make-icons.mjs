// Render resources/icons/icon.svg to the 1024×1024 icon.png electron-builder
// packages (it derives the .ico and .icns from it). Run after editing the SVG:
//   node scripts/make-icons.mjs
// Uses Debian's Chromium through playwright-core, as the e2e tests do.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('resources/icons/icon.svg', 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.locator('svg').screenshot({ path: 'resources/icons/icon.png', omitBackground: true });
await browser.close();
console.log('wrote resources/icons/icon.png');
