import type { Db } from '../store/db.js';
import { readStatusRow } from '../store/status-rows.js';
import type { SubjectStatus } from '../store/subject-status.js';
import { effectivePriority, effectivePrioritySql } from './review-priority.js';

export interface CaseEvent {
  id: number;
  seq: number;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
  created_at: string;
}

export interface CaseItem {
  id: string;
  kind: string;
  channel_id: string;
  title: string | null;
  text: string;
  url: string | null;
  /** Kinds only: the bytes and URLs stay on the server; the console fetches thumbnails by index. */
  media: { kind: string; mime?: string }[];
  language: string | null;
  subscribers: number | null;
  views: number | null;
  jurisdictions: string[];
  posted_at: string | null;
  first_seen: string | null;
}

export interface ChannelEntry {
  id: string;
  title: string | null;
  text: string;
  review_state: string;
  last_verdict: string | null;
  last_category: string | null;
  takedown_global: boolean;
  takedown_jurisdictions: string[];
  last_decision: { decision: string; reason: string; actor: string; at: string } | null;
}

export interface CaseDetail {
  status: SubjectStatus & { review_opened_at: string | null; effective_priority: number };
  item: CaseItem | null;
  /** The latest `classified` payload: scores, reasons, rule hits, model version. */
  classification: Record<string, unknown> | null;
  events: CaseEvent[];
  channel: { id: string | null; items: ChannelEntry[]; item_count: number };
}

export interface QueueCount {
  state: 'open' | 'escalated';
  key: string;
  count: number;
  claimed: number;
}

export interface QueueCounts {
  totals: { state: 'open' | 'escalated'; count: number; claimed: number }[];
  byCategory: QueueCount[];
  byLanguage: QueueCount[];
  byJurisdiction: QueueCount[];
}

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null);

/** The read side of review: what a moderator sees of a case, a channel, the queues. */
export class CaseView {
  constructor(private readonly db: Db) {}

  async detail(subjectId: string): Promise<CaseDetail | null> {
    const [status, item, events] = await Promise.all([
      this.db.query<Record<string, unknown>>('SELECT * FROM subject_status WHERE subject_id = $1', [subjectId]),
      this.db.query<Record<string, unknown>>('SELECT * FROM items WHERE id = $1', [subjectId]),
      this.db.query<Record<string, unknown>>('SELECT id, seq, type, actor, payload, created_at FROM events WHERE subject_id = $1 ORDER BY seq', [subjectId]),
    ]);
    const row = status.rows[0];
    if (!row) return null;
    const s = { ...readStatusRow(row), review_opened_at: iso(row.review_opened_at) };
    const history = events.rows.map(toEvent);
    const classification = [...history].reverse().find((e) => e.type === 'classified')?.payload ?? null;
    const channelId = (item.rows[0]?.channel_id as string | undefined) ?? s.channel_id;
    const channel = channelId ? await this.channelItems(channelId, 30, subjectId) : { items: [], item_count: 0 };
    return {
      status: { ...s, effective_priority: round(effectivePriority(s)) },
      item: item.rows[0] ? toItem(item.rows[0]) : null,
      classification,
      events: history,
      channel: { id: channelId, ...channel },
    };
  }

  /** The items of a channel with their state and last moderator decision, newest first. */
  async channelItems(channelId: string, limit = 200, excluding?: string): Promise<{ items: ChannelEntry[]; item_count: number }> {
    const [rows, count] = await Promise.all([
      this.db.query<Record<string, unknown>>(
        `SELECT i.id, i.title, left(i.text, 300) AS text, coalesce(s.review_state, 'none') AS review_state, s.last_verdict, s.last_category,
           coalesce(s.takedown_global, false) AS takedown_global, coalesce(s.takedown_jurisdictions, '{}') AS takedown_jurisdictions,
           d.payload AS decision_payload, d.actor AS decision_actor, d.created_at AS decision_at
         FROM items i LEFT JOIN subject_status s ON s.subject_id = i.id
         LEFT JOIN LATERAL (SELECT payload, actor, created_at FROM events e WHERE e.subject_id = i.id AND e.type = 'reviewed' ORDER BY seq DESC LIMIT 1) d ON true
         WHERE i.channel_id = $1 AND ($3::text IS NULL OR i.id <> $3)
         ORDER BY i.first_seen DESC, i.id LIMIT $2`,
        [channelId, limit, excluding ?? null],
      ),
      this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE channel_id = $1', [channelId]),
    ]);
    return {
      item_count: count.rows[0]?.n ?? 0,
      items: rows.rows.map((r) => {
        const p = r.decision_payload as Record<string, unknown> | null;
        return {
          id: String(r.id), title: (r.title as string | null) ?? null, text: String(r.text ?? ''), review_state: String(r.review_state),
          last_verdict: (r.last_verdict as string | null) ?? null, last_category: (r.last_category as string | null) ?? null,
          takedown_global: Boolean(r.takedown_global), takedown_jurisdictions: (r.takedown_jurisdictions as string[]) ?? [],
          last_decision: p ? { decision: String(p.decision), reason: String(p.reason ?? ''), actor: String(r.decision_actor), at: iso(r.decision_at) ?? '' } : null,
        };
      }),
    };
  }

  /** Counts per queue view; escalated cases only when the viewer may see them. */
  async queueCounts(includeEscalated: boolean): Promise<QueueCounts> {
    const states = includeEscalated ? ['open', 'escalated'] : ['open'];
    const claimed = `count(*) FILTER (WHERE s.claimed_until > now())::int`;
    const group = async (keySql: string, from = 'subject_status s LEFT JOIN items i ON i.id = s.subject_id') =>
      (
        await this.db.query<QueueCount>(
          `SELECT s.review_state AS state, ${keySql} AS key, count(*)::int AS count, ${claimed} AS claimed
           FROM ${from} WHERE s.review_state = ANY($1::text[]) GROUP BY 1, 2 ORDER BY 1 DESC, 3 DESC, 2`,
          [states],
        )
      ).rows;
    const [totals, byCategory, byLanguage, byJurisdiction] = await Promise.all([
      this.db.query<QueueCounts['totals'][number]>(
        `SELECT s.review_state AS state, count(*)::int AS count, ${claimed} AS claimed FROM subject_status s
         WHERE s.review_state = ANY($1::text[]) GROUP BY 1 ORDER BY 1 DESC`,
        [states],
      ),
      group(`coalesce(s.review_category, 'unknown')`),
      group(`coalesce(i.language, 'unknown')`),
      group(`j`, `subject_status s JOIN items i ON i.id = s.subject_id CROSS JOIN LATERAL unnest(i.jurisdictions) AS j`),
    ]);
    return { totals: totals.rows, byCategory, byLanguage, byJurisdiction };
  }

  /** The open cases of a channel (for bulk decisions), highest priority first. */
  async openCasesOfChannel(channelId: string, includeEscalated: boolean): Promise<{ subject_id: string; review_state: string; review_category: string | null; claimed_by: string | null }[]> {
    const r = await this.db.query<{ subject_id: string; review_state: string; review_category: string | null; claimed_by: string | null }>(
      `SELECT subject_id, review_state, review_category, CASE WHEN claimed_until > now() THEN claimed_by END AS claimed_by
       FROM subject_status WHERE channel_id = $1 AND review_state = ANY($2::text[])
       ORDER BY ${effectivePrioritySql()} DESC LIMIT 1000`,
      [channelId, includeEscalated ? ['open', 'escalated'] : ['open']],
    );
    return r.rows;
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

function toEvent(r: Record<string, unknown>): CaseEvent {
  return { id: Number(r.id), seq: Number(r.seq), type: String(r.type), actor: String(r.actor), payload: (r.payload as Record<string, unknown>) ?? {}, created_at: iso(r.created_at) ?? '' };
}

function toItem(r: Record<string, unknown>): CaseItem {
  const media = ((r.media as { kind: string; url?: string; mime?: string; data?: string }[] | null) ?? []).map((m) => ({
    kind: m.kind, ...(m.mime ? { mime: m.mime } : {}),
  }));
  return {
    id: String(r.id), kind: String(r.kind), channel_id: String(r.channel_id), title: (r.title as string | null) ?? null, text: String(r.text ?? ''),
    url: (r.url as string | null) ?? null, media, language: (r.language as string | null) ?? null,
    subscribers: r.subscribers == null ? null : Number(r.subscribers), views: r.views == null ? null : Number(r.views),
    jurisdictions: (r.jurisdictions as string[] | null) ?? [], posted_at: iso(r.posted_at), first_seen: iso(r.first_seen),
  };
}
