// A village secretary's weak signal, in headless Chromium with its offline
// emulation, against a fresh demo server (tests/browser.rs):
//   BASE=http://127.0.0.1:PORT CHROMIUM=/usr/bin/chromium SHOTS=dir node offline.mjs
// The outgoing cadre opens the handover, loses the signal, declares two
// items (待同步 2 项), leaves a half-filled form, closes the page and opens it
// again offline (still there, from the phone); queues a declaration of the
// seals, which the new secretary receives meanwhile; the signal returns:
// the two are accepted, the seals come back refused beside their fields
// with the input kept; one more queued offline goes by Background Sync with
// every page closed. On a weak signal (online, but the post fails) the
// worker keeps the declaration and it is sent; a page never opened shows
// the platform's offline page. Then /me and the handover under slow 3G (400 kbps,
// 400 ms), first visit and repeat, timed. Writes the queued keys to
// SHOTS/offline-keys.txt for the Rust side to find once each in the log.

import fs from 'node:fs';
import path from 'node:path';
import { BASE, SHOTS, launch, phone as newPhone, expect, contains, signIn, shot, unfold, fresh } from './lib.mjs';

fresh();
const browser = await launch();
let step = 'start';
let current = null;

// What the page's script writes comes a moment after the click.
async function shows(page, needle, selector) {
  try {
    await page.waitForFunction(([s, n]) => (document.querySelector(s) || {}).innerText?.includes(n),
      [selector, needle], { timeout: 10000 });
  } catch {
    await contains(page, needle, selector);
  }
}
const phone = () => newPhone(browser);
async function handover(page) {
  const link = page.locator('.card h2 a', { hasText: '新老班子工作交接' }).first();
  await Promise.all([page.waitForLoadState('load'), link.click()]);
  return new URL(page.url()).pathname;
}
const declare = (page, item) => page.locator(`#item-${item} form[data-action="declare"]`);
async function fillDeclare(page, item, name) {
  const form = declare(page, item);
  await unfold(form);
  await form.locator('[name="entries.0.name"]').fill(name);
  await form.locator('[name="entries.0.quantity"]').fill('2');
  return form;
}

try {
  step = 'online: the outgoing cadre declares the seals; the phone keeps the page';
  const context = await phone();
  let page = await context.newPage();
  current = page;
  await signIn(page, 'outgoing');
  const where = await handover(page);
  let form = await fillDeclare(page, 'seals', '村党支部公章');
  await Promise.all([page.waitForLoadState('load'), form.locator('button[type=submit]:not([name="_more"])').click()]);
  await contains(page, '已保存');
  await page.evaluate(() => navigator.serviceWorker.ready);
  let kept = false;
  for (let i = 0; i < 100 && !kept; i++) {
    kept = await page.evaluate((p) => caches.match(p).then(Boolean), where);
    if (!kept) await page.waitForTimeout(100);
  }
  expect(kept, 'the service worker keeps the handover page');

  step = 'offline: two declarations queued, a draft left';
  await context.setOffline(true);
  const keys = [];
  for (const [item, name] of [['archives', '档案（离线填写）'], ['assets', '资产（离线填写）']]) {
    form = await fillDeclare(page, item, name);
    keys.push(await form.locator('input[name="_key"]').inputValue());
    await form.locator('button[type=submit]:not([name="_more"])').click();
    await shows(page, '已保存在手机上', `#item-${item}`);
  }
  await shows(page, '待同步 2 项', '#sync');
  await contains(page, '离线', '#sync');
  await unfold(declare(page, 'premises'));
  await declare(page, 'premises').locator('[name="entries.0.name"]').fill('村部办公楼（草稿）');
  await shot(page, 'offline-01-queued');

  step = 'offline: the page closed and opened again';
  await page.close();
  page = await context.newPage();
  current = page;
  await page.goto(`${BASE}${where}`);
  await shows(page, '待同步 2 项', '#sync');
  await contains(page, '离线 · 最后同步', '#sync');
  expect(await declare(page, 'premises').locator('[name="entries.0.name"]').inputValue() === '村部办公楼（草稿）',
    'the half-filled form survives closing the page');
  form = await fillDeclare(page, 'seals', '公章（离线改过）');
  keys.push(await form.locator('input[name="_key"]').inputValue());
  await form.locator('button[type=submit]:not([name="_more"])').click();
  await shows(page, '待同步 3 项', '#sync');
  await shot(page, 'offline-02-reopened');

  step = 'meanwhile, online: the new secretary receives the seals';
  {
    const other = await phone();
    const secretary = await other.newPage();
    current = secretary;
    await signIn(secretary, 'secretary');
    await handover(secretary);
    const confirm = secretary.locator('#item-seals form[data-action="confirm"]');
    await unfold(confirm);
    await Promise.all([secretary.waitForLoadState('load'), confirm.locator('button[type=submit]:not([name="_more"])').click()]);
    await contains(secretary, '已保存');
    await other.close();
    current = page;
  }

  step = 'the signal returns: the queue is sent';
  await Promise.all([page.waitForEvent('load', { timeout: 20000 }), context.setOffline(false)]);
  // The seals' declaration form is gone (they were received): the refusal
  // and what was typed come back above the page.
  await page.waitForSelector('[data-refused-seq]', { timeout: 20000 });
  await contains(page, '档案（离线填写）', '#item-archives');
  await contains(page, '资产（离线填写）', '#item-assets');
  await contains(page, '已由新任书记接收', '[data-refused-seq]');
  await contains(page, '公章（离线改过）', '[data-refused-seq]');
  expect(await page.locator('#sync').isHidden(), 'nothing waits to sync');
  await shot(page, 'offline-03-synced');

  step = 'Background Sync: queued offline, every page closed, sent by the worker';
  await context.setOffline(true);
  form = await fillDeclare(page, 'premises', '村部办公楼（后台同步）');
  keys.push(await form.locator('input[name="_key"]').inputValue());
  await form.locator('button[type=submit]:not([name="_more"])').click();
  await shows(page, '待同步 1 项', '#sync');
  // Not a page of the platform: nothing but the worker can send the queue.
  const blank = await context.newPage();
  current = blank;
  await page.close();
  await context.setOffline(false);
  const devtools = await context.newCDPSession(blank);
  const registration = new Promise((ok) => devtools.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    const mine = registrations.find((r) => r.scopeURL.startsWith(BASE) && !r.isDeleted);
    if (mine) ok(mine.registrationId);
  }));
  await devtools.send('ServiceWorker.enable');
  await devtools.send('ServiceWorker.dispatchSyncEvent', {
    origin: BASE, registrationId: await registration, tag: 'baton-queue', lastChance: false,
  });
  let sent = false;
  for (let i = 0; i < 100 && !sent; i++) {
    const view = await context.request.get(`${BASE}/api/v1${where}`);
    sent = (await view.text()).includes('村部办公楼（后台同步）');
    if (!sent) await blank.waitForTimeout(100);
  }
  expect(sent, 'the worker sent the queue with no page of the platform open');

  step = 'a weak signal: the phone says it is online, the post fails; kept and sent';
  page = await context.newPage();
  current = page;
  await page.goto(`${BASE}${where}`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  let failed = 0;
  await context.route('**/enrollments/*', (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    failed += 1;
    return route.abort('connectionreset');
  });
  expect(await page.evaluate(() => navigator.onLine), 'the phone believes it is online');
  form = await fillDeclare(page, 'archives', '档案（弱信号）');
  keys.push(await form.locator('input[name="_key"]').inputValue());
  await form.locator('button[type=submit]:not([name="_more"])').click();
  await page.waitForFunction(() => (document.querySelector('#item-archives') || {}).innerText?.includes('档案（弱信号）'),
    null, { timeout: 20000 });
  expect(failed === 1, `the post failed on its way (${failed})`);
  expect(!(await page.locator('body').innerText()).includes('ERR_'), 'no browser error page');
  await context.unroute('**/enrollments/*');

  step = 'offline: a photo taken inside the form waits on the phone, then goes before its declaration';
  await context.setOffline(true);
  form = await fillDeclare(page, 'premises', '村部办公楼（离线拍照）');
  await form.locator('.pick-upload input[type=file]').setInputFiles(
    { name: '村部.png', mimeType: 'image/png', buffer: fs.readFileSync(process.env.PHOTO) });
  await shows(page, '村部.png（已保存在手机上，联网后上传）', '#item-premises');
  expect(await form.locator('input[name="photos"][value^="local-"]').isChecked(), 'the kept photo is ticked');
  keys.push(await form.locator('input[name="_key"]').inputValue());
  await form.locator('button[type=submit]:not([name="_more"])').click();
  await shows(page, '已保存在手机上', '#item-premises');
  await shows(page, '待同步 2 项', '#sync');
  await Promise.all([page.waitForEvent('load', { timeout: 20000 }), context.setOffline(false)]);
  await contains(page, '村部办公楼（离线拍照）', '#item-premises');
  expect(await page.locator('#item-premises img[alt="村部.png"]').count() === 1, 'the photo arrived with its declaration');
  expect(await page.locator('#sync').isHidden(), 'nothing waits to sync');

  step = 'offline: a page never opened on this phone says so';
  await context.setOffline(true);
  await page.goto(`${BASE}/certificate`);
  await contains(page, '没有网络', 'main');
  await contains(page, '信号恢复后自动发送', 'main');
  await shot(page, 'offline-04-never-opened');
  await context.setOffline(false);
  fs.writeFileSync(path.join(SHOTS, 'offline-keys.txt'), keys.join('\n'));

  step = 'slow 3G: first visit and repeat';
  const cookies = await context.cookies();
  await context.close();
  const timings = [];
  // Chromium's throttling applies to the page's own requests, not to those a
  // service worker makes for it: this phone runs without the worker (which
  // only passes pages through to the network when there is one), so every
  // byte goes through the emulated link; the repeat visit has its HTTP cache.
  for (const target of ['/me', where]) {
    const slow = await newPhone(browser, { serviceWorkers: 'block' });
    await slow.addCookies(cookies);
    const visitor = await slow.newPage();
    current = visitor;
    const cdp = await slow.newCDPSession(visitor);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 400, downloadThroughput: 400 * 1000 / 8, uploadThroughput: 400 * 1000 / 8,
    });
    for (const visit of ['first', 'repeat']) {
      const started = Date.now();
      await visitor.goto(`${BASE}${target}`, { waitUntil: 'load' });
      const ms = Date.now() - started;
      const bytes = await visitor.evaluate(() => performance.getEntriesByType('resource')
        .concat(performance.getEntriesByType('navigation'))
        .reduce((n, e) => n + (e.transferSize || 0), 0));
      timings.push({ visit, target: target === '/me' ? '/me' : 'handover', ms, bytes });
    }
    await slow.close();
  }
  for (const t of timings) console.log(`  slow 3G ${t.visit} visit ${t.target}: ${t.ms} ms, ${t.bytes} bytes over the wire`);
  for (const t of timings) {
    const budget = t.visit === 'first' ? 2500 : 1000;
    expect(t.ms < budget, `${t.target} on slow 3G, ${t.visit} visit: ${t.ms} ms, over ${budget} ms`);
  }
  console.log('offline: all steps passed');
  await browser.close();
} catch (e) {
  console.error(`offline: FAILED at "${step}": ${e.message}`);
  if (current) {
    try { await shot(current, 'offline-failure'); } catch {}
  }
  await browser.close();
  process.exit(1);
}
