import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextModelSession } from '../shared/text/text-model-session.js';
import { PackBuffers, type PackedBatch } from '../shared/text/text-featurizer.js';
import { readStrictJsonl } from '../shared/text-training/dataset.js';
import { SPAM_ASSASSIN_SOURCE } from '../shared/text-training/spam-assassin.js';
import { argNumber, percentile, report } from './bench-support.js';

/**
 * Text classification on one core: featurize + infer end to end, featurization alone, and bare
 * ONNX `run()` on pre-featurized batches (the ceiling), over real held-out posts (the SpamAssassin
 * e-mails are left out unless --with-email: they are mail, not channel posts).
 *
 *   npx tsx bench/classify-text.ts [--model models/modpipe-text] [--data models/data/heldout.jsonl]
 *                                  [--batch 64] [--items 50000] [--with-email]
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function argString(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : def;
}

async function timeBatches<T>(batches: readonly T[], fn: (b: T) => Promise<unknown> | unknown): Promise<{ totalMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = performance.now();
  for (const b of batches) {
    const t = performance.now();
    await fn(b);
    latencies.push(performance.now() - t);
  }
  return { totalMs: performance.now() - start, latencies };
}

export async function runClassifyTextBench(args: string[] = []): Promise<void> {
  const modelDir = path.resolve(ROOT, argString(args, 'model', 'models/modpipe-text'));
  const dataFile = path.resolve(ROOT, argString(args, 'data', 'models/data/heldout.jsonl'));
  const batchSize = argNumber(args, 'batch', 64);
  const items = argNumber(args, 'items', 50_000);
  const withEmail = args.includes('--with-email');

  const model = await TextModelSession.load(modelDir, { intraOpNumThreads: 1 });
  try {
    const records = (await readStrictJsonl(dataFile)).filter((r) => withEmail || r.source !== SPAM_ASSASSIN_SOURCE);
    const texts = records.map((r) => r.text);
    // Cycle through the held-out texts in a fixed order until `items` are queued.
    const batches: string[][] = [];
    for (let i = 0; i < items; i += batchSize) {
      batches.push(Array.from({ length: Math.min(batchSize, items - i) }, (_, j) => texts[(i + j) % texts.length] as string));
    }
    const n = batches.reduce((a, b) => a + b.length, 0);
    const avgChars = texts.reduce((a, t) => a + t.length, 0) / texts.length;
    const f = model.featurizer;
    // Packed as serving packs (TextModelSession.scoreBatch): into buffers reused batch to batch.
    const buffers = new PackBuffers();

    // Warm-up, one full pass: JIT, onnxruntime's first-run allocations, the tokenizer's
    // per-character tables. A short warm-up left part of that cost in the first timed loop.
    for (const b of batches) await model.scorePacked(f.featurizeBatch(b, buffers));

    // The share is measured inside the end-to-end loop (same batches, same moment), so machine
    // noise between separate loops does not skew the ratio.
    let featurizeMs = 0;
    const e2e = await timeBatches(batches, (b) => {
      const t = performance.now();
      const packed = f.featurizeBatch(b, buffers);
      featurizeMs += performance.now() - t;
      return model.scorePacked(packed);
    });
    const feat = await timeBatches(batches, (b) => f.featurizeBatch(b, buffers));
    const packed: PackedBatch[] = batches.map((b) => f.featurizeBatch(b));
    const bare = await timeBatches(packed, (p) => model.scorePacked(p));
    const avgFeatures = packed.reduce((a, p) => a + p.weights.reduce((s, w) => s + (w > 0 ? 1 : 0), 0), 0) / n;

    report(`text classification, one core (${path.relative(ROOT, modelDir)}, ${n.toLocaleString('en-US')} items, batches of ${batchSize})`, [
      ['held-out texts sampled', `${texts.length} (mean ${avgChars.toFixed(0)} chars, ${avgFeatures.toFixed(0)} features)`],
      ['end to end items/s', (n / e2e.totalMs) * 1000],
      ['batch latency p50 ms', percentile(e2e.latencies, 50)],
      ['batch latency p99 ms', percentile(e2e.latencies, 99)],
      ['featurize only items/s', (n / feat.totalMs) * 1000],
      ['bare ONNX run() items/s (ceiling)', (n / bare.totalMs) * 1000],
      ['bare ONNX batch p50 ms', percentile(bare.latencies, 50)],
      ['featurization share of end to end', `${((featurizeMs / e2e.totalMs) * 100).toFixed(1)} %`],
    ]);
  } finally {
    await model.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runClassifyTextBench(process.argv.slice(2));
}
