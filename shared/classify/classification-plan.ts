import { randomUUID } from 'node:crypto';
import type { Item } from '../items/item-schema.js';
import type { NewEvent, OutboxAction } from '../store/event-types.js';
import type { Plan, StatusView } from '../store/record-store.js';
import { isDelisted } from '../store/subject-status.js';
import { basePriority } from '../review/review-priority.js';
import { planOpenOrRaise } from '../review/review-service.js';
import type { Classification } from './classifier.js';

export interface ClassifiedItem {
  item: Item;
  contentHash: string;
  classification: Classification;
  source: string;
  trace: string;
  ingestedAt: string;
  force: boolean;
  rescanId?: string;
}

/** Review priority when a case opens: one formula, the review engine's (severity, reach, confidence). */
export function reviewPriority(c: Classification, item: Item): number {
  return basePriority({ category: c.category, subscribers: item.reach.subscribers, views: item.reach.views, confidence: c.category ? (c.scores[c.category] ?? 0) : 0 });
}

/**
 * The events and effects of one classification, decided under the subject's lock: a repeat of
 * content already classified by this model writes nothing; a takedown already in effect queues
 * nothing; a borderline item joins its open case instead of opening another.
 */
export function planClassification(c: ClassifiedItem, view: StatusView): Plan {
  const status = view.get(c.item.id);
  const cls = c.classification;
  if (!c.force && status.classified_hash === c.contentHash && status.model_version === cls.model_version) return { events: [] };
  const actor = `system:classifier@${cls.model_version}`;
  const events: NewEvent[] = [];
  const outbox: OutboxAction[] = [];
  if (status.classified_hash !== c.contentHash) {
    events.push({
      subject_id: c.item.id,
      type: 'ingested',
      actor: 'system:ingest',
      payload: { source: c.source, channel_id: c.item.channel_id, kind: c.item.kind, content_hash: c.contentHash, trace: c.trace, ingested_at: c.ingestedAt },
    });
  }
  events.push({
    subject_id: c.item.id,
    type: 'classified',
    actor,
    payload: {
      verdict: cls.verdict,
      category: cls.category,
      scope: cls.scope,
      reasons: cls.reasons,
      scores: cls.scores,
      hits: cls.hits,
      errors: cls.errors,
      model_version: cls.model_version,
      content_hash: c.contentHash,
      trace: c.trace,
      ...(c.rescanId ? { rescan_id: c.rescanId } : {}),
    },
  });
  if (cls.verdict === 'review') {
    // Opens the case, or joins the open one and raises its priority (the review engine's rule).
    const confidence = cls.category ? (cls.scores[cls.category] ?? 0) : 0;
    const input = { subjectId: c.item.id, source: 'classifier' as const, actor, category: cls.category, reasons: cls.reasons, confidence };
    events.push(...planOpenOrRaise(status, input, c.item.reach).events);
  }
  if (cls.verdict === 'takedown' && !isDelisted(status, cls.scope)) {
    outbox.push({
      id: randomUUID(),
      subject_id: c.item.id,
      action: 'delist',
      scope: cls.scope,
      category: cls.category,
      reason: cls.reasons.join('; ').slice(0, 2_000),
      actor,
      decided_at: new Date().toISOString(),
      ingested_at: c.ingestedAt,
      trace: c.trace,
    });
  }
  return { events, outbox };
}
