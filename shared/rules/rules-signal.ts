import type { Signal, SignalHit, SignalInput, SignalOutput } from '../signals/signal.js';
import type { Rule, RuleList } from './rule-list.js';
import { compileSafeRegex, MAX_MATCH_INPUT } from './safe-regex.js';

/** Case- and width-folded text with invisible characters removed: rule terms match evasions too. */
export function foldForRules(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]/g, '')
    .toLowerCase();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const HOST = /\b(?:https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\b/giu;

interface CompiledRule {
  rule: Rule;
  match(text: string, hosts: readonly string[]): string | null;
}

function compile(rule: Rule): CompiledRule {
  switch (rule.kind) {
    case 'keywords': {
      // One alternation of literals, bounded by non-letters: linear in the text.
      const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${rule.terms.map((t) => escape(foldForRules(t))).join('|')})(?![\\p{L}\\p{N}])`, 'u');
      return { rule, match: (text) => re.exec(text)?.[0] ?? null };
    }
    case 'domains': {
      const set = new Set(rule.domains.map((d) => d.toLowerCase().replace(/^\*\./, '')));
      return {
        rule,
        match: (_text, hosts) => {
          for (const h of hosts) {
            // A listed domain matches itself and its subdomains.
            for (let d = h; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) if (set.has(d)) return h;
          }
          return null;
        },
      };
    }
    case 'regex': {
      const re = compileSafeRegex(rule.pattern, rule.flags);
      return { rule, match: (text) => re.exec(text)?.[0] ?? null };
    }
  }
}

/** Blocklists, domain lists and bounded regexes from one rule-list file, as one signal. */
export class RulesSignal implements Signal {
  readonly name: string;
  readonly version: string;
  private readonly compiled: CompiledRule[];

  constructor(list: RuleList, name = 'rules') {
    this.name = name;
    this.version = `rules@${list.version}`;
    this.compiled = list.rules.map(compile);
  }

  async evaluate(inputs: readonly SignalInput[]): Promise<SignalOutput[]> {
    return inputs.map((input) => {
      const text = foldForRules(input.text.slice(0, MAX_MATCH_INPUT));
      const hosts = [...new Set([...text.matchAll(HOST)].map((m) => m[1]!.toLowerCase()))];
      const hits: SignalHit[] = [];
      for (const c of this.compiled) {
        const matched = c.match(text, hosts);
        if (matched === null) continue;
        hits.push({
          signal: `${this.name}:${c.rule.id}`,
          label: c.rule.label,
          score: 1,
          action: c.rule.action,
          reason: `rule ${c.rule.id} (${c.rule.kind}) matched "${matched.slice(0, 80)}"`,
          ...(c.rule.jurisdictions ? { jurisdictions: c.rule.jurisdictions } : {}),
          evidence: { rule: c.rule.id, kind: c.rule.kind, matched: matched.slice(0, 200) },
        });
      }
      return { hits };
    });
  }
}
