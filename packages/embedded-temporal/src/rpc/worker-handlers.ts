import type { temporal } from '@temporalio/proto';
import { TaskQueueKind, WorkflowStatus } from '../proto/enums.js';
import { int64 } from '../proto/time.js';
import { queueKey, type Task } from '../matching/task-queues.js';
import type { Engine } from '../engine/engine.js';
import { durableHistory, type ActivityState, type Run } from '../engine/run-state.js';
import { abandonSticky, failWft, runForWftToken, startWft } from '../engine/workflow-task.js';
import { completeWft } from '../engine/complete-wft.js';
import {
  activityById,
  activityForToken,
  cancelActivity,
  completeActivity,
  failActivityAttempt,
  recordHeartbeat,
  startActivity,
  type ActivityByIdRef,
} from '../activities/activity-tasks.js';
import { invalidArgument, notFound, taskNotFound } from './errors.js';
import type { CallContext, WorkflowServiceHandlers } from './service-registry.js';

/**
 * Long-polls `key` until a task can actually be started. The task is started (and committed) before the reply;
 * if the poller went away meanwhile, an activity or WFT is recovered by its timeout, a query is re-queued.
 */
async function pollLoop<R extends object>(
  engine: Engine,
  key: string,
  ctx: CallContext,
  start: (task: Task) => Promise<R | null>,
): Promise<R | Record<string, never>> {
  const deadline = engine.pollDeadline(ctx.deadline, engine.opts.taskPollTimeoutMs);
  for (;;) {
    if (Date.now() >= deadline || ctx.signal.aborted) return {};
    const task = await engine.queues.poll(key, deadline, ctx.signal);
    if (!task) return {};
    if (ctx.signal.aborted) {
      engine.queues.add(key, task, true);
      return {};
    }
    const response = await start(task);
    if (response) return response;
  }
}

function legacyQueryTask(
  engine: Engine,
  run: Run,
  queryId: string,
): temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse | null {
  const taken = engine.queries.takeLegacy(queryId, run);
  if (!taken) return null;
  return {
    taskToken: Buffer.from(`query:${run.runId}:${queryId}`),
    workflowExecution: { workflowId: run.workflowId, runId: run.runId },
    workflowType: { name: run.workflowType },
    previousStartedEventId: int64(run.lastCompletedStartedId),
    startedEventId: int64(0),
    attempt: 1,
    history: taken.sticky ? { events: [] } : durableHistory(run),
    query: taken.query,
    workflowExecutionTaskQueue: { name: run.taskQueue, kind: TaskQueueKind.NORMAL },
  };
}

/** How an activity completion names its attempt: by task token, or (the …ById variants) by run and activity id. */
type ActivityRef = { taskToken?: Uint8Array | null } & ActivityByIdRef;

/** The RPCs sdk-core's worker calls. */
export function workerHandlers(engine: Engine): WorkflowServiceHandlers {
  // The …ById variants (async completion by workflow and activity id) share the handlers: their requests carry
  // no task token and are resolved through activityById.
  const findActivity = (req: ActivityRef): { run: Run; act: ActivityState } => {
    const token = req.taskToken;
    const found = token?.length ? activityForToken(engine, token) : activityById(engine, req);
    if (!found) throw notFound('activity task not found');
    return found;
  };
  const respondCompleted = async (
    req:
      | temporal.api.workflowservice.v1.IRespondActivityTaskCompletedRequest
      | temporal.api.workflowservice.v1.IRespondActivityTaskCompletedByIdRequest,
  ): Promise<temporal.api.workflowservice.v1.IRespondActivityTaskCompletedResponse> => {
    const found = findActivity(req);
    await engine.mutate((tx) =>
      completeActivity(engine, tx, found.run, found.act, req.result ?? null, req.identity ?? ''),
    );
    return {};
  };
  const respondFailed = async (
    req:
      | temporal.api.workflowservice.v1.IRespondActivityTaskFailedRequest
      | temporal.api.workflowservice.v1.IRespondActivityTaskFailedByIdRequest,
  ): Promise<temporal.api.workflowservice.v1.IRespondActivityTaskFailedResponse> => {
    const found = findActivity(req);
    await engine.mutate((tx) =>
      failActivityAttempt(engine, tx, found.run, found.act, req.failure ?? { message: 'activity failed' }, {
        identity: req.identity ?? undefined,
        heartbeatDetails: req.lastHeartbeatDetails ?? null,
      }),
    );
    return { failures: [] };
  };
  const respondCanceled = async (
    req:
      | temporal.api.workflowservice.v1.IRespondActivityTaskCanceledRequest
      | temporal.api.workflowservice.v1.IRespondActivityTaskCanceledByIdRequest,
  ): Promise<temporal.api.workflowservice.v1.IRespondActivityTaskCanceledResponse> => {
    const found = findActivity(req);
    if (!found.act.cancelRequestedId)
      throw invalidArgument('unable to mark activity as canceled without activity being request canceled first');
    await engine.mutate((tx) =>
      cancelActivity(engine, tx, found.run, found.act, req.details ?? null, req.identity ?? ''),
    );
    return {};
  };
  const recordActivityHeartbeat = async (
    req:
      | temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatRequest
      | temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatByIdRequest,
  ): Promise<temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatResponse> => {
    const found = findActivity(req);
    return engine.mutate((tx) => recordHeartbeat(tx, found.run, found.act, req.details ?? null));
  };
  const handlers: WorkflowServiceHandlers = {
    PollWorkflowTaskQueue: (req, ctx) => {
      engine.namespace(req.namespace);
      const key = queueKey('wf', req.namespace ?? '', req.taskQueue?.name ?? '');
      return pollLoop(engine, key, ctx, async (task) => {
        const run = engine.runs.get(task.runId);
        if (!run) return null;
        if (task.kind === 'query') {
          const response = legacyQueryTask(engine, run, task.queryId);
          if (response && ctx.signal.aborted) return null;
          return response;
        }
        if (task.kind !== 'wft') return null;
        return engine.mutate((tx) => startWft(engine, tx, run, task.scheduledId, req));
      });
    },
    RespondWorkflowTaskCompleted: async (req) => {
      const run = runForWftToken(engine, req.taskToken ?? new Uint8Array());
      if (!run) throw taskNotFound();
      const outcome = await engine.mutate((tx) => completeWft(engine, tx, run, req));
      if ('error' in outcome) throw outcome.error;
      return { activityTasks: outcome.activityTasks, workflowTask: outcome.workflowTask };
    },
    RespondWorkflowTaskFailed: async (req) => {
      const run = runForWftToken(engine, req.taskToken ?? new Uint8Array());
      if (!run) throw taskNotFound();
      await engine.mutate((tx) =>
        failWft(engine, tx, run, {
          cause: req.cause ?? 0,
          failure: req.failure ?? null,
          identity: req.identity ?? undefined,
        }),
      );
      return {};
    },
    RespondQueryTaskCompleted: (req) => {
      const [kind, , queryId] = Buffer.from(req.taskToken ?? [])
        .toString()
        .split(':');
      if (kind !== 'query' || !queryId || !engine.queries.resolveLegacy(queryId, req))
        throw notFound('query task not found');
      return {};
    },
    PollActivityTaskQueue: (req, ctx) => {
      engine.namespace(req.namespace);
      const key = queueKey('act', req.namespace ?? '', req.taskQueue?.name ?? '');
      return pollLoop(engine, key, ctx, async (task) => {
        const run = engine.runs.get(task.runId);
        if (!run || task.kind !== 'act') return null;
        return engine.mutate((tx) => startActivity(engine, tx, run, task.scheduledId, task.attempt, req));
      });
    },
    RespondActivityTaskCompleted: respondCompleted,
    RespondActivityTaskCompletedById: respondCompleted,
    RespondActivityTaskFailed: respondFailed,
    RespondActivityTaskFailedById: respondFailed,
    RespondActivityTaskCanceled: respondCanceled,
    RespondActivityTaskCanceledById: respondCanceled,
    RecordActivityTaskHeartbeat: recordActivityHeartbeat,
    RecordActivityTaskHeartbeatById: recordActivityHeartbeat,
    ShutdownWorker: async (req) => {
      const sticky = req.stickyTaskQueue || '';
      if (!sticky) return {};
      const runs = [...engine.runs.values()].filter(
        (r) => r.status === WorkflowStatus.RUNNING && r.stickyQueue === sticky,
      );
      if (runs.length) await engine.mutate((tx) => runs.forEach((r) => abandonSticky(engine, tx, r)));
      return {};
    },
  };
  return handlers;
}
