import type { Principal } from '../../shared/auth/roles.js';
import type { ChannelEntry } from '../../shared/review/case-view.js';
import { ESCALATE_REASONS, KEEP_REASONS, LABEL_POLICIES, REVERSE_REASONS } from '../../shared/review/policy-text.js';

/** Server-rendered pages of the review console. Everything interpolated goes through `esc`. */

export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON for a <script type="application/json"> block: `<` escaped so no string can close the tag. */
const jsonBlock = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

function layout(title: string, body: string, principal?: Principal | null): string {
  const who = principal
    ? `<span class="who">${esc(principal.id)} · ${esc(principal.roles.join(', '))}</span>
       <form method="post" action="/review/sign-out" class="inline"><button class="link" type="submit">Sign out</button></form>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · modpipe review</title><link rel="stylesheet" href="/review/assets/console.css"></head>
<body><header class="top"><a class="brand" href="/review">modpipe <b>review</b></a><nav>${principal ? '<a href="/review">Queue</a>' : ''}</nav><div class="me">${who}</div></header>
${body}
</body></html>`;
}

export function signInPage(opts: { error?: string; next?: string; status?: 401 | 403; principal?: Principal | null } = {}): string {
  const msg = opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : '';
  return layout(
    'Sign in',
    `<main class="signin"><form method="post" action="/review/sign-in" class="card">
      <h1>Sign in to review</h1>${msg}
      <label>User <input name="user" autocomplete="username" required autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <input type="hidden" name="next" value="${esc(opts.next ?? '/review')}">
      <button type="submit" class="primary">Sign in</button>
      <p class="hint">Accounts are made with <code>modpipe users create &lt;id&gt; --role moderator --password-stdin</code>.</p>
    </form></main>`,
    opts.principal,
  );
}

export function forbiddenPage(principal: Principal | null, message: string): string {
  return layout('Not for your role', `<main class="signin"><div class="card"><h1>Not for your role</h1><p>${esc(message)}</p>
    <p>The review console is for moderators, senior moderators, triage and admins.</p></div></main>`, principal);
}

/** The console shell: the queue sidebar, the case pane and the decision panel are filled by console.js. */
export function consolePage(principal: Principal): string {
  const policy = { labels: LABEL_POLICIES, keep: KEEP_REASONS, escalate: ESCALATE_REASONS, reverse: REVERSE_REASONS };
  return layout(
    'Queue',
    `<div class="console">
  <aside class="queues" aria-label="Queues"><h2>Queues</h2><div id="queues">Loading…</div>
    <section class="keys"><h2>Keys</h2><dl>
      <dt>t</dt><dd>take down</dd><dt>k</dt><dd>keep</dd><dt>e</dt><dd>escalate</dd><dt>v</dt><dd>reveal images</dd>
      <dt>c</dt><dd>comment</dd><dt>s</dt><dd>skip</dd><dt>1–9</dt><dd>pick reason</dd><dt>g</dt><dd>countries only</dd></dl></section>
  </aside>
  <main id="case" class="case" aria-live="polite"><p class="empty">Loading the next case…</p></main>
  <aside id="decide" class="decide" aria-label="Decision"></aside>
</div>
<div id="toast" class="toast" role="status" hidden></div>
<script type="application/json" id="policy">${jsonBlock(policy)}</script>
<script type="module" src="/review/assets/console.js"></script>`,
    principal,
  );
}

export interface ChannelPageOptions {
  canReverse: boolean;
  /** Open cases a bulk decision would cover; the form shows only for deciders. */
  bulkOpen: number | null;
}

function bulkForm(channelId: string, open: number): string {
  const options = [
    ...LABEL_POLICIES.flatMap((p) => p.takedownReasons.map((r) => `<option value="takedown|${esc(r.code)}">Take down: ${esc(r.text)}</option>`)),
    ...KEEP_REASONS.map((r) => `<option value="keep|${esc(r.code)}">Keep: ${esc(r.text)}</option>`),
  ].join('');
  return `<form id="bulk" class="bulk" data-channel="${esc(channelId)}"><b>${open} open case${open === 1 ? '' : 's'}</b>
    <select name="choice" aria-label="bulk decision">${options}</select><button type="submit" class="danger">Decide all open cases</button></form>`;
}

export function channelPage(principal: Principal, channelId: string, items: ChannelEntry[], total: number, opts: ChannelPageOptions): string {
  const canReverse = opts.canReverse;
  const rows = items
    .map((i) => {
      const down = i.takedown_global ? 'taken down' : i.takedown_jurisdictions.length ? `down in ${i.takedown_jurisdictions.join(', ')}` : 'visible';
      const last = i.last_decision ? `${esc(i.last_decision.decision)} · ${esc(i.last_decision.reason)}<br><small>${esc(i.last_decision.actor)} ${esc(i.last_decision.at.slice(0, 16).replace('T', ' '))}</small>` : '—';
      const reverse = canReverse && down !== 'visible'
        ? `<select data-reason>${REVERSE_REASONS.map((r) => `<option value="${esc(r.code)}">${esc(r.text)}</option>`).join('')}</select>
           <button data-reverse="${esc(i.id)}">Reverse</button>`
        : '';
      return `<tr class="${down === 'visible' ? '' : 'down'}"><td><code>${esc(i.id)}</code></td><td>${esc(i.title ?? '')} ${esc(i.text)}</td>
        <td>${esc(i.review_state)}</td><td>${esc(i.last_verdict ?? '—')}${i.last_category ? ` · ${esc(i.last_category)}` : ''}</td>
        <td>${down}</td><td>${last}</td><td class="actions">${reverse}</td></tr>`;
    })
    .join('');
  return layout(
    `Channel ${channelId}`,
    `<main class="channel"><h1>Channel <code>${esc(channelId)}</code></h1><p>${total} item${total === 1 ? '' : 's'} known; newest first.</p>
    ${opts.bulkOpen ? bulkForm(channelId, opts.bulkOpen) : ''}
    <table class="history"><thead><tr><th>Item</th><th>Text</th><th>Case</th><th>Verdict</th><th>Search</th><th>Last decision</th><th></th></tr></thead>
    <tbody>${rows || '<tr><td colspan="7">No items.</td></tr>'}</tbody></table></main>
    <div id="toast" class="toast" role="status" hidden></div>
    <script type="module" src="/review/assets/channel.js"></script>`,
    principal,
  );
}
