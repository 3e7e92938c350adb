import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSchema, type Item } from '../../shared/items/item-schema.js';
import type { ScanTask } from '../../shared/queues/ingest-queue.js';
import type { PageOutcome } from '../../workers/ingest/ingest-worker.js';
import { eventually } from '../support/eventually.js';
import { PHISHING_TEXT, post } from '../support/items.js';
import { openTestDb, type TestDb } from '../support/test-db.js';
import { startTestPipeline, type TestPipeline } from '../support/test-pipeline.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';

describe('ingest sources', () => {
  let redis: TestRedis;
  let t: TestDb;
  let p: TestPipeline;
  let dir: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('pglite');
    p = await startTestPipeline({ db: t.db, redisUrl: redis.url, prefix: redis.prefix() });
    dir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-feed-'));
  });
  afterAll(async () => {
    await p?.stop();
    await t?.drop();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const verdicts = async (prefix: string) =>
    Number((await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM subject_status WHERE subject_id LIKE $1 AND last_verdict IS NOT NULL`, [`${prefix}%`])).rows[0]!.n);
  const cursorOf = async (source: string) => (await t.db.query<{ cursor: string | null }>('SELECT cursor FROM source_cursors WHERE source = $1', [source])).rows[0];

  /** Runs one scan task and follows its pages; returns each page's outcome. */
  async function scan(task: ScanTask): Promise<PageOutcome[]> {
    const q = p.infra.ingestQueue.queue;
    const before = new Set((await q.getCompleted(0, 1000)).map((j) => j.id));
    await p.infra.ingestQueue.add(task, `scan-${randomUUID()}`);
    return eventually(async () => {
      const jobs = (await q.getCompleted(0, 1000)).filter((j) => !before.has(j.id));
      const pages = jobs.map((j) => j.returnvalue as PageOutcome);
      return pages.some((pg) => pg.next === null) ? pages : undefined;
    }, 30_000, 'scan to reach the end');
  }

  function items(prefix: string, n: number): Item[] {
    return Array.from({ length: n }, (_, i) => itemSchema.parse(post({ id: `${prefix}-${String(i).padStart(3, '0')}`, text: i % 4 === 0 ? `${PHISHING_TEXT} ${i}` : `Harmless ${prefix} post ${i}` })));
  }

  it('sweeps the search index page by page, saves its cursor, and skips what the model already saw', async () => {
    const seeded = items('sweep', 25);
    await p.infra.postgresIndex!.upsert(seeded);
    const pages = await scan({ kind: 'sweep', name: 'test', cursor: null, page_size: 10 });
    expect(pages.map((pg) => pg.read).sort((a, b) => a - b)).toEqual([5, 10, 10]);
    await eventually(async () => (await verdicts('sweep-')) === 25, 30_000, 'all swept items classified');
    expect(await cursorOf('sweep:test')).toEqual({ cursor: null });

    // Delisted entries stay in the index table, so a repeat sweep reads all 25 again and queues
    // none of them: the current model already classified that content.
    const again = await scan({ kind: 'sweep', name: 'test', cursor: null, page_size: 10 });
    expect(again.reduce((s, pg) => s + pg.read, 0)).toBe(25);
    expect(again.reduce((s, pg) => s + pg.skipped, 0)).toBe(25);
    expect(again.reduce((s, pg) => s + pg.queued, 0)).toBe(0);
    const events = Number((await t.db.query<{ n: number }>(`SELECT count(*) AS n FROM events WHERE type = 'classified' AND subject_id LIKE 'sweep-%'`)).rows[0]!.n);
    expect(events).toBe(25);
  });

  it('resumes a sweep from a cursor: only entries after it are read', async () => {
    const seeded = items('resume', 12);
    await p.infra.postgresIndex!.upsert(seeded);
    const pages = await scan({ kind: 'sweep', name: 'resume', cursor: seeded[5]!.id, page_size: 100, force: true });
    const read = pages.reduce((s, pg) => s + pg.read, 0);
    // Everything after resume-005 in id order, which includes the 6 later resume items.
    await eventually(async () => (await verdicts('resume-')) === 6, 30_000, 'items after the cursor classified');
    expect(read).toBeGreaterThanOrEqual(6);
    expect((await t.db.query('SELECT 1 FROM subject_status WHERE subject_id = $1', [seeded[5]!.id])).rows).toHaveLength(0);
  });

  it('reads an NDJSON feed file in pages, and a bad line fails visibly without stopping the feed', async () => {
    const feed = items('feedfile', 7).map((i) => JSON.stringify(i));
    feed.splice(3, 0, '{"id": "broken json', JSON.stringify({ id: 'feedfile-bad', kind: 'post', channel_id: 'c', text: '' }));
    const file = path.join(dir, 'feed.ndjson');
    await writeFile(file, `${feed.join('\n')}\n`);
    const pages = await scan({ kind: 'feed', name: 'file', location: file, cursor: null, page_size: 3 });
    expect(pages.reduce((s, pg) => s + pg.read, 0)).toBe(9);
    expect(pages.length).toBe(3);
    await eventually(async () => (await verdicts('feedfile-')) === 7, 30_000, 'feed items classified');
    const failed = await eventually(async () => {
      const f = await p.infra.classifyQueue.queue.getFailed(0, 100);
      const mine = f.filter((j) => /feedfile-bad|__unparsed|\(no id\)/.test(j.failedReason ?? '') || (j.data as { item?: { __unparsed?: string } }).item?.__unparsed);
      return mine.length >= 2 ? mine : undefined;
    }, 20_000, 'malformed feed lines failed');
    expect(failed.map((j) => j.failedReason).join('\n')).toMatch(/malformed item feedfile-bad: \(item\): an item needs text, a title or media/);
  });

  it('reads an HTTP feed with after/limit cursors', async () => {
    const all = items('feedhttp', 8);
    const server = http.createServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      const after = u.searchParams.get('after');
      const limit = Number(u.searchParams.get('limit'));
      const start = after ? all.findIndex((i) => i.id === after) + 1 : 0;
      res.end(all.slice(start, start + limit).map((i) => JSON.stringify(i)).join('\n'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
      await scan({ kind: 'feed', name: 'http', location: url, cursor: null, page_size: 3 });
      await eventually(async () => (await verdicts('feedhttp-')) === 8, 30_000, 'http feed items classified');
    } finally {
      server.close();
    }
  });

  it('fails a feed that does not exist at once, with the reason', async () => {
    const q = p.infra.ingestQueue.queue;
    const id = `scan-${randomUUID()}`;
    await p.infra.ingestQueue.add({ kind: 'feed', name: 'missing', location: path.join(dir, 'no-such-channel.ndjson'), cursor: null, page_size: 10 }, id);
    const job = await eventually(async () => {
      const j = await q.getJob(id);
      return j && (await j.isFailed()) ? j : undefined;
    }, 20_000, 'feed job failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/feed file .*no-such-channel\.ndjson does not exist/);
  });
});
