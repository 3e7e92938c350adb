import { createHash } from 'node:crypto';
import type { NewEvent } from './event-types.js';

/** JSON with sorted keys: jsonb reorders keys, so hashes must not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface ChainLink {
  seq: number;
  created_at: string;
  prev_hash: string;
}

/** The hash of one event, binding it to its predecessor in the subject's chain. */
export function eventHash(event: NewEvent, link: ChainLink): string {
  return createHash('sha256')
    .update(link.prev_hash)
    .update('\n')
    .update(canonicalJson([event.subject_id, link.seq, event.type, event.actor, event.payload, link.created_at]))
    .digest('hex');
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** The first event whose hash or link does not hold. */
  brokenAt?: { seq: number; reason: string };
}

/** Recomputes a subject's chain from its stored events (ordered by seq). */
export function verifyChain(events: readonly (NewEvent & ChainLink & { hash: string })[]): ChainCheck {
  let prev = '';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.seq !== i + 1) return { ok: false, checked: i, brokenAt: { seq: e.seq, reason: `expected seq ${i + 1}` } };
    if (e.prev_hash !== prev) return { ok: false, checked: i, brokenAt: { seq: e.seq, reason: 'prev_hash does not match the previous event' } };
    if (eventHash(e, e) !== e.hash) return { ok: false, checked: i, brokenAt: { seq: e.seq, reason: 'hash does not match the content' } };
    prev = e.hash;
  }
  return { ok: true, checked: events.length };
}
