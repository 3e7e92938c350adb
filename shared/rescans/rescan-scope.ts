import { createHash } from 'node:crypto';
import { z } from 'zod';
import { itemIdSchema } from '../items/item-schema.js';
import { canonicalJson } from '../store/event-chain.js';

/**
 * What a rescan covers. Every scope is a filter over `items`, walked in id order (keyset), so a
 * scope of any size is read one page at a time and never held in memory.
 */
export const rescanScopeSchema = z.union([
  z.object({ channels: z.array(itemIdSchema).min(1).max(1_000) }).strict(),
  z.object({ items: z.array(itemIdSchema).min(1).max(10_000) }).strict(),
  /** Full-text query against the embedded search index (websearch syntax). */
  z.object({ query: z.string().trim().min(1).max(500) }).strict(),
  /** Items first seen in [from, to). */
  z.object({ time_range: z.object({ from: z.string().datetime({ offset: true }), to: z.string().datetime({ offset: true }) }).strict() }).strict(),
  z.object({ all: z.literal(true) }).strict(),
  /** Items last classified by a model version other than `not` (default: the version classify workers run now). */
  z.object({ model_version: z.object({ not: z.string().min(1).max(500).optional() }).strict() }).strict(),
]);
export type RescanScope = z.infer<typeof rescanScopeSchema>;

export const rescanPrioritySchema = z.enum(['high', 'normal', 'low']);
export type RescanPriority = z.infer<typeof rescanPrioritySchema>;

/** All below live traffic (PRIORITY.live = 5) and, but for `low`, above sweeps (20). */
export const RESCAN_JOB_PRIORITY: Record<RescanPriority, number> = { high: 6, normal: 10, low: 20 };

/** Equal scopes (ids in any order, repeated ids) have one key: that is what "the same rescan" means. */
export function scopeKey(scope: RescanScope): string {
  const normal = 'channels' in scope ? { channels: [...new Set(scope.channels)].sort() } : 'items' in scope ? { items: [...new Set(scope.items)].sort() } : scope;
  return createHash('sha256').update(canonicalJson(normal)).digest('hex');
}

/** The SQL condition selecting the scope's items (alias `i`), with its parameters from `$first` on. */
export function scopeFilter(scope: RescanScope, first: number): { where: string; params: unknown[] } {
  const p = `$${first}`;
  if ('channels' in scope) return { where: `i.channel_id = ANY(${p}::text[])`, params: [scope.channels] };
  if ('items' in scope) return { where: `i.id = ANY(${p}::text[])`, params: [scope.items] };
  if ('query' in scope) {
    return { where: `i.id IN (SELECT id FROM search_entries WHERE tsv @@ websearch_to_tsquery('simple', ${p}))`, params: [scope.query] };
  }
  if ('time_range' in scope) {
    return { where: `i.first_seen >= ${p}::timestamptz AND i.first_seen < $${first + 1}::timestamptz`, params: [scope.time_range.from, scope.time_range.to] };
  }
  if ('model_version' in scope) {
    if (!scope.model_version.not) throw new Error('a model_version scope must be resolved to a version before it is run');
    return {
      where: `EXISTS (SELECT 1 FROM subject_status s WHERE s.subject_id = i.id AND s.model_version IS NOT NULL AND s.model_version <> ${p})`,
      params: [scope.model_version.not],
    };
  }
  return { where: 'true', params: [] };
}
