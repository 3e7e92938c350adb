import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashBankSet } from '../../shared/banks/hash-bank-set.js';
import { hammingDistanceHex, hash256ToHex } from '../../shared/images/hash256.js';
import { InferencePool } from '../../shared/onnx/inference-pool.js';
import { inProcessPdq, type PdqInput, type PdqOutcome } from '../../shared/images/pdq-runner.js';
import { itemSchema } from '../../shared/items/item-schema.js';
import { HashBankSignal } from '../../shared/signals/hash-bank-signal.js';
import { decompressionBombPng } from './image-fixtures.js';
import { loadPdqReferenceData } from './pdq-reference-data.js';

/** PDQ hashing runs in the inference pool's worker threads, off the event loop, bit for bit as in process. */

const data = loadPdqReferenceData();
let pool: InferencePool<PdqInput, PdqOutcome>;

beforeAll(async () => {
  pool = await InferencePool.start<PdqInput, PdqOutcome>({ runnerModule: new URL('../../shared/images/pdq-runner.ts', import.meta.url), modelDir: '', threads: 2 });
});
afterAll(async () => {
  await pool?.close();
});

describe('the PDQ runner in the inference pool', () => {
  it('returns the reference hashes, quality and eight variants, with per-image errors', async () => {
    const inputs = [{ bytes: data.read('aaa-orig.jpg') }, { bytes: Buffer.from('not an image') }, { bytes: data.read('c.png') }];
    const pooled = await pool.runBatch(inputs);
    expect(pooled).toEqual(await inProcessPdq()(inputs));
    const [first, broken] = pooled;
    expect(first?.ok && first.variants.length).toBe(8);
    // Within the 2 bits the pre-shrink costs against Meta's published hash (see pdq-image.ts).
    const expected = data.rows.find((r) => r.file === 'aaa-orig.jpg')?.pdq_hex ?? '';
    expect(first?.ok && hammingDistanceHex(hash256ToHex(first.variants[0]!), expected)).toBeLessThanOrEqual(2);
    expect(broken).toEqual({ ok: false, error: expect.stringMatching(/^(corrupt|unsupported): /) });
  });

  it('refuses a decompression bomb from its header, without decoding it', async () => {
    const [out] = await pool.runBatch([{ bytes: await decompressionBombPng() }]);
    expect(out).toEqual({ ok: false, error: expect.stringMatching(/^too_many_pixels: the image is 50000x50000 /) });
  });

  it('serves as the hash-bank signal’s hashBatch', async () => {
    const wee = data.read('wee.jpg');
    const hex = data.rows.find((r) => r.file === 'wee.jpg')?.pdq_hex ?? '';
    const banks = HashBankSet.load([{ bank: 'terror', label: 'extremism', action: 'takedown' }], [{ bank: 'terror', hash: hex }]);
    const signal = new HashBankSignal({ banks, hashBatch: pool.runBatch });
    const item = itemSchema.parse({ id: 'p1', kind: 'post', channel_id: 'c1', text: 'x' });
    const [out] = await signal.evaluate([{ item, text: 'x', images: [{ index: 0, ok: true, bytes: wee, sha256: createHash('sha256').update(wee).digest('hex') }] }]);
    expect(out?.hits.map((h) => [h.signal, h.action])).toEqual([['bank:terror', 'takedown']]);
  });
});
