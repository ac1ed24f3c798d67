import { STATUS_CODES } from 'node:http';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WebhookFailureType } from '@research/contracts';
import type { WebhookAttemptDetails, WebhookDelivered, WebhookDelivery } from '@research/contracts';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { isLinkLocalOrMetadata } from './address-policy.js';
import { AddressBlockedError, createGuardedAgent, type ResolveHost } from './guarded-agent.js';
import { parseRetryAfterMs } from './retry-after.js';

/** Longest one delivery attempt may take, connection and answer included; the activity's start-to-close is above. */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 10_000;

export interface WebhookConfig {
  /** `WEBHOOK_SECRET`; undefined leaves the worker unable to sign, and every delivery fails for good saying so. */
  secret: string | undefined;
}

export interface DeliverWebhookDeps {
  config: WebhookConfig;
  /** Replaces DNS resolution; the address rule still applies to what it returns. */
  resolveHost?: ResolveHost | undefined;
  /** Deadline of one attempt; default {@link WEBHOOK_ATTEMPT_TIMEOUT_MS}. */
  attemptTimeoutMs?: number | undefined;
}

/** The Standard Webhooks body: `type`, `timestamp` (when the event happened) and `data`. */
export function webhookPayload({ type, timestamp, data }: Pick<WebhookDelivery, 'type' | 'timestamp' | 'data'>) {
  return JSON.stringify({ type, timestamp, data });
}

/**
 * The three Standard Webhooks headers for one attempt: the delivery's stable `webhook-id`, this attempt's time
 * (receivers refuse old timestamps, so a retry is signed afresh) and the `v1,` HMAC-SHA256 signature of
 * `id.timestamp.body` under `secret`.
 */
export function signWebhook(secret: string, webhookId: string, body: string, at: Date): Record<string, string> {
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(webhookId, at, body),
  };
}

function attemptFailure(type: string, message: string, attempt: number, nextRetryDelayMs?: number): ApplicationFailure {
  const details: WebhookAttemptDetails = { attempt };
  return ApplicationFailure.create({
    type,
    message,
    details: [details],
    nonRetryable: type === WebhookFailureType.WebhookAddressBlocked || type === WebhookFailureType.WebhookSecretMissing,
    ...(nextRetryDelayMs === undefined ? {} : { nextRetryDelay: nextRetryDelayMs }),
  });
}

function isAddressBlocked(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof AddressBlockedError) return true;
  }
  return false;
}

/**
 * Builds the `deliverWebhook` activity: posts one event, signed as the Standard Webhooks specification says, to one
 * operator-configured target. Any 2xx answer delivers it. Anything else fails the attempt, so the server retries it
 * on the workflow's schedule: another status (`WebhookRejected`; a 429 or 503 `Retry-After` sets the next delay; a
 * redirect is not followed), no answer in time or no connection (`WebhookUnreachable`). Fails for good at once when
 * the worker has no secret (`WebhookSecretMissing`) or the target resolves to a link-local or cloud metadata address
 * (`WebhookAddressBlocked`). Targets are set by the operator, not by callers, so unlike `fetchSource` loopback and
 * private addresses on any port are allowed (a chat bridge on the internal network is a normal target); only the
 * addresses that hold the machine's own credentials stay refused. Every failure carries the attempt number as its
 * details, so the workflow can tell how many attempts a delivery took.
 */
export function createDeliverWebhook(
  deps: DeliverWebhookDeps,
): (delivery: WebhookDelivery) => Promise<WebhookDelivered> {
  const timeoutMs = deps.attemptTimeoutMs ?? WEBHOOK_ATTEMPT_TIMEOUT_MS;
  const isAllowed = (ip: string): boolean => !isLinkLocalOrMetadata(ip);

  return async function deliverWebhook(delivery: WebhookDelivery): Promise<WebhookDelivered> {
    const context = Context.current();
    const { attempt } = context.info;
    const secret = deps.config.secret;
    if (secret === undefined) {
      throw attemptFailure(
        WebhookFailureType.WebhookSecretMissing,
        'WEBHOOK_SECRET is not set on the worker, so the webhook cannot be signed.',
        attempt,
      );
    }
    const body = webhookPayload(delivery);
    const headers = {
      'content-type': 'application/json',
      ...signWebhook(secret, delivery.webhookId, body, new Date()),
    };
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([context.cancellationSignal, deadline]);
    const agent = createGuardedAgent({ isAllowed, resolveHost: deps.resolveHost, connectTimeoutMs: timeoutMs });
    try {
      const response = await request(delivery.url, { dispatcher: agent, method: 'POST', headers, body, signal });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { attempts: attempt, status };
      const answer = `The receiver answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
      const retryAfter = status === 429 || status === 503 ? parseRetryAfterMs(toHeaders(response.headers)) : undefined;
      throw attemptFailure(WebhookFailureType.WebhookRejected, `${answer}.`, attempt, retryAfter);
    } catch (error) {
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      if (error instanceof ApplicationFailure) throw error;
      if (isAddressBlocked(error)) {
        context.log.warn('deliverWebhook refused a link-local or metadata address', { type: delivery.type });
        throw attemptFailure(
          WebhookFailureType.WebhookAddressBlocked,
          'The webhook target resolves to a link-local or cloud metadata address, which is never sent to.',
          attempt,
        );
      }
      const reason = deadline.aborted ? `no answer within ${timeoutMs} ms` : 'the receiver could not be reached';
      context.log.warn('deliverWebhook could not reach the receiver', { type: delivery.type, err: error });
      throw attemptFailure(WebhookFailureType.WebhookUnreachable, `No delivery: ${reason}.`, attempt);
    } finally {
      await agent.destroy();
    }
  };
}

function toHeaders(raw: Record<string, string | string[] | undefined>): { get(name: string): string | null } {
  return {
    get: (name) => {
      const value = raw[name];
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
    },
  };
}
