import { z } from 'zod';

/** The scope of a takedown or restore: everywhere, or only in these countries. */
export const scopeSchema = z.union([
  z.object({ global: z.literal(true) }).strict(),
  z.object({ jurisdictions: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1) }).strict(),
]);
export type Scope = z.infer<typeof scopeSchema>;

export const verdictSchema = z.enum(['allow', 'review', 'takedown']);
export type Verdict = z.infer<typeof verdictSchema>;

export const EVENT_TYPES = [
  'ingested',
  'classified',
  'review_opened',
  'reviewed',
  'takedown',
  'restore',
  'report',
  'rescan_requested',
  'commented',
] as const;
export const eventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof eventTypeSchema>;

/** Actor strings: `system:classifier@<model>`, `system:takedown`, `moderator:<id>`, `platform`, `authority:<id>`. */
export const actorSchema = z.string().regex(/^(system|moderator|platform|authority|user|admin)(:[\w.@:/-]+)?$/);

export interface NewEvent {
  subject_id: string;
  type: EventType;
  actor: string;
  payload: Record<string, unknown>;
}

export interface StoredEvent extends NewEvent {
  id: number;
  seq: number;
  created_at: string;
  prev_hash: string;
  hash: string;
}

/** An effect that must reach the search index; written with its decision, queued after commit. */
export interface OutboxAction {
  id: string;
  subject_id: string;
  action: 'delist' | 'restore';
  scope: Scope;
  category: string | null;
  reason: string;
  actor: string;
  /** When the decision was made: ingest-to-takedown latency is measured from `ingested_at`. */
  decided_at: string;
  ingested_at?: string;
  trace?: string;
}
