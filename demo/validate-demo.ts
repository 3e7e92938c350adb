// Checks the demo corpus: `npx tsx demo/validate-demo.ts`. Exits 1 on the first batch of problems.
import { readFileSync } from 'node:fs';
import { itemSchema, type Item } from '../shared/items/item-schema.js';

const corpusFile = new URL('./demo-corpus.ndjson', import.meta.url);
const expectedFile = new URL('./expected.json', import.meta.url);

const problems: string[] = [];
const items: Item[] = [];
const lines = readFileSync(corpusFile, 'utf8').split('\n').filter((l) => l.trim());

lines.forEach((line, i) => {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    problems.push(`line ${i + 1}: not JSON (${(err as Error).message})`);
    return;
  }
  const parsed = itemSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(`line ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return;
  }
  items.push(parsed.data);
});

const ids = new Set<string>();
const channels = new Set<string>();
for (const item of items) {
  if (ids.has(item.id)) problems.push(`${item.id}: duplicate id`);
  ids.add(item.id);
  if (item.media.length > 0) problems.push(`${item.id}: demo items carry no media`);
  if (item.kind === 'channel') {
    if (!/^ch-[a-z0-9-]+$/.test(item.id)) problems.push(`${item.id}: channel ids look like ch-<slug>`);
    if (item.channel_id !== item.id) problems.push(`${item.id}: a channel's channel_id is its own id`);
    if (!item.title) problems.push(`${item.id}: a channel needs a title`);
    if (item.reach.subscribers === undefined) problems.push(`${item.id}: a channel needs reach.subscribers`);
    channels.add(item.id);
  } else if (item.kind === 'post') {
    if (!item.id.startsWith(`${item.channel_id}/`) || !/\/\d+$/.test(item.id)) problems.push(`${item.id}: post ids look like <channel>/<n>`);
    if (!channels.has(item.channel_id)) problems.push(`${item.id}: channel ${item.channel_id} missing or listed after its posts`);
    if (item.reach.views === undefined) problems.push(`${item.id}: a post needs reach.views`);
    if (!item.posted_at || !/^2026-1[01]-/.test(item.posted_at)) problems.push(`${item.id}: posted_at must fall in 2026-10/11`);
  }
}

const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as { violating?: unknown; borderline?: unknown };
const classOf = new Map<string, string>();
for (const cls of ['violating', 'borderline'] as const) {
  const list = expected[cls];
  if (!Array.isArray(list)) {
    problems.push(`expected.json: ${cls} must be an array of ids`);
    continue;
  }
  for (const id of list) {
    if (typeof id !== 'string' || !ids.has(id)) problems.push(`expected.json: ${cls} lists unknown id ${String(id)}`);
    else if (classOf.has(id)) problems.push(`expected.json: ${id} is listed twice`);
    else classOf.set(id, cls);
  }
}

if (problems.length > 0) {
  console.error(problems.slice(0, 50).join('\n'));
  console.error(`${problems.length} problem(s)`);
  process.exit(1);
}

const byLanguage = new Map<string, Record<string, number>>();
for (const item of items) {
  const row = byLanguage.get(item.language ?? '?') ?? { benign: 0, violating: 0, borderline: 0 };
  const cls = classOf.get(item.id) ?? 'benign';
  row[cls] = (row[cls] ?? 0) + 1;
  byLanguage.set(item.language ?? '?', row);
}
console.log(`ok: ${items.length} items, ${channels.size} channels, ${items.length - channels.size} posts`);
for (const [lang, row] of [...byLanguage].sort((a, b) => a[0].localeCompare(b[0]))) console.log(`  ${lang}  ${JSON.stringify(row)}`);
