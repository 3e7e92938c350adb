import type { Db, Queryable } from './db.js';
import { eventHash } from './event-chain.js';
import type { NewEvent, OutboxAction, StoredEvent } from './event-types.js';
import { type ItemRow, upsertItems } from './item-rows.js';
import { applyEvent, emptyStatus, type SubjectStatus } from './subject-status.js';
import { readStatusRow, STATUS_COLUMNS, STATUS_RECORDSET } from './status-rows.js';

/** Read access to statuses inside a write transaction, already reflecting earlier plans. */
export interface StatusView {
  get(subjectId: string): SubjectStatus;
}

export interface Plan {
  events: NewEvent[];
  outbox?: OutboxAction[];
}

/**
 * One unit of work: the subjects it touches (locked), items to upsert, and a plan computed
 * under the lock from the current statuses. `plan` must be synchronous and side-effect free.
 */
export interface WriteRequest {
  subjects: readonly { id: string; channel_id?: string | null }[];
  items?: readonly ItemRow[];
  plan: (view: StatusView) => Plan;
}

export interface WriteResult {
  events: StoredEvent[];
  outbox: OutboxAction[];
  statuses: SubjectStatus[];
}

/**
 * The system of record's write path (DESIGN §6.4): events appended and chained, statuses derived
 * by a pure function and upserted, outbox rows written, all in one transaction.
 */
export class RecordStore {
  constructor(private readonly db: Db) {}

  write(requests: readonly WriteRequest[]): Promise<WriteResult[]> {
    return this.db.transaction((tx) => this.writeIn(tx, requests));
  }

  async writeIn(tx: Queryable, requests: readonly WriteRequest[]): Promise<WriteResult[]> {
    const items = requests.flatMap((r) => r.items ?? []);
    await upsertItems(tx, items);

    const channelOf = new Map<string, string | null>();
    for (const r of requests) for (const s of r.subjects) if (!channelOf.has(s.id) || s.channel_id) channelOf.set(s.id, s.channel_id ?? null);
    const subjectIds = [...channelOf.keys()].sort();
    const view = await this.lockStatuses(tx, subjectIds, channelOf);

    const changed = new Map<string, SubjectStatus>();
    const allEvents: StoredEvent[] = [];
    const allOutbox: OutboxAction[] = [];
    const results: WriteResult[] = [];
    const createdAt = new Date().toISOString();
    for (const req of requests) {
      const plan = req.plan({ get: (id) => statusOf(view, id) });
      const stored: StoredEvent[] = [];
      for (const e of plan.events) {
        const before = statusOf(view, e.subject_id);
        const link = { seq: before.head_seq + 1, created_at: createdAt, prev_hash: before.head_hash };
        const event: StoredEvent = { ...e, ...link, id: 0, hash: eventHash(e, link) };
        const after = applyEvent(before, event);
        view.set(e.subject_id, after);
        changed.set(e.subject_id, after);
        stored.push(event);
      }
      allEvents.push(...stored);
      allOutbox.push(...(plan.outbox ?? []));
      results.push({ events: stored, outbox: plan.outbox ?? [], statuses: [] });
    }

    if (allEvents.length > 0) {
      const ids = await tx.query<{ id: number; subject_id: string; seq: number }>(
        `INSERT INTO events (subject_id, seq, type, actor, payload, created_at, prev_hash, hash)
         SELECT subject_id, seq, type, actor, payload, created_at, prev_hash, hash
         FROM jsonb_to_recordset($1::jsonb) AS x(subject_id text, seq int, type text, actor text, payload jsonb,
           created_at timestamptz, prev_hash text, hash text)
         RETURNING id, subject_id, seq`,
        [JSON.stringify(allEvents.map(({ id: _id, ...rest }) => rest))],
      );
      const idOf = new Map(ids.rows.map((r) => [`${r.subject_id}\u0000${r.seq}`, r.id]));
      for (const e of allEvents) e.id = idOf.get(`${e.subject_id}\u0000${e.seq}`) ?? 0;
    }
    if (changed.size > 0) await this.saveStatuses(tx, [...changed.values()]);
    if (allOutbox.length > 0) {
      await tx.query(
        `INSERT INTO outbox (id, subject_id, action) SELECT id, subject_id, action
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, subject_id text, action jsonb) ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(allOutbox.map((a) => ({ id: a.id, subject_id: a.subject_id, action: a })))],
      );
    }
    for (const r of results) {
      const touched = new Set(r.events.map((e) => e.subject_id));
      r.statuses = [...touched].map((id) => statusOf(view, id));
    }
    return results;
  }

  /**
   * Locks the existing status rows in one order, so batches never deadlock. A subject without a
   * row yet starts empty; should two writers create it at once, the second one's first event
   * collides on (subject_id, seq) and its write fails whole, to be retried: chains never fork.
   */
  private async lockStatuses(tx: Queryable, ids: string[], channelOf: Map<string, string | null>): Promise<Map<string, SubjectStatus>> {
    const view = new Map<string, SubjectStatus>();
    if (ids.length === 0) return view;
    const rows = await tx.query<Record<string, unknown>>(
      'SELECT * FROM subject_status WHERE subject_id = ANY($1::text[]) ORDER BY subject_id FOR UPDATE',
      [ids],
    );
    for (const row of rows.rows) {
      const s = readStatusRow(row);
      if (!s.channel_id) s.channel_id = channelOf.get(s.subject_id) ?? null;
      view.set(s.subject_id, s);
    }
    for (const id of ids) if (!view.has(id)) view.set(id, emptyStatus(id, channelOf.get(id) ?? null));
    return view;
  }

  private async saveStatuses(tx: Queryable, statuses: SubjectStatus[]): Promise<void> {
    await tx.query(
      `INSERT INTO subject_status AS s (${STATUS_COLUMNS}, updated_at)
       SELECT ${STATUS_COLUMNS}, now() FROM jsonb_to_recordset($1::jsonb) AS x(${STATUS_RECORDSET}) ORDER BY subject_id
       ON CONFLICT (subject_id) DO UPDATE SET ${STATUS_COLUMNS.split(', ').filter((c) => c !== 'subject_id').map((c) => `${c} = excluded.${c}`).join(', ')},
         updated_at = now()`,
      [JSON.stringify(statuses)],
    );
  }
}

function statusOf(view: Map<string, SubjectStatus>, id: string): SubjectStatus {
  const s = view.get(id);
  if (s) return s;
  // A plan may only touch subjects its request declared: anything else would be unlocked.
  throw new Error(`subject ${id} was not declared in the write request`);
}
