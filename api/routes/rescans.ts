import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rescanPrioritySchema, rescanScopeSchema, type RescanScope } from '../../shared/rescans/rescan-scope.js';
import { RescanNotFoundError, RescanService } from '../../shared/rescans/rescan-service.js';
import type { Infrastructure } from '../../shared/wiring/infrastructure.js';
import { currentModelVersion } from '../../workers/ingest/model-version-registry.js';
import { rescanPageJobId } from '../../workers/ingest/rescan-page.js';
import { ApiError } from '../errors.js';
import { authErrors, errorBodySchema } from '../schemas/error-body.js';

const progressSchema = z.object({
  id: z.string(),
  scope: z.unknown(),
  reason: z.string(),
  priority: rescanPrioritySchema,
  requested_by: z.string(),
  state: z.enum(['running', 'fanned_out', 'completed', 'cancelled']),
  planned: z.number().int(),
  queued: z.number().int(),
  classified: z.number().int(),
  taken_down: z.number().int(),
  failed: z.number().int(),
  pages: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});

const idParams = z.object({ id: z.string().uuid() });

/** Rescans: re-classify a scope page by page below live traffic; progress; cancel. */
export const rescansRoutes: FastifyPluginAsyncZod<{ infra: Infrastructure }> = async (app, { infra }) => {
  const rescans = new RescanService(infra.db);
  const auth = { write: { roles: ['platform', 'ops'] as const, scopes: ['rescans:write'] as const }, read: { roles: ['platform', 'ops'] as const, scopes: ['read'] as const } };

  /** `model_version` scopes name the version to move away from; by default the one running now. */
  async function resolve(scope: RescanScope): Promise<RescanScope> {
    if (!('model_version' in scope) || scope.model_version.not) return scope;
    const current = await currentModelVersion(infra.redis, infra.config.QUEUE_PREFIX);
    if (!current) throw new ApiError(409, 'no_model_version', 'no classify worker has announced its model version yet: name the version in model_version.not');
    return { model_version: { not: current } };
  }

  app.post(
    '/rescans',
    {
      config: { auth: { roles: [...auth.write.roles], scopes: [...auth.write.scopes] } },
      schema: {
        summary: 'Start a rescan',
        description: 'Re-classifies every item of the scope (even content the current model classified). Asking again for a scope whose rescan still runs answers 200 with the running one.',
        body: z.object({ scope: rescanScopeSchema, reason: z.string().trim().min(1).max(500), priority: rescanPrioritySchema.default('normal') }).strict(),
        response: { 200: progressSchema, 202: progressSchema, 400: errorBodySchema, 409: errorBodySchema, ...authErrors },
      },
    },
    async (req, reply) => {
      if ('query' in req.body.scope && !infra.postgresIndex) throw new ApiError(400, 'unsupported_scope', 'query scopes need the embedded search index (SEARCH_INDEX=postgres)');
      const scope = await resolve(req.body.scope);
      const { rescan, created } = await rescans.create({ scope, reason: req.body.reason, priority: req.body.priority, requestedBy: req.principal?.id ?? 'unknown' });
      // Queued on creation and again when answering with a rescan that has not fanned out a page:
      // the job id makes that one job, and a crash between insert and enqueue heals on the next ask.
      if (rescan.state === 'running' && rescan.pages === 0) {
        await infra.ingestQueue.add({ kind: 'rescan', rescan_id: rescan.id, cursor: null, page_size: infra.config.RESCAN_PAGE_SIZE }, rescanPageJobId(rescan.id, null));
      }
      req.log.info({ trace: String(req.id), rescan: rescan.id, created, planned: rescan.planned }, created ? 'rescan started' : 'rescan already running');
      return reply.code(created ? 202 : 200).send(rescan);
    },
  );

  const withRescan = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RescanNotFoundError) throw new ApiError(404, 'not_found', e.message);
      throw e;
    }
  };

  app.get(
    '/rescans/:id',
    {
      config: { auth: { roles: [...auth.read.roles], scopes: [...auth.read.scopes] } },
      schema: { summary: 'Rescan progress', params: idParams, response: { 200: progressSchema, 404: errorBodySchema, ...authErrors } },
    },
    async (req) => withRescan(() => rescans.get(req.params.id)),
  );

  app.delete(
    '/rescans/:id',
    {
      config: { auth: { roles: [...auth.write.roles], scopes: [...auth.write.scopes] } },
      schema: { summary: 'Cancel a rescan: no further pages fan out (jobs already queued still run)', params: idParams, response: { 200: progressSchema, 404: errorBodySchema, ...authErrors } },
    },
    async (req) => {
      const rescan = await withRescan(() => rescans.cancel(req.params.id));
      req.log.info({ trace: String(req.id), rescan: rescan.id, state: rescan.state }, 'rescan cancel requested');
      return rescan;
    },
  );
};
