import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { itemSchema, itemIdSchema, type Item } from '../../shared/items/item-schema.js';
import type { Infrastructure } from '../../shared/wiring/infrastructure.js';
import { ApiError } from '../errors.js';
import { authErrors } from '../schemas/error-body.js';
import { itemStatusSchema, loadItemStatus } from './item-status.js';
import { describeIssues, ITEM_ISSUES } from '../../shared/validation/describe-issues.js';

export const MAX_ITEMS_PER_PUSH = 1_000;

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });

/** The platform pushes items; reads an item's status and history. */
export const itemsRoutes: FastifyPluginAsyncZod<{ infra: Infrastructure }> = async (app, { infra }) => {
  app.post(
    '/items',
    {
      config: { auth: { roles: ['platform'], scopes: ['items:write'] } },
      schema: {
        body: z.object({ items: z.array(z.unknown()).min(1).max(MAX_ITEMS_PER_PUSH) }),
        summary: `Push items (1 to ${MAX_ITEMS_PER_PUSH} per request; all or nothing)`,
        response: { 202: z.object({ accepted: z.number(), trace: z.string(), ids: z.array(z.string()) }), 400: errorBody, 413: errorBody, ...authErrors },
      },
    },
    async (req, reply) => {
      // All or nothing: the platform learns exactly which items to fix and nothing half-lands.
      const items: Item[] = [];
      const errors: { index: number; id?: string; message: string }[] = [];
      req.body.items.forEach((raw, index) => {
        const parsed = itemSchema.safeParse(raw);
        if (parsed.success) items.push(parsed.data);
        else {
          const id = typeof (raw as { id?: unknown })?.id === 'string' ? String((raw as { id: string }).id).slice(0, 100) : undefined;
          errors.push({ index, id, message: describeIssues(parsed.error, ITEM_ISSUES) });
        }
      });
      if (errors.length > 0) {
        req.log.warn({ rejected: errors.length }, 'push rejected: malformed items');
        throw new ApiError(400, 'invalid_items', `${errors.length} of ${req.body.items.length} items are invalid; nothing was accepted`, errors);
      }
      const trace = String(req.id);
      const now = new Date().toISOString();
      // In the embedded setup the demo index stands in for the platform's own search.
      await infra.postgresIndex?.upsert(items);
      // One job per hundred items: each item's trace is `<request id>/<item id>`.
      await infra.classifyQueue.addBatched(items, { source: 'push', trace, ingested_at: now, force: false });
      req.log.info({ trace, accepted: items.length }, 'items accepted');
      return reply.code(202).send({ accepted: items.length, trace, ids: items.map((i) => i.id) });
    },
  );

  app.get(
    '/items/:id',
    {
      config: { auth: { roles: ['platform', 'moderator', 'triage', 'ops'], scopes: ['read'] } },
      schema: {
        summary: "An item's current status and full history",
        params: z.object({ id: itemIdSchema }),
        response: { 200: itemStatusSchema, 404: errorBody, ...authErrors },
      },
    },
    async (req) => {
      const status = await loadItemStatus(infra.db, infra.index, req.params.id);
      if (!status) throw new ApiError(404, 'not_found', `no item ${req.params.id}`);
      return status;
    },
  );
};

