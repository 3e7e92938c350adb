import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BankExistsError, BankNotFoundError, BankStore, createBankSchema, entryInputSchema, updateBankSchema } from '../../shared/banks/bank-store.js';
import { BankImportError } from '../../shared/banks/hash-bank-csv.js';
import { bankNameSchema, hashHexSchema, type BankMatch } from '../../shared/banks/hash-bank-set.js';
import { LiveBankSet } from '../../shared/banks/live-bank-set.js';
import { ImageDecodeError } from '../../shared/images/decode-image.js';
import { hash256FromHex, hash256ToHex } from '../../shared/images/hash256.js';
import { pdqHashImageDihedral } from '../../shared/images/pdq-image.js';
import { ImageFetchError, safeFetchImage, type SafeFetchOptions } from '../../shared/images/safe-fetch.js';
import type { Db } from '../../shared/store/db.js';
import { ApiError } from '../errors.js';
import { describeIssues } from '../../shared/validation/describe-issues.js';

/**
 * Hash-bank management (admin only): banks, their entries, hash-list imports, and lookups of an
 * image or a hash against the banks as the classifier sees them. Changes reach classify processes
 * through the bank revision within a few seconds (live-bank-set.ts), and items already seen whose
 * pictures match newly added hashes are re-classified (bank-rescan-poller.ts).
 *
 * Machine tokens need scope `banks:write` for changes; reads need only the admin role.
 */

export interface BanksRoutesOptions {
  db: Db;
  /** TESTS ONLY: lets lookups fetch from a loopback server. */
  fetch?: SafeFetchOptions;
}

const READ = { roles: ['admin' as const] };
const WRITE = { roles: ['admin' as const], scopes: ['banks:write' as const] };
const MAX_ENTRIES_PER_CALL = 10_000;
const MAX_LOOKUP_IMAGE_BYTES = 20 * 1024 * 1024;

const errorBody = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

const bankSchema = z.object({
  bank: z.string(),
  label: z.string(),
  action: z.enum(['takedown', 'review']),
  kind: z.enum(['block', 'allow']),
  enabled: z.boolean(),
  description: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  entries: z.number().int(),
});
const entrySchema = z.object({
  id: z.number().int(),
  hash: z.string(),
  quality: z.number().int().nullable(),
  note: z.string().nullable(),
  source_id: z.string().nullable(),
  added_by: z.string().nullable(),
  added_at: z.string(),
});
const matchSchema = z.object({
  bank: z.string(),
  kind: z.enum(['block', 'allow']),
  label: z.string(),
  action: z.enum(['takedown', 'review']),
  distance: z.number().int(),
  variant: z.string(),
  entry: z.object({ hash: z.string(), note: z.string().optional(), source_id: z.string().optional() }),
});
const nameParams = z.object({ name: bankNameSchema });

const lookupBody = z
  .object({
    /** Image bytes, base64. */
    image: z.string().max(Math.ceil((MAX_LOOKUP_IMAGE_BYTES * 4) / 3) + 4).optional(),
    /** An image URL, fetched with SSRF protection. */
    url: z.string().url().max(2048).optional(),
    hash: hashHexSchema.optional(),
  })
  .strict()
  .refine((b) => [b.image, b.url, b.hash].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of image, url or hash' });

export const banksRoutes: FastifyPluginAsyncZod<BanksRoutesOptions> = async (app, options) => {
  const store = new BankStore(options.db);
  let live: Promise<LiveBankSet> | null = null;
  const actor = (req: { principal: { id: string } | null }) => `admin:${req.principal?.id ?? 'unknown'}`;

  // Hash lists are posted as they are exported: text/csv (or text/plain) bodies, read as text.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof BankImportError) {
      return reply.code(400).send({ code: 'invalid_hash_list', message: `${err.problems.length} bad line(s); nothing was imported`, details: err.problems });
    }
    if (err instanceof BankNotFoundError) return reply.code(404).send({ code: 'not_found', message: err.message });
    if (err instanceof BankExistsError) return reply.code(409).send({ code: 'bank_exists', message: err.message });
    throw err; // the app's handler answers everything else
  });

  app.get('/banks', { config: { auth: READ }, schema: { summary: 'List hash banks', response: { 200: z.object({ banks: z.array(bankSchema) }), ...errors } } }, async () => ({
    banks: await store.listBanks(),
  }));

  app.post(
    '/banks',
    { config: { auth: WRITE }, schema: { summary: 'Create a hash bank', body: createBankSchema.strict(), response: { 201: bankSchema, 409: errorBody, ...errors } } },
    async (req, reply) => reply.code(201).send(await store.createBank(req.body, actor(req))),
  );

  app.get('/banks/:name', { config: { auth: READ }, schema: { params: nameParams, response: { 200: bankSchema, ...errors } } }, async (req) => store.requireBank(req.params.name));

  app.patch(
    '/banks/:name',
    { config: { auth: WRITE }, schema: { summary: 'Enable, disable or relabel a bank', params: nameParams, body: updateBankSchema, response: { 200: bankSchema, ...errors } } },
    async (req) => store.updateBank(req.params.name, req.body),
  );

  app.get(
    '/banks/:name/entries',
    {
      config: { auth: READ },
      schema: {
        params: nameParams,
        querystring: z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(10_000).default(1_000) }),
        response: { 200: z.object({ entries: z.array(entrySchema), next_after: z.number().int().nullable() }), ...errors },
      },
    },
    async (req) => {
      const entries = await store.listEntries(req.params.name, req.query);
      const last = entries[entries.length - 1];
      return { entries: entries.map(({ bank: _bank, ...e }) => e), next_after: entries.length === req.query.limit && last ? last.id : null };
    },
  );

  app.post(
    '/banks/:name/entries',
    {
      config: { auth: WRITE },
      schema: {
        summary: 'Add entries (all or nothing: any bad entry rejects the call, with its index)',
        params: nameParams,
        body: z.object({ entries: z.array(z.unknown()).min(1).max(MAX_ENTRIES_PER_CALL) }).strict(),
        response: { 200: z.object({ added: z.number().int(), duplicates: z.number().int(), revision: z.number().int() }), ...errors },
      },
    },
    async (req) => {
      const parsed = req.body.entries.map((e) => entryInputSchema.strict().safeParse(e));
      const bad = parsed.flatMap((p, index) => (p.success ? [] : [{ index, message: describeIssues(p.error, { root: '(entry)' }) }]));
      if (bad.length > 0) throw new ApiError(400, 'invalid_entries', `${bad.length} of ${parsed.length} entries are invalid; nothing was added`, bad);
      return store.addEntries(req.params.name, parsed.flatMap((p) => (p.success ? [p.data] : [])), actor(req));
    },
  );

  app.post(
    '/banks/:name/entries/remove',
    {
      config: { auth: WRITE },
      schema: {
        summary: 'Remove entries by hash (kept in the record as removed)',
        params: nameParams,
        body: z.object({ hashes: z.array(hashHexSchema).min(1).max(MAX_ENTRIES_PER_CALL) }).strict(),
        response: { 200: z.object({ removed: z.number().int(), revision: z.number().int() }), ...errors },
      },
    },
    async (req) => store.removeEntries(req.params.name, req.body.hashes, actor(req)),
  );

  app.post(
    '/banks/:name/import',
    {
      config: { auth: WRITE },
      schema: {
        summary: 'Import a hash list (CSV: hash[,label,note,source_id]; text/csv body or {"csv": "..."}); all or nothing, bad lines by number',
        params: nameParams,
        body: z.union([z.string().min(1), z.object({ csv: z.string().min(1) }).strict()]),
        response: { 200: z.object({ bank: z.string(), added: z.number().int(), duplicates: z.number().int(), revision: z.number().int() }), ...errors },
      },
    },
    async (req) => store.importCsv(req.params.name, typeof req.body === 'string' ? req.body : req.body.csv, actor(req)),
  );

  app.post(
    '/banks/lookup',
    {
      config: { auth: READ },
      schema: {
        summary: 'Match an image (base64 or URL) or a PDQ hash against the enabled banks',
        body: lookupBody,
        response: {
          200: z.object({
            hash: z.string(),
            quality: z.number().int(),
            matches: z.array(matchSchema),
            allowed_by: z.array(matchSchema),
            suppressed: z.array(matchSchema),
            low_quality: z.boolean(),
          }),
          422: errorBody,
          ...errors,
        },
      },
    },
    async (req) => {
      // The banks as classify processes see them: loaded once, then brought up to date per lookup.
      live ??= LiveBankSet.open(store).catch((e: unknown) => {
        live = null;
        throw e;
      });
      const banks = await live;
      await banks.refresh();
      const { hash, quality, variants } = await hashOf(req.body, options.fetch);
      const outcome = banks.set.match({ hashes: variants, quality });
      return {
        hash,
        quality,
        matches: outcome.matches.map(toMatch),
        allowed_by: outcome.allowedBy.map(toMatch),
        suppressed: outcome.suppressed.map(toMatch),
        low_quality: outcome.lowQuality,
      };
    },
  );

  app.addHook('onClose', async () => {
    if (live) await (await live.catch(() => null))?.close();
  });
};

/** The hashes to look up: a given hash alone, or an image's hash with its eight variants. */
async function hashOf(body: z.output<typeof lookupBody>, fetch: SafeFetchOptions | undefined) {
  if (body.hash) {
    const h = hash256FromHex(body.hash);
    return { hash: body.hash, quality: 100, variants: [h] };
  }
  let bytes: Buffer;
  if (body.url) {
    try {
      bytes = (await safeFetchImage(body.url, fetch)).bytes;
    } catch (err) {
      if (err instanceof ImageFetchError) throw new ApiError(422, 'fetch_failed', `${err.message} [${err.reason}]`);
      throw err;
    }
  } else {
    const compact = (body.image ?? '').replace(/\s+/g, '');
    if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new ApiError(400, 'bad_request', 'image is not valid base64');
    bytes = Buffer.from(compact, 'base64');
  }
  try {
    // On the request's thread: a lookup is an admin's occasional call, not the classify hot path.
    const r = await pdqHashImageDihedral(bytes);
    return { hash: hash256ToHex(r.hash), quality: r.quality, variants: r.variants };
  } catch (err) {
    if (err instanceof ImageDecodeError) throw new ApiError(422, 'bad_image', `${err.reason}: ${err.message}`);
    throw err;
  }
}

function toMatch(m: BankMatch): z.infer<typeof matchSchema> {
  return {
    bank: m.bank,
    kind: m.kind,
    label: m.label,
    action: m.action,
    distance: m.distance,
    variant: m.variant,
    entry: { hash: m.entry.hash, ...(m.entry.note !== undefined && { note: m.entry.note }), ...(m.entry.sourceId !== undefined && { source_id: m.entry.sourceId }) },
  };
}
