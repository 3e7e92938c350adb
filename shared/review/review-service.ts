/**
 * Review cases: opening and raising them, claiming, deciding (one, in bulk), reversing.
 *
 * For other modules (the platform API's reports, rescans):
 *
 *   const review = new ReviewService({ db, store, dispatcher });
 *   await review.openOrRaiseCase({ subjectId, source: 'report', actor: 'platform' });
 *
 * `openOrRaiseCase` opens the subject's one case, or joins the open one and raises its priority.
 * Write the `report` events yourself first (the reducer counts distinct reporters into
 * `report_count`); the distinct-reporter term is added to the case's priority when queues are read,
 * so every new reporter raises it without another event. `category` is the suspected category
 * (defaults to the last verdict's). To open a case inside a write of your own, use the pure
 * `planOpenOrRaise(status, input, reach)` in your `WriteRequest.plan`.
 *
 * A case is the subject's `subject_status` row while `review_state` is `open` or `escalated`:
 * one per subject by construction. Every decision is a `reviewed` event by `moderator:<id>`; a
 * takedown or a reversal reaches the search index through the outbox, queued after commit.
 */
import type { Principal } from '../auth/roles.js';
import type { Db } from '../store/db.js';
import type { NewEvent, OutboxAction } from '../store/event-types.js';
import type { Plan, RecordStore, WriteRequest } from '../store/record-store.js';
import { readStatusRow } from '../store/status-rows.js';
import type { SubjectStatus } from '../store/subject-status.js';
import { CaseClaims, DEFAULT_LEASE_MS, type ClaimedCase, type QueueFilter } from './case-claims.js';
import { checkDecidable, planDecision, planReversal, type Decision, type DecisionContext, type Reversal } from './decision-plans.js';
import { caseNotFound, ReviewError } from './review-errors.js';
import { assertCan, can, moderatorActor } from './review-permissions.js';
import { basePriority, JOIN_BUMP } from './review-priority.js';

export interface OpenCaseInput {
  subjectId: string;
  source: 'report' | 'classifier' | 'manual';
  /** `platform`, `system:...`, `moderator:<id>`. */
  actor: string;
  category?: string | null;
  reasons?: string[];
  /** The suspected category's score, 0..1. */
  confidence?: number;
}

export interface OpenCaseResult {
  subjectId: string;
  /** True when this call opened the case; false when it joined an open one. */
  opened: boolean;
  priority: number;
  reviewState: SubjectStatus['review_state'];
}

export interface Reach {
  channel_id?: string | null;
  subscribers?: number | null;
  views?: number | null;
}

/** Opens the subject's case or raises the open one; pure, for use inside any write plan. */
export function planOpenOrRaise(s: SubjectStatus, input: OpenCaseInput, reach: Reach): Plan {
  const category = input.category ?? s.review_category ?? s.last_category;
  const base = basePriority({ category, subscribers: reach.subscribers, views: reach.views, confidence: input.confidence });
  const isOpen = s.review_state === 'open' || s.review_state === 'escalated';
  // Joining an open case: a new signal raises it above where it was; a report's weight comes from report_count.
  const priority = isOpen ? Math.max(base, s.priority + (input.source === 'report' ? 0 : JOIN_BUMP)) : base;
  if (isOpen && priority <= s.priority) return { events: [] };
  const event: NewEvent = {
    subject_id: s.subject_id, type: 'review_opened', actor: input.actor,
    payload: { category, priority, source: input.source, joined: isOpen, ...(input.reasons?.length ? { reasons: input.reasons } : {}) },
  };
  return { events: [event] };
}

export interface ReviewServiceDeps {
  db: Db;
  store: RecordStore;
  /** Queues committed outbox actions (OutboxDispatcher). */
  dispatcher: { dispatch(actions: readonly OutboxAction[]): Promise<boolean> };
}

export interface BulkResult {
  decided: string[];
  /** Cases left alone, with why (claimed by someone else, escalated beyond your role). */
  skipped: { subjectId: string; reason: string }[];
}

export class ReviewService {
  readonly claims: CaseClaims;

  constructor(
    private readonly deps: ReviewServiceDeps,
    options: { leaseMs?: number } = {},
  ) {
    this.claims = new CaseClaims(deps.db, options.leaseMs ?? DEFAULT_LEASE_MS);
  }

  async openOrRaiseCase(input: OpenCaseInput): Promise<OpenCaseResult> {
    const item = await this.deps.db.query<Reach>('SELECT channel_id, subscribers, views FROM items WHERE id = $1', [input.subjectId]);
    const reach = item.rows[0] ?? {};
    const [written] = await this.deps.store.write([
      { subjects: [{ id: input.subjectId, channel_id: reach.channel_id ?? null }], plan: (view) => planOpenOrRaise(view.get(input.subjectId), input, reach) },
    ]);
    const status = written?.statuses[0];
    const current = status ?? (await this.status(input.subjectId));
    return { subjectId: input.subjectId, opened: Boolean(written?.events.length && !written.events[0]?.payload.joined), priority: current?.priority ?? 0, reviewState: current?.review_state ?? 'none' };
  }

  /** The next case of a queue for this reviewer, claimed for the lease. */
  async claimNext(p: Principal, filter: QueueFilter, exclude: readonly string[] = []): Promise<ClaimedCase | null> {
    assertCan(p, filter.state === 'escalated' ? 'see_escalated' : 'view');
    return this.claims.claimNext(p.id, filter, exclude);
  }

  /** Claims one named case; refused when someone else holds it. */
  async claim(p: Principal, subjectId: string): Promise<ClaimedCase> {
    const s = await this.visibleStatus(p, subjectId);
    const claimed = await this.claims.claim(p.id, subjectId);
    if (!claimed) {
      if (s.review_state !== 'open' && s.review_state !== 'escalated') throw new ReviewError(409, 'not_open', `${subjectId} has no open case`);
      throw new ReviewError(409, 'claimed_by_other', `${subjectId} is claimed by ${s.claimed_by}`);
    }
    return claimed;
  }

  async release(p: Principal, subjectId: string): Promise<boolean> {
    return this.claims.release(p.id, subjectId);
  }

  async decide(p: Principal, subjectId: string, d: Decision): Promise<{ event_id: number; outbox: string[] }> {
    assertCan(p, d.decision);
    const ctx = this.context(p);
    const [r] = await this.write([{ subjects: [{ id: subjectId }], plan: (view) => planDecision(this.known(view.get(subjectId)), d, ctx) }]);
    return { event_id: r?.events[0]?.id ?? 0, outbox: r?.outbox.map((a) => a.id) ?? [] };
  }

  /**
   * One decision over many cases of one channel, in one transaction. Cases someone else holds,
   * or escalated beyond the decider's role, are skipped and listed rather than failing the lot.
   */
  async bulkDecide(p: Principal, channelId: string, d: Decision, subjectIds?: readonly string[]): Promise<BulkResult> {
    assertCan(p, 'bulk');
    assertCan(p, d.decision);
    const ctx = this.context(p);
    const rows = await this.deps.db.query<{ subject_id: string }>(
      `SELECT subject_id FROM subject_status WHERE channel_id = $1 AND review_state IN ('open', 'escalated')
         AND ($2::text[] IS NULL OR subject_id = ANY($2::text[])) ORDER BY subject_id LIMIT 1000`,
      [channelId, subjectIds ? [...subjectIds] : null],
    );
    const result: BulkResult = { decided: [], skipped: [] };
    if (rows.rows.length === 0) return result;
    const requests: WriteRequest[] = rows.rows.map(({ subject_id: id }) => ({
      subjects: [{ id }],
      plan: (view) => {
        try {
          checkDecidable(view.get(id), ctx);
        } catch (e) {
          if (!(e instanceof ReviewError)) throw e;
          result.skipped.push({ subjectId: id, reason: e.message });
          return { events: [] };
        }
        result.decided.push(id);
        return planDecision(view.get(id), d, ctx);
      },
    }));
    for (const id of subjectIds ?? []) if (!rows.rows.some((r) => r.subject_id === id)) result.skipped.push({ subjectId: id, reason: `no open case of channel ${channelId}` });
    await this.write(requests);
    return result;
  }

  async reverse(p: Principal, subjectId: string, r: Reversal): Promise<{ event_id: number; outbox: string[] }> {
    assertCan(p, 'reverse');
    const ctx = this.context(p);
    const [w] = await this.write([{ subjects: [{ id: subjectId }], plan: (view) => planReversal(this.known(view.get(subjectId)), r, ctx) }]);
    return { event_id: w?.events[0]?.id ?? 0, outbox: w?.outbox.map((a) => a.id) ?? [] };
  }

  /** A note on the case's history; changes nothing else (triage's main tool besides escalating). */
  async comment(p: Principal, subjectId: string, note: string): Promise<{ event_id: number }> {
    assertCan(p, 'comment');
    await this.visibleStatus(p, subjectId);
    const [w] = await this.write([
      { subjects: [{ id: subjectId }], plan: () => ({ events: [{ subject_id: subjectId, type: 'commented', actor: moderatorActor(p), payload: { note } }] }) },
    ]);
    return { event_id: w?.events[0]?.id ?? 0 };
  }

  /** The status of a subject the principal may see; escalated cases only for senior and admin. */
  async visibleStatus(p: Principal, subjectId: string): Promise<SubjectStatus> {
    assertCan(p, 'view');
    const s = await this.status(subjectId);
    if (!s) throw caseNotFound(subjectId);
    if (s.review_state === 'escalated' && !can(p, 'see_escalated')) throw new ReviewError(403, 'forbidden', `${subjectId} is escalated to senior moderators`);
    return s;
  }

  private async status(subjectId: string): Promise<SubjectStatus | null> {
    const r = await this.deps.db.query<Record<string, unknown>>('SELECT * FROM subject_status WHERE subject_id = $1', [subjectId]);
    return r.rows[0] ? readStatusRow(r.rows[0]) : null;
  }

  private context(p: Principal): DecisionContext {
    return { actor: moderatorActor(p), moderatorId: p.id, seesEscalated: can(p, 'see_escalated'), now: Date.now() };
  }

  /** A subject the record has never seen has an empty status row; deciding on it is a 404, not a 409. */
  private known(s: SubjectStatus): SubjectStatus {
    if (s.head_seq === 0) throw caseNotFound(s.subject_id);
    return s;
  }

  private async write(requests: WriteRequest[]) {
    const results = await this.deps.store.write(requests);
    await this.deps.dispatcher.dispatch(results.flatMap((r) => r.outbox));
    return results;
  }
}
