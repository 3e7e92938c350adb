import { BatchItemFailure, MicroBatcher } from '../runtime/micro-batcher.js';
import type { RecordStore, WriteRequest, WriteResult } from './record-store.js';

export interface BatchingWriterOptions {
  maxBatch?: number;
  maxWaitMs?: number;
  /** Transactions in flight at once: 1 for PGlite (one connection); more for Postgres, whose commits wait on disk. */
  concurrency?: number;
}

/**
 * Many jobs' writes in one transaction, so the record keeps up with the queues. When a batch
 * fails, its requests are retried one by one so a single poison request fails alone.
 */
export class BatchingWriter {
  private readonly batcher: MicroBatcher<WriteRequest, WriteResult>;

  constructor(private readonly store: RecordStore, options: BatchingWriterOptions = {}) {
    this.batcher = new MicroBatcher((reqs) => this.writeBatch(reqs), {
      maxBatch: options.maxBatch ?? 256,
      maxWaitMs: options.maxWaitMs ?? 5,
      concurrency: options.concurrency ?? 1,
    });
  }

  write(request: WriteRequest): Promise<WriteResult> {
    return this.batcher.submit(request);
  }

  private async writeBatch(reqs: WriteRequest[]): Promise<(WriteResult | BatchItemFailure)[]> {
    try {
      return await this.store.write(reqs);
    } catch (batchError) {
      if (reqs.length === 1) throw batchError;
      const settled = await Promise.allSettled(reqs.map((r) => this.store.write([r]).then((x) => x[0]!)));
      return settled.map((s) => (s.status === 'fulfilled' ? s.value : new BatchItemFailure(s.reason)));
    }
  }

  async close(): Promise<void> {
    await this.batcher.close();
  }
}
