/* global document, location, Node */
// modpipe review console: claims the next case, shows it, sends decisions. Vanilla JS, no build.
// Every text goes into the page through textContent (the `h` helper), never as HTML.

const policy = JSON.parse(document.getElementById('policy').textContent);
const $case = document.getElementById('case');
const $decide = document.getElementById('decide');
const $queues = document.getElementById('queues');
const $toast = document.getElementById('toast');

const state = { filter: { state: 'open' }, current: null, skipped: [], can: {}, busy: false, reasonIndex: 0 };

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(method, url, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') {
    init.headers['x-modpipe-console'] = '1';
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const res = await fetch(url, init);
  if (res.status === 401) {
    location.href = '/review/sign-in?next=/review';
    throw new Error('signed out');
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `${res.status} ${res.statusText}`);
  return data;
}

let toastTimer;
function toast(text, bad = false) {
  $toast.textContent = text;
  $toast.className = bad ? 'toast bad' : 'toast';
  $toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => ($toast.hidden = true), bad ? 6000 : 2500);
}

const labelPolicy = (label) => policy.labels.find((p) => p.label === label);
const fmt = (n) => (n == null ? '—' : Number(n).toLocaleString('en'));
const time = (iso) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' }) : '');

// ---- queues -------------------------------------------------------------------------------

async function loadQueues() {
  const q = await api('GET', '/v1/review/queues');
  state.can = q.can;
  const total = (s) => q.totals.find((t) => t.state === s) ?? { count: 0, claimed: 0 };
  const same = (f) => JSON.stringify(f) === JSON.stringify(state.filter);
  const entry = (label, filter, count) =>
    h('button', { class: `q${same(filter) ? ' active' : ''}`, type: 'button', onclick: () => switchQueue(filter) }, h('span', {}, label), h('span', { class: 'n' }, fmt(count)));
  const group = (title, rows, key) =>
    rows.length ? [h('h2', {}, title), ...rows.map((r) => entry(r.key, { state: r.state, [key]: r.key }, r.count))] : [];
  const open = (rows) => rows.filter((r) => r.state === 'open' && r.key !== 'unknown');
  $queues.replaceChildren(
    entry('All open', { state: 'open' }, total('open').count),
    q.can.escalated ? entry('Escalated (senior)', { state: 'escalated' }, total('escalated').count) : '',
    ...group('By category', open(q.byCategory), 'category'),
    ...group('By language', open(q.byLanguage), 'language'),
    ...group('By jurisdiction', open(q.byJurisdiction), 'jurisdiction'),
  );
}

async function switchQueue(filter) {
  if (state.current) await api('POST', `/v1/review/cases/${encodeURIComponent(state.current.status.subject_id)}/release`).catch(() => undefined);
  state.filter = filter;
  state.skipped = [];
  await next();
}

// ---- the case -----------------------------------------------------------------------------

async function next() {
  state.current = null;
  $case.replaceChildren(h('p', { class: 'empty' }, 'Loading the next case…'));
  try {
    const { case: c } = await api('POST', '/v1/review/claim', { ...state.filter, exclude: state.skipped });
    // The queue counts carry what this user may do, which the decision buttons need.
    await loadQueues().catch(() => undefined);
    state.current = c;
    state.reasonIndex = 0;
    render();
  } catch (e) {
    $case.replaceChildren(h('p', { class: 'empty' }, `Could not load a case: ${e.message}`));
  }
}

function render() {
  const c = state.current;
  if (!c) {
    $case.replaceChildren(h('p', { class: 'empty' }, 'No cases waiting in this queue.'), h('p', { class: 'empty' }, h('button', { type: 'button', onclick: next }, 'Check again')));
    $decide.replaceChildren();
    return;
  }
  const s = c.status;
  const item = c.item ?? { id: s.subject_id, text: '(the item was never stored)', media: [], jurisdictions: [] };
  const cls = c.classification ?? {};
  const down = s.takedown_global ? 'taken down' : s.takedown_jurisdictions.length ? `down in ${s.takedown_jurisdictions.join(', ')}` : '';
  const scores = Object.entries(cls.scores ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 6);
  const hits = cls.hits ?? [];
  $case.replaceChildren(
    h('div', { class: 'case-head' },
      h('h1', {}, item.title || item.id),
      h('span', { class: `badge ${s.review_state}` }, s.review_state),
      s.review_category ? h('span', { class: 'badge cat' }, s.review_category) : '',
      down ? h('span', { class: 'badge down' }, down) : '',
      h('span', { class: 'meta' }, `priority ${s.effective_priority} · ${s.report_count} reporter${s.report_count === 1 ? '' : 's'} · yours until ${time(s.claimed_until)}`)),
    h('div', { class: 'meta' },
      `${item.kind ?? 'item'} `, h('code', {}, item.id), ' · channel ',
      item.channel_id ? h('a', { href: `/review/channels/${encodeURIComponent(item.channel_id)}` }, item.channel_id) : '—',
      ` · ${item.language ?? 'language unknown'} · ${fmt(item.subscribers)} subscribers · ${fmt(item.views)} views`,
      item.jurisdictions?.length ? ` · seen in ${item.jurisdictions.join(', ')}` : ''),
    h('article', { class: 'content' }, item.text || '(no text)'),
    item.url ? h('p', { class: 'meta' }, 'Link: ', h('code', {}, item.url)) : '',
    item.media?.length ? h('div', { class: 'media' }, item.media.map((_, i) => thumb(item.id, i))) : '',
    h('section', { class: 'signals' },
      h('h2', {}, 'Why it is here'),
      h('div', {}, `Verdict `, h('b', {}, cls.verdict ?? '—'), cls.model_version ? ` by ${cls.model_version}` : ''),
      cls.reasons?.length ? h('ul', {}, cls.reasons.map((r) => h('li', {}, r))) : '',
      scores.map(([label, v]) => h('div', { class: 'score' }, h('span', {}, label), h('span', { class: 'bar' }, h('i', { class: v >= 0.5 && labelPolicy(label) ? 'hot' : '', style: `width:${Math.round(v * 100)}%` })), h('span', {}, v.toFixed(2)))),
      hits.length ? h('ul', {}, hits.map((x) => h('li', {}, `${x.signal ?? 'signal'}: ${x.label} ${x.action ?? ''} — ${x.reason ?? ''}`))) : ''),
    h('section', {},
      h('h2', {}, 'History'),
      h('ul', { class: 'events' }, c.events.map((e) => h('li', {}, h('span', { class: 't' }, e.type), ' ', h('span', { class: 'a' }, e.actor), ' ', h('time', {}, time(e.created_at)), describeEvent(e))))),
    h('section', {},
      h('h2', {}, `Other items of the channel (${Math.max(0, c.channel.item_count - 1)})`),
      h('ul', { class: 'others' }, c.channel.items.slice(0, 12).map((o) =>
        h('li', {}, h('code', {}, o.id), ` ${o.review_state !== 'none' ? `[${o.review_state}] ` : ''}${o.takedown_global ? '[down] ' : ''}`, (o.title ?? '') + ' ' + o.text.slice(0, 120)))),
      c.channel.id ? h('a', { href: `/review/channels/${encodeURIComponent(c.channel.id)}` }, 'Channel history →') : ''),
  );
  renderDecide();
}

function describeEvent(e) {
  const p = e.payload ?? {};
  const bits = [p.decision, p.verdict, p.category, p.reason_text ?? p.reason, p.note, p.reporter && `by ${p.reporter}`, p.scope && (p.scope.global ? 'global' : p.scope.jurisdictions?.join(','))].filter(Boolean);
  return bits.length ? ` — ${bits.join(' · ')}` : '';
}

function thumb(id, index) {
  const base = `/v1/review/cases/${encodeURIComponent(id)}/media/${index}`;
  const img = h('img', { src: base, alt: `image ${index + 1}, blurred`, 'data-thumb': index });
  const btn = h('button', { type: 'button', 'data-reveal': index, onclick: () => reveal(img, btn, base) }, 'Reveal', h('kbd', {}, 'V'));
  return h('div', { class: 'thumb' }, img, btn);
}

function reveal(img, btn, base) {
  img.src = `${base}/reveal`;
  img.alt = img.alt.replace('blurred', 'revealed');
  img.dataset.revealed = '1';
  btn.disabled = true;
  btn.firstChild.textContent = 'Revealed';
}

// ---- deciding -----------------------------------------------------------------------------

function renderDecide() {
  const c = state.current;
  const label = c.status.review_category ?? c.status.last_category ?? policy.labels[0].label;
  const pol = labelPolicy(label);
  const can = state.can;
  const labelSel = h('select', { id: 'label', onchange: () => fillReasons(labelSel.value) }, policy.labels.map((p) => h('option', { value: p.label, selected: p.label === label }, p.title)));
  const reasonSel = h('select', { id: 'reason' });
  const keepSel = h('select', { id: 'keep-reason' }, policy.keep.map((r) => h('option', { value: r.code }, r.text)));
  const escSel = h('select', { id: 'escalate-reason' }, policy.escalate.map((r) => h('option', { value: r.code }, r.text)));
  const countries = h('input', { id: 'countries', type: 'text', placeholder: 'DE, FR', 'aria-label': 'countries', oninput: () => (document.getElementById('scope-some').checked = true) });
  const act = (kind, text, key, cls, allowed) =>
    h('button', { type: 'button', class: cls, 'data-act': kind, disabled: !allowed || undefined, onclick: () => decide(kind) }, text, h('kbd', {}, key));
  $decide.replaceChildren(
    pol ? h('section', { class: 'policy' }, h('h3', {}, `Policy: ${pol.title}`), h('p', {}, pol.summary), h('p', { class: 'allowed' }, `Allowed: ${pol.allowed}`)) : '',
    h('form', { id: 'decision', onsubmit: (e) => e.preventDefault() },
      h('div', { class: 'actions' },
        act('takedown', 'Take down', 'T', 'danger wide', can.takedown),
        act('keep', 'Keep', 'K', 'good', can.keep),
        act('escalate', 'Escalate', 'E', 'warn', c.status.review_state !== 'escalated'),
        act('comment', 'Comment', 'C', '', true),
        act('skip', 'Skip', 'S', '', true)),
      h('h2', {}, 'Take down as'),
      h('label', {}, 'Category', labelSel),
      h('label', {}, 'Policy reason (keys 1–9)', reasonSel),
      h('div', { class: 'scope' },
        h('label', { class: 'scope' }, h('input', { type: 'radio', name: 'scope', id: 'scope-all', checked: true }), 'everywhere'),
        h('label', { class: 'scope' }, h('input', { type: 'radio', name: 'scope', id: 'scope-some' }), 'only in'), countries),
      h('h2', {}, 'Keep or escalate as'),
      h('label', {}, 'Keep reason', keepSel),
      h('label', {}, 'Escalation reason', escSel),
      h('label', {}, 'Note (optional; the text of a comment)', h('textarea', { id: 'note', rows: 2, maxlength: 2000 }))),
  );
  fillReasons(label);
}

function fillReasons(label) {
  const sel = document.getElementById('reason');
  const pol = labelPolicy(label);
  sel.replaceChildren(...(pol?.takedownReasons ?? []).map((r, i) => h('option', { value: r.code }, `${i + 1}. ${r.text}`)));
  state.reasonIndex = 0;
  const p = document.querySelector('.decide .policy');
  if (p && pol) p.replaceChildren(h('h3', {}, `Policy: ${pol.title}`), h('p', {}, pol.summary), h('p', { class: 'allowed' }, `Allowed: ${pol.allowed}`));
}

function scope() {
  if (!document.getElementById('scope-some').checked) return { global: true };
  const list = document.getElementById('countries').value.toUpperCase().split(/[\s,;]+/).filter(Boolean);
  if (!list.length) throw new Error('name at least one country (two letters, e.g. DE) or choose everywhere');
  return { jurisdictions: list };
}

async function decide(kind) {
  const c = state.current;
  if (!c || state.busy) return;
  const id = c.status.subject_id;
  const url = `/v1/review/cases/${encodeURIComponent(id)}`;
  const note = document.getElementById('note').value.trim() || undefined;
  state.busy = true;
  try {
    if (kind === 'skip') {
      state.skipped.push(id);
      await api('POST', `${url}/release`);
      toast(`Skipped ${id}`);
    } else if (kind === 'comment') {
      if (!note) {
        document.getElementById('note').focus();
        toast('Write the comment in the note field first', true);
        return;
      }
      await api('POST', `${url}/comment`, { note });
      toast('Comment saved');
      const fresh = await api('GET', url);
      state.current = { ...fresh };
      render();
      return;
    } else {
      const body =
        kind === 'takedown' ? { decision: 'takedown', reason: document.getElementById('reason').value, scope: scope(), note }
        : kind === 'keep' ? { decision: 'keep', reason: document.getElementById('keep-reason').value, note }
        : { decision: 'escalate', reason: document.getElementById('escalate-reason').value, note };
      await api('POST', `${url}/decision`, body);
      toast(`${kind === 'takedown' ? 'Taken down' : kind === 'keep' ? 'Kept' : 'Escalated'}: ${id}`);
    }
    await next();
  } catch (e) {
    toast(e.message, true);
  } finally {
    state.busy = false;
  }
}

// ---- keyboard -----------------------------------------------------------------------------

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement?.tagName);
  if (e.key === 'Escape' && typing) return document.activeElement.blur();
  if (typing || !state.current) return;
  const k = e.key.toLowerCase();
  const click = (sel) => {
    const b = document.querySelector(sel);
    if (b && !b.disabled) b.click();
  };
  if (k === 't') click('[data-act=takedown]');
  else if (k === 'k') click('[data-act=keep]');
  else if (k === 'e') click('[data-act=escalate]');
  else if (k === 's') click('[data-act=skip]');
  else if (k === 'c') document.getElementById('note').focus();
  else if (k === 'g') document.getElementById('countries').focus();
  else if (k === 'v') document.querySelectorAll('[data-reveal]').forEach((b) => !b.disabled && b.click());
  else if (/^[1-9]$/.test(k)) {
    const sel = document.getElementById('reason');
    if (sel.options[Number(k) - 1]) sel.selectedIndex = Number(k) - 1;
  } else return;
  e.preventDefault();
});

next();
