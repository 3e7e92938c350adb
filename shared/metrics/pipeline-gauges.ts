import { Gauge } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Db } from '../store/db.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * Gauges read at scrape time, so nothing has to keep them current. A dependency that does not
 * answer leaves the last value in place rather than failing the whole scrape.
 */
export function registerQueueDepth(metrics: PipelineMetrics, queues: readonly Queue[]): void {
  new Gauge({
    name: 'modpipe_queue_jobs',
    help: 'Jobs per queue and state (shared Redis: every process reports the same fleet-wide value)',
    labelNames: ['queue', 'state'],
    registers: [metrics.registry],
    async collect() {
      await Promise.all(
        queues.map(async (q) => {
          try {
            const counts = await q.getJobCounts(...QUEUE_STATES);
            for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
          } catch {
            // Redis unavailable: keep the previous values; /readyz reports the outage.
          }
        }),
      );
    },
  });
}

/** Open and escalated review cases, and how long the oldest has waited since it was opened. */
export function registerReviewBacklog(metrics: PipelineMetrics, db: Db): void {
  type Row = { review_state: string; n: number; age_s: number | null };
  // Both gauges come from one query; a scrape reads them back to back, so it is shared briefly.
  let cached: { at: number; rows: Promise<Row[] | null> } | null = null;
  const snapshot = () => {
    if (!cached || Date.now() - cached.at > 1_000) {
      const rows = db
        .query<Row>(
          `SELECT s.review_state, count(*)::int AS n, extract(epoch FROM now() - min(o.created_at))::float8 AS age_s
           FROM subject_status s
           LEFT JOIN LATERAL (SELECT created_at FROM events e WHERE e.subject_id = s.subject_id AND e.type = 'review_opened'
                              ORDER BY e.seq DESC LIMIT 1) o ON true
           WHERE s.review_state IN ('open', 'escalated') GROUP BY s.review_state`,
        )
        .then((r) => r.rows)
        .catch(() => null); // the store is unavailable: keep the previous values
      cached = { at: Date.now(), rows };
    }
    return cached.rows;
  };
  const gauge = (name: string, help: string, value: (row: Row | undefined) => number) =>
    new Gauge({
      name, help, labelNames: ['state'], registers: [metrics.registry],
      async collect() {
        const rows = await snapshot();
        if (!rows) return;
        for (const state of ['open', 'escalated']) this.set({ state }, value(rows.find((x) => x.review_state === state)));
      },
    });
  gauge('modpipe_review_backlog', 'Review cases waiting per state', (row) => row?.n ?? 0);
  gauge('modpipe_review_oldest_age_seconds', 'Age of the oldest case per review state, from its latest review_opened event', (row) => row?.age_s ?? 0);
}
