import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../shared/auth/roles.js';
import { itemIdSchema, countrySchema } from '../../shared/items/item-schema.js';
import type { CaseMedia } from '../../shared/review/case-media.js';
import type { CaseView } from '../../shared/review/case-view.js';
import { decisionSchema, reversalSchema } from '../../shared/review/decision-plans.js';
import { ESCALATE_REASONS, KEEP_REASONS, LABEL_POLICIES, REVERSE_REASONS } from '../../shared/review/policy-text.js';
import { ReviewError } from '../../shared/review/review-errors.js';
import { can, DECIDER_ROLES, REVIEW_ROLES } from '../../shared/review/review-permissions.js';
import type { ReviewService } from '../../shared/review/review-service.js';
import { ApiError, errorHandler } from '../errors.js';

export interface ReviewRoutesOptions {
  review: ReviewService;
  view: CaseView;
  media: CaseMedia;
}

// Triage escalates and comments through the same decision route; the service checks each kind.
const anyReviewer = { auth: { roles: REVIEW_ROLES } };
const deciders = { auth: { roles: DECIDER_ROLES } };
const caseParams = z.object({ id: itemIdSchema });
const channelParams = z.object({ channelId: itemIdSchema });
const queueFilter = z.object({
  state: z.enum(['open', 'escalated']).default('open'),
  category: z.string().max(64).optional(),
  language: z.string().regex(/^[a-z]{2,3}$/).optional(),
  jurisdiction: countrySchema.optional(),
});

const me = (req: FastifyRequest): Principal => {
  if (!req.principal) throw new ApiError(401, 'unauthenticated', 'no principal');
  return req.principal;
};

/**
 * `/v1/review`: queues, claiming, case details, decisions (one or bulk), reversals, comments and
 * the thumbnails of a case's images. Every route names the roles it admits; the service checks
 * the finer rules (triage cannot take down, escalated cases are for seniors, foreign claims).
 */
export const reviewRoutes: FastifyPluginAsyncZod<ReviewRoutesOptions> = async (app, { review, view, media }) => {
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) =>
    errorHandler(err instanceof ReviewError ? new ApiError(err.status, err.code, err.message) : err, req, reply),
  );

  const detail = async (p: Principal, id: string) => {
    await review.visibleStatus(p, id);
    const d = await view.detail(id);
    if (!d) throw new ApiError(404, 'not_found', `no case for ${id}`);
    return d;
  };

  app.get('/policy', { config: anyReviewer }, async () => ({
    labels: LABEL_POLICIES, keep: KEEP_REASONS, escalate: ESCALATE_REASONS, reverse: REVERSE_REASONS,
  }));

  app.get('/queues', { config: anyReviewer }, async (req) => {
    const p = me(req);
    const counts = await view.queueCounts(can(p, 'see_escalated'));
    return { ...counts, can: { escalated: can(p, 'see_escalated'), takedown: can(p, 'takedown'), keep: can(p, 'keep'), reverse: can(p, 'reverse'), bulk: can(p, 'bulk') } };
  });

  app.post(
    '/claim',
    { config: anyReviewer, schema: { body: queueFilter.extend({ exclude: z.array(itemIdSchema).max(500).default([]) }) } },
    async (req) => {
      const { exclude, ...filter } = req.body;
      const claimed = await review.claimNext(me(req), filter, exclude);
      return { case: claimed ? await view.detail(claimed.subject_id) : null };
    },
  );

  app.get('/cases/:id', { config: anyReviewer, schema: { params: caseParams } }, async (req) => detail(me(req), req.params.id));

  app.post('/cases/:id/claim', { config: anyReviewer, schema: { params: caseParams } }, async (req) => {
    const c = await review.claim(me(req), req.params.id);
    return { subject_id: c.subject_id, claimed_by: c.claimed_by, claimed_until: c.claimed_until };
  });

  app.post('/cases/:id/release', { config: anyReviewer, schema: { params: caseParams } }, async (req) => ({ released: await review.release(me(req), req.params.id) }));

  app.post('/cases/:id/decision', { config: anyReviewer, schema: { params: caseParams, body: decisionSchema } }, async (req) =>
    review.decide(me(req), req.params.id, req.body),
  );

  app.post('/cases/:id/comment', { config: anyReviewer, schema: { params: caseParams, body: z.object({ note: z.string().trim().min(1).max(2_000) }) } }, async (req) =>
    review.comment(me(req), req.params.id, req.body.note),
  );

  app.post('/cases/:id/reverse', { config: deciders, schema: { params: caseParams, body: reversalSchema } }, async (req) =>
    review.reverse(me(req), req.params.id, req.body),
  );

  app.get('/channels/:channelId', { config: anyReviewer, schema: { params: channelParams } }, async (req) => {
    const p = me(req);
    const [items, open] = await Promise.all([view.channelItems(req.params.channelId), view.openCasesOfChannel(req.params.channelId, can(p, 'see_escalated'))]);
    return { channel_id: req.params.channelId, ...items, open_cases: open };
  });

  app.post(
    '/channels/:channelId/bulk-decision',
    {
      config: deciders,
      schema: { params: channelParams, body: z.object({ decision: decisionSchema, subject_ids: z.array(itemIdSchema).min(1).max(1000).optional() }) },
    },
    async (req) => review.bulkDecide(me(req), req.params.channelId, req.body.decision, req.body.subject_ids),
  );

  const mediaParams = caseParams.extend({ index: z.coerce.number().int().min(0).max(63) });
  const sendThumb = async (req: FastifyRequest, params: z.infer<typeof mediaParams>, reply: FastifyReply, revealed: boolean) => {
    const p = me(req);
    await review.visibleStatus(p, params.id);
    const t = await media.thumbnail(params.id, params.index, revealed);
    // Who saw which image unblurred is worth knowing later.
    if (revealed) req.log.info({ subject: params.id, image: params.index, moderator: p.id }, 'image revealed');
    if (t.error) reply.header('x-modpipe-image-error', t.error.slice(0, 200).replace(/[^\x20-\x7e]/g, '?'));
    // Nothing of a case's images stays in a browser cache or a proxy.
    return reply.header('content-type', t.contentType).header('cache-control', 'private, no-store').send(t.bytes);
  };
  app.get('/cases/:id/media/:index', { config: anyReviewer, schema: { params: mediaParams } }, (req, reply) => sendThumb(req, req.params, reply, false));
  app.get('/cases/:id/media/:index/reveal', { config: anyReviewer, schema: { params: mediaParams } }, (req, reply) => sendThumb(req, req.params, reply, true));
};
