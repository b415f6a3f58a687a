// After tests/browser.rs has edited a sign-off in the database: the printed
// record's code, checked again at /verify, is reported broken.
//   BASE=… CHROMIUM=… SHOTS=… node verify.mjs   (reads SHOTS/code.txt)

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const SHOTS = process.env.SHOTS;
const code = fs.readFileSync(path.join(SHOTS, 'code.txt'), 'utf8').trim();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
await page.goto(`${process.env.BASE}/verify?code=${code}`);
const shown = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
await page.screenshot({ path: path.join(SHOTS, '18-verify-broken.png'), fullPage: true });
await browser.close();
if (!shown.includes('已被改动或删除')) {
  console.error(`verify: FAILED: after the edit, /verify?code=${code} says: ${shown.slice(0, 400)}`);
  process.exit(1);
}
console.log(`verify: the edited record ${code} is reported broken`);
