import { z } from 'zod';

/** Limits that keep one bad item from costing the pipeline more than it is worth. */
export const ITEM_LIMITS = {
  idLength: 256,
  textChars: 32_768,
  titleChars: 1_024,
  mediaPerItem: 16,
  inlineImageBytes: 8 * 1024 * 1024,
} as const;

const id = z.string().min(1).max(ITEM_LIMITS.idLength).regex(/^[\w.:/@-]+$/, 'ids use letters, digits and . : / @ _ -');
const country = z.string().regex(/^[A-Z]{2}$/, 'jurisdictions are ISO 3166-1 alpha-2 codes, upper case');

export const mediaRefSchema = z
  .object({
    kind: z.literal('image'),
    /** Fetched by the classifier with SSRF protection. */
    url: z.string().url().max(2048).optional(),
    /** Inline bytes, base64. */
    data: z.string().max(Math.ceil((ITEM_LIMITS.inlineImageBytes * 4) / 3) + 4).optional(),
    /** Platform-side digest, when known; lets identical media skip re-fetching. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    mime: z.string().max(100).optional(),
  })
  .refine((m) => Boolean(m.url) !== Boolean(m.data), { message: 'a media reference has exactly one of url or data' });
export type MediaRef = z.infer<typeof mediaRefSchema>;

export const itemKindSchema = z.enum(['channel', 'post', 'search_entry']);
export type ItemKind = z.infer<typeof itemKindSchema>;

export const itemSchema = z
  .object({
    id,
    kind: itemKindSchema,
    /** The channel the item belongs to; a channel's own id for kind `channel`. */
    channel_id: id,
    title: z.string().max(ITEM_LIMITS.titleChars).optional(),
    text: z.string().max(ITEM_LIMITS.textChars, `text is limited to ${ITEM_LIMITS.textChars} characters`).default(''),
    url: z.string().url().max(2048).optional(),
    media: z.array(mediaRefSchema).max(ITEM_LIMITS.mediaPerItem).default([]),
    /** BCP 47 primary tag when the platform knows it. */
    language: z.string().regex(/^[a-z]{2,3}$/).optional(),
    reach: z
      .object({
        subscribers: z.number().int().nonnegative().optional(),
        views: z.number().int().nonnegative().optional(),
      })
      .default({}),
    /** Countries where the item is known to be distributed or reported from. */
    jurisdictions: z.array(country).max(250).default([]),
    posted_at: z.string().datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((i) => i.text.length > 0 || (i.title?.length ?? 0) > 0 || i.media.length > 0, {
    message: 'an item needs text, a title or media',
  });

export type Item = z.infer<typeof itemSchema>;
export type ItemInput = z.input<typeof itemSchema>;
export const countrySchema = country;
export const itemIdSchema = id;
