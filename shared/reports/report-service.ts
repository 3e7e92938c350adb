import { z } from 'zod';
import { itemIdSchema, type Item } from '../items/item-schema.js';
import { itemFromRow } from '../items/item-from-row.js';
import { SEVERITY } from '../policy/policy.js';
import type { ClassifyQueue } from '../queues/classify-queue.js';
import type { Db } from '../store/db.js';
import type { NewEvent } from '../store/event-types.js';
import type { RecordStore } from '../store/record-store.js';
import { planOpenOrRaise } from '../review/review-service.js';

/** A report's reason is one of the policy's labels, or `other` with the reporter's words. */
export const reportReasonSchema = z.enum([...SEVERITY, 'other'] as unknown as [string, ...string[]]);

export const reportInputSchema = z
  .object({
    item_id: itemIdSchema,
    /** The platform's id of the reporting user; one user's repeated reports count once. */
    reporter_id: z.string().min(1).max(200).regex(/^[\w.@:/-]+$/, 'reporter ids use letters, digits and . : / @ _ -'),
    reason: reportReasonSchema,
    text: z.string().max(2_000).optional(),
  })
  .strict();
export type ReportInput = z.infer<typeof reportInputSchema>;

export interface ReportOutcome {
  item_id: string;
  /** Distinct reporters of this item so far. */
  report_count: number;
  /** False when this reporter had reported the item before. */
  counted: boolean;
  classification_queued: boolean;
  review_opened: boolean;
}

export class UnknownItemError extends Error {
  override readonly name = 'UnknownItemError';
}

export interface ReportServiceOptions {
  /** Distinct reporters at which the item goes to review whatever its verdict. */
  reviewThreshold: number;
}

/**
 * User reports: each one is an event; reporters are deduplicated by the status reducer. The
 * first report classifies the item at top priority; crossing the threshold opens a review case
 * in the same transaction. Later reports only aggregate, so mass reporting cannot flood the
 * top-priority queue.
 */
export class ReportService {
  constructor(
    private readonly db: Db,
    private readonly store: RecordStore,
    private readonly classifyQueue: ClassifyQueue,
    private readonly options: ReportServiceOptions,
  ) {}

  async report(input: ReportInput, trace: string): Promise<ReportOutcome> {
    const row = (await this.db.query<Record<string, unknown>>('SELECT * FROM items WHERE id = $1', [input.item_id])).rows[0];
    if (!row) throw new UnknownItemError(`no item ${input.item_id}: push it through POST /v1/items first`);
    const item: Item = itemFromRow(row);
    const threshold = this.options.reviewThreshold;
    let outcome: Omit<ReportOutcome, 'classification_queued'> & { classifiedBefore: boolean } = {
      item_id: item.id, report_count: 0, counted: false, review_opened: false, classifiedBefore: false,
    };
    await this.store.write([
      {
        subjects: [{ id: item.id, channel_id: item.channel_id }],
        plan: (view) => {
          const status = view.get(item.id);
          const counted = !status.reporters.includes(input.reporter_id);
          const after = status.report_count + (counted ? 1 : 0);
          const events: NewEvent[] = [
            {
              subject_id: item.id, type: 'report', actor: `user:${input.reporter_id}`,
              payload: { reporter: input.reporter_id, reason: input.reason, ...(input.text ? { text: input.text } : {}), trace },
            },
          ];
          // Crossing the threshold opens the case whatever the verdict (the review engine's pure plan,
          // so cases open one way); an open case gains weight from report_count alone.
          const crossed = counted && status.report_count < threshold && after >= threshold;
          const opening = crossed
            ? planOpenOrRaise(
                status,
                { subjectId: item.id, source: 'report', actor: 'system:reports', category: input.reason === 'other' ? null : input.reason, reasons: [`${after} users reported it`] },
                { channel_id: item.channel_id, subscribers: item.reach.subscribers, views: item.reach.views },
              ).events
            : [];
          events.push(...opening);
          const opensCase = opening.some((e) => e.payload.joined !== true);
          outcome = { item_id: item.id, report_count: after, counted, review_opened: opensCase, classifiedBefore: status.classified_hash !== null };
          return { events };
        },
      },
    ]);
    const { classifiedBefore, ...result } = outcome;
    const classify = result.counted && result.report_count === 1;
    if (classify) {
      await this.classifyQueue.add([{ item, source: 'report', trace, ingested_at: new Date().toISOString(), force: classifiedBefore }]);
    }
    return { ...result, classification_queued: classify };
  }
}
