import { describe, expect, it } from 'vitest';
import { BankImportError, importHashCsv, parseHashCsv } from '../../shared/banks/hash-bank-csv.js';
import { HashBankSet } from '../../shared/banks/hash-bank-set.js';

const H1 = 'a'.repeat(64);
const H2 = `${'b'.repeat(63)}c`;
const H3 = '0123456789ABCDEF'.repeat(4);

function bankSet() {
  return HashBankSet.load([{ bank: 'known', label: 'csam', action: 'takedown' }], []);
}

function importError(fn: () => unknown): BankImportError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BankImportError) return err;
    throw err;
  }
  throw new Error('expected the import to be rejected');
}

describe('hash list CSV', () => {
  it('reads bare hashes, comments, blank lines, and optional label, note and source id', () => {
    const text = ['# exported 2024-06-01', '', H1, `${H2},csam,"seen twice, blurred",te:42`, `${H3},,,`, ''].join('\n');
    const { lines, problems } = parseHashCsv(text);
    expect(problems).toEqual([]);
    expect(lines).toEqual([
      { line: 3, hash: H1 },
      { line: 4, hash: H2, label: 'csam', note: 'seen twice, blurred', sourceId: 'te:42' },
      { line: 5, hash: H3.toLowerCase() },
    ]);
  });

  it('takes a header that names the columns in any order, and CRLF line ends', () => {
    const text = `source_id,hash,extra\r\nte:1,${H1},ignored\r\n"te:""2""",${H2},\r\n`;
    const { lines, problems } = parseHashCsv(text);
    expect(problems).toEqual([]);
    expect(lines).toEqual([
      { line: 2, hash: H1, sourceId: 'te:1' },
      { line: 3, hash: H2, sourceId: 'te:"2"' },
    ]);
  });

  it('recognises a header only in first position', () => {
    expect(parseHashCsv(`hash,label\n${H1},csam\nhash,label\n`).problems).toEqual([{ line: 3, message: "'hash' is not a PDQ hash (64 hex digits)" }]);
  });

  it('reports every bad line with its number', () => {
    const text = [H1, 'xyz', `${H2},"unterminated`, `${'a'.repeat(63)}`, `${H1}x`, `${H2},la"bel`, ',csam'].join('\n');
    expect(parseHashCsv(text).problems).toEqual([
      { line: 2, message: "'xyz' is not a PDQ hash (64 hex digits)" },
      { line: 3, message: 'unterminated quoted cell' },
      { line: 4, message: `'${'a'.repeat(63)}' is not a PDQ hash (64 hex digits)` },
      { line: 5, message: `'${H1}x' is not a PDQ hash (64 hex digits)` },
      { line: 6, message: 'stray quote in an unquoted cell at column 68' },
      { line: 7, message: 'no hash' },
    ]);
  });
});

describe('importHashCsv', () => {
  it('adds the entries to the bank with their notes, counting duplicates', () => {
    const set = bankSet();
    const summary = importHashCsv(set, 'known', `${H1},csam,first\n${H2}\n${H1},csam,again\n`);
    expect(summary).toEqual({ bank: 'known', added: 2, duplicates: 1 });
    expect(set.entriesOf('known')).toEqual([
      { bank: 'known', hash: H1, note: 'first' },
      { bank: 'known', hash: H2 },
    ]);
    expect(importHashCsv(set, 'known', H2)).toEqual({ bank: 'known', added: 0, duplicates: 1 });
  });

  it('rejects the whole file when any line is bad, naming the lines, and adds nothing', () => {
    const set = bankSet();
    const err = importError(() => importHashCsv(set, 'known', `${H1}\nnot-a-hash\n${H2},extremism\n`));
    expect(err.problems).toEqual([
      { line: 2, message: "'not-a-hash' is not a PDQ hash (64 hex digits)" },
      { line: 3, message: "label 'extremism' does not match bank 'known' (label 'csam')" },
    ]);
    expect(err.message).toMatch(/2 bad lines:\nline 2: .*\nline 3: /);
    expect(set.size).toBe(0);
  });

  it('refuses an unknown bank and over-long notes', () => {
    expect(() => importHashCsv(bankSet(), 'other', H1)).toThrow(/no bank named 'other'/);
    const err = importError(() => importHashCsv(bankSet(), 'known', `${H1},,${'n'.repeat(1001)}`));
    expect(err.problems[0]?.line).toBe(1);
    expect(err.problems[0]?.message).toMatch(/note/);
  });
});
