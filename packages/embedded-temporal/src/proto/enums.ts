import { enumValues } from './root.js';

const api = 'temporal.api.enums.v1.';

/** Temporal enums as name → number maps, read from the proto descriptors. */
export const EventType = enumValues(`${api}EventType`) as Readonly<Record<string, number>>;
/** Event types the engine compares against. */
export const EV = pick(`${api}EventType`, ['EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED'] as const);
/** Picks named values of a proto enum, failing fast at load if the descriptors lack one. */
function pick<K extends string>(fullName: string, names: readonly K[]): Record<K, number> {
  const values = enumValues(fullName);
  const out = {} as Record<K, number>;
  for (const n of names) {
    const v = values[n];
    if (v === undefined) throw new Error(`${fullName} has no ${n}`);
    out[n] = v;
  }
  return out;
}

export const CommandType = pick(`${api}CommandType`, [
  'COMMAND_TYPE_CANCEL_TIMER',
  'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES',
  'COMMAND_TYPE_PROTOCOL_MESSAGE',
  'COMMAND_TYPE_RECORD_MARKER',
  'COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK',
  'COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION',
  'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK',
  'COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION',
  'COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_START_TIMER',
  'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
] as const);
export const WorkflowStatus = {
  RUNNING: 1,
  COMPLETED: 2,
  FAILED: 3,
  CANCELED: 4,
  TERMINATED: 5,
  CONTINUED_AS_NEW: 6,
  TIMED_OUT: 7,
} as const;
export const RetryState = {
  IN_PROGRESS: 1,
  NON_RETRYABLE_FAILURE: 2,
  TIMEOUT: 3,
  MAXIMUM_ATTEMPTS_REACHED: 4,
  RETRY_POLICY_NOT_SET: 5,
  INTERNAL_SERVER_ERROR: 6,
  CANCEL_REQUESTED: 7,
} as const;
export const TimeoutType = { START_TO_CLOSE: 1, SCHEDULE_TO_START: 2, SCHEDULE_TO_CLOSE: 3, HEARTBEAT: 4 } as const;

/**
 * A timeout type as Temporal spells it in failure messages (`activity StartToClose timeout`) and in the
 * non-retryable error type `TemporalTimeout:<name>`.
 */
export const TIMEOUT_TYPE_NAMES: Readonly<Record<number, string>> = {
  [TimeoutType.START_TO_CLOSE]: 'StartToClose',
  [TimeoutType.SCHEDULE_TO_START]: 'ScheduleToStart',
  [TimeoutType.SCHEDULE_TO_CLOSE]: 'ScheduleToClose',
  [TimeoutType.HEARTBEAT]: 'Heartbeat',
};
export const TaskQueueKind = { NORMAL: 1, STICKY: 2 } as const;
export const WftFailedCause = pick(`${api}WorkflowTaskFailedCause`, [
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES',
  'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND',
  'WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID',
  'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND',
  'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED',
] as const);
export const UpdateStage = { UNSPECIFIED: 0, ADMITTED: 1, ACCEPTED: 2, COMPLETED: 3 } as const;
export const ParentClosePolicy = { UNSPECIFIED: 0, TERMINATE: 1, ABANDON: 2, REQUEST_CANCEL: 3 } as const;

const attributesFields = new Map<number, string>(
  Object.entries(EventType).map(([name, v]) => [
    v,
    `${name
      .slice('EVENT_TYPE_'.length)
      .toLowerCase()
      .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}EventAttributes`,
  ]),
);

/** `EVENT_TYPE_TIMER_FIRED` ⇒ `timerFiredEventAttributes`: the oneof field holding that event's attributes. */
export function attributesField(eventType: number): string {
  const field = attributesFields.get(eventType);
  if (!field) throw new Error(`unknown event type ${eventType}`);
  return field;
}

const eventTypeByName = new Map<string, number>();

/** `TimerFired` ⇒ `EVENT_TYPE_TIMER_FIRED` number. Called for every event written, hence the cache. */
export function eventTypeOf(pascal: string): number {
  let v = eventTypeByName.get(pascal);
  if (v === undefined) {
    v = EventType[`EVENT_TYPE_${pascal.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`];
    if (v === undefined) throw new Error(`unknown event ${pascal}`);
    eventTypeByName.set(pascal, v);
  }
  return v;
}
