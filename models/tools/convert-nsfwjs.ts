/**
 * convert-nsfwjs — builds models/nsfw-mobilenet-v2 from the nsfwjs npm package.
 *
 * Re-run from the repository root (no network; reads node_modules/nsfwjs only):
 *
 *   npx tsx models/tools/convert-nsfwjs.ts            # writes models/nsfw-mobilenet-v2/{model.onnx,manifest.json}
 *   npx tsx models/tools/convert-nsfwjs.ts --out DIR  # somewhere else
 *
 * What it does:
 *   1. reads the package's MobileNetV2 model (dist/models/mobilenet_v2: a Keras 2.2.4 layers model
 *      as tfjs JSON, bundled as model.min.js, weights uint8-quantised in group1-shard1of1.min.js)
 *      and its class order (dist/esm/nsfw_classes.js);
 *   2. maps it layer by layer to ONNX (models/tools/tfjs/*): NHWC input transposed once to NCHW,
 *      ZeroPadding2D and TF 'same' padding as explicit Conv pads, BatchNormalization folded into
 *      the convolutions, ReLU(max 6) as Clip, AveragePooling2D, Dense as Gemm, softmax output;
 *   3. checks the ONNX model against tfjs on probe inputs (fails above 1e-3) and writes
 *      model.onnx and manifest.json. MODEL_CARD.md is maintained by hand next to them.
 *
 * Bump NSFW_MODEL_VERSION (nsfwjs-manifest.ts) when the output changes.
 */
import { createHash } from 'node:crypto';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { buildNsfwManifest, NSFW_INPUT, NSFW_OUTPUT } from './nsfwjs-manifest.js';
import { decodeWeights, WeightStore } from './tfjs/decode-weights.js';
import { parseKerasTopology } from './tfjs/keras-topology.js';
import { kerasToOnnx } from './tfjs/keras-to-onnx.js';
import { checkParity } from './tfjs/parity-check.js';
import { readTfjsArtifacts } from './tfjs/read-artifacts.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OPSET = 17;
const PARITY_TOLERANCE = 1e-3;

export interface ConvertNsfwjsOptions {
  /** Output model folder. */
  outDir?: string;
  /** Which of the package's models; only the layers-model MobileNetV2 is supported. */
  variant?: 'mobilenet_v2';
}

export interface ConvertNsfwjsResult {
  outDir: string;
  labels: string[];
  parityMaxAbsDiff: number;
  onnxBytes: number;
}

/** The installed nsfwjs package: its folder and version. */
export async function locateNsfwjs(): Promise<{ dir: string; version: string }> {
  // The package's `exports` hides package.json; resolve the entry point and walk up instead.
  let dir = path.dirname(createRequire(import.meta.url).resolve('nsfwjs'));
  for (;;) {
    try {
      const pkg = z.object({ name: z.string(), version: z.string() }).parse(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')));
      if (pkg.name === 'nsfwjs') return { dir, version: pkg.version };
    } catch {
      // not the package root yet
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nsfwjs package root not found (is it installed?)');
    dir = parent;
  }
}

/** Class names in output order, from the package's own source (`NSFW_CLASSES`), lower-cased. */
export async function readNsfwjsLabels(packageDir: string): Promise<string[]> {
  const mod: unknown = await import(pathToFileURL(path.join(packageDir, 'dist/esm/nsfw_classes.js')).href);
  const classes = z.object({ NSFW_CLASSES: z.record(z.string(), z.string()) }).parse(mod).NSFW_CLASSES;
  const entries = Object.entries(classes).map(([i, name]) => [Number(i), name.toLowerCase()] as const);
  entries.sort((a, b) => a[0] - b[0]);
  if (entries.some(([i], k) => i !== k)) throw new Error(`NSFW_CLASSES indices are not 0..n-1: ${JSON.stringify(classes)}`);
  return entries.map(([, name]) => name);
}

export async function convertNsfwjs(options: ConvertNsfwjsOptions = {}): Promise<ConvertNsfwjsResult> {
  const variant = options.variant ?? 'mobilenet_v2';
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, 'models/nsfw-mobilenet-v2'));
  const pkg = await locateNsfwjs();
  const labels = await readNsfwjsLabels(pkg.dir);

  const artifacts = await readTfjsArtifacts(path.join(pkg.dir, 'dist/models', variant));
  if (artifacts.modelJson.format && artifacts.modelJson.format !== 'layers-model') {
    throw new Error(`nsfwjs ${variant} is a ${artifacts.modelJson.format}; only layers models are supported`);
  }
  const model = parseKerasTopology(artifacts.modelJson.modelTopology);
  const weights = new WeightStore(decodeWeights(artifacts.weightSpecs, artifacts.weightData));
  const converted = kerasToOnnx(model, weights, {
    inputName: NSFW_INPUT,
    outputName: NSFW_OUTPUT,
    graphName: 'nsfw_mobilenet_v2',
    producer: 'modpipe convert-nsfwjs',
    opset: OPSET,
    docString: `nsfwjs ${pkg.version} ${variant} (Keras ${model.kerasVersion ?? '?'}), converted by modpipe. Input NHWC float32 RGB in [0,1]; output softmax over ${labels.join(', ')}.`,
    metadata: { source: `nsfwjs@${pkg.version}/${variant}`, labels: labels.join(','), input_layout: 'NHWC', input_range: '0..1' },
  });
  const outputWidth = converted.outputDims[1];
  if (converted.outputDims.length !== 2 || outputWidth !== labels.length) {
    throw new Error(`model outputs [${converted.outputDims}], expected [batch, ${labels.length}] for labels ${labels.join(', ')}`);
  }

  const parity = await checkParity(artifacts, converted.bytes, NSFW_INPUT, NSFW_OUTPUT, converted.inputDims.slice(1) as number[]);
  if (!(parity.maxAbsDiff <= PARITY_TOLERANCE)) throw new Error(`conversion parity failed: max |diff| ${parity.maxAbsDiff} > ${PARITY_TOLERANCE}`);

  const manifest = buildNsfwManifest({
    labels,
    nsfwjsVersion: pkg.version,
    variant,
    sourceFiles: artifacts.sourceFiles.map((f) => ({ ...f, file: `dist/models/${variant}/${f.file}` })),
    onnxSha256: createHash('sha256').update(converted.bytes).digest('hex'),
    onnxBytes: converted.bytes.length,
    opset: OPSET,
    foldedBatchNorms: converted.foldedBatchNorms,
    parameters: converted.parameters,
    parity,
  });
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'model.onnx'), converted.bytes);
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outDir, labels, parityMaxAbsDiff: parity.maxAbsDiff, onnxBytes: converted.bytes.length };
}

function parseArgs(argv: string[]): ConvertNsfwjsOptions {
  const options: ConvertNsfwjsOptions = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) options.outDir = argv[++i];
    else throw new Error(`usage: npx tsx models/tools/convert-nsfwjs.ts [--out DIR] (unexpected '${argv[i]}')`);
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  convertNsfwjs(parseArgs(process.argv.slice(2))).then(
    (r) => {
      process.stdout.write(`wrote ${r.outDir} (${(r.onnxBytes / 1e6).toFixed(1)} MB, labels ${r.labels.join(', ')}, parity max |diff| ${r.parityMaxAbsDiff.toExponential(2)})\n`);
    },
    (e: unknown) => {
      process.stderr.write(`convert-nsfwjs: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
