// Baton's service worker: the app shell kept for good, the person's own
// pages (我的任务, each enrollment, its course text) kept as they are visited
// and shown when the network is gone. Pages always come from the network
// first: offline is the fallback, never a stale answer to someone online.
// {{css}}, {{js}} and {{version}} are filled in by the server.
const VERSION = '{{version}}';
const SHELL = ['{{css}}', '{{js}}', '/static/icon.svg', '/manifest.webmanifest'];
const OWN = /^\/(me|enrollments\/\d+)$/;

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
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
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
    }).catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())));
  }
});

// Background Sync: the page registers `baton-queue` when it keeps an action
// offline; the browser fires it once there is a network, even with no page
// of the platform open. An open page sends its own queue (it knows whose it
// is); otherwise the worker asks the server whose session this browser holds
// and sends only that account's actions, as the page would. A failure
// rejects, and the browser tries again later.
self.addEventListener('sync', (event) => {
  if (event.tag === 'baton-queue') event.waitUntil(sendQueue());
});

function request(r) {
  return new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
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
  const opened = indexedDB.open('baton', 1);
  opened.onupgradeneeded = () => opened.result.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
  const db = await request(opened);
  const waiting = (await request(db.transaction('queue').objectStore('queue').getAll()))
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
