import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countrySchema } from '../../shared/items/item-schema.js';
import type { PostgresSearchIndex } from '../../shared/search-index/postgres-index.js';
import { renderSearchPage } from './search-page.js';

/** The demo search engine: what a user in `country` finds. Public, like the platform's search. */
export const searchRoutes: FastifyPluginAsyncZod<{ index: PostgresSearchIndex }> = async (app, { index }) => {
  app.get(
    '/search',
    {
      config: { auth: false },
      schema: {
        querystring: z.object({
          q: z.string().max(500).default(''),
          country: countrySchema.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(20),
        }),
      },
    },
    async (req, reply) => {
      const { q, country, limit } = req.query;
      const results = await index.search(q, { country, limit });
      if (req.headers.accept?.includes('text/html')) return reply.type('text/html; charset=utf-8').send(renderSearchPage(q, country, results));
      return { q, country: country ?? null, count: results.length, results };
    },
  );
};
