import { readFile, access } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../validation/describe-issues.js';

export const thresholdSchema = z.object({
  review: z.number().min(0).max(1),
  takedown: z.number().min(0).max(1),
});

export const modelManifestSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.string().min(1),
  task: z.enum(['text-classification', 'image-classification']),
  /** How inputs become tensors; training and serving share it by name and parameters. */
  featurizer: z.object({ name: z.string(), params: z.record(z.string(), z.unknown()).default({}) }),
  labels: z.array(z.string().min(1)).min(1),
  /** Per label; a label without thresholds is scored and recorded but never acted on. */
  thresholds: z.record(z.string(), thresholdSchema).default({}),
  inputs: z.array(z.string()).min(1),
  outputs: z.array(z.string()).min(1),
  metrics: z.record(z.string(), z.unknown()).default({}),
  training: z.record(z.string(), z.unknown()).default({}),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

export interface ModelFolder {
  dir: string;
  manifest: ModelManifest;
  onnxPath: string;
}

/** Reads and checks a model folder; every problem is a ModelLoadError naming the folder. */
export async function loadModelFolder(dir: string): Promise<ModelFolder> {
  const manifestPath = path.join(dir, 'manifest.json');
  const onnxPath = path.join(dir, 'model.onnx');
  let raw: string;
  try {
    raw = await readFile(manifestPath, 'utf8');
  } catch {
    throw new ModelLoadError(`model folder ${dir}: manifest.json is missing or unreadable`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new ModelLoadError(`model folder ${dir}: manifest.json is not valid JSON (${(e as Error).message})`);
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error, { root: '(root)' });
    throw new ModelLoadError(`model folder ${dir}: manifest.json is invalid: ${issues}`);
  }
  const unknownLabels = Object.keys(parsed.data.thresholds).filter((l) => !parsed.data.labels.includes(l));
  if (unknownLabels.length) throw new ModelLoadError(`model folder ${dir}: thresholds name unknown labels ${unknownLabels.join(', ')}`);
  try {
    await access(onnxPath);
  } catch {
    throw new ModelLoadError(`model folder ${dir}: model.onnx is missing`);
  }
  return { dir, manifest: parsed.data, onnxPath };
}

/** `name@version`, the form recorded in events and actors. */
export function modelVersionTag(m: ModelManifest): string {
  return `${m.name}@${m.version}`;
}
