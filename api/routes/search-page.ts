import type { SearchHit } from '../../shared/search-index/postgres-index.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The demo search engine as a page, for a person in a browser; machines get JSON. */
export function renderSearchPage(q: string, country: string | undefined, hits: readonly SearchHit[]): string {
  const rows = hits
    .map((h) => `<li><div class="t">${esc(h.title ?? h.id)}</div><div class="m">${esc(h.id)} · ${esc(h.kind)} · channel ${esc(h.channel_id)}</div><p>${esc(h.snippet)}</p></li>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>modpipe demo search</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#1d2430}
form{display:flex;gap:.5rem;margin-bottom:1rem}input{font:inherit;padding:.45rem .6rem;border:1px solid #b8c0cc;border-radius:6px}
input[name=q]{flex:1}button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:0;background:#2457c5;color:#fff}
ul{list-style:none;padding:0}li{padding:.7rem 0;border-bottom:1px solid #e4e7ec}.t{font-weight:600}.m{color:#667085;font-size:13px}p{margin:.3rem 0 0}
.note{color:#667085}</style></head><body>
<h1>Search</h1>
<form method="get" action="/search"><input name="q" value="${esc(q)}" placeholder="search channels and posts" autofocus>
<input name="country" value="${esc(country ?? '')}" placeholder="country (e.g. DE)" size="12" pattern="[A-Z]{2}"><button>Search</button></form>
<p class="note">${hits.length} result${hits.length === 1 ? '' : 's'}${country ? ` as seen from ${esc(country)}` : ''}. Items modpipe took down do not appear here.</p>
<ul>${rows}</ul></body></html>`;
}
