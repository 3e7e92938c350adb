import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../shared/redis/free-port.js';

const BIN = fileURLToPath(new URL('../../bin/modpipe.js', import.meta.url));
const EXPECTED = fileURLToPath(new URL('../../demo/expected.json', import.meta.url));

describe('the quick start: modpipe up --demo', () => {
  it('runs the demo corpus through, prints the summary, and serves a search without the taken-down items', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-demo-'));
    const port = await freePort();
    // As a newcomer runs it: embedded defaults, its own redis-server, PGlite, the shipped models.
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'warn' };
    for (const k of ['DATABASE_URL', 'REDIS_URL', 'TEXT_MODEL', 'IMAGE_MODEL']) delete env[k];
    const child = spawn(process.execPath, [BIN, 'up', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 240_000;
      while (!out.includes('Stop with Ctrl-C.')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no summary:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const number = (label: string) => Number(new RegExp(`${label}\\s+(\\d+)`).exec(out)?.[1]);
      expect(number('items ingested')).toBe(number('classified'));
      expect(number('taken down \\(global\\)')).toBeGreaterThan(10);
      expect(number('sent to review')).toBeGreaterThan(0);
      expect(out).toMatch(/ingest → takedown\s+p50 \d+ ms, p99 \d+ ms/);

      // The summary's example searches no longer find what was taken down...
      const search = async (q: string) => ((await (await fetch(`http://127.0.0.1:${port}/search?q=${encodeURIComponent(q)}&limit=200`)).json()) as { results: { id: string }[] }).results.map((r) => r.id);
      const examples = [...out.matchAll(/search\?q=(\S+)\s+\((\S+) is gone\)/g)];
      expect(examples.length).toBeGreaterThan(0);
      for (const m of examples) expect(await search(decodeURIComponent(m[1]!))).not.toContain(m[2]);
      // ...and every violating item the record shows as taken down is delisted in the index.
      const token = /Bearer (mp_\S+)'/.exec(out)?.[1];
      const expected = JSON.parse(await readFile(EXPECTED, 'utf8')) as { violating: string[] };
      let takenDown = 0;
      for (const id of expected.violating) {
        const res = await fetch(`http://127.0.0.1:${port}/v1/items/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { visibility: { delisted_global: boolean; index: { delisted_global: boolean } | null } };
        if (body.visibility.delisted_global) {
          takenDown++;
          expect(body.visibility.index?.delisted_global).toBe(true);
        }
      }
      expect(takenDown).toBeGreaterThan(10);

      // The printed moderator account opens the review console.
      const [, user, password] = /sign in as (\S+) \/ (\S+)\)/.exec(out) ?? [];
      const signIn = await fetch(`http://127.0.0.1:${port}/review/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user, password, next: '/review' }),
      });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('set-cookie')).toMatch(/modpipe_session=/);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
