import type { Db, Queryable } from './db.js';
import { verifyChain, type ChainCheck } from './event-chain.js';
import type { StoredEvent } from './event-types.js';

export interface Checkpoint {
  id: number;
  max_event_id: number;
  subjects: number;
  root_hash: string;
}

// The heads of every subject as of an event id, folded into one hash in subject order.
const ROOT_AS_OF = `
  SELECT count(*)::int8 AS subjects,
         coalesce(encode(sha256(convert_to(string_agg(subject_id || ':' || seq || ':' || hash, E'\\n' ORDER BY subject_id), 'UTF8')), 'hex'), '') AS root_hash
  FROM (SELECT DISTINCT ON (subject_id) subject_id, seq, hash FROM events WHERE id <= $1 ORDER BY subject_id, seq DESC) heads`;

/**
 * Per-subject chains show a changed event, but not a subject whose whole tail was cut off. A
 * checkpoint hashes every subject's head as of an event id: recomputing it later proves the set.
 */
export async function writeCheckpoint(db: Db): Promise<Checkpoint | null> {
  return db.transaction(async (tx) => {
    const max = (await tx.query<{ max: number | null }>('SELECT max(id) AS max FROM events')).rows[0]?.max;
    if (!max) return null;
    const last = (await tx.query<{ max_event_id: number }>('SELECT max_event_id FROM checkpoints ORDER BY id DESC LIMIT 1')).rows[0];
    if (last && last.max_event_id === max) return null;
    const root = await rootAsOf(tx, max);
    const r = await tx.query<Checkpoint>(
      'INSERT INTO checkpoints (max_event_id, subjects, root_hash) VALUES ($1, $2, $3) RETURNING id, max_event_id, subjects, root_hash',
      [max, root.subjects, root.root_hash],
    );
    return r.rows[0] ?? null;
  });
}

async function rootAsOf(q: Queryable, maxEventId: number): Promise<{ subjects: number; root_hash: string }> {
  const r = await q.query<{ subjects: number; root_hash: string }>(ROOT_AS_OF, [maxEventId]);
  return r.rows[0] ?? { subjects: 0, root_hash: '' };
}

export interface RecordCheck {
  subjects: number;
  events: number;
  broken: { subject_id: string; check: ChainCheck }[];
  checkpoints: { id: number; ok: boolean }[];
}

/** Verifies every subject's chain (page by page, never the whole log in memory) and every checkpoint. */
export async function verifyRecord(db: Db, pageSize = 500): Promise<RecordCheck> {
  const out: RecordCheck = { subjects: 0, events: 0, broken: [], checkpoints: [] };
  let after = '';
  for (;;) {
    const subjects = (await db.query<{ subject_id: string }>('SELECT subject_id FROM subject_status WHERE subject_id > $1 ORDER BY subject_id LIMIT $2', [after, pageSize])).rows;
    if (subjects.length === 0) break;
    const events = await db.query<StoredEvent & { created_at: Date | string }>(
      'SELECT * FROM events WHERE subject_id = ANY($1::text[]) ORDER BY subject_id, seq',
      [subjects.map((s) => s.subject_id)],
    );
    const bySubject = new Map<string, StoredEvent[]>();
    for (const e of events.rows) {
      const list = bySubject.get(e.subject_id) ?? [];
      list.push({ ...e, created_at: new Date(e.created_at).toISOString() });
      bySubject.set(e.subject_id, list);
    }
    for (const [subject, list] of bySubject) {
      const check = verifyChain(list);
      out.events += list.length;
      if (!check.ok) out.broken.push({ subject_id: subject, check });
    }
    out.subjects += subjects.length;
    after = subjects.at(-1)!.subject_id;
  }
  const cps = await db.query<Checkpoint>('SELECT id, max_event_id, subjects, root_hash FROM checkpoints ORDER BY id');
  for (const cp of cps.rows) {
    const now = await rootAsOf(db, cp.max_event_id);
    out.checkpoints.push({ id: cp.id, ok: now.root_hash === cp.root_hash && Number(now.subjects) === Number(cp.subjects) });
  }
  return out;
}
