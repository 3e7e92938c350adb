import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PrincipalService } from '../shared/auth/principal-service.js';
import { itemSchema, type Item } from '../shared/items/item-schema.js';
import type { Infrastructure } from '../shared/wiring/infrastructure.js';

export const DEMO_CORPUS = new URL('../demo/demo-corpus.ndjson', import.meta.url);
const DEMO_EXPECTED = new URL('../demo/expected.json', import.meta.url);

export interface DemoSummary {
  items: number;
  classified: number;
  takenDown: number;
  inReview: number;
  allowed: number;
  failed: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  intent: {
    violating: number;
    violatingTakenDown: number;
    violatingReviewed: number;
    borderline: number;
    borderlineReviewed: number;
    benign: number;
    benignReviewed: number;
    benignTakenDown: number;
  } | null;
  examples: { query: string; removed: string }[];
}

/** Loads the shipped corpus into the demo search index and starts a sweep over it. */
export async function seedDemo(infra: Infrastructure): Promise<Item[]> {
  if (!infra.postgresIndex) throw new Error('--demo needs the embedded search index (SEARCH_INDEX=postgres)');
  const lines = (await readFile(DEMO_CORPUS, 'utf8')).split('\n').filter((l) => l.trim());
  const items = lines.map((l, i) => {
    const p = itemSchema.safeParse(JSON.parse(l));
    if (!p.success) throw new Error(`demo corpus line ${i + 1} is invalid: ${p.error.issues[0]?.message}`);
    return p.data;
  });
  await infra.postgresIndex.upsert(items);
  await infra.ingestQueue.add({ kind: 'sweep', name: 'demo', cursor: null, page_size: 200, force: false }, `demo-sweep-${Date.now()}`);
  return items;
}

/** A platform token for trying the API by hand; kept in the data directory so reruns show the same one. */
export async function demoToken(infra: Infrastructure): Promise<string> {
  const file = path.join(infra.config.DATA_DIR, 'demo-platform-token.txt');
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  const principals = new PrincipalService(infra.db);
  if (existing && (await principals.verifyToken(existing))) return existing;
  await principals.ensurePrincipal('demo-platform', 'machine', ['platform']);
  const { token } = await principals.createToken('demo-platform', ['items:write', 'reports:write', 'rescans:write', 'read']);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** A moderator account for the demo's review console, its password kept in the data directory. */
export async function demoModerator(infra: Infrastructure): Promise<{ id: string; password: string }> {
  const id = 'demo-moderator';
  const file = path.join(infra.config.DATA_DIR, 'demo-moderator-password.txt');
  const principals = new PrincipalService(infra.db);
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing && (await principals.verifyPassword(id, existing))) return { id, password: existing };
  const password = randomBytes(12).toString('base64url');
  await principals.ensurePrincipal(id, 'user', ['moderator']);
  await principals.setPassword(id, password);
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return { id, password };
}

/** Waits until every demo item has a verdict and every decided takedown is applied. */
export async function waitForDemo(infra: Infrastructure, items: readonly Item[], timeoutMs: number): Promise<boolean> {
  const ids = items.map((i) => i.id);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await infra.db.query<{ verdicts: number; pending: number }>(
      `SELECT (SELECT count(*) FROM subject_status WHERE subject_id = ANY($1::text[]) AND last_verdict IS NOT NULL) AS verdicts,
              (SELECT count(*) FROM outbox WHERE subject_id = ANY($1::text[]) AND done_at IS NULL) AS pending`,
      [ids],
    );
    const failed = await infra.classifyQueue.queue.getFailedCount();
    const row = r.rows[0]!;
    if (row.verdicts + failed >= ids.length && row.pending === 0) return true;
    await new Promise((res) => setTimeout(res, 250));
  }
  return false;
}

/** The items the corpus means as benign: how many the pipeline sent to review or took down anyway. */
function benignIntent(ids: string[], expected: { violating: string[]; borderline: string[] }, verdictOf: (id: string) => string | null | undefined, reviewed: (id: string) => boolean) {
  const flagged = new Set([...expected.violating, ...expected.borderline]);
  const benign = ids.filter((id) => !flagged.has(id));
  return {
    benign: benign.length,
    benignReviewed: benign.filter((id) => verdictOf(id) !== 'takedown' && reviewed(id)).length,
    benignTakenDown: benign.filter((id) => verdictOf(id) === 'takedown').length,
  };
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

export async function summarizeDemo(infra: Infrastructure, items: readonly Item[]): Promise<DemoSummary> {
  const ids = items.map((i) => i.id);
  const st = await infra.db.query<{ subject_id: string; last_verdict: string | null; takedown_global: boolean; review_state: string }>(
    'SELECT subject_id, last_verdict, takedown_global, review_state FROM subject_status WHERE subject_id = ANY($1::text[])',
    [ids],
  );
  const by = new Map(st.rows.map((r) => [r.subject_id, r]));
  const lat = await infra.db.query<{ ms: number }>(
    `SELECT (payload->>'ingest_to_effect_ms')::float8 AS ms FROM events
     WHERE type = 'takedown' AND subject_id = ANY($1::text[]) AND payload ? 'ingest_to_effect_ms' ORDER BY 1`,
    [ids],
  );
  const latencies = lat.rows.map((r) => r.ms);
  const expected = JSON.parse(await readFile(DEMO_EXPECTED, 'utf8').catch(() => 'null')) as { violating: string[]; borderline: string[] } | null;
  const verdictOf = (id: string) => by.get(id)?.last_verdict;
  const reviewed = (id: string) => ['open', 'escalated'].includes(by.get(id)?.review_state ?? '');
  const removed = items.filter((i) => by.get(i.id)?.takedown_global && i.title);
  return {
    items: ids.length,
    classified: st.rows.filter((r) => r.last_verdict).length,
    takenDown: st.rows.filter((r) => r.takedown_global).length,
    inReview: st.rows.filter((r) => ['open', 'escalated'].includes(r.review_state)).length,
    allowed: st.rows.filter((r) => r.last_verdict === 'allow').length,
    failed: await infra.classifyQueue.queue.getFailedCount(),
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    intent: expected && {
      violating: expected.violating.length,
      violatingTakenDown: expected.violating.filter((id) => verdictOf(id) === 'takedown').length,
      violatingReviewed: expected.violating.filter((id) => verdictOf(id) !== 'takedown' && reviewed(id)).length,
      borderline: expected.borderline.length,
      borderlineReviewed: expected.borderline.filter((id) => reviewed(id) || verdictOf(id) === 'takedown').length,
      ...benignIntent(ids, expected, verdictOf, reviewed),
    },
    examples: removed.slice(0, 3).map((i) => ({ query: (i.title ?? '').split(/\s+/).slice(0, 2).join(' '), removed: i.id })),
  };
}

export function formatSummary(s: DemoSummary, baseUrl: string, token: string, moderator: { id: string; password: string }): string {
  const ms = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v)} ms`);
  const lines = [
    '',
    'modpipe demo: summary',
    `  items ingested            ${s.items}`,
    `  classified                ${s.classified}`,
    `  taken down (global)       ${s.takenDown}`,
    `  sent to review            ${s.inReview}`,
    `  allowed                   ${s.allowed}`,
    `  failed jobs (see \`modpipe queues failed classify\`)  ${s.failed}`,
    `  ingest → takedown         p50 ${ms(s.latencyP50Ms)}, p99 ${ms(s.latencyP99Ms)}`,
  ];
  if (s.intent) {
    lines.push(
      `  intended violating        ${s.intent.violating}: ${s.intent.violatingTakenDown} taken down, ${s.intent.violatingReviewed} in review`,
      `  intended borderline       ${s.intent.borderline}: ${s.intent.borderlineReviewed} in review or taken down`,
      `  intended benign           ${s.intent.benign}: ${s.intent.benignTakenDown} taken down, ${s.intent.benignReviewed} sent to review`,
    );
  }
  lines.push('', `Search (what users see):  ${baseUrl}/search?q=`);
  for (const e of s.examples) lines.push(`  ${baseUrl}/search?q=${encodeURIComponent(e.query)}   (${e.removed} is gone)`);
  lines.push(
    `Review console:           ${baseUrl}/review   (sign in as ${moderator.id} / ${moderator.password})`,
    `Item status and history:  curl -H 'authorization: Bearer ${token}' ${baseUrl}/v1/items/<id>`,
    'Stop with Ctrl-C.',
    '',
  );
  return lines.join('\n');
}
