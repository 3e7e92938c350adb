import type { BatchRunner, CreateRunner } from '../onnx/batch-runner.js';
import { ImageDecodeError } from './decode-image.js';
import type { Hash256 } from './hash256.js';
import { DIHEDRAL_VARIANTS } from './pdq.js';
import { pdqHashImageDihedral, type PdqImageOptions } from './pdq-image.js';

/**
 * PDQ hashing as a batch runner, so the inference pool (shared/onnx/inference-pool.ts) can host
 * it in worker threads: decoding and the blur/DCT cost a few milliseconds of CPU per image, which
 * on the main thread would hold up BullMQ lock renewals and every other job. No model here; the
 * pool's `modelDir` is ignored.
 *
 * Each input gets its own outcome: the hash's quality and its eight dihedral variants (in
 * DIHEDRAL_VARIANTS order, `original` first), or an error naming the decode reason. A bad image
 * never fails the batch. Results cross the thread boundary as Uint16Arrays (structured clone).
 */

export interface PdqInput {
  bytes: Uint8Array;
}

export type PdqOutcome = { ok: true; quality: number; variants: Hash256[] } | { ok: false; error: string };

export type PdqBatchFn = (inputs: readonly PdqInput[]) => Promise<PdqOutcome[]>;

/** Hash one image; every failure becomes an outcome, `corrupt: ...`, `too_many_pixels: ...`. */
export async function pdqOutcome(bytes: Uint8Array, options: PdqImageOptions = {}): Promise<PdqOutcome> {
  try {
    const r = await pdqHashImageDihedral(bytes, options);
    return { ok: true, quality: r.quality, variants: DIHEDRAL_VARIANTS.map((v) => r.variants[v]) };
  } catch (err) {
    if (err instanceof ImageDecodeError) return { ok: false, error: `${err.reason}: ${err.message}` };
    return { ok: false, error: `hashing failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * In-process hashing, `concurrency` images at a time (sharp decodes on libuv's pool; the hash
 * itself runs on the calling thread). What the signal uses when no pool is given, and what each
 * pool thread runs.
 */
export function inProcessPdq(options: PdqImageOptions = {}, concurrency = 4): PdqBatchFn {
  return async (inputs) => {
    const out = new Array<PdqOutcome>(inputs.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < inputs.length; i = next++) out[i] = await pdqOutcome((inputs[i] as PdqInput).bytes, options);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, inputs.length)) }, worker));
    return out;
  };
}

export const createRunner: CreateRunner<PdqInput, PdqOutcome> = async (): Promise<BatchRunner<PdqInput, PdqOutcome>> => {
  // Two decodes in flight per thread keep the thread busy while sharp works; more only queue.
  const run = inProcessPdq({}, 2);
  return { runBatch: (inputs) => run(inputs) };
};
