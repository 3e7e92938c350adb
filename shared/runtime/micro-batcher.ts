export interface MicroBatcherOptions {
  /** Flush once this many requests wait. */
  maxBatch: number;
  /** Or once the oldest waiting request is this old. */
  maxWaitMs: number;
  /** Batches run concurrently up to this many (1 = strictly one after another). */
  concurrency?: number;
}

/** Returned in place of a result to fail one caller without failing its whole batch. */
export class BatchItemFailure {
  constructor(readonly error: unknown) {}
}

interface Pending<In, Out> {
  input: In;
  resolve: (v: Out) => void;
  reject: (e: unknown) => void;
}

/**
 * Collects single requests from many concurrent callers into batches (up to N or T ms) and
 * hands each caller its own result. Used for inference and for record writes.
 */
export class MicroBatcher<In, Out> {
  private queue: Pending<In, Out>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running = 0;
  private readonly idle = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly runBatch: (inputs: In[]) => Promise<(Out | BatchItemFailure)[]>,
    private readonly options: MicroBatcherOptions,
  ) {}

  submit(input: In): Promise<Out> {
    if (this.closed) return Promise.reject(new Error('batcher is closed'));
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  get pending(): number {
    return this.queue.length + this.running;
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length > 0 && this.running < (this.options.concurrency ?? 1)) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running++;
      void this.run(batch);
    }
  }

  private async run(batch: Pending<In, Out>[]): Promise<void> {
    try {
      const out = await this.runBatch(batch.map((p) => p.input));
      if (out.length !== batch.length) throw new Error(`batch returned ${out.length} results for ${batch.length} inputs`);
      batch.forEach((p, i) => {
        const r = out[i];
        if (r instanceof BatchItemFailure) p.reject(r.error);
        else p.resolve(r as Out);
      });
    } catch (e) {
      for (const p of batch) p.reject(e);
    } finally {
      this.running--;
      if (this.queue.length > 0) {
        if (this.queue.length >= this.options.maxBatch || this.running === 0) this.flush();
        else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.options.maxWaitMs);
      } else if (this.running === 0) {
        for (const f of this.idle) f();
        this.idle.clear();
      }
    }
  }

  /** Flushes what waits and resolves once nothing is in flight. */
  async drain(): Promise<void> {
    this.flush();
    if (this.pending === 0) return;
    await new Promise<void>((r) => this.idle.add(r));
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }
}
