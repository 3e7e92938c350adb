import type { SubjectStatus, ReviewState } from './subject-status.js';

export const STATUS_COLUMNS = [
  'subject_id', 'channel_id', 'head_seq', 'head_hash', 'review_state', 'review_category', 'takedown_global',
  'takedown_jurisdictions', 'last_verdict', 'last_category', 'last_scores', 'model_version', 'classified_hash',
  'classified_at', 'priority', 'report_count', 'reporters', 'claimed_by', 'claimed_until',
].join(', ');

export const STATUS_RECORDSET = `subject_id text, channel_id text, head_seq int, head_hash text, review_state text,
  review_category text, takedown_global boolean, takedown_jurisdictions text[], last_verdict text, last_category text,
  last_scores jsonb, model_version text, classified_hash text, classified_at timestamptz, priority real,
  report_count int, reporters text[], claimed_by text, claimed_until timestamptz`;

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A `subject_status` row as the drivers return it (Dates, arrays) → SubjectStatus. */
export function readStatusRow(row: Record<string, unknown>): SubjectStatus {
  return {
    subject_id: String(row.subject_id),
    channel_id: strOrNull(row.channel_id),
    head_seq: Number(row.head_seq ?? 0),
    head_hash: String(row.head_hash ?? ''),
    review_state: (row.review_state as ReviewState) ?? 'none',
    review_category: strOrNull(row.review_category),
    takedown_global: Boolean(row.takedown_global),
    takedown_jurisdictions: (row.takedown_jurisdictions as string[] | null) ?? [],
    last_verdict: strOrNull(row.last_verdict),
    last_category: strOrNull(row.last_category),
    last_scores: (row.last_scores as Record<string, number> | null) ?? null,
    model_version: strOrNull(row.model_version),
    classified_hash: strOrNull(row.classified_hash),
    classified_at: iso(row.classified_at),
    priority: Number(row.priority ?? 0),
    report_count: Number(row.report_count ?? 0),
    reporters: (row.reporters as string[] | null) ?? [],
    claimed_by: strOrNull(row.claimed_by),
    claimed_until: iso(row.claimed_until),
  };
}
