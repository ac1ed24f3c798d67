import type { temporal } from '@temporalio/proto';
import { CommandType, WorkflowStatus, WftFailedCause } from '../proto/enums.js';
import { durMs, num } from '../proto/time.js';
import { invalidArgument, type RpcError } from '../rpc/errors.js';
import type { EngineCore } from './core.js';
import type { Run } from './run-state.js';
import type { Tx } from './tx.js';
import { appendEvent, flushBuffered } from './history.js';
import { failWft, hasUnhandledNews, scheduleWft, startWft } from './workflow-task.js';
import { applyCommand, validateCommand } from './commands.js';
import type { CompletionContext } from './completion-context.js';
import { onChildEventFlushed } from './child-events.js';
import { finishUpdateMessages } from '../updates/update-registry.js';
import { hasUndeliveredUpdates } from '../updates/update-delivery.js';
import { startActivity } from '../activities/activity-tasks.js';

type CompletedRequest = temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest;
type PollWftResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;

const CLOSING = new Set<number | null | undefined>([
  CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

/**
 * What RespondWorkflowTaskCompleted answers: an error to send back after the (already recorded) WorkflowTaskFailed
 * is committed, e.g. the `UnhandledCommand` rejection; or the activity tasks started eagerly for the worker and
 * the next workflow task when it asked for that inline.
 */
export type CompletionOutcome =
  | { error: RpcError }
  | {
      activityTasks: temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse[];
      workflowTask: PollWftResponse | null;
    };

/** Applies RespondWorkflowTaskCompleted to a run whose started task matched the token. */
export function completeWft(engine: EngineCore, tx: Tx, run: Run, req: CompletedRequest): CompletionOutcome {
  const commands = req.commands ?? [];
  const closingIndex = commands.findIndex((c) => CLOSING.has(c.commandType));
  if (closingIndex >= 0 && hasUnhandledNews(run)) {
    failWft(engine, tx, run, {
      cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
      identity: req.identity,
    });
    return { error: invalidArgument('UnhandledCommand') };
  }
  if (closingIndex >= 0 && closingIndex !== commands.length - 1) {
    failWft(engine, tx, run, {
      cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES,
      identity: req.identity,
    });
    return { error: invalidArgument('invalid command sequence: workflow-closing command must be the last one') };
  }
  for (const c of commands) {
    const bad = validateCommand(run, c);
    if (bad) {
      failWft(engine, tx, run, { cause: bad.cause, identity: req.identity, failure: { message: bad.message } });
      return { error: invalidArgument(bad.message) };
    }
  }
  const completed = appendEvent(tx, run, 'WorkflowTaskCompleted', {
    scheduledEventId: run.wft.scheduledId,
    startedEventId: run.wft.startedId,
    identity: req.identity ?? '',
    binaryChecksum: req.binaryChecksum ?? '',
    sdkMetadata: req.sdkMetadata ?? null,
    meteringMetadata: req.meteringMetadata ?? null,
    workerVersion: req.workerVersionStamp ?? null,
    deployment: req.deployment ?? null,
    versioningBehavior: req.versioningBehavior ?? 0,
  });
  const buildId = req.deploymentOptions?.buildId || req.workerVersionStamp?.buildId || req.binaryChecksum || '';
  if (buildId) {
    const ids = run.buildIds ?? ['unversioned'];
    if (!ids.includes(`unversioned:${buildId}`)) run.buildIds = [...ids, `unversioned:${buildId}`];
  }
  const token = run.wft.token;
  run.lastCompletedStartedId = run.wft.startedId;
  run.wft = { ...run.wft, state: 'none', token: '', attempt: 1, sticky: false };
  const stickyQueue = req.stickyAttributes?.workerTaskQueue?.name ?? '';
  run.stickyQueue = stickyQueue;
  if (stickyQueue) run.stickyScheduleToStartMs = durMs(req.stickyAttributes?.scheduleToStartTimeout) || 10_000;

  const ctx: CompletionContext = {
    completedId: num(completed.eventId),
    identity: req.identity ?? '',
    messages: new Map((req.messages ?? []).map((m) => [m.id ?? '', m])),
    handled: new Set(),
    later: [],
    eagerActivities: [],
  };
  for (const c of commands) {
    if (run.status !== WorkflowStatus.RUNNING) break;
    applyCommand(engine, tx, run, c, ctx);
  }
  finishUpdateMessages(engine, tx, run, ctx);
  for (const fn of ctx.later) fn();
  engine.queries.resolveAttached(token, req.queryResults ?? {});

  if (run.status === WorkflowStatus.RUNNING) {
    const flushed = flushBuffered(tx, run, (e) => onChildEventFlushed(run, e));
    if (flushed > 0 || req.forceCreateNewWorkflowTask || run.needsWft || hasUndeliveredUpdates(run)) {
      scheduleWft(engine, tx, run);
    }
  } else {
    run.buffered = [];
  }
  engine.queries.afterWftClosed(tx, run);
  tx.dirty.add(run);
  return {
    activityTasks: startEagerActivities(engine, tx, run, ctx.eagerActivities, req.identity),
    workflowTask: req.returnNewWorkflowTask ? startNextWftInline(engine, tx, run, req) : null,
  };
}

/**
 * `return_new_workflow_task`: a task this completion scheduled on the worker's own sticky queue (events that
 * arrived while it ran) is started at once and returned in the response, as Temporal does, instead of making
 * the worker poll for it. Only a sticky worker asks, and it can take the partial history of its cached run.
 */
function startNextWftInline(engine: EngineCore, tx: Tx, run: Run, req: CompletedRequest): PollWftResponse | null {
  if (run.status !== WorkflowStatus.RUNNING || run.wft.state !== 'scheduled' || !run.wft.sticky) return null;
  return startWft(engine, tx, run, run.wft.scheduledId, { identity: req.identity });
}

/** Starts the eagerly requested first attempts, unless the completion closed the run. */
function startEagerActivities(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  scheduledIds: number[],
  identity: string | null | undefined,
): temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse[] {
  const tasks: temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse[] = [];
  for (const scheduledId of scheduledIds) {
    const task = startActivity(engine, tx, run, scheduledId, 1, { identity });
    if (task) tasks.push(task);
  }
  return tasks;
}
