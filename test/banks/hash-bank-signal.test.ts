import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { HashBankSet } from '../../shared/banks/hash-bank-set.js';
import { hash256ToHex } from '../../shared/images/hash256.js';
import { pdqHashImage } from '../../shared/images/pdq-image.js';
import { itemSchema } from '../../shared/items/item-schema.js';
import { inProcessPdq } from '../../shared/images/pdq-runner.js';
import { HashBankSignal, type HashedImage } from '../../shared/signals/hash-bank-signal.js';
import type { ImageSource, SignalInput } from '../../shared/signals/signal.js';
import { loadPdqReferenceData } from '../images/pdq-reference-data.js';

const data = loadPdqReferenceData();
const source = (index: number, bytes: Buffer): ImageSource => ({ index, ok: true, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
const input = (id: string, images: ImageSource[]): SignalInput => ({
  item: itemSchema.parse({ id, kind: 'post', channel_id: 'chan-1', text: 'look', media: [] }),
  text: 'look',
  images,
});
const hex = async (file: string) => hash256ToHex((await pdqHashImage(data.read(file))).hash);

async function bankSet() {
  return HashBankSet.load(
    [
      { bank: 'known-bad', label: 'csam', action: 'takedown' },
      { bank: 'terror', label: 'extremism', action: 'review' },
      { bank: 'allowed-news', label: 'benign', action: 'review', kind: 'allow' },
    ],
    [
      { bank: 'known-bad', hash: await hex('aaa-orig.jpg'), note: 'bridge', source_id: 'te:7' },
      { bank: 'terror', hash: await hex('c.png') },
      { bank: 'allowed-news', hash: await hex('c.png') },
      { bank: 'terror', hash: await hex('wee.jpg') },
    ],
  );
}

describe('HashBankSignal', () => {
  it('hashes every image of every item, in order, and reports bank matches with evidence', async () => {
    const signal = new HashBankSignal({ banks: await bankSet() });
    const rotated = await sharp(data.read('blur-a-little.jpg')).rotate(180).jpeg().toBuffer();
    const outputs = await signal.evaluate([
      input('p1', [source(0, data.read('square-512x512.jpg')), source(1, rotated)]),
      input('p2', [source(0, data.read('wee.jpg'))]),
      input('p3', []),
    ]);
    expect(outputs).toHaveLength(3);

    const [p1, p2, p3] = outputs;
    expect(p1?.hits.map((h) => [h.signal, h.label, h.action, (h.evidence as { imageIndex: number }).imageIndex])).toEqual([
      ['bank:known-bad', 'csam', 'takedown', 0],
      ['bank:known-bad', 'csam', 'takedown', 1],
    ]);
    const rotatedHit = p1?.hits[1];
    expect(rotatedHit?.evidence).toMatchObject({ bank: 'known-bad', entry: { note: 'bridge', sourceId: 'te:7' }, quality: 100, imageIndex: 1, variant: 'rotate180' });
    expect((rotatedHit?.evidence as { distance: number }).distance).toBeLessThanOrEqual(31);
    expect(rotatedHit?.reason).toMatch(/^image 1 matches hash bank 'known-bad' \[te:7\] at distance \d+ \(as rotate180\)$/);
    expect(rotatedHit?.score).toBeGreaterThan(0.87);
    expect(p1?.errors).toBeUndefined();

    expect(p2?.hits.map((h) => [h.signal, h.label, h.action, h.score])).toEqual([['bank:terror', 'extremism', 'review', 1]]);
    expect(p3).toEqual({ hits: [], scores: {} });
  });

  it('suppresses block-bank hits for an image on an allow list, but still scores the allow match', async () => {
    const signal = new HashBankSignal({ banks: await bankSet() });
    const [out] = await signal.evaluate([input('p', [source(0, data.read('c.png'))])]);
    expect(out?.hits).toEqual([]);
    expect(out?.scores).toEqual({ 'bank:allowed-news': 1 });
  });

  it('turns corrupt images, failed loads and low-quality images into errors, not throws', async () => {
    const signal = new HashBankSignal({ banks: await bankSet() });
    const jpeg = data.read('aaa-orig.jpg');
    const [out] = await signal.evaluate([
      input('p', [
        source(0, jpeg.subarray(0, 5000)),
        { index: 1, ok: false, error: 'fetching http://x/y.jpg: HTTP 404 from x [http_status]' },
        source(2, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64"/></svg>')),
        source(3, data.read('small.jpg')),
        source(4, jpeg),
      ]),
    ]);
    expect(out?.errors).toHaveLength(4);
    expect(out?.errors?.[0]).toMatch(/^image 0: corrupt: /);
    expect(out?.errors?.[1]).toBe('image 1: fetching http://x/y.jpg: HTTP 404 from x [http_status]');
    expect(out?.errors?.[2]).toMatch(/^image 2: unsupported: /);
    expect(out?.errors?.[3]).toBe('image 3: PDQ quality 0 is below 50, not matched against banks');
    expect(out?.hits.map((h) => (h.evidence as { imageIndex: number }).imageIndex)).toEqual([4]);
  });

  it('keeps its version when banks change: new entries reach old media through stored hashes, not sweeps', async () => {
    const banks = await bankSet();
    const signal = new HashBankSignal({ banks });
    const before = signal.version;
    expect(before).toBe('pdq1.t31.q50');
    banks.addEntry({ bank: 'terror', hash: 'f'.repeat(64) });
    expect(signal.version).toBe(before);
    expect(new HashBankSignal({ banks: HashBankSet.load([], [], { threshold: 20 }) }).version).toBe('pdq1.t20.q50');
  });

  it('hands every well-hashed image to onHashed with its item, index and eight variants', async () => {
    const seen: HashedImage[][] = [];
    const signal = new HashBankSignal({ banks: await bankSet(), onHashed: async (images) => void seen.push(images) });
    const weeBytes = data.read('wee.jpg');
    const wee = source(0, weeBytes);
    const weeSha = createHash('sha256').update(weeBytes).digest('hex');
    await signal.evaluate([input('p1', [wee, source(1, data.read('small.jpg'))]), input('p2', [{ ...wee, index: 3 }])]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.map((h) => [h.itemId, h.imageIndex, h.sha256, h.variants.length])).toEqual([
      ['p1', 0, weeSha, 8],
      ['p2', 3, weeSha, 8],
    ]);
    expect(hash256ToHex(seen[0]![0]!.variants[0]!)).toBe(await hex('wee.jpg'));
  });

  it('hashes through the runBatch it is given, once per distinct image', async () => {
    const calls: number[] = [];
    const local = inProcessPdq();
    const signal = new HashBankSignal({ banks: await bankSet(), hashBatch: async (inputs) => (calls.push(inputs.length), local(inputs)) });
    const wee = source(0, data.read('wee.jpg'));
    const outs = await signal.evaluate([input('a', [wee]), input('b', [wee, source(1, data.read('c.png'))])]);
    expect(calls).toEqual([2]);
    expect(outs[0]?.hits.map((h) => h.signal)).toEqual(['bank:terror']);
    await signal.evaluate([input('c', [wee])]);
    expect(calls).toEqual([2]); // cached by sha256
  });

  it('hashes an image posted in many items once per batch', async () => {
    const banks = await bankSet();
    const signal = new HashBankSignal({ banks, cacheSize: 2 });
    const wee = source(0, data.read('wee.jpg'));
    const outs = await signal.evaluate(Array.from({ length: 50 }, (_, i) => input(`p${i}`, [wee])));
    expect(outs.every((o) => o.hits.length === 1 && o.hits[0]?.signal === 'bank:terror')).toBe(true);
  });
});
