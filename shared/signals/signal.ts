import type { Item } from '../items/item-schema.js';

/** What a signal asks the policy to do for one label. */
export type SignalAction = 'none' | 'review' | 'takedown';

export interface SignalHit {
  /** Signal instance name, e.g. `text-model:modpipe-text@1.0.0`, `bank:csam-known`, `rules:drug-domains`. */
  signal: string;
  /** Policy label: scam, illegal_goods, extremism, sexual_services, hate, spam, csam, nsfw, ... */
  label: string;
  /** 0..1; rules and bank matches report 1 or a distance-derived score. */
  score: number;
  action: SignalAction;
  /** Readable for moderators and the event log. */
  reason: string;
  /** Takedown limited to these countries; absent means global. */
  jurisdictions?: string[];
  /** Details worth keeping in the `classified` event (matched rule, bank entry, distance...). */
  evidence?: Record<string, unknown>;
}

/** An image the classifier fetched or decoded from inline data, or why it could not. */
export type ImageSource =
  | { index: number; ok: true; bytes: Buffer; sha256: string }
  | { index: number; ok: false; error: string };

export interface SignalInput {
  item: Item;
  /** Title, text and url joined: what text signals read. */
  text: string;
  images: readonly ImageSource[];
}

export interface SignalOutput {
  hits: SignalHit[];
  /** All scores, for the record (hits are only those above a threshold). */
  scores?: Record<string, number>;
  /** A failure confined to this signal and item (a corrupt image): recorded, never fatal. */
  errors?: string[];
}

/**
 * Every classifier input (text model, hash bank, rule list, image model) has this shape and is
 * built from configuration: one class per kind, never one per label.
 */
export interface Signal {
  readonly name: string;
  /** Part of the model version recorded on classification; changing it re-classifies on sweeps. */
  readonly version: string;
  /** Batched: one call for many items, results in the same order. */
  evaluate(inputs: readonly SignalInput[]): Promise<SignalOutput[]>;
  close?(): Promise<void>;
}
