import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ReportService, reportInputSchema, UnknownItemError } from '../../shared/reports/report-service.js';
import type { Infrastructure } from '../../shared/wiring/infrastructure.js';
import { ApiError } from '../errors.js';
import { authErrors, errorBodySchema } from '../schemas/error-body.js';

const reportOutcomeSchema = z.object({
  item_id: z.string(),
  report_count: z.number().int(),
  counted: z.boolean(),
  classification_queued: z.boolean(),
  review_opened: z.boolean(),
  trace: z.string(),
});

/** User reports relayed by the platform. */
export const reportsRoutes: FastifyPluginAsyncZod<{ infra: Infrastructure }> = async (app, { infra }) => {
  const reports = new ReportService(infra.db, infra.store, infra.classifyQueue, { reviewThreshold: infra.config.REPORT_REVIEW_THRESHOLD });
  app.post(
    '/reports',
    {
      config: { auth: { roles: ['platform'], scopes: ['reports:write'] } },
      schema: {
        summary: 'Report an item',
        description:
          `A user reports an item. Reports of one item aggregate (one reporter counts once). The first report classifies the item ` +
          `at top priority; when ${infra.config.REPORT_REVIEW_THRESHOLD} distinct users have reported it, it goes to review whatever the verdict.`,
        body: reportInputSchema,
        response: { 202: reportOutcomeSchema, 400: errorBodySchema, 404: errorBodySchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const trace = `${req.id}/${req.body.item_id}`;
      try {
        const outcome = await reports.report(req.body, trace);
        req.log.info({ trace, item: outcome.item_id, report_count: outcome.report_count, counted: outcome.counted, review_opened: outcome.review_opened }, 'report recorded');
        return reply.code(202).send({ ...outcome, trace });
      } catch (e) {
        if (e instanceof UnknownItemError) throw new ApiError(404, 'not_found', e.message);
        throw e;
      }
    },
  );
};
