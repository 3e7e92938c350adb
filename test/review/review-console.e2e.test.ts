import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { BORDERLINE_TEXT, post } from '../support/items.js';
import { openTestDb, type TestDb } from '../support/test-db.js';
import { startTestPipeline, type TestPipeline } from '../support/test-pipeline.js';
import { startTestRedis, type TestRedis } from '../support/test-redis.js';
import { PASSWORD } from './review-app.js';
import { createUser } from './review-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test/artifacts');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** A picture with shapes and colour, so blurred and revealed thumbnails differ visibly. */
async function testImage(): Promise<string> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320"><rect width="480" height="320" fill="#2d6cdf"/>
    <circle cx="150" cy="160" r="90" fill="#f4c20d"/><rect x="280" y="70" width="140" height="180" fill="#db3236"/>
    <text x="30" y="300" font-size="36" fill="#fff" font-family="sans-serif">PACKAGE 42</text></svg>`;
  return (await sharp(Buffer.from(svg)).png().toBuffer()).toString('base64');
}

describe('the review console in Chromium', () => {
  let redis: TestRedis;
  let t: TestDb;
  let p: TestPipeline;
  let base: string;
  let userDir: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    redis = await startTestRedis();
    t = await openTestDb('pglite');
    p = await startTestPipeline({ db: t.db, redisUrl: redis.url, prefix: redis.prefix(), env: { SESSION_SECRET: 'console-e2e-secret-console-e2e-secret', TEXT_MODEL: 'none' } });
    base = (await p.app.listen({ host: '127.0.0.1', port: 0 })).replace('[::1]', '127.0.0.1');
    await createUser(t.db, 'mia', ['moderator']);
    await mkdir(ARTIFACTS, { recursive: true });
    userDir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-chromium-'));
    context = await chromium.launchPersistentContext(userDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1366, height: 768 } });
    page = context.pages()[0] ?? (await context.newPage());
  });
  afterAll(async () => {
    await context?.close();
    if (userDir) await rm(userDir, { recursive: true, force: true });
    await p?.stop();
    await t?.drop();
    await redis?.stop();
  });

  const search = async (q: string) => ((await (await fetch(`${base}/search?q=${encodeURIComponent(q)}`)).json()) as { results: { id: string }[] }).results.map((r) => r.id);
  const imageWidth = (selector: string) => page.$eval(selector, (img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete ? (img as unknown as { naturalWidth: number }).naturalWidth : 0);

  it('signs in, claims, reveals a blurred image, takes down with a key, and the item leaves search', async () => {
    const word = `e2e${randomUUID().slice(0, 6)}`;
    const item = post({
      text: `${BORDERLINE_TEXT} ${word}`, title: `Доставка по городу ${word}`, channel_id: 'chan-city-deliveries', language: 'ru',
      jurisdictions: ['RU', 'KZ'], reach: { subscribers: 18_400, views: 5_200 }, media: [{ kind: 'image', data: await testImage(), mime: 'image/png' }],
    });
    const pushed = await p.app.inject({ method: 'POST', url: '/v1/items', headers: { authorization: `Bearer ${p.platformToken}` }, payload: { items: [item] } });
    expect(pushed.statusCode).toBe(202);
    await eventually(async () => (await t.db.query(`SELECT 1 FROM subject_status WHERE subject_id = $1 AND review_state = 'open'`, [item.id])).rows.length > 0, 30_000, 'review case');
    expect(await search(word)).toContain(item.id);

    // Signing in: the console answers the sign-in form to a browser without a session.
    await page.goto(`${base}/review`);
    await page.fill('input[name=user]', 'mia');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/review`);

    // The next case loads at once, claimed, with its image blurred.
    await page.waitForSelector(`.content:has-text("${word}")`);
    await expect.poll(() => page.textContent('.case-head')).toContain('illegal_goods');
    expect(await page.textContent('.decide .policy')).toContain('Illegal goods');
    const img = 'img[data-thumb="0"]';
    expect(await page.getAttribute(img, 'src')).toMatch(/\/media\/0$/);
    await expect.poll(() => imageWidth(img)).toBe(320);
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-console-blurred.png') });

    // Reveal fetches the unblurred URL, only on request.
    await page.keyboard.press('v');
    await expect.poll(() => page.getAttribute(img, 'src')).toMatch(/\/media\/0\/reveal$/);
    await expect.poll(() => imageWidth(img)).toBe(480);
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-console.png') });

    // T takes it down; the next case (none) loads at once; the item leaves search.
    await page.keyboard.press('t');
    await page.waitForSelector('#toast:has-text("Taken down")');
    await page.waitForSelector('.case .empty:has-text("No cases waiting")');
    await eventually(async () => !(await search(word)).includes(item.id), 20_000, 'item delisted');
    const reviewed = await t.db.query<{ actor: string; payload: Record<string, unknown> }>(`SELECT actor, payload FROM events WHERE subject_id = $1 AND type = 'reviewed'`, [item.id]);
    expect(reviewed.rows[0]).toMatchObject({ actor: 'moderator:mia', payload: { decision: 'takedown', reason: 'illegal_goods.drugs', category: 'illegal_goods' } });
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-console-after.png') });

    // The channel's history shows the decision and offers the reversal.
    await page.goto(`${base}/review/channels/chan-city-deliveries`);
    await page.waitForSelector(`tr.down:has-text("${item.id}")`);
    expect(await page.textContent('table.history')).toContain('illegal_goods.drugs');
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-channel.png') });
  });
});
