import { createHash } from 'node:crypto';
import { RESEARCH_SEARCH_ATTRIBUTES, RESEARCH_WORKFLOW_TYPE } from '@research/contracts';
import type { Stage } from '@research/contracts';
import type { WorkflowListQuery } from '../schemas/workflow-list.js';
import type { WorkflowStatus } from '../schemas/workflow.js';
import { InvalidCursorError } from './errors.js';

// Visibility names of the statuses (`ExecutionStatus = 'Canceled'`), as Temporal spells them.
const EXECUTION_STATUS: Record<WorkflowStatus, string> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  TIMED_OUT: 'TimedOut',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
};

/** A string literal of the list filter language: backslash and single quote escaped. */
const literal = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * A stage as the list reports it (`reportedStage`): a closed run's stage follows from its status, a running one's
 * from the stage search attribute. Runs started before the search attributes existed match only closed stages.
 */
function stageClause(stage: Stage): string {
  switch (stage) {
    case 'completed':
      return `ExecutionStatus = 'Completed'`;
    case 'cancelled':
      return `ExecutionStatus = 'Canceled'`;
    case 'failed':
      return `ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut')`;
    default:
      return `${RESEARCH_SEARCH_ATTRIBUTES.stage.name} = ${literal(stage)} AND ExecutionStatus = 'Running'`;
  }
}

/**
 * The visibility query for the list filters. No ORDER BY: Temporal's SQL visibility refuses it, and every
 * visibility store already returns the newest first (see the README on the order).
 */
export function listQuery(filters: Omit<WorkflowListQuery, 'limit' | 'cursor'>): string {
  const parts = [`WorkflowType = ${literal(RESEARCH_WORKFLOW_TYPE)}`];
  if (filters.stage !== undefined) parts.push(stageClause(filters.stage));
  if (filters.status !== undefined) parts.push(`ExecutionStatus = ${literal(EXECUTION_STATUS[filters.status])}`);
  if (filters.submittedBy !== undefined) {
    parts.push(`${RESEARCH_SEARCH_ATTRIBUTES.submitter.name} = ${literal(filters.submittedBy)}`);
  }
  if (filters.startedAfter !== undefined) parts.push(`StartTime > ${literal(filters.startedAfter)}`);
  if (filters.startedBefore !== undefined) parts.push(`StartTime < ${literal(filters.startedBefore)}`);
  return parts.join(' AND ');
}

/**
 * The visibility query counting the running pipelines of one caller, for `MAX_RUNNING_PER_CALLER`: those whose
 * submitter search attribute is `submitterId`, or, in open mode (no caller is identified), every running pipeline
 * of the namespace. The API sets the attribute when it starts a pipeline, so a run counts before a worker picks it
 * up.
 */
export function runningPipelinesQuery(submitterId: string | undefined): string {
  const parts = [`WorkflowType = ${literal(RESEARCH_WORKFLOW_TYPE)}`, `ExecutionStatus = 'Running'`];
  if (submitterId !== undefined) parts.push(`${RESEARCH_SEARCH_ATTRIBUTES.submitter.name} = ${literal(submitterId)}`);
  return parts.join(' AND ');
}

const CURSOR_VERSION = 1;
const queryTag = (query: string): string => createHash('sha256').update(query).digest('base64url').slice(0, 16);

/** Wraps the server's page token into an opaque cursor bound to the query it pages. */
export function encodeCursor(query: string, pageToken: Uint8Array): string {
  const body = JSON.stringify({ v: CURSOR_VERSION, q: queryTag(query), t: Buffer.from(pageToken).toString('base64') });
  return Buffer.from(body, 'utf8').toString('base64url');
}

/**
 * The server page token inside `cursor`.
 * @throws InvalidCursorError when it is not a cursor {@link encodeCursor} made for this query.
 */
export function decodeCursor(query: string, cursor: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidCursorError({ cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidCursorError();
  const { v, q, t } = parsed as Record<string, unknown>;
  if (v !== CURSOR_VERSION || q !== queryTag(query) || typeof t !== 'string' || t.length === 0) {
    throw new InvalidCursorError();
  }
  return Buffer.from(t, 'base64');
}
