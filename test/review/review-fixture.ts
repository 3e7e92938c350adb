import { PrincipalService } from '../../shared/auth/principal-service.js';
import type { Principal, Role } from '../../shared/auth/roles.js';
import { itemSchema, type ItemInput } from '../../shared/items/item-schema.js';
import { createLogger } from '../../shared/logger.js';
import { createRedisConnection } from '../../shared/queues/queue-connection.js';
import { TakedownQueue } from '../../shared/queues/takedown-queue.js';
import { ReviewService } from '../../shared/review/review-service.js';
import { toItemRow } from '../../shared/store/item-rows.js';
import { RecordStore } from '../../shared/store/record-store.js';
import { OutboxDispatcher } from '../../workers/takedown/outbox-dispatcher.js';
import { post } from '../support/items.js';
import { openTestDb, type Backend, type TestDb } from '../support/test-db.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';

/** A real store and a real takedown queue behind a ReviewService (no workers: nothing consumes the queue). */
export interface ReviewFixture {
  t: TestDb;
  store: RecordStore;
  review: ReviewService;
  queue: TakedownQueue;
  /** Another service on the same store, e.g. with a short lease. */
  withOptions(options: { leaseMs?: number }): ReviewService;
  close(): Promise<void>;
}

export async function openReviewFixture(backend: Backend, options: { leaseMs?: number } = {}): Promise<ReviewFixture & { redis: TestRedis }> {
  const redis = await startTestRedis();
  const t = await openTestDb(backend);
  const connection = createRedisConnection(redis.url, 'producer');
  const queue = new TakedownQueue({ connection, prefix: redis.prefix() });
  const store = new RecordStore(t.db);
  const dispatcher = new OutboxDispatcher(t.db, queue, createLogger('silent'));
  const review = new ReviewService({ db: t.db, store, dispatcher }, options);
  return {
    t, store, review, queue, redis,
    withOptions: (o) => new ReviewService({ db: t.db, store, dispatcher }, o),
    async close() {
      await queue.close();
      connection.disconnect();
      await t.drop();
      await redis.stop();
    },
  };
}

export const principal = (id: string, ...roles: Role[]): Principal => ({ id, kind: 'user', roles });

/** An item the classifier found borderline, with its case opened the way the classifier path opens it. */
export async function seedCase(
  f: Pick<ReviewFixture, 'store' | 'review'>,
  o: Partial<ItemInput> & { category?: string; confidence?: number } = {},
): Promise<string> {
  const { category = 'illegal_goods', confidence = 0.6, ...overrides } = o;
  const item = itemSchema.parse(post(overrides));
  await f.store.write([
    {
      subjects: [{ id: item.id, channel_id: item.channel_id }],
      items: [toItemRow(item)],
      plan: () => ({
        events: [
          { subject_id: item.id, type: 'ingested', actor: 'system:ingest', payload: { channel_id: item.channel_id, source: 'test' } },
          { subject_id: item.id, type: 'classified', actor: 'system:classifier@test', payload: { verdict: 'review', category, scores: { [category]: confidence }, reasons: [`test ${category}`] } },
        ],
      }),
    },
  ]);
  await f.review.openOrRaiseCase({ subjectId: item.id, source: 'classifier', actor: 'system:classifier@test', category, confidence });
  return item.id;
}

export async function createUser(db: TestDb['db'], id: string, roles: Role[], password = 'correct horse battery'): Promise<void> {
  const principals = new PrincipalService(db);
  await principals.ensurePrincipal(id, 'user', roles);
  await principals.setPassword(id, password);
}
