import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { BankError, HashBankSet } from '../../shared/banks/hash-bank-set.js';
import { hash256FromHex, hash256ToHex, type Hash256 } from '../../shared/images/hash256.js';
import { pdqHashImageDihedral } from '../../shared/images/pdq-image.js';
import { loadPdqReferenceData } from '../images/pdq-reference-data.js';

function flip(hex: string, bits: number[]): string {
  const h = hash256FromHex(hex);
  for (const b of bits) h[b >> 4] = (h[b >> 4] ?? 0) ^ (1 << (b & 15));
  return hash256ToHex(h);
}
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

const A = '0123456789abcdef'.repeat(4);
const B = 'f0e1d2c3b4a59687'.repeat(4);
const q = (hex: string, quality = 100): { hashes: Hash256[]; quality: number } => ({ hashes: [hash256FromHex(hex)], quality });

function sampleSet(options = {}) {
  return HashBankSet.load(
    [
      { bank: 'csam-known', label: 'csam', action: 'takedown', enabled: true, kind: 'block' },
      { bank: 'terror-gifct', label: 'extremism', action: 'review', enabled: true, kind: 'block' },
      { bank: 'news-photos', label: 'benign', action: 'review', enabled: true, kind: 'allow' },
    ],
    [
      { bank: 'csam-known', hash: A, note: 'case 1', source_id: 'te:1' },
      { bank: 'terror-gifct', hash: flip(A, range(20, 200)) },
      { bank: 'terror-gifct', hash: B.toUpperCase() },
    ],
    options,
  );
}

describe('HashBankSet matching', () => {
  it('matches within the threshold (31 by default) and not beyond', () => {
    const set = sampleSet();
    expect(set.match(q(flip(A, range(31)))).matches.map((m) => [m.bank, m.distance])).toEqual([['csam-known', 31]]);
    expect(set.match(q(flip(A, range(32)))).matches).toEqual([]);
    expect(set.match(q(flip(A, range(11, 200)))).matches.map((m) => [m.bank, m.distance])).toEqual([
      ['terror-gifct', 9],
      ['csam-known', 11],
    ]); // nearest first
  });

  it('reports the closest entry per bank with its label, action and entry details', () => {
    const { matches } = sampleSet().match(q(A));
    expect(matches).toEqual([
      { bank: 'csam-known', kind: 'block', label: 'csam', action: 'takedown', entry: { bank: 'csam-known', hash: A, note: 'case 1', sourceId: 'te:1' }, distance: 0, variant: 'original' },
      { bank: 'terror-gifct', kind: 'block', label: 'extremism', action: 'review', entry: { bank: 'terror-gifct', hash: flip(A, range(20, 200)) }, distance: 20, variant: 'original' },
    ]);
  });

  it('does not match images below the quality minimum (50 by default)', () => {
    const set = sampleSet();
    expect(set.match(q(A, 49))).toEqual({ matches: [], allowedBy: [], suppressed: [], lowQuality: true });
    expect(set.match(q(A, 50)).matches.length).toBe(2);
  });

  it('honours a configured threshold and minimum quality', () => {
    const set = sampleSet({ threshold: 10, minQuality: 80 });
    expect(set.match(q(flip(A, range(11)))).matches).toEqual([]);
    expect(set.match(q(flip(A, range(10)))).matches.map((m) => m.bank)).toEqual(['csam-known']);
    expect(set.match(q(A, 79)).lowQuality).toBe(true);
    expect(() => new HashBankSet({ threshold: 64 })).toThrow(RangeError);
  });

  it('ignores disabled banks', () => {
    const set = sampleSet();
    set.setEnabled('csam-known', false);
    expect(set.match(q(A)).matches.map((m) => m.bank)).toEqual(['terror-gifct']);
    set.setEnabled('csam-known', true);
    expect(set.match(q(A)).matches.map((m) => m.bank)).toEqual(['csam-known', 'terror-gifct']);
  });

  it('lets an allow-list match suppress every other bank for that image', () => {
    const set = sampleSet();
    set.addEntry({ bank: 'news-photos', hash: flip(A, range(5, 100)), note: 'AP photo' });
    const outcome = set.match(q(A));
    expect(outcome.matches).toEqual([]);
    expect(outcome.allowedBy.map((m) => [m.bank, m.distance])).toEqual([['news-photos', 5]]);
    expect(outcome.suppressed.map((m) => m.bank)).toEqual(['csam-known', 'terror-gifct']);
    // ...only while the allow bank is enabled
    set.setEnabled('news-photos', false);
    expect(set.match(q(A)).matches.length).toBe(2);
  });

  it('compares all eight dihedral variants: a rotated copy matches the bank entry of the original', async () => {
    const data = loadPdqReferenceData();
    const original = await pdqHashImageDihedral(data.read('aaa-orig.jpg'));
    const set = HashBankSet.load([{ bank: 'known', label: 'csam', action: 'takedown' }], [{ bank: 'known', hash: hash256ToHex(original.hash) }]);
    const rotatedBytes = await sharp(data.read('aaa-orig.jpg')).rotate(90).png().toBuffer();
    const rotated = await pdqHashImageDihedral(rotatedBytes);
    expect(set.match({ hashes: [rotated.hash], quality: rotated.quality }).matches).toEqual([]); // the plain hash alone misses
    const [m] = set.match({ hashes: rotated.variants, quality: rotated.quality }).matches;
    expect(m?.variant).toBe('rotate90'); // undoing a clockwise turn is a counter-clockwise one
    expect(m?.distance).toBeLessThanOrEqual(31);
  });
});

describe('HashBankSet administration', () => {
  it('loads rows, lists banks with entry counts, and normalises hex to lower case', () => {
    const set = sampleSet();
    expect(set.listBanks().map((b) => [b.bank, b.kind, b.entries])).toEqual([
      ['csam-known', 'block', 1],
      ['terror-gifct', 'block', 2],
      ['news-photos', 'allow', 0],
    ]);
    expect(set.entriesOf('terror-gifct').map((e) => e.hash)).toContain(B);
    expect(set.size).toBe(3);
  });

  it('keeps one entry per hash per bank, but the same hash may sit in two banks', () => {
    const set = sampleSet();
    expect(set.addEntry({ bank: 'csam-known', hash: A })).toBe(false);
    expect(set.addEntry({ bank: 'terror-gifct', hash: A })).toBe(true);
    expect(set.size).toBe(4);
  });

  it('removes entries and banks', () => {
    const set = sampleSet();
    expect(set.removeEntry('terror-gifct', B)).toBe(true);
    expect(set.removeEntry('terror-gifct', B)).toBe(false);
    expect(set.removeBank('csam-known')).toBe(true);
    expect(set.match(q(A)).matches.map((m) => m.bank)).toEqual(['terror-gifct']);
    expect(set.size).toBe(1);
    set.addBank({ bank: 'csam-known', label: 'csam', action: 'takedown' });
    expect(set.entriesOf('csam-known')).toEqual([]);
  });

  it('rejects bad rows with readable errors', () => {
    const set = sampleSet();
    expect(() => set.addBank({ bank: 'Bad Name', label: 'x', action: 'review' })).toThrow(/bank names/);
    expect(() => set.addBank({ bank: 'csam-known', label: 'csam', action: 'takedown' })).toThrow(BankError);
    expect(() => set.addBank({ bank: 'x', label: 'x', action: 'delete' as 'review' })).toThrow();
    expect(() => set.addEntry({ bank: 'nope', hash: A })).toThrow(/no bank named 'nope'/);
    expect(() => set.addEntry({ bank: 'csam-known', hash: 'abc' })).toThrow(/64 hex digits/);
  });

  it('changes its revision with anything that can change a match, and returns to it when undone', () => {
    const set = sampleSet();
    const start = set.revision;
    set.addEntry({ bank: 'csam-known', hash: B });
    const added = set.revision;
    expect(added).not.toBe(start);
    set.removeEntry('csam-known', B);
    expect(set.revision).toBe(start);
    set.setEnabled('news-photos', false);
    expect(set.revision).not.toBe(start);
    set.setEnabled('news-photos', true);
    expect(set.revision).toBe(start);
    expect(sampleSet({ threshold: 20 }).revision).not.toBe(start);
    // the same hash in another bank is a different set
    const moved = sampleSet();
    moved.removeEntry('csam-known', A);
    moved.addEntry({ bank: 'news-photos', hash: A });
    expect(moved.revision).not.toBe(start);
  });
});
