import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { scopeSchema, type NewEvent, type OutboxAction } from '../store/event-types.js';
import type { Plan } from '../store/record-store.js';
import { hasDelisting, isDelisted, type SubjectStatus } from '../store/subject-status.js';
import { heldByOther } from './case-claims.js';
import { ESCALATE_REASONS, KEEP_REASONS, REVERSE_REASONS, labelOfReason, reasonText } from './policy-text.js';
import { ReviewError } from './review-errors.js';

const note = z.string().trim().max(2_000).optional();
const codeIn = (reasons: readonly { code: string }[]) =>
  z.string().refine((c) => reasons.some((r) => r.code === c), { message: `reason must be one of ${reasons.map((r) => r.code).join(', ')}` });

/** A moderator's decision on one case, as the API and the console send it. */
export const decisionSchema = z.discriminatedUnion('decision', [
  z.object({
    decision: z.literal('takedown'),
    /** A takedown reason code of policy-text.ts; its label is the decided category. */
    reason: z.string().refine((c) => labelOfReason(c) !== undefined, { message: 'reason must be a takedown reason code such as scam.phishing' }),
    scope: scopeSchema.default({ global: true }),
    note,
  }),
  z.object({ decision: z.literal('keep'), reason: codeIn(KEEP_REASONS), note }),
  z.object({ decision: z.literal('escalate'), reason: codeIn(ESCALATE_REASONS), note }),
]);
export type Decision = z.infer<typeof decisionSchema>;

export const reversalSchema = z.object({ reason: codeIn(REVERSE_REASONS), note });
export type Reversal = z.infer<typeof reversalSchema>;

export interface DecisionContext {
  /** `moderator:<id>`. */
  actor: string;
  moderatorId: string;
  /** Whether the decider may touch escalated cases (senior, admin). */
  seesEscalated: boolean;
  now: number;
}

/** Refuses a decision the case cannot take; returns nothing when it may proceed. */
export function checkDecidable(s: SubjectStatus, ctx: DecisionContext): void {
  if (s.review_state !== 'open' && s.review_state !== 'escalated') throw new ReviewError(409, 'not_open', `${s.subject_id} has no open case (state ${s.review_state})`);
  if (s.review_state === 'escalated' && !ctx.seesEscalated) throw new ReviewError(403, 'forbidden', `${s.subject_id} is escalated: only a senior moderator or admin decides it`);
  if (heldByOther(s, ctx.moderatorId, ctx.now)) throw new ReviewError(409, 'claimed_by_other', `${s.subject_id} is claimed by ${s.claimed_by} until ${s.claimed_until}`);
}

/**
 * The events and effects of one decision, computed under the subject's lock: a `reviewed` event,
 * and for a takedown not yet in effect a delist action through the outbox. Throws ReviewError
 * (which rolls the transaction back) when the case cannot be decided.
 */
export function planDecision(s: SubjectStatus, d: Decision, ctx: DecisionContext): Plan {
  checkDecidable(s, ctx);
  const category = d.decision === 'takedown' ? (labelOfReason(d.reason) ?? null) : null;
  const decidedAt = new Date(ctx.now).toISOString();
  const events: NewEvent[] = [
    {
      subject_id: s.subject_id,
      type: 'reviewed',
      actor: ctx.actor,
      payload: {
        decision: d.decision, reason: d.reason, reason_text: reasonText(d.reason), category,
        ...(d.decision === 'takedown' ? { scope: d.scope } : {}),
        ...(d.note ? { note: d.note } : {}),
        previous_state: s.review_state, suspected_category: s.review_category,
      },
    },
  ];
  const outbox: OutboxAction[] = [];
  if (d.decision === 'takedown' && !isDelisted(s, d.scope)) {
    outbox.push({
      id: randomUUID(), subject_id: s.subject_id, action: 'delist', scope: d.scope, category,
      reason: `${d.reason}: ${reasonText(d.reason)}${d.note ? ` (${d.note.slice(0, 500)})` : ''}`, actor: ctx.actor, decided_at: decidedAt,
    });
  }
  return { events, outbox };
}

/**
 * A reversal (appeal upheld, mistake): its own `reviewed` event with decision `reverse`, and a
 * global restore through the outbox. Refused when nothing is delisted.
 */
export function planReversal(s: SubjectStatus, r: Reversal, ctx: DecisionContext): Plan {
  if (!hasDelisting(s, { global: true })) throw new ReviewError(409, 'nothing_to_reverse', `${s.subject_id} is not taken down anywhere`);
  if (s.review_state === 'escalated' && !ctx.seesEscalated) throw new ReviewError(403, 'forbidden', `${s.subject_id} is escalated: only a senior moderator or admin decides it`);
  if (heldByOther(s, ctx.moderatorId, ctx.now)) throw new ReviewError(409, 'claimed_by_other', `${s.subject_id} is claimed by ${s.claimed_by}`);
  const reversed = { global: s.takedown_global, jurisdictions: s.takedown_jurisdictions };
  return {
    events: [
      {
        subject_id: s.subject_id, type: 'reviewed', actor: ctx.actor,
        payload: { decision: 'reverse', reason: r.reason, reason_text: reasonText(r.reason), reversed, ...(r.note ? { note: r.note } : {}), previous_state: s.review_state },
      },
    ],
    outbox: [
      {
        id: randomUUID(), subject_id: s.subject_id, action: 'restore', scope: { global: true }, category: null,
        reason: `${r.reason}: ${reasonText(r.reason)}${r.note ? ` (${r.note.slice(0, 500)})` : ''}`, actor: ctx.actor, decided_at: new Date(ctx.now).toISOString(),
      },
    ],
  };
}
