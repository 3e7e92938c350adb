import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { DEFAULT_MAX_IMAGE_BYTES, ImageDecodeError } from '../../shared/images/decode-image.js';
import { hash256ToHex } from '../../shared/images/hash256.js';
import { DIHEDRAL_VARIANTS } from '../../shared/images/pdq.js';
import { pdqHashImageDihedral } from '../../shared/images/pdq-image.js';
import { ImageFetchError, safeFetchImage } from '../../shared/images/safe-fetch.js';

const HELP = `usage: modpipe hash [--json] <file-or-url>...

Prints the PDQ hash of each image as the reference tool does: '<hash>,<quality>,<source>'.
URLs (http, https) are fetched with SSRF protection: private and loopback addresses are refused.
--json prints one JSON object per image, with size, format and the eight dihedral hashes.
Exit code 1 if any image could not be hashed.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(HELP);

  let failures = 0;
  for (const source of positionals) {
    try {
      const bytes = await load(source);
      const r = await pdqHashImageDihedral(bytes);
      const hex = hash256ToHex(r.hash);
      if (values.json) {
        const variants = Object.fromEntries(DIHEDRAL_VARIANTS.map((v) => [v, hash256ToHex(r.variants[v])]));
        process.stdout.write(`${JSON.stringify({ source, hash: hex, quality: r.quality, width: r.width, height: r.height, format: r.format, variants })}\n`);
      } else {
        process.stdout.write(`${hex},${r.quality},${source}\n`);
      }
    } catch (err) {
      if (!(err instanceof ImageDecodeError || err instanceof ImageFetchError || isFileError(err))) throw err;
      failures++;
      const reason = 'reason' in err ? ` [${String(err.reason)}]` : '';
      process.stderr.write(`modpipe hash: ${source}: ${err.message}${reason}\n`);
    }
  }
  return failures > 0 ? 1 : 0;
}

async function load(source: string): Promise<Buffer> {
  if (/^https?:\/\//i.test(source)) return (await safeFetchImage(source)).bytes;
  // Check the size first: the decoder would refuse a huge file anyway, after we had read it all.
  const { size } = await stat(source);
  if (size > DEFAULT_MAX_IMAGE_BYTES) throw new ImageDecodeError('too_large', `the file is ${size} bytes, more than the ${DEFAULT_MAX_IMAGE_BYTES} allowed`);
  return readFile(source);
}

function isFileError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined;
}
