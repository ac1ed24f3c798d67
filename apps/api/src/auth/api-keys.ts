import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { SCOPES } from './scopes.js';

/** One entry of `API_KEYS`: the key itself is never configured, only its sha256. */
export const apiKeySchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:@-]{1,100}$/, 'must be 1 to 100 characters of letters, digits and ._:@-')
      .describe('Stable caller id, recorded as submitter and reviewer'),
    name: z.string().trim().min(1).max(200),
    keySha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be the sha256 of the key as 64 hex characters')
      .transform((hex) => hex.toLowerCase()),
    scopes: z.array(z.enum(SCOPES)).min(1, 'must name at least one scope'),
  })
  .strict();
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The `API_KEYS` array: ids and key hashes must be unique. */
export const apiKeysSchema = z
  .array(apiKeySchema)
  .min(1, 'must list at least one key')
  .superRefine((keys, ctx) => {
    for (const field of ['id', 'keySha256'] as const) {
      const seen = new Set<string>();
      keys.forEach((key, index) => {
        if (seen.has(key[field])) ctx.addIssue({ code: 'custom', message: `duplicate ${field}`, path: [index, field] });
        seen.add(key[field]);
      });
    }
  });

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Returns a lookup of presented keys against `keys`. The presented key is hashed and compared with every
 * configured hash in constant time, without stopping at a match, so timing tells nothing about the keys.
 */
export function apiKeyMatcher(keys: readonly ApiKey[]): (presented: string) => ApiKey | undefined {
  const digests = keys.map((key) => Buffer.from(key.keySha256, 'hex'));
  return (presented) => {
    const digest = sha256(presented);
    let found: ApiKey | undefined;
    digests.forEach((expected, index) => {
      if (timingSafeEqual(digest, expected) && found === undefined) found = keys[index];
    });
    return found;
  };
}
