import { describe, expect, it } from 'vitest';
import { checkCorpusLines } from '../../shared/text-training/corpus-check.js';
import type { TextRecord } from '../../shared/text-training/dataset.js';

const corpus: TextRecord[] = [
  { text: 'Fresh cocaine delivered in the city center tonight, message the bot for prices', labels: ['illegal_goods'], lang: 'en' },
  { text: 'Police warn of fake parcel-fee text messages asking for card details', labels: [], lang: 'en' },
  { text: 'Свежий кокаин с доставкой по центру города сегодня ночью, пишите боту за ценами', labels: ['illegal_goods'], lang: 'ru' },
];

const lines = (...records: TextRecord[]) => records.map((record, i) => ({ record, line: i + 1 }));

describe('corpus-check: vetting new corpus lines', () => {
  it('accepts a distinct line and names every rejected one with its line number and what it repeats', () => {
    const { accepted, rejected } = checkCorpusLines(
      corpus,
      lines(
        { text: 'Weekend hiking club: Saturday 8am meet at the north trailhead, bring water', labels: [], lang: 'en' },
        // The featurizer folds leet and case: this is the corpus's first line again.
        { text: 'FRESH C0CAINE delivered in the city center tonight, message the bot for prices', labels: ['illegal_goods'], lang: 'en' },
        // A templated variant: one word changed.
        { text: 'Fresh cocaine delivered in the city center tonight, message the admin for prices', labels: ['illegal_goods'], lang: 'en' },
      ),
      'new.jsonl',
    );
    expect(accepted.map((r) => r.text)).toEqual(['Weekend hiking club: Saturday 8am meet at the north trailhead, bring water']);
    expect(rejected.map((r) => [r.line, r.message.split(' (')[0]])).toEqual([
      [2, 'repeats a line already in the corpus'],
      [3, 'variant of a line already in the corpus'],
    ]);
    expect(rejected[1]?.similarTo).toBe(corpus[0]?.text);
  });

  it('catches two variants of each other inside the new batch, and a wrong language', () => {
    const { accepted, rejected } = checkCorpusLines(
      corpus,
      lines(
        { text: 'Sub for sub! Follow my channel and I follow yours back within the hour', labels: ['spam'], lang: 'en' },
        { text: 'Sub for sub! Follow my channel and I follow yours back within the day', labels: ['spam'], lang: 'en' },
        { text: 'Подписка на подписку, взаимный пиар каналов', labels: ['spam'], lang: 'ru' },
      ),
      'new.jsonl',
      { nearDuplicate: 0.5, lang: 'en' },
    );
    expect(accepted).toHaveLength(1);
    expect(rejected.map((r) => r.line)).toEqual([2, 3]);
    expect(rejected[1]?.message).toBe("lang is 'ru', expected 'en'");
  });

  it('compares near-duplicates within a language only: a translation is new material', () => {
    const { accepted } = checkCorpusLines(
      corpus.filter((r) => r.lang === 'ru'),
      lines({ text: 'Fresh cocaine delivered in the city center tonight, message the bot for prices', labels: ['illegal_goods'], lang: 'en' }),
      'new.jsonl',
    );
    expect(accepted).toHaveLength(1);
  });
});
