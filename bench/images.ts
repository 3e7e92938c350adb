import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PdqInput, PdqOutcome } from '../shared/images/pdq-runner.js';
import { InferencePool } from '../shared/onnx/inference-pool.js';
import { runImagesHashingBench } from './images-hashing.js';
import { runImagesModelBench } from './images-model.js';

/**
 * `npm run bench:images` (`modpipe bench images`): every image figure in one run.
 *   1. PDQ hashes/s, decode included and excluded (bench/images-hashing.ts);
 *   2. PDQ hashes/s through the inference pool, as the classifier hashes (pdq-runner.ts);
 *   3. bank lookups/s and p50/p99 at 1,000,000 random hashes against a linear scan (same file);
 *   4. image-model inferences/s (bench/images-model.ts).
 * Options: --entries --queries --linear --images go to the hashing bench, --threads to the model
 * bench and the PDQ pool, --seconds to all.
 */

const HASHING_OPTIONS = new Set(['--entries', '--queries', '--linear', '--images']);
const MODEL_OPTIONS = new Set(['--threads']);
const DEFAULT_IMAGES = fileURLToPath(new URL('../../shared/data/pdq/images/', import.meta.url));

export async function runImagesBench(args: string[]): Promise<void> {
  const hashing: string[] = [];
  const model: string[] = [];
  let seconds = 3;
  let threads = Math.max(1, Math.min(2, os.availableParallelism()));
  for (let i = 0; i < args.length; i += 2) {
    const [name = '', value = ''] = [args[i], args[i + 1]];
    if (HASHING_OPTIONS.has(name)) hashing.push(name, value);
    else if (MODEL_OPTIONS.has(name)) {
      model.push(name, value);
      threads = Number(value);
    } else if (name === '--seconds') {
      seconds = Number(value);
      hashing.push(name, value);
      model.push(name, value);
    } else throw new Error(`usage: modpipe bench images [--entries N] [--queries N] [--linear N] [--images DIR] [--threads N] [--seconds S] (unexpected '${name}')`);
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log('== PDQ hashing and hash banks ==');
  await runImagesHashingBench(hashing);
  log(`\n== PDQ through the inference pool (${threads} thread${threads === 1 ? '' : 's'}, batches of 8) ==`);
  await benchPdqPool(threads, seconds, log);
  log('\n== Image model ==');
  await runImagesModelBench(model);
}

/** What the classifier pays: decode + hash + eight variants in worker threads, results cloned back. */
async function benchPdqPool(threads: number, seconds: number, log: (line: string) => void): Promise<void> {
  const images = readdirSync(DEFAULT_IMAGES)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .map((f) => ({ bytes: readFileSync(`${DEFAULT_IMAGES}${f}`) }));
  const pool = await InferencePool.start<PdqInput, PdqOutcome>({ runnerModule: new URL('../shared/images/pdq-runner.ts', import.meta.url), modelDir: '', threads });
  try {
    const batch = (k: number) => Array.from({ length: 8 }, (_, j) => images[(k * 8 + j) % images.length] as PdqInput);
    await pool.runBatch(batch(0)); // warm-up
    const start = performance.now();
    let done = 0;
    let k = 0;
    // Keep every thread busy: one batch in flight per thread.
    const lane = async () => {
      while (performance.now() - start < seconds * 1000) {
        done += (await pool.runBatch(batch(k++))).length;
      }
    };
    await Promise.all(Array.from({ length: threads }, lane));
    log(`  decode included, in ${threads} thread(s) : ${(done / ((performance.now() - start) / 1000)).toFixed(0)} images/s`);
  } finally {
    await pool.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runImagesBench(process.argv.slice(2));
}
