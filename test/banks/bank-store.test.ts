import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankExistsError, BankNotFoundError, BankStore } from '../../shared/banks/bank-store.js';
import { BankImportError } from '../../shared/banks/hash-bank-csv.js';
import { hash256FromHex } from '../../shared/images/hash256.js';
import { LiveBankSet } from '../../shared/banks/live-bank-set.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';

/** A random 64-hex hash, and one a few bits away from it. */
const randomHex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
const flip = (hex: string, bits: number) => {
  const h = hash256FromHex(hex);
  for (let k = 0; k < bits; k++) h[k] = (h[k] ?? 0) ^ 1;
  return [...h].reverse().map((w) => w.toString(16).padStart(4, '0')).join('');
};
const query = (hex: string) => ({ hashes: [hash256FromHex(hex)], quality: 100 });

describe.each(backends())('BankStore on %s', (backend) => {
  let t: TestDb;
  let store: BankStore;
  beforeAll(async () => {
    t = await openTestDb(backend);
    store = new BankStore(t.db);
  });
  afterAll(() => t?.drop());

  it('creates banks once, lists them with live entry counts, and refuses unknown ones', async () => {
    const bank = await store.createBank({ name: 'csam-known', label: 'csam', action: 'takedown' }, 'admin:a1');
    expect(bank).toMatchObject({ bank: 'csam-known', label: 'csam', action: 'takedown', kind: 'block', enabled: true, entries: 0, created_by: 'admin:a1' });
    await expect(store.createBank({ name: 'csam-known', label: 'csam', action: 'takedown' }, 'admin:a1')).rejects.toBeInstanceOf(BankExistsError);
    await expect(store.addEntries('nope', [{ hash: randomHex() }], 'admin:a1')).rejects.toBeInstanceOf(BankNotFoundError);
    expect((await store.listBanks()).map((b) => b.bank)).toContain('csam-known');
  });

  it('adds entries once per bank, removes them softly, and bumps the revision each time', async () => {
    await store.createBank({ name: 'dupes', label: 'spam', action: 'review' }, 'admin:a1');
    const [a, b] = [randomHex(), randomHex()];
    const r0 = await store.revision();
    const first = await store.addEntries('dupes', [{ hash: a, note: 'first', source_id: 'te:1' }, { hash: b }, { hash: a.toUpperCase() }], 'admin:a1');
    expect(first).toMatchObject({ added: 2, duplicates: 1 });
    expect(first.revision).toBeGreaterThan(r0);
    expect((await store.addEntries('dupes', [{ hash: a }], 'admin:a1')).added).toBe(0);
    expect((await store.removeEntries('dupes', [a, randomHex()], 'admin:a2')).removed).toBe(1);
    expect((await store.listEntries('dupes')).map((e) => e.hash)).toEqual([b]);
    // Re-adding a removed hash is a new entry; the removed row stays for the record.
    expect((await store.addEntries('dupes', [{ hash: a }], 'admin:a1')).added).toBe(1);
    const rows = await t.db.query<{ hash: string; removed_by: string | null }>('SELECT hash, removed_by FROM hash_bank_entries WHERE bank = $1 ORDER BY id', ['dupes']);
    expect(rows.rows).toEqual([{ hash: a, removed_by: 'admin:a2' }, { hash: b, removed_by: null }, { hash: a, removed_by: null }]);
    expect((await store.getBank('dupes'))?.entries).toBe(2);
  });

  it('imports a hash list all or nothing, naming every bad line', async () => {
    await store.createBank({ name: 'te-import', label: 'extremism', action: 'takedown' }, 'admin:a1');
    const good = [randomHex(), randomHex()];
    const bad = `hash,label,note\n${good[0]},extremism,ok\nnot-a-hash,extremism,x\n${good[1]},csam,wrong bank\n`;
    const err = await store.importCsv('te-import', bad, 'admin:a1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BankImportError);
    expect((err as BankImportError).problems.map((p) => p.line)).toEqual([3, 4]);
    expect((await store.getBank('te-import'))?.entries).toBe(0);
    const summary = await store.importCsv('te-import', `# exported\n${good[0]},extremism,"a, quoted note",te:9\n${good[1]}\n${good[1]}\n`, 'admin:a1');
    expect(summary).toMatchObject({ bank: 'te-import', added: 2, duplicates: 1 });
    expect((await store.listEntries('te-import'))[0]).toMatchObject({ hash: good[0], note: 'a, quoted note', source_id: 'te:9' });
  });

  it('loads a HashBankSet and follows later changes incrementally, without a reload', async () => {
    await store.createBank({ name: 'live-block', label: 'csam', action: 'takedown' }, 'admin:a1');
    await store.createBank({ name: 'live-allow', label: 'benign', action: 'review', kind: 'allow' }, 'admin:a1');
    const kept = randomHex();
    await store.addEntries('live-block', [{ hash: kept }], 'admin:a1');
    const live = await LiveBankSet.open(store);
    expect(live.set.match(query(flip(kept, 3))).matches.map((m) => [m.bank, m.distance])).toEqual([['live-block', 3]]);

    const added = randomHex();
    await store.addEntries('live-block', [{ hash: added, source_id: 'te:42' }], 'admin:a1');
    await store.removeEntries('live-block', [kept], 'admin:a1');
    const before = live.revision;
    expect(await live.refresh()).toBe(2);
    expect(live.revision).toBeGreaterThan(before);
    expect(live.set.match(query(kept)).matches).toEqual([]);
    expect(live.set.match(query(added)).matches[0]?.entry).toMatchObject({ sourceId: 'te:42' });
    expect(await live.refresh()).toBe(0);

    // An allow-listed copy suppresses the block match; disabling the allow bank brings it back.
    await store.addEntries('live-allow', [{ hash: added }], 'admin:a1');
    await live.refresh();
    expect(live.set.match(query(added))).toMatchObject({ matches: [], allowedBy: [{ bank: 'live-allow' }] });
    await store.updateBank('live-allow', { enabled: false });
    await live.refresh();
    expect(live.set.match(query(added)).matches.map((m) => m.bank)).toEqual(['live-block']);
    await live.close();
  });

  it('polls in the background once started', async () => {
    await store.createBank({ name: 'polled', label: 'spam', action: 'review' }, 'admin:a1');
    const live = (await LiveBankSet.open(store, { pollMs: 50 })).start();
    const hash = randomHex();
    await store.addEntries('polled', [{ hash }], 'admin:a1');
    const deadline = Date.now() + 5_000;
    while (live.set.match(query(hash)).matches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(live.set.match(query(hash)).matches.map((m) => m.bank)).toEqual(['polled']);
    await live.close();
  });
});
