// Temporal's per-event size limits (`limit.blobSize.error`, `limit.memoSize.error`, both 2 MiB by default) and
// how its frontend and history services measure a request against them: the serialized proto size of the field
// (`proto.Size`), or for the map-valued fields the sum of each key's length plus the value's size.
import { enumValues, type Msg, type } from '../proto/root.js';
import { CommandType } from '../proto/enums.js';

/** Size limits advertised in DescribeNamespace (`namespace_info.limits`) and enforced by the server. */
export interface PayloadLimits {
  /** Largest payload field of one event, in bytes. */
  blobSizeLimitError: number;
  /** Largest memo of one event, in bytes. */
  memoSizeLimitError: number;
}

/** Temporal's defaults: `limit.blobSize.error` and `limit.memoSize.error`, 2 MiB each. */
export const DEFAULT_PAYLOAD_LIMITS: Readonly<PayloadLimits> = {
  blobSizeLimitError: 2 * 1024 * 1024,
  memoSizeLimitError: 2 * 1024 * 1024,
};

/** Temporal's `ErrBlobSizeExceedsLimit` and `ErrMemoSizeExceedsLimit` messages (both INVALID_ARGUMENT). */
export const BLOB_TOO_LARGE = 'Blob data size exceeds limit.';
export const MEMO_TOO_LARGE = 'Memo size exceeds limit.';

/** Failure messages Temporal puts in the ServerFailure that replaces an activity outcome over the limit. */
export const ACTIVITY_RESULT_TOO_LARGE = 'Complete result exceeds size limit.';
export const ACTIVITY_FAILURE_TOO_LARGE = 'Failure exceeds size limit.';
export const HEARTBEAT_TOO_LARGE = 'Heartbeat details exceed size limit.';
export const CANCEL_DETAILS_TOO_LARGE = 'Cancel details exceed size limit.';

/** Serialized size of `value` as the named message; 0 when absent. */
export function messageSize(fullName: string, value: Msg | null | undefined): number {
  return value ? type(fullName).encode(value).finish().length : 0;
}

export const payloadsSize = (p: Msg | null | undefined): number => messageSize('temporal.api.common.v1.Payloads', p);
export const memoSize = (m: Msg | null | undefined): number => messageSize('temporal.api.common.v1.Memo', m);
export const failureSize = (f: Msg | null | undefined): number => messageSize('temporal.api.failure.v1.Failure', f);

/** Σ (key length + payloads size) of a `map<string, Payloads>`, e.g. marker details. */
function mapPayloadsSum(map: Record<string, Msg> | null | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(map ?? {})) n += Buffer.byteLength(k) + payloadsSize(v);
  return n;
}

/** Σ (key length + payload data length) of a `map<string, Payload>`: search attributes and memo fields. */
function mapPayloadDataSum(map: Record<string, Msg> | null | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(map ?? {}))
    n += Buffer.byteLength(k) + ((v.data as Uint8Array | null)?.length ?? 0);
  return n;
}

/**
 * The error message for a start request (StartWorkflowExecution, SignalWithStartWorkflowExecution, an
 * ExecuteMultiOperation start) whose input or memo is over its limit, or undefined if it fits.
 */
export function startRequestTooLarge(req: Msg, limits: PayloadLimits): string | undefined {
  if (payloadsSize(req.input) > limits.blobSizeLimitError) return BLOB_TOO_LARGE;
  if (memoSize(req.memo) > limits.memoSizeLimitError) return MEMO_TOO_LARGE;
  return undefined;
}

const cause = enumValues('temporal.api.enums.v1.WorkflowTaskFailedCause');

/** A command of a workflow-task completion whose payload is over its limit. */
export interface OversizedCommand {
  /** WorkflowTaskFailedCause number Temporal records. */
  cause: number;
  /** Temporal's message, `<CAUSE NAME>: <Attributes>.<Field> exceeds size limit.` */
  message: string;
}

type Check = (attrs: Msg, limits: PayloadLimits) => string | undefined;
const blob =
  (size: (attrs: Msg) => number, message: string): Check =>
  (attrs, limits) =>
    size(attrs) > limits.blobSizeLimitError ? message : undefined;
const memo =
  (size: (attrs: Msg) => number, message: string): Check =>
  (attrs, limits) =>
    size(attrs) > limits.memoSizeLimitError ? message : undefined;

// Per command type: its attributes field, the cause Temporal fails the task with, and the checks in Temporal's
// order. The texts are Temporal's, spacing included. Temporal records a too-large CompleteWorkflowExecution
// result under BAD_SCHEDULE_ACTIVITY_ATTRIBUTES; that is copied too, as histories are compared with its.
const COMMAND_CHECKS: ReadonlyMap<number, { attrs: string; cause: string; checks: Check[] }> = new Map([
  [
    CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
    {
      attrs: 'scheduleActivityTaskCommandAttributes',
      cause: 'BAD_SCHEDULE_ACTIVITY_ATTRIBUTES',
      checks: [blob((a) => payloadsSize(a.input), 'ScheduleActivityTaskCommandAttributes.Input exceeds size limit.')],
    },
  ],
  [
    CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
    {
      attrs: 'completeWorkflowExecutionCommandAttributes',
      cause: 'BAD_SCHEDULE_ACTIVITY_ATTRIBUTES',
      checks: [
        blob((a) => payloadsSize(a.result), 'CompleteWorkflowExecutionCommandAttributes.Result exceeds size limit.'),
      ],
    },
  ],
  [
    CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
    {
      attrs: 'failWorkflowExecutionCommandAttributes',
      cause: 'BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES',
      checks: [
        blob((a) => failureSize(a.failure), 'FailWorkflowExecutionCommandAttributes.Failure exceeds size limit.'),
      ],
    },
  ],
  [
    CommandType.COMMAND_TYPE_RECORD_MARKER,
    {
      attrs: 'recordMarkerCommandAttributes',
      cause: 'BAD_RECORD_MARKER_ATTRIBUTES',
      checks: [blob((a) => mapPayloadsSum(a.details), 'RecordMarkerCommandAttributes.Details exceeds size limit.')],
    },
  ],
  [
    CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
    {
      attrs: 'continueAsNewWorkflowExecutionCommandAttributes',
      cause: 'BAD_CONTINUE_AS_NEW_ATTRIBUTES',
      checks: [
        blob(
          (a) => payloadsSize(a.input),
          'ContinueAsNewWorkflowExecutionCommandAttributes. Input exceeds size limit.',
        ),
        memo((a) => memoSize(a.memo), 'ContinueAsNewWorkflowExecutionCommandAttributes. Memo exceeds size limit.'),
      ],
    },
  ],
  [
    CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
    {
      attrs: 'startChildWorkflowExecutionCommandAttributes',
      cause: 'BAD_START_CHILD_EXECUTION_ATTRIBUTES',
      checks: [
        blob((a) => payloadsSize(a.input), 'StartChildWorkflowExecutionCommandAttributes. Input exceeds size limit.'),
        memo((a) => memoSize(a.memo), 'StartChildWorkflowExecutionCommandAttributes.Memo exceeds size limit.'),
      ],
    },
  ],
  [
    CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
    {
      attrs: 'signalExternalWorkflowExecutionCommandAttributes',
      cause: 'BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
      checks: [
        blob(
          (a) => payloadsSize(a.input),
          'SignalExternalWorkflowExecutionCommandAttributes.Input exceeds size limit.',
        ),
      ],
    },
  ],
  [
    CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    {
      attrs: 'upsertWorkflowSearchAttributesCommandAttributes',
      cause: 'BAD_SEARCH_ATTRIBUTES',
      checks: [
        blob(
          (a) => mapPayloadDataSum(a.searchAttributes?.indexedFields),
          'UpsertWorkflowSearchAttributesCommandAttributes exceeds size limit.',
        ),
      ],
    },
  ],
  [
    CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
    {
      attrs: 'modifyWorkflowPropertiesCommandAttributes',
      cause: 'BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES',
      checks: [
        blob(
          (a) => mapPayloadDataSum(a.upsertedMemo?.fields),
          'ModifyWorkflowPropertiesCommandAttributes exceeds size limit.',
        ),
        memo((a) => memoSize(a.upsertedMemo), 'ModifyWorkflowPropertiesCommandAttributes. Memo exceeds size limit.'),
      ],
    },
  ],
]);

/** The first command of a workflow-task completion whose payload is over its limit, or undefined. */
export function oversizedCommand(commands: readonly Msg[], limits: PayloadLimits): OversizedCommand | undefined {
  for (const command of commands) {
    const spec = COMMAND_CHECKS.get(command.commandType as number);
    const attrs = spec && (command[spec.attrs] as Msg | null | undefined);
    if (!spec || !attrs) continue;
    for (const check of spec.checks) {
      const detail = check(attrs, limits);
      if (!detail) continue;
      const name = `WORKFLOW_TASK_FAILED_CAUSE_${spec.cause}`;
      const number = cause[name];
      if (number === undefined) throw new Error(`WorkflowTaskFailedCause has no ${name}`);
      return { cause: number, message: `${name}: ${detail}` };
    }
  }
  return undefined;
}
