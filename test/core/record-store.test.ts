import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSchema } from '../../shared/items/item-schema.js';
import { BatchingWriter } from '../../shared/store/batching-writer.js';
import { verifyChain } from '../../shared/store/event-chain.js';
import { verifyRecord, writeCheckpoint } from '../../shared/store/checkpoints.js';
import type { NewEvent, StoredEvent } from '../../shared/store/event-types.js';
import { toItemRow } from '../../shared/store/item-rows.js';
import { RecordStore } from '../../shared/store/record-store.js';
import { applyEvent, emptyStatus } from '../../shared/store/subject-status.js';
import { readStatusRow } from '../../shared/store/status-rows.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';
import { post } from '../support/items.js';

const ev = (subject: string, type: NewEvent['type'], payload: Record<string, unknown> = {}): NewEvent => ({ subject_id: subject, type, actor: 'platform', payload });

describe.each(backends())('the record on %s', (backend) => {
  let t: TestDb;
  let store: RecordStore;
  beforeAll(async () => {
    t = await openTestDb(backend);
    store = new RecordStore(t.db);
  });
  afterAll(async () => t?.drop());

  async function eventsOf(subject: string) {
    const r = await t.db.query<StoredEvent & { created_at: Date }>('SELECT * FROM events WHERE subject_id = $1 ORDER BY seq', [subject]);
    return r.rows.map((e) => ({ ...e, created_at: new Date(e.created_at).toISOString() }));
  }

  it('chains each subject’s events by hash, and the chain verifies', async () => {
    const s = `s-${randomUUID()}`;
    await store.write([{ subjects: [{ id: s }], plan: () => ({ events: [ev(s, 'ingested', { channel_id: 'c1' }), ev(s, 'report', { reporter: 'u1' })] }) }]);
    await store.write([{ subjects: [{ id: s }], plan: () => ({ events: [ev(s, 'report', { reporter: 'u2', nested: { b: 1, a: [1, 2] } })] }) }]);
    const events = await eventsOf(s);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]!.prev_hash).toBe('');
    expect(events[1]!.prev_hash).toBe(events[0]!.hash);
    expect(verifyChain(events)).toEqual({ ok: true, checked: 3 });
  });

  it('detects a tampered payload in the chain', async () => {
    const s = `s-${randomUUID()}`;
    await store.write([{ subjects: [{ id: s }], plan: () => ({ events: [ev(s, 'report', { reporter: 'a' }), ev(s, 'report', { reporter: 'b' })] }) }]);
    const events = await eventsOf(s);
    const forged = events.map((e, i) => (i === 0 ? { ...e, payload: { reporter: 'mallory' } } : e));
    expect(verifyChain(forged)).toMatchObject({ ok: false, brokenAt: { seq: 1, reason: 'hash does not match the content' } });
  });

  it('refuses to update or delete events', async () => {
    const s = `s-${randomUUID()}`;
    await store.write([{ subjects: [{ id: s }], plan: () => ({ events: [ev(s, 'report', { reporter: 'a' })] }) }]);
    await expect(t.db.query(`UPDATE events SET actor = 'x' WHERE subject_id = $1`, [s])).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM events WHERE subject_id = $1', [s])).rejects.toThrow(/append-only/);
  });

  it('keeps the status row equal to the fold of the subject’s events', async () => {
    const s = `s-${randomUUID()}`;
    await store.write([
      {
        subjects: [{ id: s, channel_id: 'c9' }],
        plan: () => ({
          events: [
            ev(s, 'classified', { verdict: 'review', category: 'scam', scores: { scam: 0.7 }, model_version: 'm@1', content_hash: 'h1' }),
            ev(s, 'review_opened', { category: 'scam', priority: 42 }),
            ev(s, 'report', { reporter: 'u1' }),
            ev(s, 'report', { reporter: 'u1' }),
            ev(s, 'takedown', { scope: { jurisdictions: ['DE'] } }),
          ],
        }),
      },
    ]);
    const row = readStatusRow((await t.db.query<Record<string, unknown>>('SELECT * FROM subject_status WHERE subject_id = $1', [s])).rows[0]!);
    const folded = (await eventsOf(s)).reduce(applyEvent, { ...emptyStatus(s, 'c9') });
    expect(row).toEqual({ ...folded, classified_at: row.classified_at });
    expect(row).toMatchObject({ review_state: 'open', priority: 42, report_count: 1, takedown_jurisdictions: ['DE'], takedown_global: false, model_version: 'm@1' });
  });

  it('writes outbox rows in the same transaction as the decision, and neither when the plan throws', async () => {
    const s = `s-${randomUUID()}`;
    const id = randomUUID();
    await store.write([
      {
        subjects: [{ id: s }],
        plan: () => ({
          events: [ev(s, 'classified', { verdict: 'takedown' })],
          outbox: [{ id, subject_id: s, action: 'delist', scope: { global: true }, category: 'scam', reason: 'r', actor: 'system:classifier@x', decided_at: new Date().toISOString() }],
        }),
      },
    ]);
    expect((await t.db.query('SELECT id FROM outbox WHERE id = $1', [id])).rows).toHaveLength(1);
    const s2 = `s-${randomUUID()}`;
    await expect(
      store.write([{ subjects: [{ id: s2 }], plan: () => { throw new Error('boom'); } }]),
    ).rejects.toThrow('boom');
    expect((await t.db.query('SELECT 1 FROM subject_status WHERE subject_id = $1', [s2])).rows).toHaveLength(0);
  });

  it.each([1, 4])('never forks a chain under concurrent writers of one new subject (%i transactions at once)', async (concurrency) => {
    const s = `s-${randomUUID()}`;
    const writer = new BatchingWriter(store, { maxBatch: 4, maxWaitMs: 1, concurrency });
    await Promise.all(Array.from({ length: 40 }, (_, i) => writer.write({ subjects: [{ id: s }], plan: () => ({ events: [ev(s, 'report', { reporter: `u${i}` })] }) })));
    await writer.close();
    const events = await eventsOf(s);
    expect(events).toHaveLength(40);
    expect(verifyChain(events).ok).toBe(true);
    const row = readStatusRow((await t.db.query<Record<string, unknown>>('SELECT * FROM subject_status WHERE subject_id = $1', [s])).rows[0]!);
    expect(row.report_count).toBe(40);
    expect(row.head_seq).toBe(40);
  });

  it('fails a poison request alone when its batch fails', async () => {
    const writer = new BatchingWriter(store, { maxBatch: 10, maxWaitMs: 20 });
    const good = Array.from({ length: 5 }, () => `s-${randomUUID()}`);
    const results = await Promise.allSettled([
      ...good.map((s) => writer.write({ subjects: [{ id: s }], plan: () => ({ events: [ev(s, 'report', { reporter: 'x' })] }) })),
      writer.write({ subjects: [{ id: 'poison' }], plan: () => ({ events: [ev('undeclared-subject', 'report')] }) }),
    ]);
    await writer.close();
    expect(results.slice(0, 5).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[5]).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/not declared/) } });
  });

  it('upserts items with their content hash and keeps first_seen', async () => {
    const item = itemSchema.parse(post({ text: 'first version' }));
    await store.write([{ subjects: [{ id: item.id }], items: [toItemRow(item)], plan: () => ({ events: [] }) }]);
    const first = (await t.db.query<{ first_seen: Date; content_hash: string }>('SELECT first_seen, content_hash FROM items WHERE id = $1', [item.id])).rows[0]!;
    const edited = { ...item, text: 'second version' };
    await store.write([{ subjects: [{ id: item.id }], items: [toItemRow(edited)], plan: () => ({ events: [] }) }]);
    const second = (await t.db.query<{ first_seen: Date; content_hash: string; text: string }>('SELECT first_seen, content_hash, text FROM items WHERE id = $1', [item.id])).rows[0]!;
    expect(second.text).toBe('second version');
    expect(second.content_hash).not.toBe(first.content_hash);
    expect(new Date(second.first_seen).getTime()).toBe(new Date(first.first_seen).getTime());
  });

  it('proves the whole set with checkpoints: a removed tail shows even though each chain verifies', async () => {
    const a = `cp-${randomUUID()}`;
    const b = `cp-${randomUUID()}`;
    await store.write([{ subjects: [{ id: a }, { id: b }], plan: () => ({ events: [ev(a, 'report', { reporter: 'x' }), ev(b, 'report', { reporter: 'y' }), ev(b, 'report', { reporter: 'z' })] }) }]);
    const cp = await writeCheckpoint(t.db);
    expect(cp).toMatchObject({ root_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await writeCheckpoint(t.db)).toBeNull(); // nothing new since
    const clean = await verifyRecord(t.db);
    expect(clean.broken).toEqual([]);
    expect(clean.checkpoints.every((c) => c.ok)).toBe(true);

    // Someone with table-owner rights cuts b's last event and rewinds its status to match.
    await t.db.exec('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await t.db.query('DELETE FROM events WHERE subject_id = $1 AND seq = 2', [b]);
    await t.db.exec('ALTER TABLE events ENABLE TRIGGER events_append_only');
    const tampered = await verifyRecord(t.db);
    expect(tampered.broken).toEqual([]); // every remaining chain still links up...
    expect(tampered.checkpoints.find((c) => c.id === cp!.id)).toEqual({ id: cp!.id, ok: false }); // ...the checkpoint does not
  });
});
