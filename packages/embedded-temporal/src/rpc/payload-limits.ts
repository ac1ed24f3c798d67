// Temporal's per-event size limits (`limit.blobSize.error`, `limit.memoSize.error`, both 2 MiB by default) and
// how its frontend and history services measure a request against them: the serialized proto size of the field
// (`proto.Size`), or for the map-valued fields the sum of each key's length plus the value's size.
import type { temporal } from '@temporalio/proto';
import { enumValues, type } from '../proto/root.js';
import { CommandType } from '../proto/enums.js';

type IPayloads = temporal.api.common.v1.IPayloads;
type IPayload = temporal.api.common.v1.IPayload;
type ICommand = temporal.api.command.v1.ICommand;

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
export function messageSize(fullName: string, value: object | null | undefined): number {
  return value ? type(fullName).encode(value).finish().length : 0;
}

export const payloadsSize = (p: IPayloads | null | undefined): number =>
  messageSize('temporal.api.common.v1.Payloads', p);
export const memoSize = (m: temporal.api.common.v1.IMemo | null | undefined): number =>
  messageSize('temporal.api.common.v1.Memo', m);
export const failureSize = (f: temporal.api.failure.v1.IFailure | null | undefined): number =>
  messageSize('temporal.api.failure.v1.Failure', f);

/** Σ (key length + payloads size) of a `map<string, Payloads>`, e.g. marker details. */
function mapPayloadsSum(map: Record<string, IPayloads> | null | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(map ?? {})) n += Buffer.byteLength(k) + payloadsSize(v);
  return n;
}

/** Σ (key length + payload data length) of a `map<string, Payload>`: search attributes and memo fields. */
function mapPayloadDataSum(map: Record<string, IPayload> | null | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(map ?? {})) n += Buffer.byteLength(k) + (v.data?.length ?? 0);
  return n;
}

/**
 * The error message for a start request (StartWorkflowExecution, SignalWithStartWorkflowExecution, an
 * ExecuteMultiOperation start) whose input or memo is over its limit, or undefined if it fits.
 */
export function startRequestTooLarge(
  req: { input?: IPayloads | null; memo?: temporal.api.common.v1.IMemo | null },
  limits: PayloadLimits,
): string | undefined {
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

/** The `…CommandAttributes` fields of a Command. */
type AttributesField = Extract<keyof ICommand, `${string}CommandAttributes`>;
type Check<A> = (attrs: A, limits: PayloadLimits) => string | undefined;
const blob =
  <A>(size: (attrs: A) => number, message: string): Check<A> =>
  (attrs, limits) =>
    size(attrs) > limits.blobSizeLimitError ? message : undefined;
const memo =
  <A>(size: (attrs: A) => number, message: string): Check<A> =>
  (attrs, limits) =>
    size(attrs) > limits.memoSizeLimitError ? message : undefined;

/** One command type's checks: the first message of a check that fails, for the attributes the command carries. */
interface CommandCheck {
  /** WorkflowTaskFailedCause suffix Temporal records. */
  cause: string;
  detail(command: ICommand, limits: PayloadLimits): string | undefined;
}
const checksOf = <K extends AttributesField>(
  attrs: K,
  cause: string,
  checks: Array<Check<NonNullable<ICommand[K]>>>,
): CommandCheck => ({
  cause,
  detail: (command, limits) => {
    const value = command[attrs];
    if (!value) return undefined;
    for (const check of checks) {
      const detail = check(value, limits);
      if (detail) return detail;
    }
    return undefined;
  },
});

// Per command type: its attributes field, the cause Temporal fails the task with, and the checks in Temporal's
// order. The texts are Temporal's, spacing included. Temporal records a too-large CompleteWorkflowExecution
// result under BAD_SCHEDULE_ACTIVITY_ATTRIBUTES; that is copied too, as histories are compared with its.
const COMMAND_CHECKS: ReadonlyMap<number, CommandCheck> = new Map([
  [
    CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
    checksOf('scheduleActivityTaskCommandAttributes', 'BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', [
      blob((a) => payloadsSize(a.input), 'ScheduleActivityTaskCommandAttributes.Input exceeds size limit.'),
    ]),
  ],
  [
    CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
    checksOf('completeWorkflowExecutionCommandAttributes', 'BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', [
      blob((a) => payloadsSize(a.result), 'CompleteWorkflowExecutionCommandAttributes.Result exceeds size limit.'),
    ]),
  ],
  [
    CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
    checksOf('failWorkflowExecutionCommandAttributes', 'BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES', [
      blob((a) => failureSize(a.failure), 'FailWorkflowExecutionCommandAttributes.Failure exceeds size limit.'),
    ]),
  ],
  [
    CommandType.COMMAND_TYPE_RECORD_MARKER,
    checksOf('recordMarkerCommandAttributes', 'BAD_RECORD_MARKER_ATTRIBUTES', [
      blob((a) => mapPayloadsSum(a.details), 'RecordMarkerCommandAttributes.Details exceeds size limit.'),
    ]),
  ],
  [
    CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
    checksOf('continueAsNewWorkflowExecutionCommandAttributes', 'BAD_CONTINUE_AS_NEW_ATTRIBUTES', [
      blob((a) => payloadsSize(a.input), 'ContinueAsNewWorkflowExecutionCommandAttributes. Input exceeds size limit.'),
      memo((a) => memoSize(a.memo), 'ContinueAsNewWorkflowExecutionCommandAttributes. Memo exceeds size limit.'),
    ]),
  ],
  [
    CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
    checksOf('startChildWorkflowExecutionCommandAttributes', 'BAD_START_CHILD_EXECUTION_ATTRIBUTES', [
      blob((a) => payloadsSize(a.input), 'StartChildWorkflowExecutionCommandAttributes. Input exceeds size limit.'),
      memo((a) => memoSize(a.memo), 'StartChildWorkflowExecutionCommandAttributes.Memo exceeds size limit.'),
    ]),
  ],
  [
    CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
    checksOf('signalExternalWorkflowExecutionCommandAttributes', 'BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES', [
      blob((a) => payloadsSize(a.input), 'SignalExternalWorkflowExecutionCommandAttributes.Input exceeds size limit.'),
    ]),
  ],
  [
    CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    checksOf('upsertWorkflowSearchAttributesCommandAttributes', 'BAD_SEARCH_ATTRIBUTES', [
      blob(
        (a) => mapPayloadDataSum(a.searchAttributes?.indexedFields),
        'UpsertWorkflowSearchAttributesCommandAttributes exceeds size limit.',
      ),
    ]),
  ],
  [
    CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
    checksOf('modifyWorkflowPropertiesCommandAttributes', 'BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES', [
      blob(
        (a) => mapPayloadDataSum(a.upsertedMemo?.fields),
        'ModifyWorkflowPropertiesCommandAttributes exceeds size limit.',
      ),
      memo((a) => memoSize(a.upsertedMemo), 'ModifyWorkflowPropertiesCommandAttributes. Memo exceeds size limit.'),
    ]),
  ],
]);

/** The first command of a workflow-task completion whose payload is over its limit, or undefined. */
export function oversizedCommand(commands: readonly ICommand[], limits: PayloadLimits): OversizedCommand | undefined {
  for (const command of commands) {
    const spec = COMMAND_CHECKS.get(command.commandType ?? 0);
    const detail = spec?.detail(command, limits);
    if (!spec || !detail) continue;
    const name = `WORKFLOW_TASK_FAILED_CAUSE_${spec.cause}`;
    const number = cause[name];
    if (number === undefined) throw new Error(`WorkflowTaskFailedCause has no ${name}`);
    return { cause: number, message: `${name}: ${detail}` };
  }
  return undefined;
}
