import { RESEARCH_SEARCH_ATTRIBUTES } from '@research/contracts';
import type { Stage } from '@research/contracts';
import { defaultPayloadConverter } from '@temporalio/client';
import protos from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import type { WorkflowList, WorkflowListQuery, WorkflowSummary } from '../schemas/workflow-list.js';
import type { WorkflowStatus } from '../schemas/workflow.js';
import { InvalidCursorError, isInvalidArgument, mapUnavailable } from './errors.js';
import { decodeCursor, encodeCursor, listQuery } from './list-query.js';
import { readRequestMemo, readStatusMemo } from './memo.js';
import { timestampToIso } from './ports.js';
import type { TemporalPort } from './ports.js';
import { reportedStage } from './workflow-view.js';

type ExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo;
type Payloads = Record<string, temporal.api.common.v1.IPayload> | null | undefined;

const { WorkflowExecutionStatus } = protos.temporal.api.enums.v1;
const STATUS_NAMES: Partial<Record<number, WorkflowStatus>> = {
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'COMPLETED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED]: 'FAILED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'CANCELLED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'TERMINATED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'TIMED_OUT',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW]: 'CONTINUED_AS_NEW',
};

const EXCERPT_CHARS = 280;

/** Decodes memo or search attribute payloads (JSON); a payload that does not decode is left out. */
export function decodePayloads(fields: Payloads): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [key, payload] of Object.entries(fields ?? {})) {
    try {
      decoded[key] = defaultPayloadConverter.fromPayload(payload);
    } catch {
      // Not JSON (another application's codec): not ours to show.
    }
  }
  return decoded;
}

const first = (value: unknown): unknown => (Array.isArray(value) ? (value as unknown[])[0] : value);
const asIso = (value: unknown): string | null => {
  const text = first(value);
  if (typeof text !== 'string') return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
};
const asStage = (value: unknown): Stage | undefined => {
  const text = first(value);
  return typeof text === 'string' ? (text as Stage) : undefined;
};

/**
 * One list item from a visibility record: search attributes first, then the status memo (runs started before the
 * search attributes existed have only the memo: no awaiting-since or deadline, and a stage only as last published).
 */
export function toSummary(info: ExecutionInfo): WorkflowSummary {
  const memo = decodePayloads(info.memo?.fields);
  const attributes = decodePayloads(info.searchAttributes?.indexedFields);
  const published = readStatusMemo(memo);
  const requested = readRequestMemo(memo);
  const status = STATUS_NAMES[info.status ?? 0] ?? 'RUNNING';
  const summary = published?.draft?.summary;
  return {
    workflowId: info.execution?.workflowId ?? '',
    runId: info.execution?.runId ?? '',
    topic: requested?.topic ?? null,
    stage: reportedStage(status, asStage(attributes[RESEARCH_SEARCH_ATTRIBUTES.stage.name]) ?? published?.stage),
    status,
    submittedBy: requested?.submittedBy ?? null,
    startedAt: timestampToIso(info.startTime) ?? new Date(0).toISOString(),
    awaitingSince: asIso(attributes[RESEARCH_SEARCH_ATTRIBUTES.awaitingSince.name]) ?? published?.awaitingSince ?? null,
    approvalDeadline:
      asIso(attributes[RESEARCH_SEARCH_ATTRIBUTES.approvalDeadline.name]) ?? published?.approvalDeadline ?? null,
    draftExcerpt: summary === undefined ? null : summary.slice(0, EXCERPT_CHARS),
  };
}

/**
 * `GET /workflows`: one page of visibility, newest first, with an opaque cursor, and the awaiting-approval total.
 * Holds nothing between pages: the cursor carries the server's page token.
 *
 * @throws InvalidCursorError, TemporalUnavailableError
 */
export async function listResearch(
  port: TemporalPort,
  within: <T>(fn: () => Promise<T>) => Promise<T>,
  { limit, cursor, ...filters }: WorkflowListQuery,
): Promise<WorkflowList> {
  const query = listQuery(filters);
  const nextPageToken = cursor === undefined ? undefined : decodeCursor(query, cursor);
  try {
    const [page, total] = await Promise.all([
      within(() => port.listWorkflows({ query, pageSize: limit, nextPageToken })),
      filters.stage === 'awaiting_approval' ? within(() => port.countWorkflows(query)) : undefined,
    ]);
    const token = page.nextPageToken;
    return {
      items: (page.executions ?? []).map(toSummary),
      nextCursor: token && token.length > 0 ? encodeCursor(query, token) : null,
      ...(total === undefined ? {} : { total }),
    };
  } catch (error) {
    // The server refuses a token it did not issue (or one from before it restarted).
    if (nextPageToken !== undefined && isInvalidArgument(error)) throw new InvalidCursorError({ cause: error });
    return mapUnavailable(error);
  }
}
