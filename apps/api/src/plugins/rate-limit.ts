import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';

/** Thrown by the rate limiter; the error handler answers 429 RATE_LIMITED. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests from this caller; retry in ${retryAfterSeconds} s.`);
  }
}

export interface RateLimitOptions {
  /** Requests a caller may make per window (`RATE_LIMIT_MAX`). */
  max: number;
  /** `RATE_LIMIT_WINDOW_MS`. */
  windowMs: number;
}

/** Authenticated callers are limited by id (however many addresses they use); anyone else by address. */
function callerKey(request: FastifyRequest): string {
  const caller = request.caller;
  return caller && caller.method !== 'open' ? `caller:${caller.method}:${caller.id}` : `ip:${request.ip}`;
}

/**
 * Options of `@fastify/rate-limit`: a limit per caller on every route except those with `config.rateLimit: false`
 * (the probes). Register it before the auth plugin: its hook is appended to each route's `onRequest` as the route
 * is added, ahead of the auth plugin's scope check (appended by the auth plugin's own `onRoute`, registered later)
 * and after the caller is resolved (a root `onRequest` hook, which runs first), so requests with bad credentials
 * are limited too, by address.
 */
export function rateLimitOptions(options: RateLimitOptions): RateLimitPluginOptions {
  return {
    global: true,
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: callerKey,
    errorResponseBuilder: (_request, context) => new RateLimitedError(Math.max(1, Math.ceil(context.ttl / 1000))),
  };
}
