import { randomUUID } from 'node:crypto';
import type { Item } from '../items/item-schema.js';
import { itemFromRow } from '../items/item-from-row.js';
import type { Db, Queryable } from '../store/db.js';
import { type RescanPriority, type RescanScope, scopeFilter, scopeKey } from './rescan-scope.js';

export type RescanState = 'running' | 'fanned_out' | 'completed' | 'cancelled';

export interface RescanRequest {
  scope: RescanScope;
  reason: string;
  priority: RescanPriority;
  requestedBy: string;
}

export interface RescanProgress {
  id: string;
  scope: RescanScope;
  reason: string;
  priority: RescanPriority;
  requested_by: string;
  /** `running`: pages still fanning out; `fanned_out`: all queued, classification under way. */
  state: RescanState;
  planned: number;
  queued: number;
  classified: number;
  taken_down: number;
  failed: number;
  pages: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** A `rescans` row: the progress fields it stores (the rest are counted from events), plus its cursor. */
interface RescanRow extends Omit<RescanProgress, 'classified' | 'taken_down' | 'created_at' | 'updated_at' | 'finished_at'> {
  cursor: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
}

export class RescanNotFoundError extends Error {
  override readonly name = 'RescanNotFoundError';
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/** The trace of a rescan's classify jobs; takedowns carry it, which is how they are counted. */
export const rescanTrace = (rescanId: string, itemId: string) => `rescan-${rescanId}/${itemId}`;

/**
 * Rescans in the record: created once per scope while active, advanced page by page by ingest
 * workers, cancelled by operators. Bound to a db handle; queueing is the callers' business.
 */
export class RescanService {
  constructor(private readonly db: Db) {}

  /** Starts a rescan, or answers with the active one of the same scope (`created: false`). */
  async create(req: RescanRequest): Promise<{ rescan: RescanProgress; created: boolean }> {
    const key = scopeKey(req.scope);
    for (let attempt = 0; attempt < 3; attempt++) {
      const active = await this.activeFor(key);
      if (active) return { rescan: active, created: false };
      const { where, params } = scopeFilter(req.scope, 1);
      const planned = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM items i WHERE ${where}`, params)).rows[0]?.n ?? 0;
      const inserted = await this.db.query<RescanRow>(
        `INSERT INTO rescans (id, scope, scope_key, reason, priority, requested_by, state, planned)
         VALUES ($1, $2, $3, $4, $5, $6, 'running', $7)
         ON CONFLICT (scope_key) WHERE state IN ('running', 'fanned_out') DO NOTHING RETURNING *`,
        [randomUUID(), JSON.stringify(req.scope), key, req.reason, req.priority, req.requestedBy, planned],
      );
      const row = inserted.rows[0];
      if (row) return { rescan: await this.progressOf(this.db, row), created: true };
      // Another request for the same scope won the race: answer with it.
    }
    throw new Error(`could not create or find the rescan for scope ${key}`);
  }

  async get(id: string): Promise<RescanProgress> {
    const row = (await this.db.query<RescanRow>('SELECT * FROM rescans WHERE id = $1', [id])).rows[0];
    if (!row) throw new RescanNotFoundError(`no rescan ${id}`);
    return this.progressOf(this.db, row);
  }

  /** Stops further fan-out; jobs already queued still run. A finished rescan stays as it was. */
  async cancel(id: string): Promise<RescanProgress> {
    await this.db.query(
      `UPDATE rescans SET state = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1 AND state IN ('running', 'fanned_out')`,
      [id],
    );
    return this.get(id);
  }

  /** The next page of the scope after `cursor`, or null when the rescan no longer fans out. */
  async page(id: string, cursor: string | null, limit: number): Promise<{ rescan: RescanProgress; scope: RescanScope; priority: RescanPriority; items: Item[] } | null> {
    const row = (await this.db.query<RescanRow>('SELECT * FROM rescans WHERE id = $1', [id])).rows[0];
    if (!row) throw new RescanNotFoundError(`no rescan ${id}`);
    if (row.state !== 'running') return null;
    const { where, params } = scopeFilter(row.scope, 3);
    const r = await this.db.query<Record<string, unknown>>(
      `SELECT i.* FROM items i WHERE ($1::text IS NULL OR i.id > $1) AND ${where} ORDER BY i.id LIMIT $2`,
      [cursor, limit, ...params],
    );
    return { rescan: await this.progressOf(this.db, row), scope: row.scope, priority: row.priority, items: r.rows.map(itemFromRow) };
  }

  /**
   * Records a queued page. Guarded by the cursor it started from, so a page retried after a crash
   * (same jobs, deduplicated by id) is counted once.
   */
  async recordPage(id: string, from: string | null, next: string | null, queued: number): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE rescans SET cursor = $3, queued = queued + $4, pages = pages + 1, updated_at = now(),
         state = CASE WHEN state = 'running' AND $3::text IS NULL THEN 'fanned_out' ELSE state END
       WHERE id = $1 AND cursor IS NOT DISTINCT FROM $2::text AND (pages = 0 OR $2::text IS NOT NULL)`,
      [id, from, next, queued],
    );
    return r.affectedRows > 0;
  }

  async recordFailure(id: string): Promise<void> {
    await this.db.query('UPDATE rescans SET failed = failed + 1, updated_at = now() WHERE id = $1', [id]);
  }

  private async activeFor(key: string): Promise<RescanProgress | null> {
    const rows = (await this.db.query<RescanRow>(`SELECT * FROM rescans WHERE scope_key = $1 AND state IN ('running', 'fanned_out')`, [key])).rows;
    for (const row of rows) {
      const progress = await this.progressOf(this.db, row);
      if (progress.state !== 'completed') return progress;
    }
    return null;
  }

  /** Counts from the event log; a fanned-out rescan whose every job is accounted for completes. */
  private async progressOf(q: Queryable, row: RescanRow): Promise<RescanProgress> {
    const counts = (
      await q.query<{ classified: number; taken_down: number }>(
        `SELECT (SELECT count(DISTINCT subject_id)::int FROM events WHERE type = 'classified' AND payload ? 'rescan_id' AND payload->>'rescan_id' = $1) AS classified,
                (SELECT count(DISTINCT subject_id)::int FROM events WHERE type = 'takedown' AND payload->>'trace' LIKE $2) AS taken_down`,
        [row.id, `${rescanTrace(row.id, '')}%`],
      )
    ).rows[0] ?? { classified: 0, taken_down: 0 };
    let { state, finished_at: finishedAt } = row;
    if (state === 'fanned_out' && counts.classified + row.failed >= row.queued) {
      const done = await q.query<{ finished_at: Date | string }>(
        `UPDATE rescans SET state = 'completed', finished_at = now(), updated_at = now() WHERE id = $1 AND state = 'fanned_out' RETURNING finished_at`,
        [row.id],
      );
      state = 'completed';
      finishedAt = done.rows[0]?.finished_at ?? new Date();
    }
    return {
      id: row.id, scope: row.scope, reason: row.reason, priority: row.priority, requested_by: row.requested_by, state,
      planned: row.planned, queued: row.queued, classified: counts.classified, taken_down: counts.taken_down, failed: row.failed, pages: row.pages,
      created_at: iso(row.created_at)!, updated_at: iso(row.updated_at)!, finished_at: iso(finishedAt),
    };
  }
}
