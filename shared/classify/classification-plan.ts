import { randomUUID } from 'node:crypto';
import type { Item } from '../items/item-schema.js';
import type { NewEvent, OutboxAction } from '../store/event-types.js';
import type { Plan, StatusView } from '../store/record-store.js';
import { isDelisted } from '../store/subject-status.js';
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

/** Review priority: severity of the suspected category, reach, and how sure the signals are. */
export function reviewPriority(c: Classification, item: Item): number {
  const severity: Record<string, number> = { csam: 100, extremism: 80, illegal_goods: 60, sexual_services: 50, nsfw: 45, scam: 40, hate: 40, spam: 10 };
  const reach = Math.log10(1 + (item.reach.subscribers ?? 0) + (item.reach.views ?? 0));
  const confidence = c.category ? (c.scores[c.category] ?? 0) : 0;
  return (severity[c.category ?? ''] ?? 20) + 5 * reach + 10 * confidence;
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
  if (cls.verdict === 'review' && status.review_state !== 'open' && status.review_state !== 'escalated') {
    events.push({
      subject_id: c.item.id,
      type: 'review_opened',
      actor,
      payload: { category: cls.category, reasons: cls.reasons, priority: reviewPriority(cls, c.item), source: 'classifier' },
    });
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
