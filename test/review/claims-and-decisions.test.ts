import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseView } from '../../shared/review/case-view.js';
import { ReviewError } from '../../shared/review/review-errors.js';
import { JOIN_BUMP } from '../../shared/review/review-priority.js';
import { backends } from '../support/test-db.js';
import { openReviewFixture, principal, seedCase, type ReviewFixture } from './review-fixture.js';

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ReviewError);
  return e as ReviewError;
};

describe.each(backends())('review cases on %s', (backend) => {
  let f: ReviewFixture & { redis: { url: string } };
  const m1 = principal('m1', 'moderator');
  const m2 = principal('m2', 'moderator');
  const triage = principal('tri', 'triage');
  const senior = principal('sen', 'senior');
  const eventTypes = async (id: string) =>
    (await f.t.db.query<{ type: string }>('SELECT type FROM events WHERE subject_id = $1 ORDER BY seq', [id])).rows.map((r) => r.type);
  const statusOf = async (id: string) => (await f.t.db.query<Record<string, unknown>>('SELECT * FROM subject_status WHERE subject_id = $1', [id])).rows[0]!;

  beforeAll(async () => {
    f = await openReviewFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  // Each test works in its own queue view (a language nobody else uses) so they do not share cases.
  it('gives each of many concurrent moderators a different case, and nobody a case twice', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => seedCase(f, { language: 'aa' })));
    const moderators = Array.from({ length: 20 }, (_, i) => principal(`crowd-${i}`, 'moderator'));
    const claims = await Promise.all(moderators.map((m) => f.review.claimNext(m, { state: 'open', language: 'aa' })));
    const got = claims.filter((c) => c !== null).map((c) => c.subject_id);
    expect(got).toHaveLength(12);
    expect(new Set(got).size).toBe(12);
    expect(new Set(got)).toEqual(new Set(ids));
    expect(claims.filter((c) => c === null)).toHaveLength(8);
    // Asking again (a page reload) returns each moderator's own case rather than stranding it.
    const again = await Promise.all(moderators.map((m) => f.review.claimNext(m, { state: 'open', language: 'aa' })));
    expect(again.map((c) => c?.subject_id ?? null)).toEqual(claims.map((c) => c?.subject_id ?? null));
  });

  it('hands out the most severe case first', async () => {
    const spam = await seedCase(f, { language: 'ab', category: 'spam' });
    const csam = await seedCase(f, { language: 'ab', category: 'csam' });
    expect((await f.review.claimNext(m1, { state: 'open', language: 'ab' }))?.subject_id).toBe(csam);
    expect((await f.review.claimNext(m2, { state: 'open', language: 'ab' }))?.subject_id).toBe(spam);
  });

  it('returns a case to the queue when its lease expires, and then refuses the first holder', async () => {
    const shortLease = f.withOptions({ leaseMs: 300 });
    const id = await seedCase(f, { language: 'ac' });
    expect((await shortLease.claimNext(m1, { state: 'open', language: 'ac' }))?.subject_id).toBe(id);
    expect(await shortLease.claimNext(m2, { state: 'open', language: 'ac' })).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    expect((await shortLease.claimNext(m2, { state: 'open', language: 'ac' }))?.subject_id).toBe(id);
    const e = await refusal(shortLease.decide(m1, id, { decision: 'keep', reason: 'keep.no_violation' }));
    expect(e.code).toBe('claimed_by_other');
    await shortLease.decide(m2, id, { decision: 'keep', reason: 'keep.no_violation' });
    expect(await statusOf(id)).toMatchObject({ review_state: 'closed', claimed_by: null });
  });

  it('refuses a decision on a case someone else has claimed, and records nothing', async () => {
    const id = await seedCase(f, { language: 'ad' });
    await f.review.claim(m1, id);
    const before = await eventTypes(id);
    const e = await refusal(f.review.decide(m2, id, { decision: 'takedown', reason: 'illegal_goods.drugs', scope: { global: true } }));
    expect(e).toMatchObject({ status: 409, code: 'claimed_by_other' });
    expect(await eventTypes(id)).toEqual(before);
    expect((await f.t.db.query('SELECT 1 FROM outbox WHERE subject_id = $1', [id])).rows).toHaveLength(0);
    expect((await refusal(f.review.claim(m2, id))).code).toBe('claimed_by_other');
  });

  it('lets triage comment and escalate but never take down or keep; only seniors see escalated cases', async () => {
    const id = await seedCase(f, { language: 'ae' });
    expect((await f.review.claimNext(triage, { state: 'open', language: 'ae' }))?.subject_id).toBe(id);
    expect((await refusal(f.review.decide(triage, id, { decision: 'takedown', reason: 'illegal_goods.drugs', scope: { global: true } }))).status).toBe(403);
    expect((await refusal(f.review.decide(triage, id, { decision: 'keep', reason: 'keep.no_violation' }))).status).toBe(403);
    await f.review.comment(triage, id, 'Looks like a dead-drop ad; city slang.');
    await f.review.decide(triage, id, { decision: 'escalate', reason: 'escalate.language', note: 'needs a Russian reader' });
    expect(await eventTypes(id)).toEqual(['ingested', 'classified', 'review_opened', 'commented', 'reviewed']);
    expect(await statusOf(id)).toMatchObject({ review_state: 'escalated', claimed_by: null });

    // Moderators and triage neither see nor claim it; a senior does, and decides it.
    expect(await f.review.claimNext(m1, { state: 'open', language: 'ae' })).toBeNull();
    expect((await refusal(f.review.claimNext(m1, { state: 'escalated', language: 'ae' }))).status).toBe(403);
    expect((await refusal(f.review.visibleStatus(triage, id))).status).toBe(403);
    expect((await refusal(f.review.decide(m1, id, { decision: 'keep', reason: 'keep.no_violation' }))).status).toBe(403);
    expect((await f.review.claimNext(senior, { state: 'escalated', language: 'ae' }))?.subject_id).toBe(id);
    const done = await f.review.decide(senior, id, { decision: 'takedown', reason: 'illegal_goods.drugs', scope: { jurisdictions: ['RU', 'KZ'] } });
    expect(done.outbox).toHaveLength(1);
    const job = await f.queue.queue.getJob(done.outbox[0]!);
    expect(job?.data).toMatchObject({ subject_id: id, action: 'delist', scope: { jurisdictions: ['RU', 'KZ'] }, category: 'illegal_goods', actor: 'moderator:sen' });
    const reviewed = await f.t.db.query<{ actor: string; payload: Record<string, unknown> }>(`SELECT actor, payload FROM events WHERE subject_id = $1 AND type = 'reviewed' ORDER BY seq DESC LIMIT 1`, [id]);
    expect(reviewed.rows[0]).toMatchObject({ actor: 'moderator:sen', payload: { decision: 'takedown', reason: 'illegal_goods.drugs', category: 'illegal_goods', previous_state: 'escalated' } });
  });

  it('gathers reports into one case whose priority rises with each distinct reporter', async () => {
    const view = new CaseView(f.t.db);
    const id = await seedCase(f, { language: 'af', category: 'scam' });
    const priority = async () => (await view.detail(id))!.status.effective_priority;
    const report = async (reporter: string, subject = id) => {
      await f.store.write([{ subjects: [{ id: subject }], plan: () => ({ events: [{ subject_id: subject, type: 'report', actor: 'platform', payload: { reporter, category: 'scam' } }] }) }]);
      return f.review.openOrRaiseCase({ subjectId: subject, source: 'report', actor: 'platform', category: 'scam' });
    };
    const seen = [await priority()];
    for (const reporter of ['u1', 'u2', 'u3']) {
      const r = await report(reporter);
      expect(r).toMatchObject({ opened: false, reviewState: 'open' });
      seen.push(await priority());
    }
    await report('u3'); // the same reporter again changes nothing
    seen.push(await priority());
    expect(seen[1]!).toBeGreaterThan(seen[0]!);
    expect(seen[2]!).toBeGreaterThan(seen[1]!);
    expect(seen[3]!).toBeGreaterThan(seen[2]!);
    expect(seen[4]!).toBe(seen[3]!);
    // One case: one row, still open, claimable once.
    expect(await statusOf(id)).toMatchObject({ review_state: 'open', report_count: 3 });
    expect((await eventTypes(id)).filter((t) => t === 'review_opened')).toHaveLength(1);
    // A new borderline verdict joins the open case and raises its stored priority.
    const before = Number((await statusOf(id)).priority);
    await f.review.openOrRaiseCase({ subjectId: id, source: 'classifier', actor: 'system:classifier@test', category: 'scam', confidence: 0.6 });
    expect(Number((await statusOf(id)).priority)).toBeCloseTo(before + JOIN_BUMP, 3);
    expect((await f.review.claimNext(m1, { state: 'open', language: 'af' }))?.subject_id).toBe(id);
    expect(await f.review.claimNext(m2, { state: 'open', language: 'af' })).toBeNull();

    // A report on a case already decided opens a new one.
    const kept = await seedCase(f, { language: 'af', category: 'spam' });
    await f.review.decide(m2, kept, { decision: 'keep', reason: 'keep.no_violation' });
    expect(await report('u9', kept)).toMatchObject({ opened: true, reviewState: 'open' });
  });

  it('decides many cases of one channel at once, leaving those someone else holds', async () => {
    const channel_id = `chan-bulk-${backend}`;
    const ids = await Promise.all([0, 1, 2].map(() => seedCase(f, { language: 'ag', channel_id, category: 'spam' })));
    await f.review.claim(m2, ids[2]!);
    const r = await f.review.bulkDecide(m1, channel_id, { decision: 'takedown', reason: 'spam.bulk', scope: { global: true } });
    expect(r.decided.sort()).toEqual([ids[0], ids[1]].sort());
    expect(r.skipped).toEqual([{ subjectId: ids[2], reason: expect.stringContaining('claimed by m2') }]);
    for (const id of r.decided) expect(await statusOf(id)).toMatchObject({ review_state: 'closed' });
    expect((await f.t.db.query('SELECT subject_id FROM outbox WHERE subject_id = ANY($1::text[])', [ids])).rows).toHaveLength(2);
    expect((await refusal(f.review.bulkDecide(triage, channel_id, { decision: 'keep', reason: 'keep.no_violation' }))).status).toBe(403);
  });
});
