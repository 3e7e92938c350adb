import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { countrySchema } from '../items/item-schema.js';
import { describeIssues } from '../validation/describe-issues.js';

const base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  label: z.string().min(1),
  action: z.enum(['review', 'takedown']),
  /** Only in these countries (a locally illegal category); absent = everywhere. */
  jurisdictions: z.array(countrySchema).min(1).optional(),
  description: z.string().optional(),
};

export const ruleSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('keywords'), terms: z.array(z.string().min(2).max(200)).min(1).max(50_000) }),
  z.object({ ...base, kind: z.literal('domains'), domains: z.array(z.string().min(3).max(253)).min(1).max(1_000_000) }),
  z.object({ ...base, kind: z.literal('regex'), pattern: z.string().min(1), flags: z.string().default('iu') }),
]);
export type Rule = z.infer<typeof ruleSchema>;

export const ruleListSchema = z.object({
  version: z.string().min(1),
  rules: z.array(ruleSchema),
});
export type RuleList = z.infer<typeof ruleListSchema>;

export class RuleListError extends Error {
  override readonly name = 'RuleListError';
}

export async function loadRuleList(file: string): Promise<RuleList> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new RuleListError(`rule list ${file}: ${(e as Error).message}`);
  }
  const parsed = ruleListSchema.safeParse(json);
  if (!parsed.success) {
    throw new RuleListError(`rule list ${file} is invalid: ${describeIssues(parsed.error)}`);
  }
  const ids = new Set<string>();
  for (const r of parsed.data.rules) {
    if (ids.has(r.id)) throw new RuleListError(`rule list ${file}: duplicate rule id ${r.id}`);
    ids.add(r.id);
  }
  return parsed.data;
}
