import type { Db } from '../store/db.js';
import { readStatusRow } from '../store/status-rows.js';
import type { SubjectStatus } from '../store/subject-status.js';
import { effectivePrioritySql } from './review-priority.js';

export interface QueueFilter {
  /** `escalated` is the senior queue. */
  state: 'open' | 'escalated';
  category?: string;
  language?: string;
  jurisdiction?: string;
}

export interface ClaimedCase extends SubjectStatus {
  review_opened_at: string | null;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;

/**
 * Exclusive claims on review cases. A claim is a lease on the `subject_status` row (claimed_by,
 * claimed_until), not an event: it decides nothing, and an expired lease simply makes the case
 * claimable again. Rows are picked with FOR UPDATE SKIP LOCKED so concurrent moderators never
 * wait on, nor get, the same case.
 */
export class CaseClaims {
  constructor(
    private readonly db: Db,
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {}

  /**
   * The moderator's own live claim in this queue if there is one (a reload must not strand it),
   * else the highest-priority unclaimed case. `exclude` lists cases the moderator skipped.
   */
  async claimNext(moderator: string, filter: QueueFilter, exclude: readonly string[] = []): Promise<ClaimedCase | null> {
    const where = `s.review_state = $2
        AND ($3::text IS NULL OR s.review_category = $3)
        AND ($4::text IS NULL OR i.language = $4)
        AND ($5::text IS NULL OR $5 = ANY(i.jurisdictions))
        AND NOT (s.subject_id = ANY($7::text[]))`;
    const params = [moderator, filter.state, filter.category ?? null, filter.language ?? null, filter.jurisdiction ?? null, this.leaseMs, [...exclude]];
    const r = await this.db.query<Record<string, unknown>>(
      `WITH next AS (
         SELECT s.subject_id FROM subject_status s LEFT JOIN items i ON i.id = s.subject_id
         WHERE ${where}
           AND (s.claimed_by IS NULL OR s.claimed_until < now() OR s.claimed_by = $1)
         ORDER BY (s.claimed_by = $1 AND s.claimed_until >= now()) IS TRUE DESC, ${effectivePrioritySql('s')} DESC, s.subject_id
         LIMIT 1
         FOR UPDATE OF s SKIP LOCKED
       )
       UPDATE subject_status s SET claimed_by = $1, claimed_until = now() + make_interval(secs => $6::float8 / 1000)
       FROM next WHERE s.subject_id = next.subject_id
       RETURNING s.*`,
      params,
    );
    const row = r.rows[0];
    return row ? toClaimed(row) : null;
  }

  /** Claims one named case (opened from a channel's history), unless someone else holds it. */
  async claim(moderator: string, subjectId: string): Promise<ClaimedCase | null> {
    const r = await this.db.query<Record<string, unknown>>(
      `UPDATE subject_status SET claimed_by = $1, claimed_until = now() + make_interval(secs => $3::float8 / 1000)
       WHERE subject_id = $2 AND review_state IN ('open', 'escalated')
         AND (claimed_by IS NULL OR claimed_until < now() OR claimed_by = $1)
       RETURNING *`,
      [moderator, subjectId, this.leaseMs],
    );
    const row = r.rows[0];
    return row ? toClaimed(row) : null;
  }

  /** Gives a case back before its lease ends (skip). Only the holder can. */
  async release(moderator: string, subjectId: string): Promise<boolean> {
    const r = await this.db.query(
      'UPDATE subject_status SET claimed_by = NULL, claimed_until = NULL WHERE subject_id = $1 AND claimed_by = $2',
      [subjectId, moderator],
    );
    return r.affectedRows > 0;
  }
}

function toClaimed(row: Record<string, unknown>): ClaimedCase {
  const v = row.review_opened_at;
  return { ...readStatusRow(row), review_opened_at: v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null };
}

/** Whether someone other than `moderator` holds a live lease on the case. */
export function heldByOther(s: Pick<SubjectStatus, 'claimed_by' | 'claimed_until'>, moderator: string, now = Date.now()): boolean {
  return Boolean(s.claimed_by && s.claimed_by !== moderator && s.claimed_until && Date.parse(s.claimed_until) > now);
}
