import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';
import { z } from 'zod';

/**
 * Reads a TensorFlow.js model from disk without tfjs: the model JSON (topology and weights
 * manifest) and the weight bytes of all shards, concatenated in manifest order. Two packagings:
 *
 *  - the standard one: `model.json` plus binary shards named by the manifest's `paths`;
 *  - nsfwjs's bundled one: `model.min.js` plus `<path>.min.js` per shard. These are browserify
 *    bundles whose `module.exports` is the model JSON (as a JS object literal, not JSON) and the
 *    shard's bytes as a base64 string.
 *
 * The bundles are evaluated with node:vm in an empty context that holds only `module` and
 * `exports`: they need no more, and this keeps the package's code away from `require`,
 * `process` and the filesystem. (vm is not a security boundary; the package is a pinned,
 * installed dependency, and this is the same code nsfwjs itself imports.)
 */

export const weightSpecSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
  quantization: z
    .object({
      dtype: z.enum(['uint8', 'uint16', 'float16']),
      min: z.number().optional(),
      scale: z.number().optional(),
    })
    .optional(),
});
export type WeightSpec = z.infer<typeof weightSpecSchema>;

export const tfjsModelJsonSchema = z.object({
  /** 'layers-model' or 'graph-model'; old Keras exports omit it (layers-model). */
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(weightSpecSchema) })).min(1),
});
export type TfjsModelJson = z.infer<typeof tfjsModelJsonSchema>;

export interface SourceFile {
  /** Relative to the model directory. */
  file: string;
  sha256: string;
  bytes: number;
}

export interface TfjsArtifacts {
  modelJson: TfjsModelJson;
  /** All weight specs, in the order their bytes appear in `weightData`. */
  weightSpecs: WeightSpec[];
  weightData: Uint8Array;
  /** What was read, for provenance in the manifest. */
  sourceFiles: SourceFile[];
}

export class TfjsArtifactsError extends Error {
  override readonly name = 'TfjsArtifactsError';
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

function evalBundle(file: string, code: string): unknown {
  const module = { exports: {} as unknown };
  try {
    vm.runInNewContext(code, { module, exports: module.exports }, { filename: file, timeout: 10_000 });
  } catch (e) {
    throw new TfjsArtifactsError(`${file}: bundle did not evaluate (${(e as Error).message})`);
  }
  return module.exports;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads the model in `dir`: `model.json` and binary shards, or nsfwjs's `.min.js` bundles. */
export async function readTfjsArtifacts(dir: string): Promise<TfjsArtifacts> {
  const bundled = !(await exists(path.join(dir, 'model.json'))) && (await exists(path.join(dir, 'model.min.js')));
  const sourceFiles: SourceFile[] = [];
  const read = async (file: string): Promise<Buffer> => {
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(dir, file));
    } catch {
      throw new TfjsArtifactsError(`${dir}: ${file} is missing or unreadable`);
    }
    sourceFiles.push({ file, sha256: sha256(bytes), bytes: bytes.length });
    return bytes;
  };

  const jsonFile = bundled ? 'model.min.js' : 'model.json';
  const jsonBytes = await read(jsonFile);
  let raw: unknown;
  if (bundled) {
    // Round-trip through JSON so the objects belong to this realm, not the vm context's.
    raw = JSON.parse(JSON.stringify(evalBundle(jsonFile, jsonBytes.toString('utf8'))));
  } else {
    try {
      raw = JSON.parse(jsonBytes.toString('utf8'));
    } catch (e) {
      throw new TfjsArtifactsError(`${dir}/${jsonFile}: not JSON (${(e as Error).message})`);
    }
  }
  const parsed = tfjsModelJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TfjsArtifactsError(`${dir}/${jsonFile}: not a tfjs model JSON: ${issues}`);
  }

  const chunks: Uint8Array[] = [];
  for (const group of parsed.data.weightsManifest) {
    for (const shard of group.paths) {
      if (shard.includes('/') || shard.includes('..')) throw new TfjsArtifactsError(`${dir}: shard path '${shard}' leaves the model folder`);
      if (!bundled) {
        chunks.push(await read(shard));
        continue;
      }
      const file = `${shard}.min.js`;
      const base64 = evalBundle(file, (await read(file)).toString('utf8'));
      if (typeof base64 !== 'string') throw new TfjsArtifactsError(`${dir}/${file}: expected the shard as a base64 string`);
      chunks.push(Buffer.from(base64, 'base64'));
    }
  }
  const weightData = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    weightData.set(c, offset);
    offset += c.length;
  }
  return {
    modelJson: parsed.data,
    weightSpecs: parsed.data.weightsManifest.flatMap((g) => g.weights),
    weightData,
    sourceFiles,
  };
}
