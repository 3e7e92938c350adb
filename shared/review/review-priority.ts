/**
 * Review priority = what we know when the case opens (severity of the suspected category, reach,
 * how sure the signals are), stored on the case and only ever raised, plus what changes while it
 * waits (distinct reporters, age), added when queues are read so a waiting case rises by itself.
 */

/** Severity per suspected category; an unknown or missing category counts as 20. */
export const CATEGORY_SEVERITY: Readonly<Record<string, number>> = {
  csam: 100, extremism: 80, illegal_goods: 60, sexual_services: 50, nsfw: 45, scam: 40, hate: 40, spam: 10,
};

export interface CasePriorityInput {
  category: string | null;
  subscribers?: number | null;
  views?: number | null;
  /** The suspected category's score, 0..1, when a model gave one. */
  confidence?: number;
}

/** The stored part: severity, reach (log scale: 10× the audience adds 5), confidence. */
export function basePriority(c: CasePriorityInput): number {
  const severity = CATEGORY_SEVERITY[c.category ?? ''] ?? 20;
  const reach = Math.log10(1 + (c.subscribers ?? 0) + (c.views ?? 0));
  return severity + 5 * reach + 10 * (c.confidence ?? 0);
}

/** How much one more signal (a new borderline verdict) raises an open case. */
export const JOIN_BUMP = 5;
/** Points per distinct reporter, on a log scale so a brigade cannot outrank CSAM by itself. */
export const REPORTER_WEIGHT = 12;
/** Points per hour of waiting, capped so age orders equals without swamping severity. */
export const AGE_POINTS_PER_HOUR = 2;
export const AGE_POINTS_MAX = 24;

/** The effective priority of a `subject_status` row in SQL (same formula as `effectivePriority`). */
export function effectivePrioritySql(alias = 'subject_status'): string {
  const c = (col: string) => `${alias}.${col}`;
  return `(${c('priority')} + ${REPORTER_WEIGHT} * ln(1 + ${c('report_count')})
    + LEAST(${AGE_POINTS_MAX}, ${AGE_POINTS_PER_HOUR} * extract(epoch from (now() - coalesce(${c('review_opened_at')}, now()))) / 3600))`;
}

export function effectivePriority(s: { priority: number; report_count: number; review_opened_at?: string | null }, now = Date.now()): number {
  const hours = s.review_opened_at ? Math.max(0, now - Date.parse(s.review_opened_at)) / 3_600_000 : 0;
  return s.priority + REPORTER_WEIGHT * Math.log(1 + s.report_count) + Math.min(AGE_POINTS_MAX, AGE_POINTS_PER_HOUR * hours);
}
