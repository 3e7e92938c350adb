import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, splitRecords } from '../../shared/text-training/corpus-split.js';
import { parseJsonl, type TextRecord } from '../../shared/text-training/dataset.js';
import { emailToText } from '../../shared/text-training/email-text.js';
import { LinearTextModel } from '../../shared/text-training/fasttext-trainer.js';
import { averagePrecision, pickF1Threshold, pickPrecisionThreshold, pickRecallThreshold, pointMetrics } from '../../shared/text-training/metrics.js';
import { chooseThresholds, TAKEDOWN_DISABLED } from '../../shared/text-training/thresholds.js';

describe('metrics and thresholds', () => {
  // Scores high to low with truth: 1 1 1 0 1 0 0 1 0 0
  const scores = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];
  const truth = [1, 1, 1, 0, 1, 0, 0, 1, 0, 0];

  it('computes P/R/F1 at a threshold and average precision', () => {
    const m = pointMetrics(scores, truth, 0.7);
    expect([m.tp, m.fp, m.fn, m.tn]).toEqual([4, 1, 1, 4]);
    expect(m.precision).toBeCloseTo(0.8, 10);
    expect(m.recall).toBeCloseTo(0.8, 10);
    // AP = (1 + 1 + 1 + 4/5 + 5/8) / 5
    expect(averagePrecision(scores, truth)).toBeCloseTo((3 + 0.8 + 0.625) / 5, 10);
  });

  it('takedown: the lowest score keeping precision >= target; review: the highest reaching the recall', () => {
    expect(pickPrecisionThreshold(scores, truth, 0.97)).toBe(0.85);
    expect(pickPrecisionThreshold(scores, truth, 0.8)).toBe(0.7);
    expect(pickPrecisionThreshold(scores, truth, 0.97, 4)).toBeNull();
    expect(pickRecallThreshold(scores, truth, 0.8)).toBe(0.7);
    expect(pickRecallThreshold(scores, truth, 0.9)).toBe(0.4);
  });

  it('picks takedown at precision 0.99 on the picking scores, a margin over the 0.97 target', () => {
    // 60 positives from 0.99 down, one negative at 0.9 and one at 0.7 among them, then negatives.
    const s: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 60; i++) {
      s.push(0.99 - i * 0.005);
      y.push(1);
    }
    s.push(0.9, 0.7, 0.2, 0.1);
    y.push(0, 0, 0, 0);
    const { thresholds } = chooseThresholds(['x'], [s], [Uint8Array.from(y)]);
    // Above 0.9 precision is 1; from the negative at 0.9 down it stays below 0.99 (19/20 ... 60/62).
    const above = s.filter((v, i) => y[i] === 1 && v > 0.9);
    expect(thresholds.x?.takedown).toBeCloseTo(Math.min(...above), 10);
    expect(thresholds.x?.review).toBeLessThan(thresholds.x?.takedown as number);
  });

  it('places the decision point where F1 peaks, halfway to the next score down', () => {
    // F1 per cut: .33 .57 .75 .67 .80 .73 .67 .77 .71 .67, so the peak keeps the top five.
    expect(pickF1Threshold(scores, truth)).toBeCloseTo(0.65, 10);
    expect(pickF1Threshold(scores, truth.map(() => 0))).toBeNull();
  });

  it('moves a label\'s 0.5 point by shifting its bias, leaving the other labels and the ranking alone', () => {
    // Two buckets, two labels: bucket 0 pushes label 0 up, bucket 1 less so.
    const model = new LinearTextModel(2, 2, Float32Array.from([2, 1, 1, 1]), Float32Array.from([0, 0]));
    const before = [model.score(Int32Array.of(0)), model.score(Int32Array.of(1))];
    const s = before[1]?.[0] as number;
    const shifted = model.shifted([Math.log(s / (1 - s)), 0]);
    const after = [shifted.score(Int32Array.of(0)), shifted.score(Int32Array.of(1))];
    expect(after[1]?.[0]).toBeCloseTo(0.5, 6);
    expect(after[0]?.[0]).toBeGreaterThan(after[1]?.[0] as number);
    expect(after[0]?.[1]).toBe(before[0]?.[1]);
  });

  it('caps review at takedown and disables takedown when precision is out of reach', () => {
    const { thresholds, notes } = chooseThresholds(['a', 'b'], [scores, [0.9, 0.8, 0.7]], [Uint8Array.from(truth), Uint8Array.from([0, 1, 1])]);
    expect(thresholds.a).toEqual({ review: 0.4, takedown: TAKEDOWN_DISABLED });
    expect(notes.a).toMatch(/review only/);
    expect(thresholds.b).toEqual({ review: 0.7, takedown: TAKEDOWN_DISABLED });
  });
});

describe('dataset lines', () => {
  it('reports bad lines with their line numbers and keeps the good ones', () => {
    const text = ['{"text":"ok","labels":[],"lang":"en"}', '', 'not json', '{"text":"x","labels":["drugs"],"lang":"en"}', '{"text":"y","labels":["spam","spam"],"lang":"en"}', '{"text":"","labels":[],"lang":"english"}'].join('\n');
    const { records, bad } = parseJsonl(text, 'c.jsonl');
    expect(records).toEqual([{ text: 'ok', labels: [], lang: 'en' }]);
    expect(bad.map((b) => b.line)).toEqual([3, 4, 5, 6]);
    expect(bad[1]?.message).toMatch(/labels\.0/);
    expect(bad[2]?.message).toMatch(/labels repeat/);
    expect(bad[3]?.message).toMatch(/text is empty.*lang is a 2-3 letter code|lang is a 2-3 letter code.*text is empty/);
  });
});

describe('corpus split', () => {
  const records: TextRecord[] = [];
  // Distinct texts: pseudo-words from syllables (numbers would all normalise to <num>).
  const lat = ['ka', 'lo', 'mi', 'ne', 'pu', 'ra', 'si', 'to', 'vu', 'ze'];
  const cyr = ['ба', 'ве', 'ги', 'до', 'жу', 'зя', 'ки', 'лу', 'мо', 'ны'];
  const word = (syl: string[], i: number, salt: number) => [0, 1, 2].map((d) => syl[(Math.floor(i / 10 ** d) + salt * (d + 1)) % 10]).join('');
  for (let i = 0; i < 40; i++) {
    records.push({ text: [1, 2, 3, 4].map((salt) => word(lat, i * 7 + salt * 13, salt)).join(' '), labels: [], lang: 'en' });
    records.push({ text: [1, 2, 3, 4].map((salt) => word(cyr, i * 7 + salt * 13, salt)).join(' '), labels: ['illegal_goods'], lang: 'ru' });
  }
  // A templated family: near-identical texts that must stay on one side.
  for (const city of ['berlin', 'munich', 'hamburg', 'cologne']) records.push({ text: `Fresh weed delivery in ${city} today, write to the bot for the menu`, labels: ['illegal_goods'], lang: 'en' });
  // An exact duplicate after normalisation (leet).
  records.push({ text: (records[0] as TextRecord).text.toUpperCase(), labels: [], lang: 'en' });

  it('is deterministic, order-independent, stratified and keeps near-duplicates together', () => {
    const a = splitRecords(records);
    const b = splitRecords([...records].reverse());
    expect(b.splits).toEqual(a.splits);
    expect(a.stats.exactDuplicates).toBe(1);
    const sides = (['train', 'calibration', 'heldout'] as const).filter((s) => a.splits[s].some((r) => r.text.startsWith('Fresh weed')));
    expect(sides).toHaveLength(1);
    expect(a.splits[sides[0] as 'train'].filter((r) => r.text.startsWith('Fresh weed'))).toHaveLength(4);
    const ruHeld = a.splits.heldout.filter((r) => r.lang === 'ru').length;
    expect(ruHeld).toBe(Math.round(40 * DEFAULT_SPLIT.fractions.heldout));
    expect(a.splits.train.length + a.splits.calibration.length + a.splits.heldout.length).toBe(records.length - 1);
  });
});

describe('emailToText', () => {
  it('keeps the subject and the readable body, drops headers, quotes and markup', () => {
    const raw = [
      'From: someone@example.com',
      'Received: from mx by host',
      'Subject: =?utf-8?B?V2luIGEgcHJpemU=?=',
      'Content-Type: multipart/alternative; boundary="XX"',
      '',
      '--XX',
      'Content-Type: text/html',
      '',
      '<html><body><p>HTML version</p></body></html>',
      '--XX',
      'Content-Type: text/plain',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Claim your pri=',
      'ze now =E2=80=94 click',
      '> quoted reply line',
      '-- ',
      'signature',
      '--XX--',
    ].join('\n');
    expect(emailToText(raw)).toBe('Win a prize\nClaim your prize now — click');
  });
});
