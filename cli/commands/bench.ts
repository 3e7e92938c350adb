import { UsageError } from '../command.js';

const BENCHES: Record<string, () => Promise<(args: string[]) => Promise<void>>> = {
  pipeline: async () => (await import('../../bench/pipeline.js')).runPipelineBench,
  classify: async () => (await import('../../bench/classify-text.js')).runClassifyTextBench,
  images: async () => (await import('../../bench/images.js')).runImagesBench,
  api: async () => (await import('../../bench/api-push.js')).runApiBench,
};

/** `modpipe bench <name> [options]`: each benchmark prints its own figures. */
export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const load = name ? BENCHES[name] : undefined;
  if (!load) throw new UsageError(`usage: modpipe bench <${Object.keys(BENCHES).join('|')}> [options]`);
  await (await load())(rest);
  return 0;
}
