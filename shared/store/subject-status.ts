import type { StoredEvent, Scope } from './event-types.js';

export type ReviewState = 'none' | 'open' | 'escalated' | 'closed';

/** One row per subject, derived from its events; column names as in SQL. */
export interface SubjectStatus {
  subject_id: string;
  channel_id: string | null;
  head_seq: number;
  head_hash: string;
  review_state: ReviewState;
  review_category: string | null;
  takedown_global: boolean;
  takedown_jurisdictions: string[];
  last_verdict: string | null;
  last_category: string | null;
  last_scores: Record<string, number> | null;
  model_version: string | null;
  classified_hash: string | null;
  classified_at: string | null;
  priority: number;
  report_count: number;
  reporters: string[];
  claimed_by: string | null;
  claimed_until: string | null;
}

export function emptyStatus(subjectId: string, channelId: string | null = null): SubjectStatus {
  return {
    subject_id: subjectId,
    channel_id: channelId,
    head_seq: 0,
    head_hash: '',
    review_state: 'none',
    review_category: null,
    takedown_global: false,
    takedown_jurisdictions: [],
    last_verdict: null,
    last_category: null,
    last_scores: null,
    model_version: null,
    classified_hash: null,
    classified_at: null,
    priority: 0,
    report_count: 0,
    reporters: [],
    claimed_by: null,
    claimed_until: null,
  };
}

/** Whether `scope` is already fully in effect, so applying it again would change nothing. */
export function isDelisted(status: SubjectStatus, scope: Scope): boolean {
  if (status.takedown_global) return true;
  if ('global' in scope) return false;
  return scope.jurisdictions.every((j) => status.takedown_jurisdictions.includes(j));
}

/** Whether a restore of `scope` would change anything. */
export function hasDelisting(status: SubjectStatus, scope: Scope): boolean {
  if ('global' in scope) return status.takedown_global || status.takedown_jurisdictions.length > 0;
  return status.takedown_global || scope.jurisdictions.some((j) => status.takedown_jurisdictions.includes(j));
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The status after an event: a pure function, so the status can always be rebuilt from the log.
 */
export function applyEvent(prev: SubjectStatus, e: StoredEvent): SubjectStatus {
  const s: SubjectStatus = { ...prev, head_seq: e.seq, head_hash: e.hash };
  const p = e.payload;
  switch (e.type) {
    case 'ingested':
      if (typeof p.channel_id === 'string') s.channel_id = p.channel_id;
      return s;
    case 'classified':
      s.last_verdict = str(p.verdict);
      s.last_category = str(p.category);
      s.last_scores = (p.scores as Record<string, number> | undefined) ?? null;
      s.model_version = str(p.model_version);
      s.classified_hash = str(p.content_hash);
      s.classified_at = e.created_at;
      return s;
    case 'review_opened':
      if (s.review_state !== 'escalated') s.review_state = 'open';
      s.review_category = str(p.category) ?? s.review_category;
      s.priority = Math.max(s.priority, typeof p.priority === 'number' ? p.priority : 0);
      return s;
    case 'reviewed': {
      const decision = str(p.decision);
      s.review_state = decision === 'escalate' ? 'escalated' : 'closed';
      s.claimed_by = null;
      s.claimed_until = null;
      if (decision !== 'escalate') s.priority = 0;
      return s;
    }
    case 'takedown': {
      const scope = p.scope as Scope;
      if ('global' in scope) s.takedown_global = true;
      else s.takedown_jurisdictions = [...new Set([...s.takedown_jurisdictions, ...scope.jurisdictions])].sort();
      return s;
    }
    case 'restore': {
      const scope = p.scope as Scope;
      if ('global' in scope) {
        s.takedown_global = false;
        s.takedown_jurisdictions = [];
      } else {
        s.takedown_jurisdictions = s.takedown_jurisdictions.filter((j) => !scope.jurisdictions.includes(j));
      }
      return s;
    }
    case 'report': {
      const reporter = str(p.reporter);
      if (reporter && !s.reporters.includes(reporter)) {
        s.reporters = [...s.reporters, reporter];
        s.report_count = s.reporters.length;
      }
      return s;
    }
    case 'rescan_requested':
    case 'commented': // a reviewer's note: history only, the case stays as it is
      return s;
  }
}
