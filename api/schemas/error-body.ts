import { z } from 'zod';

/** The body of every error answer (see api/errors.ts). */
export const errorBodySchema = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });

/** The error answers every authenticated route may give, for its response schema. */
export const authErrors = { 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema } as const;
