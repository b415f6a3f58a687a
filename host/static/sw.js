// Baton's service worker: the app shell kept for good, the person's own
// pages (我的任务, each enrollment, its course text) kept as they are visited
// and shown when the network is gone. Pages always come from the network
// first: offline is the fallback, never a stale answer to someone online.
// {{css}}, {{js}} and {{version}} are filled in by the server.
const VERSION = '{{version}}';
const SHELL = ['{{css}}', '{{js}}', '/static/icon.svg', '/manifest.webmanifest'];
const OWN = /^\/(me|enrollments\/\d+)$/;
const ENROLLMENT = /^\/enrollments\/(\d+)$/;
// How long a form's post may go unanswered before it is kept on the phone.
const POST_WAIT_MS = 30000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(`baton-shell-${VERSION}`).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys
      .filter((k) => k.startsWith('baton-shell-') && k !== `baton-shell-${VERSION}`)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && request.mode === 'navigate' && ENROLLMENT.test(url.pathname)) {
    event.respondWith(postOrKeep(request, url));
    return;
  }
  if (request.method !== 'GET') return;
  if (url.pathname.startsWith('/static/') || url.pathname === '/manifest.webmanifest') {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === 'navigate' && OWN.test(url.pathname)) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open('baton-pages').then((c) => c.put(url.pathname, copy));
      }
      return response;
    }).catch(() => caches.match(url.pathname).then((hit) => hit || offline())));
    return;
  }
  // A page never kept: the network, or a page of our own saying what works offline.
  if (request.mode === 'navigate') event.respondWith(fetch(request).catch(offline));
});

// A module's form posted on a weak signal: the phone says it is online (2G
// often does), but the post fails or goes unanswered. Instead of the
// browser's error page the action is kept in the queue, exactly as app.js
// keeps one posted offline (its idempotency key makes a post that did
// arrive count once), and the page comes back from the phone saying so.
async function postOrKeep(request, url) {
  const body = await request.clone().text();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), POST_WAIT_MS);
  try {
    return await fetch(request, { signal: abort.signal });
  } catch (e) {
    const form = new URLSearchParams(body);
    const meta = await caches.open('baton-meta');
    const account = await meta.match('/account').then((r) => (r ? r.text() : null));
    // 再加一行 and the like need the server: nothing to keep.
    if (!account || !form.get('_action') || !form.get('_key') || form.has('_more')) return offline();
    const db = await openQueue();
    await idb(db.transaction('queue', 'readwrite').objectStore('queue').add({
      account,
      enrollment: Number(url.pathname.match(ENROLLMENT)[1]),
      action: form.get('_action'),
      key: form.get('_key'),
      form: body,
      queued_at: Math.floor(Date.now() / 1000),
      path: url.pathname,
      formId: form.get('_form') || form.get('_action'),
    }));
    self.registration.sync?.register('baton-queue').catch(() => {});
    return Response.redirect(`${url.pathname}?kept=1`, 303);
  } finally {
    clearTimeout(timer);
  }
}

// What a page never opened on this phone shows without a network.
function offline() {
  return new Response(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>没有网络 · 接力</title><link rel="stylesheet" href="{{css}}"></head>
<body><main id="main">
<h1>没有网络</h1>
<p>这个页面还没有在本机打开过，现在没有网络，暂时打不开。</p>
<p>打开过的<a href="/me">我的任务</a>和各项任务页可以离线查看；离线时填写提交的内容保存在手机上，信号恢复后自动发送。</p>
<p><a href="">重试</a> · <a href="/me">我的任务</a></p>
<h2 lang="en">No network</h2>
<p lang="en">This page has not been opened on this phone before, and there is no network now. <a href="/me">My tasks</a> and the task pages you have opened work offline; what you submit offline is kept on the phone and sent when the signal returns.</p>
</main></body></html>`, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

// Background Sync: the page registers `baton-queue` when it keeps an action
// offline; the browser fires it once there is a network, even with no page
// of the platform open. An open page sends its own queue (it knows whose it
// is); otherwise the worker asks the server whose session this browser holds
// and sends only that account's actions, as the page would. A failure
// rejects, and the browser tries again later.
self.addEventListener('sync', (event) => {
  if (event.tag === 'baton-queue') event.waitUntil(sendQueue());
});

function idb(r) {
  return new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
}

// The phone's queue, as app.js opens it (the same version and stores).
function openQueue() {
  const opened = indexedDB.open('baton', 2);
  opened.onupgradeneeded = () => {
    const db = opened.result;
    if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
    if (!db.objectStoreNames.contains('uploads')) db.createObjectStore('uploads', { keyPath: 'local' });
  };
  return idb(opened);
}

async function sendQueue() {
  const pages = await self.clients.matchAll({ type: 'window' });
  if (pages.length) {
    pages.forEach((p) => p.postMessage('baton-sync'));
    return;
  }
  const me = await fetch('/api/v1/me', { credentials: 'same-origin' });
  if (!me.ok) return;
  const account = String((await me.json()).account_id);
  const db = await openQueue();
  // Photos taken offline go first, and their ids replace the stand-ins
  // the queued actions carry (as app.js does).
  const photos = (await idb(db.transaction('uploads').objectStore('uploads').getAll()))
    .filter((u) => u.account === account);
  for (const u of photos) {
    const answer = await fetch(`/api/v1/enrollments/${u.enrollment}/attachments?name=${encodeURIComponent(u.name)}`,
      { method: 'POST', body: u.blob, credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream' } });
    if (answer.status >= 500) throw new Error(`upload answered ${answer.status}`);
    const id = answer.ok ? (await answer.json()).id : null;
    const all = await idb(db.transaction('queue').objectStore('queue').getAll());
    const tx = db.transaction(['queue', 'uploads'], 'readwrite');
    for (const q of all) if (id && q.form.includes(u.local)) tx.objectStore('queue').put({ ...q, form: q.form.split(u.local).join(id) });
    tx.objectStore('uploads').delete(u.local);
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
  }
  const waiting = (await idb(db.transaction('queue').objectStore('queue').getAll()))
    .filter((q) => q.account === account && !q.refused);
  for (let i = 0; i < waiting.length; i += 100) {
    const batch = waiting.slice(i, i + 100);
    const response = await fetch('/api/v1/sync', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch.map((q) => ({ enrollment: q.enrollment, action: q.action, form: q.form, key: q.key, queued_at: q.queued_at }))),
    });
    if (!response.ok) throw new Error(`sync answered ${response.status}`);
    const answers = await response.json();
    const store = db.transaction('queue', 'readwrite').objectStore('queue');
    answers.forEach((a, n) => {
      if (a.status === 200) store.delete(batch[n].seq);
      else store.put({ ...batch[n], refused: true, answer: a.body });
    });
  }
}
