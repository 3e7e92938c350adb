/**
 * Image-model throughput: inferences per second of models/nsfw-mobilenet-v2 at batch sizes 1 and
 * 8, with preprocessing (decode + resize + run, through the real runner) and without (ready
 * tensors straight into session.run). One runner, `threads` intra-op threads, in this process.
 *
 *   npx tsx bench/images-model.ts [--threads N] [--seconds S]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadModelFolder } from '../shared/models/model-manifest.js';
import { preprocessNsfw } from '../shared/images/nsfw-preprocess.js';
import { createRunner } from '../shared/images/nsfw-runner.js';

const MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../models/nsfw-mobilenet-v2');

export interface BenchImagesModelOptions {
  modelDir?: string;
  /** onnxruntime intra-op threads (the pool's per-runner setting). */
  threads?: number;
  /** Minimum measuring time per configuration. */
  seconds?: number;
  batchSizes?: number[];
  log?: (line: string) => void;
}

export interface BenchImagesModelRow {
  batchSize: number;
  preprocessing: boolean;
  inferencesPerSecond: number;
  msPerBatch: number;
}

/** Photo-sized JPEGs (800×600) with structure and noise, so decoding costs what it would. */
async function sampleJpegs(count: number): Promise<Buffer[]> {
  const width = 800;
  const height = 600;
  return Promise.all(
    Array.from({ length: count }, (_, n) => {
      const raw = Buffer.alloc(width * height * 3);
      let seed = 12345 + n;
      for (let i = 0; i < width * height; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const x = i % width;
        const y = Math.floor(i / width);
        raw.set([(x + n * 40) % 256, (y * 2) % 256, ((x ^ y) + (seed >>> 24)) % 256], i * 3);
      }
      return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    }),
  );
}

async function measure(seconds: number, images: number, step: () => Promise<unknown>): Promise<{ perSecond: number; msPerBatch: number }> {
  for (let i = 0; i < 3; i++) await step(); // warm-up: allocations, first-run graph work
  let batches = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || batches < 5) {
    await step();
    batches++;
  }
  const elapsed = performance.now() - start;
  return { perSecond: (batches * images * 1000) / elapsed, msPerBatch: elapsed / batches };
}

export async function benchImagesModel(options: BenchImagesModelOptions = {}): Promise<BenchImagesModelRow[]> {
  const modelDir = options.modelDir ?? MODEL_DIR;
  const threads = options.threads ?? 1;
  const seconds = options.seconds ?? 3;
  const batchSizes = options.batchSizes ?? [1, 8];
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));

  const { manifest, onnxPath } = await loadModelFolder(modelDir);
  const runner = await createRunner({ modelDir, intraOpNumThreads: threads });
  const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const jpegs = await sampleJpegs(Math.max(...batchSizes));
  const tensors = await Promise.all(jpegs.map((j) => preprocessNsfw(j)));
  const [inputName] = manifest.inputs;

  log(`image model ${manifest.name}@${manifest.version}: ${threads} intra-op thread(s), 800x600 JPEG inputs, ${seconds}s per row`);
  const rows: BenchImagesModelRow[] = [];
  try {
    for (const batchSize of batchSizes) {
      const bytes = jpegs.slice(0, batchSize).map((b) => ({ bytes: b }));
      const stacked = new Float32Array(batchSize * 224 * 224 * 3);
      tensors.slice(0, batchSize).forEach((t, i) => stacked.set(t, i * t.length));
      const feeds = { [inputName as string]: new ort.Tensor('float32', stacked, [batchSize, 224, 224, 3]) };

      const withPre = await measure(seconds, batchSize, () => runner.runBatch(bytes));
      const without = await measure(seconds, batchSize, () => session.run(feeds));
      for (const [preprocessing, m] of [[true, withPre], [false, without]] as const) {
        rows.push({ batchSize, preprocessing, inferencesPerSecond: m.perSecond, msPerBatch: m.msPerBatch });
        log(`  batch ${String(batchSize).padStart(2)}  ${preprocessing ? 'decode+resize+run' : 'run only         '}  ${m.perSecond.toFixed(1).padStart(7)} inferences/s  ${m.msPerBatch.toFixed(1).padStart(7)} ms/batch`);
      }
    }
  } finally {
    await runner.close?.();
    await session.release();
  }
  return rows;
}

function parseArgs(argv: string[]): BenchImagesModelOptions {
  const options: BenchImagesModelOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--threads' && Number.isInteger(value) && value > 0) options.threads = value;
    else if (argv[i] === '--seconds' && value > 0) options.seconds = value;
    else throw new Error(`usage: npx tsx bench/images-model.ts [--threads N] [--seconds S] (unexpected '${argv[i]}')`);
    i++;
  }
  return options;
}

/** The `modpipe bench` shape: `(args) => Promise<void>`, e.g. `modpipe bench images --threads 2`. */
export async function runImagesModelBench(args: string[]): Promise<void> {
  await benchImagesModel(parseArgs(args));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runImagesModelBench(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench images-model: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
