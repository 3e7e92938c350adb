import type { SearchIndex } from '../../shared/search-index/search-index.js';
import type { Db } from '../../shared/store/db.js';
import type { OutboxAction } from '../../shared/store/event-types.js';
import type { RecordStore } from '../../shared/store/record-store.js';
import { hasDelisting, isDelisted } from '../../shared/store/subject-status.js';

export type ApplyResult = 'applied' | 'noop' | 'already-done';

/**
 * Applies one decided action exactly once in effect. The index call is idempotent and runs first;
 * then, under the outbox row's lock, the effect is recorded once: a retry after a crash finds the
 * index already changed and still records the event; a second delivery finds the row done.
 */
export async function applyAction(deps: { db: Db; store: RecordStore; index: SearchIndex }, a: OutboxAction): Promise<{ result: ApplyResult; indexChanged: boolean }> {
  const done = await deps.db.query<{ done_at: Date | null }>('SELECT done_at FROM outbox WHERE id = $1', [a.id]);
  if (done.rows[0]?.done_at) return { result: 'already-done', indexChanged: false };

  const { changed } = a.action === 'delist' ? await deps.index.delist(a.subject_id, a.scope, a.id) : await deps.index.restore(a.subject_id, a.scope, a.id);

  const result = await deps.db.transaction(async (tx): Promise<ApplyResult> => {
    // An action decided outside the classifier (a moderator's, an authority's) may have no row yet.
    await tx.query('INSERT INTO outbox (id, subject_id, action) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [a.id, a.subject_id, JSON.stringify(a)]);
    const row = await tx.query<{ done_at: Date | null }>('SELECT done_at FROM outbox WHERE id = $1 FOR UPDATE', [a.id]);
    if (row.rows[0]?.done_at) return 'already-done';
    let effect: ApplyResult = 'noop';
    await deps.store.writeIn(tx, [
      {
        subjects: [{ id: a.subject_id }],
        plan: (view) => {
          const status = view.get(a.subject_id);
          const needed = a.action === 'delist' ? !isDelisted(status, a.scope) : hasDelisting(status, a.scope);
          if (!needed) return { events: [] };
          effect = 'applied';
          const latency = a.ingested_at ? Date.now() - Date.parse(a.ingested_at) : undefined;
          return {
            events: [
              {
                subject_id: a.subject_id,
                type: a.action === 'delist' ? 'takedown' : 'restore',
                actor: 'system:takedown',
                payload: {
                  outbox_id: a.id, scope: a.scope, category: a.category, reason: a.reason, decided_by: a.actor,
                  decided_at: a.decided_at, index: deps.index.name, index_changed: changed, trace: a.trace,
                  ...(latency !== undefined ? { ingest_to_effect_ms: latency } : {}),
                },
              },
            ],
          };
        },
      },
    ]);
    await tx.query('UPDATE outbox SET done_at = now(), result = $2 WHERE id = $1', [a.id, effect]);
    return effect;
  });
  return { result, indexChanged: changed };
}
