import { z } from 'zod';

/** The strong ETag of a draft: its sha256 in quotes. */
export const draftEtag = (sha256: string): string => `"${sha256}"`;

const STRONG_SHA256_ETAG = /^"([0-9a-f]{64})"$/;

/** The `If-Match` header of a decision, documented in the OpenAPI document. */
export const ifMatchHeaderSchema = z
  .string()
  .max(200)
  .describe(
    "The ETag of GET /workflows/{id} (the draft's sha256 in quotes): the decision is taken only on that draft, " +
      'otherwise 412 DRAFT_CHANGED. `*` names no draft. One tag only.',
  );

/** What a decision's preconditions name: a draft hash, nothing, or a client mistake to answer with 400. */
export type DraftPrecondition =
  | { kind: 'draft'; sha256: string }
  | { kind: 'any' }
  | { kind: 'stale' }
  | { kind: 'invalid'; pointer: string; in: 'header' | 'body'; message: string };

/**
 * Combines `If-Match` and the body's `draftSha256`, as `POST /workflows/:id/approve` calls it. A tag that is not a
 * strong draft ETag (a weak tag, another format) can match no draft, so it is `stale` (412) rather than invalid;
 * a list of tags and a header that disagrees with the body are `invalid` (400).
 */
export function draftPrecondition(ifMatch: string | undefined, bodySha256: string | undefined): DraftPrecondition {
  const header = ifMatch?.trim();
  if (header === undefined || header === '' || header === '*') {
    return bodySha256 === undefined ? { kind: 'any' } : { kind: 'draft', sha256: bodySha256 };
  }
  if (header.includes(',')) {
    return { kind: 'invalid', pointer: 'if-match', in: 'header', message: 'must be a single ETag' };
  }
  const named = STRONG_SHA256_ETAG.exec(header)?.[1];
  if (named === undefined) return { kind: 'stale' };
  if (bodySha256 !== undefined && bodySha256 !== named) {
    return { kind: 'invalid', pointer: '/draftSha256', in: 'body', message: 'names another draft than If-Match' };
  }
  return { kind: 'draft', sha256: named };
}
