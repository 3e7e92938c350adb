import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** The policy labels the text model learns; none means benign. CSAM is never learned from text. */
export const TEXT_LABELS = ['scam', 'illegal_goods', 'extremism', 'sexual_services', 'hate', 'spam'] as const;
export type TextLabel = (typeof TEXT_LABELS)[number];

/** One JSONL line. Extra fields (source, id, note) are allowed and kept out of the way. */
export const textRecordSchema = z.object({
  text: z.string().min(1, 'text is empty').max(200_000),
  labels: z
    .array(z.enum(TEXT_LABELS))
    .refine((l) => new Set(l).size === l.length, { message: 'labels repeat' }),
  lang: z.string().regex(/^[a-z]{2,3}$/, 'lang is a 2-3 letter code'),
  source: z.string().optional(),
});
export type TextRecord = z.infer<typeof textRecordSchema>;

export interface BadLine {
  file: string;
  line: number;
  message: string;
}

export interface Dataset {
  records: TextRecord[];
  /** 1-based line number of each record, in the same order. */
  lines: number[];
  bad: BadLine[];
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    message: string,
    readonly bad: readonly BadLine[] = [],
  ) {
    super(message);
  }
}

/** Parses JSONL text; bad lines are collected with 1-based line numbers, never silently dropped. */
export function parseJsonl(text: string, file: string): Dataset {
  const records: TextRecord[] = [];
  const recordLines: number[] = [];
  const bad: BadLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (!raw) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      bad.push({ file, line: i + 1, message: `not JSON (${(e as Error).message})` });
      continue;
    }
    const parsed = textRecordSchema.safeParse(json);
    if (!parsed.success) {
      bad.push({ file, line: i + 1, message: parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ') });
      continue;
    }
    records.push({ text: parsed.data.text, labels: parsed.data.labels, lang: parsed.data.lang, ...(parsed.data.source ? { source: parsed.data.source } : {}) });
    recordLines.push(i + 1);
  }
  return { records, lines: recordLines, bad };
}

export async function readJsonl(file: string): Promise<Dataset> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new DatasetError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseJsonl(text, file);
}

export function formatBadLines(bad: readonly BadLine[], max = 20): string {
  const shown = bad.slice(0, max).map((b) => `  ${b.file}:${b.line}: ${b.message}`);
  if (bad.length > max) shown.push(`  ... and ${bad.length - max} more`);
  return shown.join('\n');
}

/** Reads a dataset that must be clean (train, calibration and held-out splits). */
export async function readStrictJsonl(file: string): Promise<TextRecord[]> {
  const { records, bad } = await readJsonl(file);
  if (bad.length) throw new DatasetError(`${file}: ${bad.length} bad line(s)\n${formatBadLines(bad)}`, bad);
  if (!records.length) throw new DatasetError(`${file}: no records`);
  return records;
}

/** Labels as a 0/1 vector in the model's label order. */
export function labelVector(record: TextRecord, labels: readonly string[]): Uint8Array {
  const v = new Uint8Array(labels.length);
  for (const l of record.labels) {
    const k = labels.indexOf(l);
    if (k >= 0) v[k] = 1;
  }
  return v;
}

export function toJsonl(records: readonly TextRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}
