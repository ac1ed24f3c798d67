import { z } from 'zod';

/** The webhook event types, as the `type` of each Standard Webhooks payload. */
export const WEBHOOK_EVENT_TYPES = [
  'research.awaiting_approval',
  'research.approval_reminder',
  'research.completed',
  'research.failed',
  'research.expired',
  'research.cancelled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Registered name of the activity that sends one webhook to one target. */
export const DELIVER_WEBHOOK_ACTIVITY = 'deliverWebhook';

/** Memo key under which the workflow keeps the outcome of each webhook delivery (`WebhookDeliveryRecord[]`). */
export const NOTIFICATIONS_MEMO_KEY = 'notifications';

/** Most targets (`WEBHOOK_URLS`) and reminder points (`APPROVAL_REMINDERS`): each is a command per run. */
export const MAX_WEBHOOK_URLS = 10;
export const MAX_APPROVAL_REMINDERS = 10;

/**
 * What the workflow needs to notify, set by the API from its settings and carried in the workflow input: workflow
 * code cannot read the environment, and the input is in history, so a replay sees the same targets and reminder
 * points as the run it replays (a setting changed later applies to pipelines started after it).
 */
export interface NotificationSettings {
  /** Operator-configured targets (`WEBHOOK_URLS`); never per request. */
  webhookUrls: string[];
  /** Fractions of the approval window (0 < f < 1, ascending) at which a reminder goes out (`APPROVAL_REMINDERS`). */
  approvalReminders: number[];
  /** `PUBLIC_BASE_URL` without a trailing slash, for the inbox link; null when unset. */
  publicBaseUrl: string | null;
}

/** The `data` of a webhook: what a receiver needs to act without calling back first. */
export interface WebhookEventData {
  workflowId: string;
  runId: string;
  topic: string;
  sourceUrl: string;
  stage: string;
  /** Where a reviewer opens the pipeline in the web inbox; null when `PUBLIC_BASE_URL` is unset. */
  inboxUrl: string | null;
  /** The first characters of the draft; null before there is one. */
  draftExcerpt?: string | null;
  draftSha256?: string | null;
  awaitingSince?: string | null;
  approvalDeadline?: string | null;
  /** Reminders: the point of the approval window reached, e.g. `"50%"`. */
  reminder?: string;
  /** Completed and expired runs: the saved outcome and decision. */
  outcome?: string;
  reviewer?: string | null;
  comment?: string | null;
  /** Failed runs: the failure type and sentence the run closed with. */
  error?: { code: string; message: string };
}

/** Input of {@link NotificationActivities.deliverWebhook}: one event to one target. */
export interface WebhookDelivery {
  /** `webhook-id`: the same on every attempt and for every target of one event, so receivers can deduplicate. */
  webhookId: string;
  url: string;
  type: WebhookEventType;
  /** When the event happened (workflow time, ISO); the payload's `timestamp`. */
  timestamp: string;
  data: WebhookEventData;
}

/** What a delivery that a receiver accepted reports back. */
export interface WebhookDelivered {
  /** The attempt that succeeded, from 1. */
  attempts: number;
  /** The receiver's 2xx status. */
  status: number;
}

/** `ApplicationFailure` details of a failed delivery attempt, read back when the delivery fails for good. */
export interface WebhookAttemptDetails {
  attempt: number;
}

/** `ApplicationFailure` types of a delivery attempt. */
export const WebhookFailureType = {
  /** The receiver answered other than 2xx (redirects are not followed); retried. */
  WebhookRejected: 'WebhookRejected',
  /** The receiver could not be reached or did not answer in time; retried. */
  WebhookUnreachable: 'WebhookUnreachable',
  /** The target resolves to a link-local or cloud metadata address; not retried. */
  WebhookAddressBlocked: 'WebhookAddressBlocked',
  /** The worker has no `WEBHOOK_SECRET`, so it cannot sign; not retried. */
  WebhookSecretMissing: 'WebhookSecretMissing',
} as const;

/** Webhook sends, implemented by `@research/activities` and proxied by the workflow next to the pipeline's steps. */
export interface NotificationActivities {
  /**
   * Posts one signed event to one target. Throws on anything but a 2xx answer, so the server retries it;
   * safe to repeat (the receiver deduplicates on `webhook-id`).
   */
  deliverWebhook: (delivery: WebhookDelivery) => Promise<WebhookDelivered>;
}

/** The outcome of one delivery, published in the memo and shown by `GET /workflows/{id}`. */
export const webhookDeliveryRecordSchema = z.object({
  event: z.enum(WEBHOOK_EVENT_TYPES),
  url: z.string(),
  webhookId: z.string(),
  status: z.enum(['delivered', 'failed']).describe('failed: every attempt failed and no more will be made'),
  attempts: z.number().int().positive().nullable().describe('Attempts made; null when unknown (a timed-out delivery)'),
  error: z.string().nullable().describe('Why the last attempt failed; null when delivered'),
});
export type WebhookDeliveryRecord = z.infer<typeof webhookDeliveryRecordSchema>;

const REMINDER_POINT = /^(\d{1,2}(?:\.\d{1,2})?)%$/;

/**
 * Parses `APPROVAL_REMINDERS` (`"50%,90%"`): comma-separated percentages of the approval window, each above 0% and
 * below 100%, no repeats. Returns the fractions in ascending order, or an error sentence.
 */
export function parseApprovalReminders(text: string): { fractions: number[] } | { error: string } {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const fractions: number[] = [];
  for (const part of parts) {
    const match = REMINDER_POINT.exec(part);
    const percent = match ? Number(match[1]) : Number.NaN;
    if (!(percent > 0 && percent < 100)) {
      return { error: `"${part}" is not a percentage of the approval window between 0% and 100%, such as "50%"` };
    }
    const fraction = percent / 100;
    if (fractions.includes(fraction)) return { error: `"${part}" is given twice` };
    fractions.push(fraction);
  }
  if (fractions.length > MAX_APPROVAL_REMINDERS) return { error: `at most ${MAX_APPROVAL_REMINDERS} reminders` };
  return { fractions: fractions.sort((a, b) => a - b) };
}

/** A reminder fraction as the percentage it was configured as, e.g. 0.5 → `"50%"`. */
export function reminderLabel(fraction: number): string {
  return `${Math.round(fraction * 10_000) / 100}%`;
}
