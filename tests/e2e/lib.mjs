// What the browser scripts share: Debian's Chromium as CI runs it, a phone's
// viewport, and the checks that name what they expected and what they saw.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.BASE;
export const SHOTS = process.env.SHOTS;

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh profile at phone width, in Chinese; a script error on a page is
// printed, not swallowed.
export async function phone(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', ...options });
  context.on('weberror', (e) => console.error(`  page error: ${e.error().message}`));
  return context;
}

export function expect(ok, what) {
  if (!ok) throw new Error(what);
}

export async function text(page, selector = 'main') {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ');
}

export async function contains(page, needle, selector = 'main') {
  const t = await text(page, selector);
  expect(t.includes(needle), `expected "${needle}" in ${selector} of ${page.url()}, saw: ${t.slice(0, 600)}`);
}

export async function signIn(page, user, password = 'demo') {
  await page.goto(`${BASE}/login`);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('main button[type=submit]')]);
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// A module's form folds away under its title until opened.
export async function unfold(form) {
  await form.evaluate((f) => { const d = f.closest('details'); if (d) d.open = true; });
}

export function fresh() {
  fs.mkdirSync(SHOTS, { recursive: true });
}
