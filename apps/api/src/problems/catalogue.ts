/**
 * Every problem the API answers, by stable `code`. Clients branch on `code`; titles may be reworded,
 * codes never change meaning. The problem `type` URI is derived from the code ({@link problemTypeUri}).
 */
export const PROBLEMS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' }, // body, header or path failed its schema; see `errors`
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' }, // also an empty body sent as application/json
  BAD_REQUEST: { status: 400, title: 'The request could not be read' }, // other framing errors, e.g. a wrong Content-Length
  INVALID_CURSOR: { status: 400, title: 'The list cursor is not valid' }, // not a cursor this API issued, or issued for other filters
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' }, // no Authorization header; see `WWW-Authenticate`
  INVALID_CREDENTIALS: { status: 401, title: 'The credentials are not valid' }, // unknown API key; token expired, for another audience or signed by an unknown key
  INSUFFICIENT_SCOPE: { status: 403, title: 'The caller lacks the scope this route needs' }, // authenticated, but not allowed here
  SELF_APPROVAL_FORBIDDEN: { status: 403, title: 'The submitter cannot decide their own pipeline' }, // four-eyes: another reviewer must decide
  CANCEL_FORBIDDEN: { status: 403, title: 'Only the submitter or an admin can cancel a pipeline' }, // authenticated, neither the submitter nor research:admin
  APPROVAL_LINK_INVALID: { status: 404, title: 'No such approval link' }, // malformed, altered, or signed with another secret
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' }, // unknown path
  WORKFLOW_NOT_FOUND: { status: 404, title: 'No such workflow' }, // unknown workflow id in this namespace
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' }, // path exists with other methods; see `Allow`
  NOT_AWAITING_APPROVAL: { status: 409, title: 'The workflow is not awaiting approval' }, // wrong stage, already decided, or closed
  WORKFLOW_CLOSED: { status: 409, title: 'The workflow is already closed' }, // cancel of a completed, failed, cancelled or terminated run
  DECISION_REJECTED: { status: 409, title: 'The workflow rejected the decision' }, // the update handler failed for another reason
  REVISIONS_EXHAUSTED: { status: 409, title: 'The draft was revised as often as allowed' }, // revise past the pipeline's maxRevisions
  APPROVAL_LINK_EXPIRED: { status: 410, title: 'The approval link has expired' }, // past its expiry; ask for a new link
  DRAFT_CHANGED: { status: 412, title: 'The decision names another draft' }, // If-Match / draftSha256 is not the current draft's hash (or it has none)
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' }, // over BODY_LIMIT_BYTES
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' }, // bodies must be application/json
  HOST_NOT_ALLOWED: { status: 421, title: 'This host name is not served' }, // open mode answers only localhost, 127.0.0.1 and [::1]
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The idempotency key was used with a different request' }, // same Idempotency-Key, other body
  RATE_LIMITED: { status: 429, title: 'Too many requests' }, // over RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS for this caller; see `Retry-After`
  RUNNING_LIMIT_REACHED: { status: 429, title: 'Too many running pipelines' }, // MAX_RUNNING_PER_CALLER of this caller's pipelines are running; see `Retry-After`
  INTERNAL_ERROR: { status: 500, title: 'Internal server error' }, // a bug; logged with the request id
  APPROVAL_LINKS_DISABLED: { status: 501, title: 'Approval links are not configured' }, // APPROVAL_LINK_SECRET is unset
  TEMPORAL_UNAVAILABLE: { status: 503, title: 'The workflow service is unavailable' }, // Temporal unreachable, timing out or refusing us
  SHUTTING_DOWN: { status: 503, title: 'The API is shutting down' }, // this process is closing; another replica (or this one restarted) will answer
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, title: 'The identity provider is unavailable' }, // OIDC discovery or keys could not be fetched
  WORKFLOW_TIMEOUT: { status: 504, title: 'The workflow did not answer in time' }, // update not handled before the deadline (no worker?)
} as const satisfies Record<string, { status: number; title: string }>;

/** A stable problem code, e.g. `WORKFLOW_NOT_FOUND`. */
export type ProblemCode = keyof typeof PROBLEMS;

export const PROBLEM_CODES = Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]];

const PROBLEM_TYPE_BASE = 'https://research-gateway.dev/problems/';

/** `https://research-gateway.dev/problems/workflow-not-found` for `WORKFLOW_NOT_FOUND`. */
export function problemTypeUri(code: ProblemCode): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replaceAll('_', '-');
}
