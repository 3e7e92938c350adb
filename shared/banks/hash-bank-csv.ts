import { BankError, bankEntryRowSchema, type HashBankSet } from './hash-bank-set.js';

/**
 * Hash lists as exchanged between trust-and-safety teams (ThreatExchange exports, NCMEC/GIFCT-style
 * lists, our own dumps), imported into one bank. The accepted format, one entry per line:
 *
 *     # comment lines and blank lines are ignored
 *     hash,label,note,source_id                  <- optional header: a first line with a cell "hash"
 *     d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22
 *     d8f8f0cce0f4e84f0637022a028f67f0b36e2ed596623e1d33e6b39c4e9c9b22,csam,"seen in report 12, blurred",te:1234
 *
 * - `hash`: 64 hex digits, the PDQ hex as the reference prints it. Required.
 * - `label`: optional; when present it must equal the bank's label, so a file meant for another
 *   bank is caught instead of silently relabelled.
 * - `note`, `source_id`: optional, kept with the entry and shown as match evidence.
 * Cells may be double-quoted (RFC 4180; "" inside quotes is a quote); quoted cells cannot span
 * lines. A header may name its columns in any order (hash, label, note, source_id); unknown
 * header columns are ignored. Lines are limited to 4,096 characters.
 *
 * An import is all or nothing: any bad line rejects the file, with every bad line's number.
 */

export interface HashCsvLine {
  line: number;
  hash: string;
  label?: string;
  note?: string;
  sourceId?: string;
}

export interface HashCsvProblem {
  line: number;
  message: string;
}

export class BankImportError extends BankError {
  constructor(readonly problems: HashCsvProblem[]) {
    const shown = problems.slice(0, 20).map((p) => `line ${p.line}: ${p.message}`);
    const more = problems.length > 20 ? [`... and ${problems.length - 20} more`] : [];
    super(`hash list rejected, ${problems.length} bad line${problems.length === 1 ? '' : 's'}:\n${[...shown, ...more].join('\n')}`);
  }
}

const MAX_LINE = 4096;
const COLUMNS = ['hash', 'label', 'note', 'source_id'] as const;
type Column = (typeof COLUMNS)[number];

export function parseHashCsv(text: string): { lines: HashCsvLine[]; problems: HashCsvProblem[] } {
  const lines: HashCsvLine[] = [];
  const problems: HashCsvProblem[] = [];
  let columns: (Column | undefined)[] = [...COLUMNS];
  let seenContent = false;
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  rows.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    if (raw.length > MAX_LINE) return problems.push({ line, message: `longer than ${MAX_LINE} characters` });
    const cells = splitCsvLine(raw);
    if (typeof cells === 'string') return problems.push({ line, message: cells });
    if (!seenContent && cells.some((c) => c.trim().toLowerCase() === 'hash')) {
      seenContent = true;
      columns = cells.map((c) => (COLUMNS as readonly string[]).includes(c.trim().toLowerCase()) ? (c.trim().toLowerCase() as Column) : undefined);
      return;
    }
    seenContent = true;
    const record: Partial<Record<Column, string>> = {};
    cells.forEach((cell, k) => {
      const column = columns[k];
      if (column && cell.trim() !== '') record[column] = cell.trim();
    });
    if (!record.hash) return problems.push({ line, message: 'no hash' });
    if (!/^[0-9a-fA-F]{64}$/.test(record.hash)) {
      return problems.push({ line, message: `'${record.hash.slice(0, 80)}' is not a PDQ hash (64 hex digits)` });
    }
    lines.push({
      line,
      hash: record.hash.toLowerCase(),
      ...(record.label !== undefined && { label: record.label }),
      ...(record.note !== undefined && { note: record.note }),
      ...(record.source_id !== undefined && { sourceId: record.source_id }),
    });
  });
  return { lines, problems };
}

export interface ImportSummary {
  bank: string;
  added: number;
  /** Hashes already in the bank (or repeated in the file): left as they were. */
  duplicates: number;
}

/**
 * Parse a hash list meant for `bank` and check every line against it (label, note and source id
 * limits); throws BankImportError with every bad line's number, else returns the lines.
 * Shared by the in-memory import below and the store's import (bank-store.ts).
 */
export function validateHashCsv(bank: { bank: string; label: string }, text: string): HashCsvLine[] {
  const { lines, problems } = parseHashCsv(text);
  for (const l of lines) {
    if (l.label !== undefined && l.label !== bank.label) {
      problems.push({ line: l.line, message: `label '${l.label}' does not match bank '${bank.bank}' (label '${bank.label}')` });
    }
    const checked = bankEntryRowSchema.safeParse({ bank: bank.bank, hash: l.hash, note: l.note, source_id: l.sourceId });
    if (!checked.success) problems.push({ line: l.line, message: checked.error.issues.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ') });
  }
  if (problems.length > 0) throw new BankImportError(problems.sort((a, b) => a.line - b.line));
  return lines;
}

/** Import a hash list into an existing bank; throws BankImportError (nothing added) on any bad line. */
export function importHashCsv(set: HashBankSet, bankName: string, text: string): ImportSummary {
  const bank = set.getBank(bankName);
  if (!bank) throw new BankError(`no bank named '${bankName}'`);
  const lines = validateHashCsv(bank, text);
  let added = 0;
  for (const l of lines) {
    if (set.addEntry({ bank: bankName, hash: l.hash, ...(l.note !== undefined && { note: l.note }), ...(l.sourceId !== undefined && { source_id: l.sourceId }) })) added++;
  }
  return { bank: bankName, added, duplicates: lines.length - added };
}

/** One CSV record on one line; returns the cells, or a message saying what is wrong. */
function splitCsvLine(line: string): string[] | string {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return 'unterminated quoted cell';
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += line[i++];
      }
      if (i < line.length && line[i] !== ',') return `unexpected text after a quoted cell at column ${i + 1}`;
    } else {
      const end = line.indexOf(',', i);
      cell = line.slice(i, end < 0 ? line.length : end);
      if (cell.includes('"')) return `stray quote in an unquoted cell at column ${i + cell.indexOf('"') + 1}`;
      i = end < 0 ? line.length : end;
    }
    cells.push(cell);
    if (i >= line.length) return cells;
    i++; // the comma
  }
}
