import { access } from 'node:fs/promises';
import { ModelLoadError } from '../shared/models/model-manifest.js';
import { DatasetError } from '../shared/text-training/dataset.js';
import { FeaturizerConfigError } from '../shared/text/text-featurizer.js';

export async function fileExists(file: unknown): Promise<boolean> {
  if (typeof file !== 'string') return false;
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Bad data and bad model folders are the operator's to fix: a message and exit 1, not a stack trace. */
export async function withOperatorErrors(command: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ModelLoadError || e instanceof DatasetError || e instanceof FeaturizerConfigError) {
      process.stderr.write(`modpipe ${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
