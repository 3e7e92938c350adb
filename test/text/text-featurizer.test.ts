import { describe, expect, it } from 'vitest';
import { fmix32, fnv1a, CHAR_BASIS } from '../../shared/text/feature-hash.js';
import { DEFAULT_FEATURIZER_PARAMS, FeaturizerConfigError, PackBuffers, TextFeaturizer, packFeatures } from '../../shared/text/text-featurizer.js';

describe('TextFeaturizer', () => {
  const f = new TextFeaturizer({ ...DEFAULT_FEATURIZER_PARAMS, bucketsLog2: 16, charNgramMin: 2, charNgramMax: 5, lengthPrior: 0 });

  it('hashes with 32-bit FNV-1a (reference vectors) and a murmur3 finaliser', () => {
    // FNV-1a 32 of "a" is 0xe40c292c, of "foobar" 0xbf9cf968 (published test vectors).
    expect(fnv1a('a', CHAR_BASIS) >>> 0).toBe(0xe40c292c);
    expect(fnv1a('foobar', CHAR_BASIS) >>> 0).toBe(0xbf9cf968);
    expect(fmix32(0) >>> 0).toBe(0);
    expect(fmix32(1) >>> 0).toBe(0x514e28b7);
  });

  it('counts word unigram, bigram and character 2-5-grams of "<word>"', () => {
    // "ab": unigram, "<ab>" gives 2-grams <a ab b> (3), 3-grams <ab ab> (2), 4-gram <ab> (1).
    expect(f.featurize('ab').length).toBe(1 + 6);
    // "ab cd": two words of 7 each, plus one bigram.
    expect(f.featurize('ab cd').length).toBe(7 + 7 + 1);
    // Marker tokens get a unigram only.
    expect(f.featurize('12345').length).toBe(1);
  });

  it('maps evasions to the same features as the plain text', () => {
    expect(Array.from(f.featurize('b u y  c 0 k e'))).toEqual(Array.from(f.featurize('buy coke')));
    expect(Array.from(f.featurize('kокaин'))).toEqual(Array.from(f.featurize('кокаин')));
  });

  it('keeps every id inside the bucket range and caps the count', () => {
    const capped = new TextFeaturizer({ ...DEFAULT_FEATURIZER_PARAMS, bucketsLog2: 10, maxFeatures: 50 });
    expect(capped.params.lengthPrior).toBe(128);
    const ids = capped.featurize('a fairly long sentence with many different words in it, more than fifty features');
    expect(ids.length).toBe(50);
    for (const id of ids) expect(id >= 0 && id < 1024).toBe(true);
  });

  it('packs a batch with 1/count weights and zero padding', () => {
    const batch = f.featurizeBatch(['ab', 'ab cd', '']);
    expect(batch.rows).toBe(3);
    expect(batch.width).toBe(15);
    expect(Array.from(batch.ids.subarray(0, 7))).toEqual(Array.from(f.featurize('ab')));
    expect(batch.weights[0]).toBeCloseTo(1 / 7, 7);
    expect(batch.weights[7]).toBe(0);
    expect(batch.weights[15]).toBeCloseTo(1 / 15, 7);
    expect(Array.from(batch.weights.subarray(30, 45)).every((w) => w === 0)).toBe(true);
    const same = packFeatures([f.featurize('ab'), f.featurize('ab cd'), f.featurize('')]);
    expect(Array.from(same.ids)).toEqual(Array.from(batch.ids));
  });

  it('packs into reused buffers exactly as into fresh arrays, clearing what a wider batch left behind', () => {
    const buffers = new PackBuffers();
    const wide = ['a much longer text with many words and more words still', 'ab'];
    const narrow = ['ab cd', '', 'ab'];
    expect(f.featurizeBatch(wide, buffers)).toEqual(f.featurizeBatch(wide));
    const reused = f.featurizeBatch(narrow, buffers);
    expect(reused).toEqual(f.featurizeBatch(narrow));
    expect(reused.ids.buffer).toBe(buffers.ids.buffer);
  });

  it('rejects bad params with a clear error', () => {
    expect(() => new TextFeaturizer({ ...DEFAULT_FEATURIZER_PARAMS, charNgramMin: 6, charNgramMax: 3 })).toThrow(FeaturizerConfigError);
    expect(() => new TextFeaturizer({ ...DEFAULT_FEATURIZER_PARAMS, extra: 1 })).toThrow(/invalid/);
  });
});

describe('phonetic key view', () => {
  it('gives loanwords one key across scripts', async () => {
    const { phoneticKey } = await import('../../shared/text/phonetic-key.js');
    for (const w of ['cocaine', 'kokain', 'кокаин', 'كوكايين', '코카인']) expect(phoneticKey(w)).toBe('kokain');
    for (const w of ['bitcoin', 'биткоин', 'بيتكوين', '비트코인']) expect(phoneticKey(w)).toBe('bitkoin');
    expect(phoneticKey('ok')).toBeNull();
    expect(phoneticKey('❄')).toBeNull();
  });

  it('adds key features only when enabled and the key differs from the word', () => {
    const off = new TextFeaturizer({ ...DEFAULT_FEATURIZER_PARAMS, charNgramMin: 2, phoneticMinN: 0 });
    const on = new TextFeaturizer({ ...DEFAULT_FEATURIZER_PARAMS, charNgramMin: 2, phoneticMinN: 3 });
    expect(on.featurize('kokain').length).toBe(off.featurize('kokain').length);
    const de = Array.from(off.featurize('kokain'));
    const ruWithKey = new Set(on.featurize('кокаин'));
    const ruPlain = new Set(off.featurize('кокаин'));
    // Through its key the Russian word has the German word's unigram and all its 3..5-grams;
    // only the seven character bigrams of "<kokain>" are missing (the key view starts at 3).
    expect(ruWithKey.has(de[0] as number)).toBe(true);
    expect(de.filter((id) => !ruWithKey.has(id))).toHaveLength(7);
    expect(de.filter((id) => ruPlain.has(id))).toHaveLength(0);
  });
});

describe('length prior', () => {
  it('weights each feature 1/(count + prior), so short texts are judged less confidently', () => {
    const f = new TextFeaturizer({ ...DEFAULT_FEATURIZER_PARAMS, lengthPrior: 10 });
    const batch = f.featurizeBatch(['ab', 'a much longer text with many words']);
    const short = f.featurize('ab').length;
    const long = f.featurize('a much longer text with many words').length;
    expect(batch.weights[0]).toBeCloseTo(1 / (short + 10), 7);
    expect(batch.weights[batch.width]).toBeCloseTo(1 / (long + 10), 7);
    expect(packFeatures([f.featurize('ab')], 10).weights[0]).toBeCloseTo(1 / (short + 10), 7);
  });
});
