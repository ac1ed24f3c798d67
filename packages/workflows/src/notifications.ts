import {
  ApplicationFailure,
  CancellationScope,
  TemporalFailure,
  condition,
  isCancellation,
  patched,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { NOTIFICATIONS_MEMO_KEY, reminderLabel, requestedSources } from '@research/contracts';
import type {
  NotificationSettings,
  ResearchInput,
  ResearchState,
  Stage,
  WebhookAttemptDetails,
  WebhookDelivery,
  WebhookDeliveryRecord,
  WebhookEventData,
  WebhookEventType,
} from '@research/contracts';
import { notificationActivities } from './activities.js';

/**
 * Patch id of outbound webhooks. Only runs whose input names webhook targets ever ask for it, so runs without
 * targets (and every history recorded before webhooks) emit exactly the commands they did before.
 */
export const WEBHOOK_NOTIFICATIONS_PATCH = 'webhook-notifications';

/** Characters of the draft a webhook carries, as the workspace list's excerpt. */
const EXCERPT_CHARS = 280;

/** What the pipeline publishes at a stage change, as the notifier needs it. */
export interface StageSnapshot {
  stage: Stage;
  state: ResearchState;
  awaitingSince: Date | null;
  approvalDeadline: Date | null;
}

/**
 * The pipeline's webhooks. Each event goes to every target as its own `deliverWebhook` activity, started and not
 * awaited, so no stage waits for a receiver; each runs in a non-cancellable scope, so a cancelled pipeline still
 * tells its receivers. The run waits for the deliveries still in flight before it closes ({@link settled}): the
 * closing event must be sent, and an activity's outcome is only seen by a run that is still open. A delivery lasts
 * at most its schedule-to-close (5 minutes), so that is the most a run's close can be delayed, stage and result
 * already published.
 *
 * Delivery outcomes are published (memo upserts) only from the pipeline's own flow: at each stage change, when the
 * approval wait wakes for a settled delivery, and before the run closes. A delivery's own promise callback only
 * notes its outcome: a command issued there would race, by microtasks, with the pipeline's commands of the same
 * workflow task, and interceptors (OpenTelemetry's adds a few) would change the order on replay.
 */
export interface Notifier {
  /** False when the run has no targets: every method then does what the pipeline did before webhooks. */
  readonly enabled: boolean;
  /** Sends the event of a stage change, if it has one (awaiting approval, completed or expired, cancelled). */
  stageEntered(snapshot: StageSnapshot): void;
  /**
   * Waits until `decided()` or `timeoutMs` after entering `awaiting_approval`, sending a reminder at each of the
   * configured points of that window while no decision has been taken. Resolves as `condition` does.
   */
  awaitDecision(decided: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Sends `research.failed` for the failure that closes the run (a step failed for good). */
  runFailed(error: unknown): void;
  /** Resolves once every delivery started has been delivered or has failed for good (and been recorded). */
  settled(): Promise<void>;
}

const DISABLED: Notifier = {
  enabled: false,
  stageEntered: () => undefined,
  awaitDecision: (decided, timeoutMs) => condition(decided, timeoutMs),
  runFailed: () => undefined,
  settled: () => Promise.resolve(),
};

/** The notifier of a run: {@link DISABLED} without targets or on a history recorded before the patch. */
export function startNotifier(input: ResearchInput): Notifier {
  const settings = input.notifications;
  if (settings === undefined || settings.webhookUrls.length === 0) return DISABLED;
  if (!patched(WEBHOOK_NOTIFICATIONS_PATCH)) return DISABLED;
  return createNotifier(input, settings);
}

function createNotifier(input: ResearchInput, settings: NotificationSettings): Notifier {
  const { deliverWebhook } = notificationActivities(input.retryOverrides);
  const records: WebhookDeliveryRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  let last: StageSnapshot | undefined;
  /**
   * How many outcomes the approval wait has published. Only the wait's own wake-ups move it (a condition is
   * evaluated after every callback of the workflow task has run), never a stage change: whether an outcome noted in
   * the same workflow task came before or after the pipeline's own step depends on microtasks.
   */
  let publishedByWait = 0;

  function record(entry: WebhookDeliveryRecord): void {
    records.push(entry);
  }

  /** Unconditional where called, so the commands never depend on which outcomes have arrived; only content does. */
  function publish(): void {
    upsertMemo({ [NOTIFICATIONS_MEMO_KEY]: records });
  }
  const now = (): number => new Date().getTime();

  function eventData(snapshot: StageSnapshot): WebhookEventData {
    const { workflowId, runId } = workflowInfo();
    const { state, awaitingSince, approvalDeadline } = snapshot;
    return {
      workflowId,
      runId,
      topic: input.topic,
      sourceUrl: requestedSources(input)[0] ?? '',
      stage: snapshot.stage,
      inboxUrl:
        settings.publicBaseUrl === null
          ? null
          : `${settings.publicBaseUrl}/#/workflows/${encodeURIComponent(workflowId)}`,
      draftExcerpt: state.draft?.summary.slice(0, EXCERPT_CHARS) ?? null,
      draftSha256: state.draft?.sha256 ?? null,
      awaitingSince: awaitingSince?.toISOString() ?? null,
      approvalDeadline: approvalDeadline?.toISOString() ?? null,
    };
  }

  /**
   * The webhook id key of an event about the current draft: a revised draft (version 2 on, research-depth) is a new
   * event, so its waiting and reminders must not share ids that receivers deduplicate on with the first draft's.
   */
  function draftKey(key: string): string {
    const version = last?.state.draft?.version ?? 1;
    return version > 1 ? `v${version}.${key}` : key;
  }

  /** Starts one delivery per target; `key` makes the webhook id (one per event of a run, the same on every retry). */
  function send(type: WebhookEventType, key: string, data: WebhookEventData): void {
    const { workflowId, runId } = workflowInfo();
    const webhookId = `${encodeURIComponent(workflowId)}:${runId}:${key}`;
    // Workflow time: the same on replay and for every target.
    const timestamp = new Date().toISOString();
    for (const url of settings.webhookUrls) {
      const delivery: WebhookDelivery = { webhookId, url, type, timestamp, data };
      const base = { event: type, url, webhookId };
      const done: Promise<void> = CancellationScope.nonCancellable(() => deliverWebhook(delivery)).then(
        ({ attempts }) => record({ ...base, status: 'delivered', attempts, error: null }),
        (error: unknown) => record({ ...base, status: 'failed', attempts: attemptsOf(error), error: reasonOf(error) }),
      );
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    }
  }

  return {
    enabled: true,
    stageEntered(snapshot) {
      last = snapshot;
      publish();
      const data = eventData(snapshot);
      const result = snapshot.state.result;
      if (snapshot.stage === 'awaiting_approval')
        send('research.awaiting_approval', draftKey('awaiting_approval'), data);
      if (snapshot.stage === 'cancelled') send('research.cancelled', 'cancelled', data);
      if (snapshot.stage === 'completed' && result !== null) {
        const outcome = { outcome: result.outcome, reviewer: result.reviewer, comment: result.comment };
        if (result.outcome === 'expired') send('research.expired', 'expired', { ...data, ...outcome });
        else send('research.completed', 'completed', { ...data, ...outcome });
      }
    },

    async awaitDecision(decided, timeoutMs) {
      const start = last?.awaitingSince?.getTime() ?? now();
      // Each reminder point, then the deadline itself (the whole window).
      const points = [...settings.approvalReminders, 1];
      for (const [index, fraction] of points.entries()) {
        const at = Math.round(timeoutMs * fraction);
        // Wakes for the decision, at the point, and for a settled delivery, published at once.
        for (let wait = at - (now() - start); wait > 0; wait = at - (now() - start)) {
          const woke = await condition(() => decided() || records.length > publishedByWait, wait);
          // Read the decision, not `woke`: one accepted in the same activation as the timer firing still counts.
          if (decided()) return true;
          if (!woke) break;
          publish();
          publishedByWait = records.length;
        }
        if (decided()) return true;
        if (index === points.length - 1 || last === undefined) return false;
        const data = { ...eventData(last), reminder: reminderLabel(fraction) };
        send('research.approval_reminder', draftKey(`approval_reminder.${index + 1}`), data);
      }
      return decided();
    },

    runFailed(error) {
      if (isCancellation(error) || !(error instanceof ApplicationFailure) || last === undefined) return;
      const data = { ...eventData(last), error: { code: error.type ?? 'WorkflowFailed', message: error.message } };
      send('research.failed', 'failed', data);
    },

    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
      publish();
    },
  };
}

function* causes(error: unknown): Generator<Error> {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    yield current;
    current = current.cause;
  }
}

/** The attempt number the last failed attempt reported; null when the delivery timed out without one. */
function attemptsOf(error: unknown): number | null {
  for (const cause of causes(error)) {
    if (!(cause instanceof ApplicationFailure)) continue;
    const details = cause.details?.[0] as Partial<WebhookAttemptDetails> | undefined;
    if (typeof details?.attempt === 'number') return details.attempt;
  }
  return null;
}

/** Why the last attempt failed: the activity's own sentence, or the timeout or failure that ended the delivery. */
function reasonOf(error: unknown): string {
  const chain = [...causes(error)];
  const application = chain.find((cause) => cause instanceof ApplicationFailure && cause.details?.length);
  if (application !== undefined) return application.message;
  const innermost = chain.filter((cause) => cause instanceof TemporalFailure).at(-1) ?? chain.at(-1);
  return innermost?.message || 'The webhook could not be delivered.';
}
