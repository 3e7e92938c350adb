import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hash256ToHex } from '../../shared/images/hash256.js';
import { pdqHashImage } from '../../shared/images/pdq-image.js';
import { resizedVariant, texturedJpeg } from '../images/image-fixtures.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';

const BIN = fileURLToPath(new URL('../../bin/modpipe.js', import.meta.url));
const randomHex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');

/** `modpipe banks ...` as an operator runs it: a real process on the PGlite data dir or a Postgres URL. */
describe.each(backends())('modpipe banks on %s', { timeout: 180_000 }, (backend) => {
  let dir: string;
  let t: TestDb | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-banks-cli-'));
    const { DATABASE_URL: _ignored, ...rest } = process.env;
    env = { ...rest, DATA_DIR: dir, LOG_LEVEL: 'silent' };
    if (backend === 'postgres') {
      t = await openTestDb('postgres');
      env.DATABASE_URL = t.url;
    }
  });
  afterAll(async () => {
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const modpipe = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'banks', ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  it('creates a bank, imports a hash list, lists it and finds a re-encoded copy of a banked picture', async () => {
    expect(await modpipe(['create', 'te-csam', '--label', 'csam', '--action', 'takedown'])).toMatchObject({ code: 0, stdout: 'created bank te-csam (block, csam, takedown)\n' });
    const picture = await texturedJpeg(91);
    const hash = hash256ToHex((await pdqHashImage(picture)).hash);
    const csv = path.join(dir, 'list.csv');
    await writeFile(csv, `hash,note,source_id\n${hash},from NCMEC,ncmec:1\n${randomHex()},,\n`);
    expect(await modpipe(['import', 'te-csam', csv])).toMatchObject({ code: 0, stdout: 'te-csam: 2 added, 0 already present\n' });
    const list = await modpipe(['list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ bank: 'te-csam', entries: 2, enabled: true })]);

    const image = path.join(dir, 'copy.webp');
    await writeFile(image, await resizedVariant(picture));
    const found = await modpipe(['lookup', image]);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(new RegExp(`^match\\tte-csam\\tcsam\\ttakedown\\tdistance \\d+\\toriginal\\t${hash}\\n$`));
    expect((await modpipe(['disable', 'te-csam'])).stdout).toBe('te-csam disabled\n');
    expect((await modpipe(['lookup', hash])).stdout).toBe('no match\n');
  });

  it('refuses a bad hash list with every bad line number and exit code 1, adding nothing', async () => {
    await modpipe(['create', 'strict', '--label', 'extremism', '--action', 'review']);
    const csv = path.join(dir, 'bad.csv');
    await writeFile(csv, `${randomHex()}\nzzzz\n${randomHex()},csam\n`);
    const r = await modpipe(['import', 'strict', csv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2 bad lines:\nline 2: 'zzzz' is not a PDQ hash.*\nline 3: label 'csam' does not match bank 'strict'/);
    expect((await modpipe(['entries', 'strict'])).stdout).toBe('\n');
    const add = await modpipe(['add', 'strict', 'nothex']);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/hash: a PDQ hash is 64 hex digits/);
    expect((await modpipe(['add', 'missing-bank', randomHex()])).stderr).toMatch(/no bank named 'missing-bank'/);
  });
});
