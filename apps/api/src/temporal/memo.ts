import {
  NOTIFICATIONS_MEMO_KEY,
  RECEIPTS_MEMO_KEY,
  REQUEST_MEMO_KEY,
  STATUS_MEMO_KEY,
  actorSchema,
  costSchema,
  decisionReceiptSchema,
  decisionSchema,
  draftSchema,
  requestedSources,
  researchResultSchema,
  stageSchema,
  webhookDeliveryRecordSchema,
} from '@research/contracts';
import type {
  Actor,
  DecisionReceipt,
  PublishedStatus,
  ResearchRequest,
  WebhookDeliveryRecord,
} from '@research/contracts';
import { z } from 'zod';

// The workflow publishes its status (stage, draft and, since the reviewer-workspace patch, decision, result and the
// approval times), so topic, source and the idempotency body hash are recorded
// by the API at start under REQUEST_MEMO_KEY.
const requestMemoSchema = z.object({
  topic: z.string(),
  /** The first source: what API versions before `sources` read, so they still show these pipelines. */
  sourceUrl: z.string(),
  /** Every source of a request that sent `sources`; absent for `sourceUrl` requests. */
  sources: z.array(z.string()).optional(),
  approvalTimeout: z.string().optional(),
  /** sha256 of the canonical request body; compared on an idempotent retry. */
  requestSha256: z.string(),
  /** The authenticated caller who started it; absent in open mode and on workflows started before it was recorded. */
  submittedBy: actorSchema.optional(),
});
export type RequestMemo = z.infer<typeof requestMemoSchema>;

const publishedStatusSchema = z.object({
  stage: stageSchema,
  draft: draftSchema.nullable(),
  drafts: z.array(draftSchema).optional(),
  decision: decisionSchema.nullable().optional(),
  result: researchResultSchema.nullable().optional(),
  awaitingSince: z.iso.datetime().nullable().optional(),
  approvalDeadline: z.iso.datetime().nullable().optional(),
  cost: costSchema.optional(),
});

/** The memo a new workflow starts with: stage `queued`, no draft, and the request. */
export function initialMemo(
  request: ResearchRequest,
  requestSha256: string,
  submittedBy: Actor | undefined,
): Record<string, unknown> {
  const status: PublishedStatus = {
    stage: 'queued',
    draft: null,
    decision: null,
    result: null,
    awaitingSince: null,
    approvalDeadline: null,
  };
  const sources = requestedSources(request);
  const recorded: RequestMemo = { topic: request.topic, sourceUrl: sources[0] ?? '', requestSha256 };
  if (request.sources !== undefined) recorded.sources = sources;
  if (request.approvalTimeout !== undefined) recorded.approvalTimeout = request.approvalTimeout;
  if (submittedBy !== undefined) recorded.submittedBy = submittedBy;
  return { [STATUS_MEMO_KEY]: status, [REQUEST_MEMO_KEY]: recorded };
}

/**
 * The status the workflow published, or null when absent or malformed. `decision` is absent (not null) while the
 * last upsert came from workflow code older than the reviewer-workspace patch.
 */
export function readStatusMemo(memo: Record<string, unknown> | undefined): PublishedStatus | null {
  const parsed = publishedStatusSchema.safeParse(memo?.[STATUS_MEMO_KEY]);
  return parsed.success ? parsed.data : null;
}

/** The request the API recorded at start, or null for workflows started some other way. */
export function readRequestMemo(memo: Record<string, unknown> | undefined): RequestMemo | null {
  const parsed = requestMemoSchema.safeParse(memo?.[REQUEST_MEMO_KEY]);
  return parsed.success ? parsed.data : null;
}

/** Whether the published status is complete enough to answer a read without asking a worker. */
export function isCompleteStatus(status: PublishedStatus | null): status is PublishedStatus & { decision: unknown } {
  return status !== null && status.decision !== undefined;
}

/**
 * The decision receipts the workflow published; empty when none was taken, the run predates receipts, or the memo
 * is malformed (the database chain, checked by `npm run audit:verify`, is the durable record).
 */
export function readReceiptsMemo(memo: Record<string, unknown> | undefined): DecisionReceipt[] {
  const parsed = z.array(decisionReceiptSchema).safeParse(memo?.[RECEIPTS_MEMO_KEY]);
  return parsed.success ? parsed.data : [];
}

/**
 * The webhook deliveries the workflow published, targets shown without credentials, query or fragment (where
 * secrets of a target URL usually are); empty for runs without webhooks and when malformed.
 */
export function readNotificationsMemo(memo: Record<string, unknown> | undefined): WebhookDeliveryRecord[] {
  const parsed = z.array(webhookDeliveryRecordSchema).safeParse(memo?.[NOTIFICATIONS_MEMO_KEY]);
  return parsed.success ? parsed.data.map((record) => ({ ...record, url: displayedTarget(record.url) })) : [];
}

function displayedTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '[invalid URL]';
  }
}
