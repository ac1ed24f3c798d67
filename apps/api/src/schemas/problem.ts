import { z } from 'zod';
import { PROBLEM_CODES } from '../problems/catalogue.js';
import type { ProblemCode } from '../problems/catalogue.js';
import { component } from './registry.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const fieldErrorSchema = z.object({
  pointer: z.string().describe('JSON pointer into the request part named by `in`, e.g. `/sourceUrl`'),
  in: z.enum(['body', 'header', 'path', 'query']),
  message: z.string(),
});

/** RFC 9457 problem details, with a stable `code` (see the error catalogue). */
export const problemSchema = component(
  'Problem',
  z.object({
    type: z.string().describe('URI identifying the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('The request path that produced the problem'),
    code: z.enum(PROBLEM_CODES),
    requestId: z.string(),
    errors: z.array(fieldErrorSchema).optional(),
  }),
  'RFC 9457 problem details',
);
export type Problem = z.infer<typeof problemSchema>;
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** Route `response` entries documenting `statuses` as problem+json, for the OpenAPI document and the serializer. */
export function problemResponses<S extends number>(
  ...statuses: S[]
): Record<S, { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof problemSchema } } }> {
  const entries = statuses.map((status) => [
    status,
    { description: describeStatus(status), content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } },
  ]);
  return Object.fromEntries(entries) as Record<
    S,
    { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof problemSchema } } }
  >;
}

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (VALIDATION_FAILED, MALFORMED_JSON, BAD_REQUEST)',
  401: 'Missing or invalid credentials (UNAUTHENTICATED, INVALID_CREDENTIALS); see WWW-Authenticate',
  403: 'Forbidden: the caller lacks the scope (INSUFFICIENT_SCOPE) or submitted this pipeline (SELF_APPROVAL_FORBIDDEN)',
  404: 'Not found (WORKFLOW_NOT_FOUND, APPROVAL_LINK_INVALID)',
  410: 'The approval link has expired (APPROVAL_LINK_EXPIRED)',
  409: 'Conflict (NOT_AWAITING_APPROVAL, DECISION_REJECTED); for a link: already used or the pipeline was decided',
  412: 'The decision names a draft other than the current one (DRAFT_CHANGED); read the pipeline again',
  413: 'Body too large (PAYLOAD_TOO_LARGE)',
  415: 'Unsupported media type (UNSUPPORTED_MEDIA_TYPE)',
  422: 'Idempotency key reused with a different body (IDEMPOTENCY_KEY_REUSED)',
  429: 'Too many requests from this caller (RATE_LIMITED); see Retry-After',
  500: 'Internal error (INTERNAL_ERROR)',
  501: 'Approval links are not configured (APPROVAL_LINKS_DISABLED)',
  503: 'Temporal or the identity provider unavailable (TEMPORAL_UNAVAILABLE, IDENTITY_PROVIDER_UNAVAILABLE)',
  504: 'The workflow did not answer in time (WORKFLOW_TIMEOUT)',
};

function describeStatus(status: number): string {
  return STATUS_DESCRIPTIONS[status] ?? 'Problem';
}

export type { ProblemCode };
