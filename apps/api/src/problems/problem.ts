import type { FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AuthError } from '../auth/errors.js';
import { RateLimitedError } from '../plugins/rate-limit.js';
import type { FieldError, Problem } from '../schemas/problem.js';
import { GatewayError, RunningLimitError } from '../temporal/errors.js';
import { PROBLEMS, problemTypeUri } from './catalogue.js';
import type { ProblemCode } from './catalogue.js';

/** A problem to send, and how loudly to log the error behind it. */
export interface ProblemReply {
  problem: Problem;
  headers?: Record<string, string>;
  log: 'none' | 'warn' | 'error';
}

/** Builds a problem document for `code`; `status` overrides the catalogue's only for BAD_REQUEST's other 4xx. */
export function problemFor(
  code: ProblemCode,
  request: FastifyRequest,
  detail: string,
  extra: { status?: number; errors?: FieldError[] } = {},
): Problem {
  const { status, title } = PROBLEMS[code];
  const problem: Problem = {
    type: problemTypeUri(code),
    title,
    status: extra.status ?? status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    code,
    requestId: request.id,
  };
  if (extra.errors) problem.errors = extra.errors;
  return problem;
}

const VALIDATION_PART: Record<string, FieldError['in']> = {
  body: 'body',
  headers: 'header',
  params: 'path',
  querystring: 'query',
};

const escapePointerToken = (token: string): string => token.replaceAll('~', '~0').replaceAll('/', '~1');

type ZodValidationIssue = { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> };

function fieldErrors(issues: readonly ZodValidationIssue[], part: FieldError['in']): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    const pointer = issue.instancePath === '/' ? '' : issue.instancePath;
    const message = issue.message ?? 'is invalid';
    // `.strict()` reports unknown keys on the parent object; point at each key instead.
    const keys = issue.params.keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) {
      return keys.map((key) => ({
        pointer: `${pointer}/${escapePointerToken(String(key))}`,
        in: part,
        message: 'is not allowed',
      }));
    }
    return [{ pointer, in: part, message }];
  });
}

const FASTIFY_CODES: Partial<Record<string, ProblemCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

const FASTIFY_DETAILS: Partial<Record<ProblemCode, string>> = {
  MALFORMED_JSON: 'The body must be a JSON document.',
  PAYLOAD_TOO_LARGE: 'The request body exceeds the size limit.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the body as application/json.',
};

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function clientStatus(error: unknown): number | undefined {
  const status =
    typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : Number.NaN;
  return status >= 400 && status < 500 ? status : undefined;
}

/**
 * Maps any error reaching the error handler onto a problem. Branches on error classes, type guards and
 * Fastify error codes, never on message text. 5xx details are generic; the error itself goes to the log.
 */
export function toProblem(error: unknown, request: FastifyRequest): ProblemReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = VALIDATION_PART[error.validationContext ?? 'body'] ?? 'body';
    const errors = fieldErrors(error.validation, part);
    const detail = errors.map((e) => `${e.pointer || '(root)'} ${e.message}`).join('; ');
    return { problem: problemFor('VALIDATION_FAILED', request, `Invalid ${part}: ${detail}`, { errors }), log: 'none' };
  }
  if (error instanceof AuthError) {
    const problem = problemFor(error.code, request, error.message);
    return { problem, headers: error.headers, log: problem.status >= 500 ? 'warn' : 'none' };
  }
  if (error instanceof RateLimitedError) {
    // @fastify/rate-limit has already set Retry-After and the RateLimit headers.
    return { problem: problemFor('RATE_LIMITED', request, error.message), log: 'none' };
  }
  if (error instanceof GatewayError) {
    const problem = problemFor(error.code, request, error.message);
    const headers =
      error instanceof RunningLimitError
        ? { 'retry-after': String(error.retryAfterSeconds) }
        : error.code === 'TEMPORAL_UNAVAILABLE'
          ? { 'retry-after': '5' }
          : undefined;
    const log = problem.status >= 500 ? 'warn' : 'none';
    return headers ? { problem, headers, log } : { problem, log };
  }
  const isSerializationError =
    typeof error === 'object' &&
    error !== null &&
    isResponseSerializationError(error) &&
    errorCode(error) === 'FST_ERR_RESPONSE_SERIALIZATION';
  const fastifyCode = isSerializationError ? undefined : FASTIFY_CODES[errorCode(error) ?? ''];
  if (fastifyCode) {
    return {
      problem: problemFor(fastifyCode, request, FASTIFY_DETAILS[fastifyCode] ?? PROBLEMS[fastifyCode].title),
      log: 'none',
    };
  }
  const status = isSerializationError ? undefined : clientStatus(error);
  if (status !== undefined) {
    // Fastify's own 4xx errors (framing, bad URL) carry messages written for clients.
    const detail = error instanceof Error && error.message ? error.message : PROBLEMS.BAD_REQUEST.title;
    return { problem: problemFor('BAD_REQUEST', request, detail, { status }), log: 'none' };
  }
  const detail = `An unexpected error occurred. Quote request id ${request.id} when reporting it.`;
  return { problem: problemFor('INTERNAL_ERROR', request, detail), log: 'error' };
}
