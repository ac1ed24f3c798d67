import { WorkflowStatus } from '../proto/enums.js';
import type { Engine } from '../engine/engine.js';
import { durableHistory, type Run } from '../engine/run-state.js';
import { startWorkflow, validateStart } from '../engine/start-workflow.js';
import { requestCancelRun, signalRun, terminateRun } from '../engine/lifecycle.js';
import { deleteRun } from '../engine/deletion.js';
import { invalidArgument, notFound, workflowCompleted } from './errors.js';
import type { WorkflowServiceHandlers } from './service-registry.js';
import { describeRun } from './describe.js';
import { historyHandler } from './history-handler.js';
import { queryHandler } from './query-handler.js';
import { updateHandlers } from './update-handlers.js';
import { listHandlers } from './list-handlers.js';
import { multiOperationHandler } from './multi-operation-handler.js';
import { pauseActivities, resetActivities, selectActivities, unpauseActivities } from '../activities/activity-pause.js';

/** Checks `first_execution_run_id` against the run's chain (TS handles send it instead of a run id). */
function checkChain(run: Run, req: { firstExecutionRunId?: string | null }): void {
  if (req.firstExecutionRunId && req.firstExecutionRunId !== run.firstRunId) {
    throw notFound(`workflow not found for ID: ${run.workflowId}`);
  }
}

function requireOpen(run: Run): void {
  if (run.status !== WorkflowStatus.RUNNING) throw workflowCompleted();
}

/** The RPCs `@temporalio/client` calls. */
export function clientHandlers(engine: Engine): WorkflowServiceHandlers {
  return {
    StartWorkflowExecution: async (req) => {
      engine.namespace(req.namespace);
      validateStart(req);
      const { runId, started } = await engine.mutate((tx) => startWorkflow(engine, tx, req));
      return { runId, started };
    },
    SignalWorkflowExecution: async (req) => {
      if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
      const run = engine.findRun(req.namespace, req.workflowExecution);
      requireOpen(run);
      await engine.mutate((tx) =>
        signalRun(
          engine,
          tx,
          run,
          {
            signalName: req.signalName,
            input: req.input,
            identity: req.identity,
            header: req.header,
            requestId: req.requestId,
          },
          req.requestId ?? undefined,
        ),
      );
      return {};
    },
    SignalWithStartWorkflowExecution: async (req) => {
      engine.namespace(req.namespace);
      validateStart(req);
      if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
      const signal = {
        signalName: req.signalName,
        input: req.signalInput,
        identity: req.identity,
        header: req.header,
        requestId: req.requestId,
      };
      const runId = await engine.mutate((tx) => {
        const current = engine.currentRun(req.namespace ?? '', req.workflowId ?? '');
        if (current && current.status === WorkflowStatus.RUNNING) {
          signalRun(engine, tx, current, signal);
          return current.runId;
        }
        return startWorkflow(engine, tx, { ...req, workflowIdConflictPolicy: 0 }, signal).runId;
      });
      return { runId, started: true };
    },
    TerminateWorkflowExecution: async (req) => {
      const run = engine.findRun(req.namespace, req.workflowExecution);
      checkChain(run, req);
      requireOpen(run);
      await engine.mutate((tx) =>
        terminateRun(engine, tx, run, req.reason ?? '', req.details ?? null, req.identity ?? ''),
      );
      return {};
    },
    RequestCancelWorkflowExecution: async (req) => {
      const run = engine.findRun(req.namespace, req.workflowExecution);
      checkChain(run, req);
      if (run.status !== WorkflowStatus.RUNNING) return {};
      await engine.mutate((tx) =>
        requestCancelRun(engine, tx, run, { cause: req.reason ?? '', identity: req.identity ?? '' }),
      );
      return {};
    },
    DescribeWorkflowExecution: (req) => describeRun(engine.findRun(req.namespace, req.execution)),
    GetWorkflowExecutionHistory: historyHandler(engine),
    QueryWorkflow: queryHandler(engine),
    ...updateHandlers(engine),
    ...listHandlers(engine),
    ExecuteMultiOperation: multiOperationHandler(engine),
    ResetStickyTaskQueue: async (req) => {
      const run = engine.findRun(req.namespace, req.execution);
      await engine.mutate((tx) => {
        run.stickyQueue = '';
        tx.dirty.add(run);
      });
      return {};
    },
    GetWorkflowExecutionHistoryReverse: (req) => {
      const run = engine.findRun(req.namespace, req.execution);
      return { history: durableHistory(run, 'newest-first'), nextPageToken: Buffer.alloc(0) };
    },
    PauseActivity: async (req) => {
      const run = engine.findRun(req.namespace, req.execution);
      await engine.mutate((tx) => pauseActivities(tx, run, selectActivities(run, req, false), req));
      return {};
    },
    UnpauseActivity: async (req) => {
      const run = engine.findRun(req.namespace, req.execution);
      await engine.mutate((tx) =>
        unpauseActivities(engine, tx, run, selectActivities(run, req, !!req.unpauseAll), req),
      );
      return {};
    },
    ResetActivity: async (req) => {
      const run = engine.findRun(req.namespace, req.execution);
      await engine.mutate((tx) => resetActivities(engine, tx, run, selectActivities(run, req, !!req.matchAll), req));
      return {};
    },
    DeleteWorkflowExecution: async (req) => {
      const run = engine.findRun(req.namespace, req.workflowExecution);
      await engine.mutate((tx) => deleteRun(engine, tx, run));
      return {};
    },
  };
}
