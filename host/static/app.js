// Baton on a weak signal: progressive enhancement of the server's pages,
// which work without this file. With it, a phone keeps the person's own
// pages for reading offline (the service worker, /sw.js), keeps a module
// form submitted offline (or, through the worker, one whose post fails on a
// weak signal) with its idempotency key and sends the queue when
// the connection returns (POST /api/v1/sync, in order, each accepted once;
// Background Sync sends it even with every page closed, see sw.js),
// brings a refused one back beside its fields with the input kept, and
// keeps half-filled forms as drafts. Texts come from the page (#sync's
// data-* attributes), in the page's language.
// A form posted and refused, or filled in by a link (a class's check-in
// QR), is where the page lands: unfolded, scrolled to, its button focused.
(() => {
  const form = document.querySelector('form[data-posted]');
  if (!form) return;
  const details = form.closest('details');
  if (details) details.open = true;
  form.scrollIntoView({ block: 'start' });
  form.querySelector('button[type=submit]:not([name])')?.focus({ preventScroll: true });
})();

(() => {
  'use strict';
  const box = document.getElementById('sync');
  if (!box || !window.indexedDB || !window.localStorage) return;
  const account = box.dataset.account;
  const english = document.documentElement.lang === 'en';
  const say = (key, vars = {}) => box.dataset[key].replace(/\{(\w+)\}/g, (_, k) => vars[k]);
  const own = /^\/(me|enrollments\/\d+)$/;
  const synced = 'baton-synced:' + account;

  // Whose phone this is, for the service worker, which keeps a post that
  // fails on a weak signal in this account's queue (sw.js).
  caches.open('baton-meta').then((c) => c.put('/account', new Response(account))).catch(() => {});
  // Back from such a post: the page came from the phone; say it was kept.
  const params = new URLSearchParams(location.search);
  if (params.has('kept')) {
    const note = document.createElement('p');
    note.className = 'ok';
    note.setAttribute('role', 'status');
    note.textContent = say('queued');
    box.after(note);
    params.delete('kept');
    history.replaceState(null, '', location.pathname + (params.size ? `?${params}` : '') + location.hash);
  }

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready).then(() => {
      // The page that installed the worker was not fetched through it: keep it too.
      if (!navigator.serviceWorker.controller && own.test(location.pathname) && navigator.onLine) {
        return caches.open('baton-pages').then((c) => c.add(location.pathname));
      }
    }).catch(() => {});
  }

  // The queue: one IndexedDB store of actions, in the order they were
  // taken, and one of photos taken offline, sent before them (sw.js opens
  // the same database, at the same version).
  const opened = new Promise((ok, fail) => {
    const r = indexedDB.open('baton', 2);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
      if (!db.objectStoreNames.contains('uploads')) db.createObjectStore('uploads', { keyPath: 'local' });
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const store = async (mode, work, name = 'queue') => {
    const db = await opened;
    return new Promise((ok, fail) => {
      const t = db.transaction(name, mode);
      const request = work(t.objectStore(name));
      t.oncomplete = () => ok(request && request.result);
      t.onerror = () => fail(t.error);
    });
  };
  const queued = async () => (await store('readonly', (s) => s.getAll())).filter((q) => q.account === account);
  const photos = async () => (await store('readonly', (s) => s.getAll(), 'uploads')).filter((u) => u.account === account);

  // A photo taken in a form without a signal: kept on the phone under a
  // stand-in id (`local-…`), which the form's box carries until the photo
  // is sent and the server's id replaces it in every queued action.
  window.batonKeepPhoto = async (enrollment, name, blob) => {
    const local = `local-${newKey()}`;
    await store('readwrite', (s) => s.put({ local, account, enrollment, name, blob }), 'uploads');
    show();
    return local;
  };
  async function sendPhotos() {
    for (const u of await photos()) {
      const answer = await fetch(`/api/v1/enrollments/${u.enrollment}/attachments?name=${encodeURIComponent(u.name)}`,
        { method: 'POST', body: u.blob, credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream' } });
      // The server's fault: keep it for the next try. Refused (too large, not
      // a photo): dropped, and the action naming it is refused by its field.
      if (answer.status >= 500) throw new Error(`upload answered ${answer.status}`);
      const id = answer.ok ? (await answer.json()).id : null;
      const waiting = await queued();
      await store('readwrite', (s) => {
        for (const q of waiting) if (id && q.form.includes(u.local)) s.put({ ...q, form: q.form.split(u.local).join(id) });
      });
      await store('readwrite', (s) => s.delete(u.local), 'uploads');
    }
  }
  const forget = (seqs) => store('readwrite', (s) => { seqs.forEach((seq) => s.delete(seq)); });

  const formId = (form) => (form.querySelector('input[name="_form"]') || {}).value || form.dataset.action;
  const fields = (form) => [...new FormData(form)].filter(([k, v]) => !k.startsWith('_') && typeof v === 'string');
  const draftKey = (form) => `baton-draft:${account}:${location.pathname}:${formId(form)}`;
  const fill = (form, pairs) => {
    for (const [name, value] of pairs) {
      for (const input of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (input.type === 'checkbox' || input.type === 'radio') input.checked = input.value === value || input.checked;
        else if (input.type !== 'file') input.value = value;
      }
    }
  };
  const newKey = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const time = () => new Date().toLocaleTimeString(english ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit' });

  async function show() {
    const all = await queued();
    const waiting = all.filter((q) => !q.refused).length + (await photos()).length;
    const parts = [];
    if (!navigator.onLine) parts.push(say('offline', { time: localStorage.getItem(synced) || '—' }));
    if (waiting) parts.push(say('pending', { n: waiting }));
    box.textContent = parts.join(' · ');
    box.hidden = parts.length === 0;
    for (const q of all.filter((q) => q.refused && q.path === location.pathname)) refused(q);
  }

  // A queued action the module refused on arrival: the form again, as the
  // person filled it, with the module's words beside each field it names;
  // or, when the page no longer has that form (the seals were received
  // meanwhile), the words and what was typed, above the page.
  function refused(q) {
    if (document.querySelector(`[data-refused-seq="${q.seq}"]`)) return;
    const form = [...document.querySelectorAll('form[data-action]')].find((f) => formId(f) === q.formId);
    const typed = [...new URLSearchParams(q.form)].filter(([k, v]) => !k.startsWith('_') && v !== '');
    const text = (m) => (m ? (english ? m.en : m.zh) : '');
    const body = q.answer || {};
    const alert = document.createElement('div');
    alert.className = 'form-errors';
    alert.setAttribute('role', 'alert');
    alert.dataset.refusedSeq = String(q.seq);
    const line = (words, tag = 'p') => {
      const p = document.createElement(tag);
      p.textContent = words;
      alert.append(p);
      return p;
    };
    line(say('refused'));
    if (body.message) line(text(body.message));
    if (form) {
      fill(form, typed);
      const details = form.closest('details');
      if (details) details.open = true;
      form.prepend(alert);
      for (const f of body.fields || []) {
        const input = form.querySelector(`[name="${CSS.escape(f.field)}"]`);
        const span = document.createElement('span');
        span.className = 'field-error';
        span.textContent = text(f.message);
        if (input) input.insertAdjacentElement('afterend', span);
        else alert.append(span);
      }
      return;
    }
    for (const f of body.fields || []) line(text(f.message));
    const list = document.createElement('ul');
    for (const [, value] of typed) {
      const li = document.createElement('li');
      li.textContent = value;
      list.append(li);
    }
    alert.append(list);
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'small';
    dismiss.textContent = say('dismiss');
    dismiss.addEventListener('click', () => forget([q.seq]).then(() => alert.remove()));
    alert.append(dismiss);
    box.after(alert);
  }

  // Sends the queue, a hundred at a time, in order. Accepted: gone from the
  // phone. Refused: kept, with the answer, for its page to show.
  let sending = false;
  async function sync() {
    if (sending || !navigator.onLine) return show();
    if (!(await queued()).some((q) => !q.refused) && !(await photos()).length) return show();
    sending = true;
    let here = false;
    try {
      // Photos first: the actions that carry them name them by their ids.
      await sendPhotos();
      const waiting = (await queued()).filter((q) => !q.refused);
      for (let i = 0; i < waiting.length; i += 100) {
        const batch = waiting.slice(i, i + 100);
        const response = await fetch('/api/v1/sync', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch.map((q) => ({ enrollment: q.enrollment, action: q.action, form: q.form, key: q.key, queued_at: q.queued_at }))),
        });
        if (!response.ok) break;
        const answers = await response.json();
        await store('readwrite', (s) => {
          answers.forEach((a, n) => {
            const q = batch[n];
            if (q.path === location.pathname) here = true;
            if (a.status === 200) s.delete(q.seq);
            else s.put({ ...q, refused: true, answer: a.body });
          });
        });
      }
      localStorage.setItem(synced, time());
    } catch (e) {
      // The signal went again: everything stays queued.
    } finally {
      sending = false;
    }
    if (here) location.reload();
    else show();
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (form.matches('form.logout')) {
      // A shared phone: the next person must not read this one's pages.
      event.preventDefault();
      await caches.delete('baton-pages').catch(() => {});
      await caches.delete('baton-meta').catch(() => {});
      form.submit();
      return;
    }
    if (!form.matches('form[data-action]')) return;
    // A form carrying a photo still on the phone goes by the queue, which
    // sends the photo first.
    const photoKept = form.querySelector('input[type=checkbox][value^="local-"]:checked');
    const online = navigator.onLine && !photoKept;
    if (!online) event.preventDefault();
    const refusedHere = (await queued()).filter((q) => q.refused && q.path === location.pathname && q.formId === formId(form));
    if (online) {
      if (refusedHere.length) forget(refusedHere.map((q) => q.seq));
      return;
    }
    if (event.submitter && event.submitter.name === '_more') return;
    const data = new URLSearchParams([...new FormData(form)].filter(([, v]) => typeof v === 'string'));
    const enrollment = Number((form.getAttribute('action') || location.pathname).match(/\/enrollments\/(\d+)/)[1]);
    await forget(refusedHere.map((q) => q.seq));
    await store('readwrite', (s) => s.add({
      account, enrollment, action: data.get('_action'), key: data.get('_key'), form: data.toString(),
      queued_at: Math.floor(Date.now() / 1000), path: location.pathname, formId: formId(form),
    }));
    // The next submission of this form is another action, with its own key.
    const key = form.querySelector('input[name="_key"]');
    if (key) key.value = newKey();
    localStorage.removeItem(draftKey(form));
    // Where the browser has Background Sync, the queue goes as soon as there
    // is a network, even if every page of the platform is closed by then.
    navigator.serviceWorker?.ready.then((r) => r.sync && r.sync.register('baton-queue')).catch(() => {});
    const note = document.createElement('p');
    note.className = 'ok';
    note.setAttribute('role', 'status');
    note.textContent = say('queued');
    form.prepend(note);
    if (navigator.onLine) sync();
    else show();
  }, true);

  // A page's forms share one idempotency key (one rendering, one post);
  // offline, several may be sent from one rendering: each its own key.
  document.querySelectorAll('form[data-action] input[name="_key"]').forEach((key, n) => {
    key.value = `${key.value}.${n}`;
  });

  // Drafts: every change to a module form is kept on the phone until sent.
  document.addEventListener('input', (event) => {
    const form = event.target.form;
    if (form && form.matches('form[data-action]')) {
      localStorage.setItem(draftKey(form), new URLSearchParams(fields(form)).toString());
    }
  });
  const saved = new URLSearchParams(location.search).has('saved');
  for (const form of document.querySelectorAll('form[data-action]')) {
    const draft = localStorage.getItem(draftKey(form));
    if (!draft) continue;
    // Sent and saved, or the server brought it back with its own errors: the
    // page's version wins.
    if (saved || form.querySelector('.field-error')) localStorage.removeItem(draftKey(form));
    else {
      fill(form, new URLSearchParams(draft));
      const details = form.closest('details');
      if (details) details.open = true;
    }
  }

  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data === 'baton-sync') sync();
  });
  window.addEventListener('online', sync);
  window.addEventListener('offline', show);
  sync();
})();

// A photo taken or chosen inside the form that needs it: shrunk on the
// phone (a camera's 4 MB becomes ~300 KB over 2G), uploaded to the
// enrollment, and its box added to the form, ticked — no trip to the
// upload form below, nothing typed lost. The input is hidden without
// script, where that upload form is the way.
(() => {
  'use strict';
  const LONGEST = 1600;
  const shrink = (file) => new Promise((resolve) => {
    if (!/^image\/(jpeg|png)$/.test(file.type) || !window.createImageBitmap) return resolve(file);
    createImageBitmap(file, { imageOrientation: 'from-image' }).then((bitmap) => {
      const scale = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 600_000) return resolve(file);
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((blob) => resolve(blob && blob.size < file.size ? blob : file), 'image/jpeg', 0.85);
    }, () => resolve(file));
  });
  for (const input of document.querySelectorAll('.pick-upload input[type=file]')) {
    input.closest('p').hidden = false;
    input.addEventListener('change', async () => {
      const file = input.files[0];
      if (!file) return;
      const status = input.closest('p');
      status.classList.add('busy');
      try {
        const body = await shrink(file);
        const name = body === file ? file.name : file.name.replace(/\.\w+$/, '') + '.jpg';
        let value;
        let label = name;
        try {
          if (!navigator.onLine) throw new TypeError('offline');
          const answer = await fetch(`/api/v1/enrollments/${input.dataset.enrollment}/attachments?name=${encodeURIComponent(name)}`,
            { method: 'POST', body, credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream' } });
          const json = await answer.json();
          if (!answer.ok) throw new Error(json.message ? json.message[document.documentElement.lang === 'en' ? 'en' : 'zh'] : answer.status);
          value = json.id;
        } catch (e) {
          // No signal (or too weak to carry it): the photo waits on the
          // phone and goes before the form that carries it.
          if (!(e instanceof TypeError) || !window.batonKeepPhoto) throw e;
          value = await window.batonKeepPhoto(Number(input.dataset.enrollment), name, body);
          label = `${name}${input.dataset.kept || ''}`;
        }
        const box = document.createElement('p');
        box.className = 'field check';
        const id = `${input.id}-${value.slice(-8)}`;
        box.innerHTML = '<input type="checkbox" checked><label></label>';
        Object.assign(box.firstChild, { id, name: input.dataset.field, value });
        Object.assign(box.lastChild, { htmlFor: id, textContent: label });
        status.after(box);
        status.querySelector('.error')?.remove();
      } catch (e) {
        const error = status.querySelector('.error') || status.appendChild(Object.assign(document.createElement('span'), { className: 'error field-error' }));
        error.textContent = String(e.message || e);
      } finally {
        status.classList.remove('busy');
        input.value = '';
      }
    });
  }
})();

// A page made to print (the certificate) gets a print button on a phone,
// whose browser hides printing in a menu.
for (const button of document.querySelectorAll('button[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
