import { TEXT_LABELS, type TextRecord } from '../text-training/dataset.js';
import type { Db } from '../store/db.js';

export interface LabelRecord extends TextRecord {
  id: string;
}

export interface ExportStats {
  written: number;
  /** Reviewed items left out, by why (no text; a category the text model does not learn). */
  skipped: Record<string, number>;
}

const textLabels: ReadonlySet<string> = new Set(TEXT_LABELS);

/**
 * Reviewed items with their final decision, as the trainer reads them (`{text, labels, lang}`):
 * a takedown labels the item with its decided category, a keep (or a reversal: the takedown
 * was wrong) with none. Escalations and comments are not decisions and are passed over.
 * Pages through subjects by id so a large record never sits in memory at once.
 */
export async function* reviewedLabels(db: Db, stats: ExportStats, pageSize = 1_000): AsyncGenerator<LabelRecord> {
  let after = '';
  for (;;) {
    const r = await db.query<{ id: string; title: string | null; text: string | null; language: string | null; decision: string; category: string | null }>(
      `SELECT d.subject_id AS id, i.title, i.text, i.language, d.payload->>'decision' AS decision, d.payload->>'category' AS category
       FROM (SELECT DISTINCT ON (subject_id) subject_id, payload FROM events
             WHERE type = 'reviewed' AND payload->>'decision' IN ('takedown', 'keep', 'reverse') AND subject_id > $1
             ORDER BY subject_id, seq DESC) d
       JOIN items i ON i.id = d.subject_id
       ORDER BY d.subject_id LIMIT $2`,
      [after, pageSize],
    );
    for (const row of r.rows) {
      const text = [row.title, row.text].filter((s) => s && s.trim()).join('\n').trim();
      const skip = (why: string) => (stats.skipped[why] = (stats.skipped[why] ?? 0) + 1);
      if (!text) {
        skip('no text');
        continue;
      }
      let labels: string[] = [];
      if (row.decision === 'takedown') {
        if (!row.category || !textLabels.has(row.category)) {
          skip(`category ${row.category ?? 'none'} is not a text label`);
          continue;
        }
        labels = [row.category];
      }
      stats.written++;
      yield { id: row.id, text, labels: labels as TextRecord['labels'], lang: row.language ?? 'und', source: `review:${row.decision}` };
    }
    const last = r.rows.at(-1);
    if (!last || r.rows.length < pageSize) return;
    after = last.id;
  }
}
