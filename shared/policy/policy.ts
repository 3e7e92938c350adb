import type { Scope, Verdict } from '../store/event-types.js';
import type { SignalHit } from '../signals/signal.js';

/** Most severe first: the category of a verdict is its most severe acted-on label. */
export const SEVERITY: readonly string[] = ['csam', 'extremism', 'illegal_goods', 'sexual_services', 'nsfw', 'scam', 'hate', 'spam'];

export interface Decision {
  verdict: Verdict;
  category: string | null;
  scope: Scope;
  reasons: string[];
}

const rank = (label: string) => {
  const i = SEVERITY.indexOf(label);
  return i === -1 ? SEVERITY.length : i;
};

function mostSevere(hits: readonly SignalHit[]): SignalHit | undefined {
  return [...hits].sort((a, b) => rank(a.label) - rank(b.label) || b.score - a.score)[0];
}

/**
 * Turns signal hits into one verdict: any takedown hit takes the item down (globally unless every
 * takedown hit is limited to named countries); otherwise any review hit sends it to review.
 */
export function decide(hits: readonly SignalHit[]): Decision {
  const takedown = hits.filter((h) => h.action === 'takedown');
  const review = hits.filter((h) => h.action === 'review');
  if (takedown.length > 0) {
    const global = takedown.some((h) => !h.jurisdictions || h.jurisdictions.length === 0);
    const scope: Scope = global ? { global: true } : { jurisdictions: [...new Set(takedown.flatMap((h) => h.jurisdictions ?? []))].sort() };
    return { verdict: 'takedown', category: mostSevere(takedown)?.label ?? null, scope, reasons: takedown.map((h) => h.reason) };
  }
  if (review.length > 0) {
    return { verdict: 'review', category: mostSevere(review)?.label ?? null, scope: { global: true }, reasons: review.map((h) => h.reason) };
  }
  return { verdict: 'allow', category: null, scope: { global: true }, reasons: [] };
}
