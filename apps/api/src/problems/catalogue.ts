/**
 * Every problem the API answers, by stable `code`. Clients branch on `code`; titles may be reworded,
 * codes never change meaning. The problem `type` URI is derived from the code ({@link problemTypeUri}).
 */
export const PROBLEMS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' }, // body, header or path failed its schema; see `errors`
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' }, // also an empty body sent as application/json
  BAD_REQUEST: { status: 400, title: 'The request could not be read' }, // other framing errors, e.g. a wrong Content-Length
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' }, // unknown path
  WORKFLOW_NOT_FOUND: { status: 404, title: 'No such workflow' }, // unknown workflow id in this namespace
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' }, // path exists with other methods; see `Allow`
  NOT_AWAITING_APPROVAL: { status: 409, title: 'The workflow is not awaiting approval' }, // wrong stage, already decided, or closed
  DECISION_REJECTED: { status: 409, title: 'The workflow rejected the decision' }, // the update handler failed for another reason
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' }, // over BODY_LIMIT_BYTES
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' }, // bodies must be application/json
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The idempotency key was used with a different request' }, // same Idempotency-Key, other body
  INTERNAL_ERROR: { status: 500, title: 'Internal server error' }, // a bug; logged with the request id
  TEMPORAL_UNAVAILABLE: { status: 503, title: 'The workflow service is unavailable' }, // Temporal unreachable, timing out or refusing us
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
