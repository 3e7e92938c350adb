import { createHash } from 'node:crypto';
import { normalizeText } from '../text/normalize-text.js';
import type { TextRecord } from './dataset.js';
import { nearDuplicateClusters } from './near-duplicates.js';

/**
 * Deterministic train / calibration / held-out split:
 * 1. exact duplicates after normalisation (the featurizer's, so "c0ke" = "coke") are kept once;
 * 2. near-duplicates (Jaccard >= 0.35 on character 5-gram shingles: templated variants, and the
 *    ru/uk adaptations of one another that the corpus holds) form clusters that always land
 *    on the same side, so held-out never holds a paraphrase of a training text;
 * 3. clusters are stratified by source, language and label set, ordered by a hash of their
 *    normalised text, and dealt to the split furthest below its target share.
 * The same input gives the same files, whatever the input order.
 */

export const SPLITS = ['train', 'calibration', 'heldout'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface SplitOptions {
  fractions: Record<SplitName, number>;
  /** Jaccard similarity at which two texts count as the same text. */
  nearDuplicateThreshold: number;
}

export const DEFAULT_SPLIT: SplitOptions = {
  fractions: { train: 0.6, calibration: 0.15, heldout: 0.25 },
  nearDuplicateThreshold: 0.35,
};

export interface SplitResult {
  splits: Record<SplitName, TextRecord[]>;
  stats: { input: number; exactDuplicates: number; conflictingDuplicates: number; clusters: number; clusteredTexts: number };
}

function digest(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

function stratum(r: TextRecord): string {
  return `${r.source ?? 'corpus'}|${r.lang}|${[...r.labels].sort().join('+')}`;
}

export function splitRecords(input: readonly TextRecord[], o: SplitOptions = DEFAULT_SPLIT): SplitResult {
  // Order by content first, so the input's file order cannot change the outcome.
  const keyed = input.map((r) => ({ r, norm: normalizeText(r.text) })).map((x) => ({ ...x, hash: digest(`${x.norm}\u0000${stratum(x.r)}`) }));
  // Equal normalised texts tie on the hash; the raw text breaks the tie, so which spelling of a
  // duplicate is kept does not depend on file order either.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  keyed.sort((a, b) => cmp(a.hash, b.hash) || cmp(a.r.text, b.r.text) || cmp(JSON.stringify(a.r), JSON.stringify(b.r)));

  const byText = new Map<string, (typeof keyed)[number]>();
  let exactDuplicates = 0;
  let conflictingDuplicates = 0;
  for (const k of keyed) {
    const seen = byText.get(k.norm);
    if (!seen) {
      byText.set(k.norm, k);
      continue;
    }
    exactDuplicates++;
    if (stratum(seen.r) !== stratum(k.r)) conflictingDuplicates++;
  }
  const unique = [...byText.values()];

  const clusterOf = nearDuplicateClusters(
    unique.map((u) => u.norm),
    o.nearDuplicateThreshold,
  );
  const clusters = new Map<number, number[]>();
  clusterOf.forEach((c, i) => {
    const list = clusters.get(c);
    if (list) list.push(i);
    else clusters.set(c, [i]);
  });

  // A cluster's stratum and order come from its first member (smallest hash).
  const strata = new Map<string, { hash: string; members: number[] }[]>();
  for (const members of clusters.values()) {
    const head = unique[members[0] as number] as (typeof unique)[number];
    const key = stratum(head.r);
    const list = strata.get(key) ?? [];
    list.push({ hash: head.hash, members });
    strata.set(key, list);
  }

  const splits: Record<SplitName, TextRecord[]> = { train: [], calibration: [], heldout: [] };
  for (const key of [...strata.keys()].sort()) {
    const list = (strata.get(key) ?? []).sort((a, b) => (a.hash < b.hash ? -1 : 1));
    const filled: Record<SplitName, number> = { train: 0, calibration: 0, heldout: 0 };
    let total = 0;
    for (const cluster of list) {
      const size = cluster.members.length;
      let best: SplitName = 'train';
      let bestDeficit = -Infinity;
      for (const s of SPLITS) {
        const deficit = o.fractions[s] * (total + size) - filled[s];
        if (deficit > bestDeficit + 1e-9) {
          best = s;
          bestDeficit = deficit;
        }
      }
      filled[best] += size;
      total += size;
      for (const m of cluster.members) splits[best].push((unique[m] as (typeof unique)[number]).r);
    }
  }
  for (const s of SPLITS) {
    const order = new Map(splits[s].map((r) => [r, digest(JSON.stringify(r))]));
    splits[s].sort((a, b) => cmp(order.get(a) as string, order.get(b) as string));
  }
  const multi = [...clusters.values()].filter((m) => m.length > 1);
  return {
    splits,
    stats: {
      input: input.length,
      exactDuplicates,
      conflictingDuplicates,
      clusters: multi.length,
      clusteredTexts: multi.reduce((a, m) => a + m.length, 0),
    },
  };
}
