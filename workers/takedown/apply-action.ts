import type { SearchIndex } from '../../shared/search-index/search-index.js';
import type { Db } from '../../shared/store/db.js';
import type { OutboxAction } from '../../shared/store/event-types.js';
import type { RecordStore, WriteRequest } from '../../shared/store/record-store.js';
import { hasDelisting, isDelisted } from '../../shared/store/subject-status.js';

export type ApplyResult = 'applied' | 'noop' | 'already-done' | 'failed';

export interface ApplyOutcome {
  result: ApplyResult;
  indexChanged: boolean;
  /** Why the index refused or failed this action; the others in the batch go on. */
  error?: unknown;
}

export interface ApplyDeps {
  db: Db;
  store: RecordStore;
  index: SearchIndex;
}

/**
 * Applies decided actions exactly once in effect. The index calls are idempotent and run first;
 * then, under the outbox rows' locks, each effect is recorded once: a retry after a crash finds
 * the index already changed and still records the event; a second delivery finds its row done.
 * A batch shares one transaction, so the record keeps up with bursts of takedowns.
 */
export async function applyActions(deps: ApplyDeps, actions: readonly OutboxAction[]): Promise<ApplyOutcome[]> {
  const ids = actions.map((a) => a.id);
  const done = await deps.db.query<{ id: string }>('SELECT id FROM outbox WHERE id = ANY($1::text[]) AND done_at IS NOT NULL', [ids]);
  const alreadyDone = new Set(done.rows.map((r) => r.id));
  // The same decision delivered twice in one batch is one action.
  const unique = [...new Map(actions.filter((a) => !alreadyDone.has(a.id)).map((a) => [a.id, a])).values()];

  const changed = new Map<string, boolean>();
  const failures = new Map<string, unknown>();
  for (const a of unique) {
    try {
      const r = a.action === 'delist' ? await deps.index.delist(a.subject_id, a.scope, a.id) : await deps.index.restore(a.subject_id, a.scope, a.id);
      changed.set(a.id, r.changed);
    } catch (e) {
      failures.set(a.id, e);
    }
  }
  const pending = unique.filter((a) => !failures.has(a.id));

  const results = new Map<string, ApplyResult>();
  if (pending.length > 0) {
    await deps.db.transaction(async (tx) => {
      // An action decided outside the classifier (a moderator's, an authority's) may have no row yet.
      await tx.query(
        `INSERT INTO outbox (id, subject_id, action) SELECT id, subject_id, action
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, subject_id text, action jsonb) ORDER BY id ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(pending.map((a) => ({ id: a.id, subject_id: a.subject_id, action: a })))],
      );
      const locked = await tx.query<{ id: string; done_at: Date | null }>('SELECT id, done_at FROM outbox WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [pending.map((a) => a.id)]);
      const open = new Set(locked.rows.filter((r) => !r.done_at).map((r) => r.id));
      const requests: WriteRequest[] = [];
      for (const a of pending) {
        if (!open.has(a.id)) {
          results.set(a.id, 'already-done');
          continue;
        }
        requests.push({ subjects: [{ id: a.subject_id }], plan: (view) => planEffect(a, view.get(a.subject_id), changed.get(a.id) ?? false, deps.index.name, results) });
      }
      await deps.store.writeIn(tx, requests);
      const finished = pending.filter((a) => results.get(a.id) === 'applied' || results.get(a.id) === 'noop');
      if (finished.length > 0) {
        await tx.query(
          `UPDATE outbox AS o SET done_at = now(), result = x.result FROM jsonb_to_recordset($1::jsonb) AS x(id text, result text) WHERE o.id = x.id`,
          [JSON.stringify(finished.map((a) => ({ id: a.id, result: results.get(a.id) })))],
        );
      }
    });
  }
  return actions.map((a): ApplyOutcome => {
    if (failures.has(a.id)) return { result: 'failed', indexChanged: false, error: failures.get(a.id) };
    return { result: alreadyDone.has(a.id) ? 'already-done' : (results.get(a.id) ?? 'already-done'), indexChanged: changed.get(a.id) ?? false };
  });
}

/** The effect event of one action, or none when the status already shows it (applied twice = recorded once). */
function planEffect(a: OutboxAction, status: Parameters<typeof isDelisted>[0], indexChanged: boolean, index: string, results: Map<string, ApplyResult>) {
  const needed = a.action === 'delist' ? !isDelisted(status, a.scope) : hasDelisting(status, a.scope);
  results.set(a.id, needed ? 'applied' : 'noop');
  if (!needed) return { events: [] };
  const latency = a.ingested_at ? Date.now() - Date.parse(a.ingested_at) : undefined;
  return {
    events: [
      {
        subject_id: a.subject_id,
        type: a.action === 'delist' ? ('takedown' as const) : ('restore' as const),
        actor: 'system:takedown',
        payload: {
          outbox_id: a.id, scope: a.scope, category: a.category, reason: a.reason, decided_by: a.actor, decided_at: a.decided_at,
          index, index_changed: indexChanged, trace: a.trace,
          ...(latency !== undefined ? { ingest_to_effect_ms: latency } : {}),
          decision_to_effect_ms: Date.now() - Date.parse(a.decided_at),
        },
      },
    ],
  };
}
