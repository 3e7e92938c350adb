/* global document, location, confirm */
// Channel history page: reversals and bulk decisions, through the same JSON API as the console.

const toastEl = document.getElementById('toast');
function toast(text, bad = false) {
  toastEl.textContent = text;
  toastEl.className = bad ? 'toast bad' : 'toast';
  toastEl.hidden = false;
  setTimeout(() => (toastEl.hidden = true), bad ? 6000 : 2500);
}

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-modpipe-console': '1' }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `${res.status} ${res.statusText}`);
  return data;
}

document.querySelectorAll('[data-reverse]').forEach((btn) => {
  btn.addEventListener('click', async () => {
    const id = btn.dataset.reverse;
    const reason = btn.parentElement.querySelector('[data-reason]').value;
    btn.disabled = true;
    try {
      await post(`/v1/review/cases/${encodeURIComponent(id)}/reverse`, { reason });
      toast(`Reversed ${id}: it is being restored`);
      setTimeout(() => location.reload(), 1200);
    } catch (e) {
      btn.disabled = false;
      toast(e.message, true);
    }
  });
});

const bulk = document.getElementById('bulk');
bulk?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const [decision, reason] = bulk.querySelector('[name=choice]').value.split('|');
  if (!confirm(`${decision === 'takedown' ? 'Take down' : 'Keep'} every open case of this channel?`)) return;
  try {
    const r = await post(`/v1/review/channels/${encodeURIComponent(bulk.dataset.channel)}/bulk-decision`, { decision: { decision, reason } });
    toast(`Decided ${r.decided.length}; skipped ${r.skipped.length}`);
    setTimeout(() => location.reload(), 1200);
  } catch (err) {
    toast(err.message, true);
  }
});
