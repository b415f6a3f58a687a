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
