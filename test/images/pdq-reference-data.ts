import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Meta's PDQ reference images and hashes live in the `shared/` folder beside the repository
 * (not the repository's own `shared/` source folder): /work/shared/data/pdq when the repo is
 * /work/main. Tests find it relative to this file so they run from any working directory.
 */
export const PDQ_DATA_URL = new URL('../../../shared/data/pdq/', import.meta.url);

const rowSchema = z.object({
  file: z.string().min(1),
  pdq_hex: z.string().regex(/^[0-9a-f]{64}$/),
  quality: z.union([z.literal('').transform(() => undefined), z.coerce.number().int().min(0).max(100)]),
  source: z.string(),
});
export type PdqReferenceRow = z.infer<typeof rowSchema>;

export interface PdqReferenceData {
  dir: string;
  imagesDir: string;
  rows: PdqReferenceRow[];
  /** Every file in images/, sorted; the conformance test insists each has a row. */
  imageFiles: string[];
  read(file: string): Buffer;
}

export function loadPdqReferenceData(): PdqReferenceData {
  const dir = fileURLToPath(PDQ_DATA_URL);
  const csvPath = `${dir}expected.csv`;
  const imagesDir = `${dir}images/`;
  if (!existsSync(csvPath) || !existsSync(imagesDir)) {
    throw new Error(
      `PDQ reference data not found: expected ${csvPath} and ${imagesDir}. ` +
        'It ships in the shared/ folder beside the repository (shared/data/pdq, from facebook/ThreatExchange pdq/data).',
    );
  }
  const lines = readFileSync(csvPath, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.shift()?.split(',') ?? [];
  const rows = lines.map((line, i) => {
    const cells = line.split(',');
    const record = Object.fromEntries(header.map((h, k) => [h, cells[k] ?? '']));
    const parsed = rowSchema.safeParse(record);
    if (!parsed.success) throw new Error(`${csvPath} line ${i + 2}: ${parsed.error.message}`);
    return parsed.data;
  });
  const imageFiles = readdirSync(imagesDir).filter((f) => !f.startsWith('.')).sort();
  return { dir, imagesDir, rows, imageFiles, read: (file) => readFileSync(`${imagesDir}${file}`) };
}
