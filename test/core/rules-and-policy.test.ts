import { describe, expect, it } from 'vitest';
import { itemSchema } from '../../shared/items/item-schema.js';
import { decide } from '../../shared/policy/policy.js';
import { loadRuleList, ruleListSchema } from '../../shared/rules/rule-list.js';
import { RulesSignal } from '../../shared/rules/rules-signal.js';
import { compileSafeRegex, UnsafeRegexError } from '../../shared/rules/safe-regex.js';
import type { SignalHit } from '../../shared/signals/signal.js';
import { textOf } from '../../shared/classify/classifier.js';

const input = (text: string) => {
  const item = itemSchema.parse({ id: 'p1', kind: 'post', channel_id: 'c1', text });
  return { item, text: textOf(item), images: [] };
};

describe('bounded regexes', () => {
  it.each([
    ['(a+)+$', /nested quantifiers/],
    ['(\\w*)*x', /nested quantifiers/],
    ['(a|aa){2,}(b+)*', /nested quantifiers/],
    ['(x)\\1', /backreferences/],
    ['(?=a)b', /lookarounds/],
    ['(?<!a)b', /lookarounds/],
    ['a'.repeat(600), /longer than/],
    ['(unclosed', /unbalanced|invalid/],
  ])('refuses %s', (pattern, reason) => {
    expect(() => compileSafeRegex(pattern)).toThrow(UnsafeRegexError);
    expect(() => compileSafeRegex(pattern)).toThrow(reason);
  });

  it('accepts ordinary patterns and matches case-insensitively', () => {
    const re = compileSafeRegex('(send|schick\\w*)[^.]{0,40}\\b(btc|eth)\\b');
    expect(re.test('Please SEND 1 BTC now')).toBe(true);
  });

  it('keeps a refused pattern from costing anything at match time', () => {
    // The classic catastrophic pattern would take seconds on this input; it never gets compiled.
    expect(() => compileSafeRegex('^(a+)+$')).toThrow();
  });
});

describe('the rule-list signal', () => {
  const signal = new RulesSignal(
    ruleListSchema.parse({
      version: 't1',
      rules: [
        { id: 'drugs', kind: 'keywords', label: 'illegal_goods', action: 'review', terms: ['закладки', 'coke delivery'] },
        { id: 'phish', kind: 'domains', label: 'scam', action: 'takedown', domains: ['evil.example'] },
        { id: 'gambling-tr', kind: 'keywords', label: 'spam', action: 'takedown', terms: ['bahis bonusu'], jurisdictions: ['TR'] },
      ],
    }),
  );

  it('matches keywords as whole words, through case, width and invisible characters', async () => {
    const [a, b, c, d] = await signal.evaluate([input('ЗАКЛАДКИ по городу'), input('за\u200bкладки тут'), input('sзакладкиs'), input('ｃｏｋｅ delivery tonight')]);
    expect(a!.hits.map((h) => h.label)).toEqual(['illegal_goods']);
    expect(b!.hits).toHaveLength(1);
    expect(c!.hits).toHaveLength(0);
    expect(d!.hits[0]?.evidence).toMatchObject({ rule: 'drugs', matched: 'coke delivery' });
  });

  it('matches a listed domain and its subdomains, not look-alike suffixes', async () => {
    const outs = await signal.evaluate([input('go to https://login.evil.example/x'), input('see evil.example.'), input('notevil.example is fine')]);
    expect(outs.map((o) => o.hits.length)).toEqual([1, 1, 0]);
  });

  it('carries a rule’s jurisdictions into its hit', async () => {
    const [out] = await signal.evaluate([input('En iyi bahis bonusu burada')]);
    expect(out!.hits[0]).toMatchObject({ action: 'takedown', jurisdictions: ['TR'] });
  });

  it('loads the shipped default rule list', async () => {
    const list = await loadRuleList('rules/default-rules.json');
    expect(list.rules.length).toBeGreaterThan(3);
    expect(() => new RulesSignal(list)).not.toThrow();
  });
});

describe('the policy', () => {
  const hit = (label: string, action: SignalHit['action'], jurisdictions?: string[]): SignalHit => ({ signal: 's', label, score: 0.9, action, reason: `${label} ${action}`, jurisdictions });

  it('allows when nothing asks for action', () => {
    expect(decide([hit('spam', 'none')])).toMatchObject({ verdict: 'allow', category: null });
  });
  it('reviews when a signal asks for review, naming the most severe category', () => {
    expect(decide([hit('spam', 'review'), hit('extremism', 'review')])).toMatchObject({ verdict: 'review', category: 'extremism' });
  });
  it('takes down globally when any takedown hit is global', () => {
    expect(decide([hit('spam', 'takedown', ['TR']), hit('scam', 'takedown'), hit('csam', 'review')])).toMatchObject({ verdict: 'takedown', category: 'scam', scope: { global: true } });
  });
  it('takes down only where every takedown hit is limited to named countries', () => {
    expect(decide([hit('spam', 'takedown', ['TR']), hit('spam', 'takedown', ['DE', 'TR'])])).toMatchObject({ scope: { jurisdictions: ['DE', 'TR'] } });
  });
});
