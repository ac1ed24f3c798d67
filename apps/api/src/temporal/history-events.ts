import { DELIVER_WEBHOOK_ACTIVITY, STATUS_MEMO_KEY, decisionSchema, researchResultSchema } from '@research/contracts';
import type { ResearchResult, Stage } from '@research/contracts';
import { defaultPayloadConverter } from '@temporalio/client';
import protos from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { readStatusMemo } from './memo.js';
import { timestampToIso } from './ports.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;
const { EventType } = protos.temporal.api.enums.v1;

export const WORKFLOW_EVENT_TYPES = [
  'stage',
  'retry',
  'draft',
  'decision',
  'completed',
  'failed',
  'cancelled',
  'expired',
] as const;
export type WorkflowEventType = (typeof WORKFLOW_EVENT_TYPES)[number];

/**
 * Where an event sits in the run's history: the history event it comes from and, for a second event from the same
 * history event (a draft published with its stage, a retry of the activity scheduled there), a sub-position.
 * Sent as the SSE `id` (`14`, `14.1`), so `Last-Event-ID` says exactly where a client stopped.
 */
export interface EventPosition {
  eventId: number;
  sub: number;
}

export interface WorkflowEvent {
  position: EventPosition;
  type: WorkflowEventType;
  data: unknown;
}

const EVENT_ID = /^(\d{1,15})(?:\.(\d{1,6}))?$/;

/** Parses a `Last-Event-ID`; undefined when it is not an id this API sent. */
export function parseEventPosition(text: string): EventPosition | undefined {
  const match = EVENT_ID.exec(text);
  return match ? { eventId: Number(match[1]), sub: Number(match[2] ?? 0) } : undefined;
}

export const formatEventPosition = ({ eventId, sub }: EventPosition): string =>
  sub === 0 ? String(eventId) : `${eventId}.${sub}`;

/** Whether `a` comes after `b`. */
export const isAfter = (a: EventPosition, b: EventPosition): boolean =>
  a.eventId > b.eventId || (a.eventId === b.eventId && a.sub > b.sub);

/** What mapping needs to remember between history events of one run; rebuilt from the first event on every stream. */
export interface HistoryFold {
  stage: Stage | null;
  /** Version and hash of the last draft sent: a revised draft (version n+1) is a new `draft` event. */
  draftSent: string | null;
  result: ResearchResult | null;
  /**
   * The pipeline step scheduled and not yet closed, whose retries `describe` reports. Webhook deliveries run beside
   * the steps and are not tracked: their retries are not the pipeline's.
   */
  pendingActivity: number | null;
  closed: boolean;
}

export const newFold = (): HistoryFold => ({
  stage: null,
  draftSent: null,
  result: null,
  pendingActivity: null,
  closed: false,
});

const decode = (payload: temporal.api.common.v1.IPayload | null | undefined): unknown => {
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload);
  } catch {
    return undefined;
  }
};

const failureOf = (failure: Failure | null | undefined, fallback: string) => ({
  code: failure?.applicationFailureInfo?.type || 'WorkflowFailed',
  message: failure?.message || fallback,
});

function statusEvents(fold: HistoryFold, fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined) {
  const status = readStatusMemo({ [STATUS_MEMO_KEY]: decode(fields?.[STATUS_MEMO_KEY]) });
  if (status === null) return [];
  const out: { type: WorkflowEventType; data: unknown }[] = [];
  if (status.result) fold.result = status.result;
  if (status.stage !== fold.stage) {
    fold.stage = status.stage;
    out.push({ type: 'stage', data: { stage: status.stage } });
  }
  const draftKey = status.draft ? `${status.draft.version ?? 1}:${status.draft.sha256 ?? ''}` : null;
  if (status.draft && draftKey !== fold.draftSent) {
    fold.draftSent = draftKey;
    out.push({ type: 'draft', data: status.draft });
  }
  return out;
}

function closeEvent(fold: HistoryFold, event: HistoryEvent): { type: WorkflowEventType; data: unknown } | null {
  switch (event.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
      const parsed = researchResultSchema.safeParse(
        decode(event.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]),
      );
      const result = parsed.success ? parsed.data : null;
      const type = result?.outcome === 'expired' ? 'expired' : 'completed';
      return { type, data: { status: 'COMPLETED', stage: 'completed', result } };
    }
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return {
        type: 'failed',
        data: {
          status: 'FAILED',
          stage: 'failed',
          error: failureOf(event.workflowExecutionFailedEventAttributes?.failure, 'The workflow failed.'),
        },
      };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return { type: 'cancelled', data: { status: 'CANCELLED', stage: 'cancelled', result: fold.result } };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      return {
        type: 'failed',
        data: {
          status: 'TERMINATED',
          stage: 'failed',
          error: { code: 'WorkflowTerminated', message: 'The workflow was terminated.' },
        },
      };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return {
        type: 'failed',
        data: {
          status: 'TIMED_OUT',
          stage: 'failed',
          error: { code: 'WorkflowTimedOut', message: 'The workflow did not finish within its execution timeout.' },
        },
      };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return null;
    default:
      return null;
  }
}

const CLOSE_TYPES: ReadonlySet<number> = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

const ACTIVITY_CLOSE_TYPES: ReadonlySet<number> = new Set([
  EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
]);

/** The id of the scheduling event an activity close event refers to; 0 when it names none. */
function scheduledEventIdOf(event: HistoryEvent): number {
  const closed =
    event.activityTaskCompletedEventAttributes ??
    event.activityTaskFailedEventAttributes ??
    event.activityTaskTimedOutEventAttributes ??
    event.activityTaskCanceledEventAttributes;
  return Number(closed?.scheduledEventId ?? 0);
}

/**
 * The client events one history event stands for, in order, updating `fold`. Stages and the draft come from the
 * status memo (at start and in every memo upsert), the decision from the completed approval update, the final
 * event from the close event. Deterministic: the same history always gives the same events and positions.
 */
export function eventsOf(event: HistoryEvent, fold: HistoryFold): WorkflowEvent[] {
  const eventId = Number(event.eventId ?? 0);
  const at = timestampToIso(event.eventTime);
  let found: { type: WorkflowEventType; data: unknown }[] = [];
  const type = event.eventType ?? 0;
  if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
    found = statusEvents(fold, event.workflowExecutionStartedEventAttributes?.memo?.fields);
  } else if (type === EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED) {
    found = statusEvents(fold, event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields);
  } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name !== DELIVER_WEBHOOK_ACTIVITY) fold.pendingActivity = eventId;
  } else if (ACTIVITY_CLOSE_TYPES.has(type)) {
    const scheduled = scheduledEventIdOf(event);
    if (scheduled === 0 || scheduled === fold.pendingActivity) fold.pendingActivity = null;
  } else if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED) {
    const parsed = decisionSchema.safeParse(
      decode(event.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads?.[0]),
    );
    if (parsed.success) found = [{ type: 'decision', data: parsed.data }];
  } else if (CLOSE_TYPES.has(type)) {
    fold.closed = true;
    fold.pendingActivity = null;
    const close = closeEvent(fold, event);
    if (close) found = [close];
  }
  return found.map((e, sub) => ({
    position: { eventId, sub },
    type: e.type,
    data: typeof e.data === 'object' && e.data !== null ? { ...e.data, at } : e.data,
  }));
}
