import type { Principal, Role } from '../auth/roles.js';
import { ReviewError } from './review-errors.js';

/**
 * Who may do what in review. `senior` (a senior moderator) is a moderator who also sees and decides
 * the escalated queue; only seniors and admins see escalated cases at all. `triage` sorts: it can
 * read open cases, comment and escalate, but never take down, keep or reverse.
 */
export type ReviewAction = 'view' | 'comment' | 'escalate' | 'keep' | 'takedown' | 'reverse' | 'bulk' | 'see_escalated';

const GRANTS: Partial<Record<Role, readonly ReviewAction[]>> = {
  senior: ['view', 'comment', 'escalate', 'keep', 'takedown', 'reverse', 'bulk', 'see_escalated'],
  moderator: ['view', 'comment', 'escalate', 'keep', 'takedown', 'reverse', 'bulk'],
  triage: ['view', 'comment', 'escalate'],
};

/** Roles that reach the review area at all (admin is implied everywhere). */
export const REVIEW_ROLES: Role[] = ['senior', 'moderator', 'triage'];
/** Roles that may decide (take down, keep, reverse, bulk). */
export const DECIDER_ROLES: Role[] = ['senior', 'moderator'];

export function can(p: Principal, action: ReviewAction): boolean {
  if (p.roles.includes('admin')) return true;
  return p.roles.some((r) => GRANTS[r]?.includes(action));
}

export function assertCan(p: Principal, action: ReviewAction): void {
  if (!can(p, action)) throw new ReviewError(403, 'forbidden', `your role cannot ${action.replace('_', ' ')}`);
}

/** The actor string of a reviewer's events. */
export const moderatorActor = (p: Principal) => `moderator:${p.id}`;
