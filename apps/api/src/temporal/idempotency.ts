import { createHash, randomUUID } from 'node:crypto';
import type { ResearchRequest } from '@research/contracts';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Hash of the parsed request (after trimming), the identity an idempotent retry is compared on. */
export function requestSha256(request: ResearchRequest): string {
  return sha256(canonicalJson(request));
}

/**
 * Workflow id for an `Idempotency-Key`: deterministic, so Temporal's workflow-id uniqueness (not the API)
 * guarantees one workflow per key, across restarts and concurrent requests. Hashed, so any printable key
 * gives a valid, bounded id and the key itself is not exposed. With a `callerId` (authentication on) the key
 * is the caller's own: another caller's identical key names another workflow. Without one (open mode) the id
 * is the one earlier versions derived, so their keys keep working.
 */
export function workflowIdForKey(idempotencyKey: string, callerId?: string): string {
  const scoped = callerId === undefined ? idempotencyKey : canonicalJson(['caller', callerId, idempotencyKey]);
  return `research-key-${sha256(scoped)}`;
}

/** Workflow id for a request without an idempotency key. */
export function newWorkflowId(): string {
  return `research-${randomUUID()}`;
}
