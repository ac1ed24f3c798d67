import { isDeadlineExceeded, mapUnavailable } from './errors.js';
import { eventsOf, isAfter, newFold } from './history-events.js';
import type { EventPosition, WorkflowEvent } from './history-events.js';
import type { HistoryResponse, PendingActivity, TemporalPort } from './ports.js';
import { retryInfo } from './workflow-view.js';

export interface EventStreamOptions {
  workflowId: string;
  runId: string;
  /** The client's `Last-Event-ID`: only events after it are sent. */
  after: EventPosition | undefined;
  signal: AbortSignal;
  /** Wait of one history long-poll while nothing is retrying (the server answers sooner: 20 s on Temporal). */
  longPollMs: number;
  /** Wait of one history long-poll while an activity runs, after which `describe` is asked for retries. */
  retryCheckMs: number;
  /** The run's pending activities (`DescribeWorkflowExecution`). */
  pendingActivities: () => Promise<readonly PendingActivity[]>;
}

/**
 * The client events of one run, from the start of its history (skipping what the client already has) until it
 * closes or `signal` aborts. Holds nothing beyond this stream: every event's position is derived from the history,
 * so a reconnect with `Last-Event-ID` continues exactly where the client stopped. Retries are not in history
 * (Temporal records only an activity's last attempt), so while an activity is pending each long-poll is kept short
 * and `describe` reports the attempt; its event sits at the activity's scheduled event, sub-position = attempt.
 *
 * @throws TemporalUnavailableError (any other failure as is)
 */
export async function* workflowEvents(port: TemporalPort, options: EventStreamOptions): AsyncGenerator<WorkflowEvent> {
  const { workflowId, runId, signal } = options;
  const fold = newFold();
  let last: EventPosition = options.after ?? { eventId: 0, sub: -1 };
  let token: Uint8Array | undefined;
  const emit = function* (events: WorkflowEvent[]) {
    for (const event of events) {
      if (!isAfter(event.position, last)) continue;
      last = event.position;
      yield event;
    }
  };

  while (!signal.aborted) {
    const waitMs = fold.pendingActivity === null ? options.longPollMs : options.retryCheckMs;
    let page: HistoryResponse;
    try {
      page = await port.pollHistory(
        { workflowId, runId, nextPageToken: token },
        { deadline: Date.now() + waitMs, signal },
      );
    } catch (error) {
      if (signal.aborted) return;
      // Our own deadline passed before the server's long-poll timeout: same as an empty page.
      if (!isDeadlineExceeded(error)) return mapUnavailable(error);
      page = { history: { events: [] }, nextPageToken: token ?? null };
    }
    for (const event of page.history?.events ?? []) yield* emit(eventsOf(event, fold));
    if (fold.closed) return;
    if (page.nextPageToken && page.nextPageToken.length > 0) token = page.nextPageToken;

    const scheduledId = fold.pendingActivity;
    if (scheduledId !== null) {
      const retry = retryInfo(await options.pendingActivities());
      if (retry !== null && retry.lastFailure !== null && retry.attempt > 1) {
        yield* emit([{ position: { eventId: scheduledId, sub: retry.attempt }, type: 'retry', data: retry }]);
      }
    }
  }
}
