import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginAsync } from 'fastify';
import type { Queue } from 'bullmq';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/**
 * bull-board for operators: every route under the prefix needs role `ops` (or admin), whether
 * the caller holds a token or a console session.
 */
export const adminQueuesRoutes: FastifyPluginAsync<{ queues: Queue[] }> = async (app, { queues }) => {
  const adapter = new FastifyAdapter();
  // @bull-board/fastify pins its own copy of @bull-board/api (9.10.1 vs 9.10.2): same shape, separate declarations.
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
  adapter.setBasePath(ADMIN_QUEUES_PATH);
  await app.register(async (board) => {
    board.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), auth: { roles: ['ops'] } } as typeof route.config;
    });
    await board.register(adapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
  });
};
