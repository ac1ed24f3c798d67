/** Workflow execution status names as list filters spell them, in `WorkflowExecutionStatus` enum order. */
export const EXECUTION_STATUS_NAMES = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
] as const;

/** One of {@link EXECUTION_STATUS_NAMES}. */
export type ExecutionStatusName = (typeof EXECUTION_STATUS_NAMES)[number];

/** The `temporal.api.enums.v1.WorkflowExecutionStatus` number of a status name (Running = 1). */
export function executionStatusNumber(name: ExecutionStatusName): number {
  return EXECUTION_STATUS_NAMES.indexOf(name) + 1;
}

/** What the visibility index knows about one workflow run; the engine builds these. */
export interface VisibilityRecord {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: ExecutionStatusName;
  startTime: Date;
  executionTime: Date;
  closeTime?: Date;
  historyLength: number;
  /**
   * Custom and predefined search attributes by name, as decoded JSON (see `decodeSearchAttributePayload`):
   * strings, numbers, booleans, RFC 3339 strings (or `Date`s) for Datetime, string arrays for KeywordList.
   */
  searchAttributes: Record<string, unknown>;
}
