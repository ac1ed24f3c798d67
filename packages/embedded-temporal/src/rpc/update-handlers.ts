import type { temporal } from '@temporalio/proto';
import { UpdateStage, WorkflowStatus } from '../proto/enums.js';
import type { Engine } from '../engine/engine.js';
import { admitUpdate, updateView } from '../updates/update-registry.js';
import { invalidArgument, notFound, workflowCompleted } from './errors.js';
import type { WorkflowServiceHandlers } from './service-registry.js';

/** Waits until the update reaches `wanted` (or the long-poll deadline) and builds the update response. */
export async function waitForUpdateStage(
  engine: Engine,
  runId: string,
  updateId: string,
  wanted: number,
  ctx: { deadline: number; signal: AbortSignal },
): Promise<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse> {
  const run = engine.runs.get(runId);
  const u = run?.updates[updateId];
  if (!run || !u) throw notFound(`update ${updateId} not found`);
  const deadline = engine.pollDeadline(ctx.deadline, engine.opts.longPollTimeoutMs);
  const done = (): true | undefined => {
    try {
      return updateView(u).stage >= wanted ? true : undefined;
    } catch {
      return true; // aborted: reported below
    }
  };
  await engine.waitFor(runId, done, deadline, ctx.signal);
  const view = updateView(u);
  return {
    updateRef: { workflowExecution: { workflowId: run.workflowId, runId: run.runId }, updateId },
    outcome: view.outcome,
    stage: view.stage,
  };
}

/** UpdateWorkflowExecution and PollWorkflowExecutionUpdate. */
export function updateHandlers(engine: Engine): WorkflowServiceHandlers {
  return {
    UpdateWorkflowExecution: async (req, ctx) => {
      const request = req.request;
      const updateId = request?.meta?.updateId;
      if (!updateId) throw invalidArgument('Update id is not set on request.');
      if (!request?.input?.name) throw invalidArgument('Update name is not set on request.');
      const wanted = Math.max(req.waitPolicy?.lifecycleStage || UpdateStage.ACCEPTED, UpdateStage.ACCEPTED);
      // An update aborted before acceptance because the run continued (continue-as-new, retry) is re-admitted
      // on the next run of the chain when the caller did not pin a run id, as the real server does.
      for (let hop = 0; ; hop++) {
        const run = engine.findRun(req.namespace, req.workflowExecution);
        if (req.firstExecutionRunId && req.firstExecutionRunId !== run.firstRunId)
          throw notFound(`workflow not found for ID: ${run.workflowId}`);
        if (run.status !== WorkflowStatus.RUNNING) {
          if (!run.updates[updateId]) throw workflowCompleted();
        } else if (!run.updates[updateId]) {
          await engine.mutate((tx) => admitUpdate(engine, tx, run, request));
        }
        try {
          return await waitForUpdateStage(engine, run.runId, updateId, wanted, ctx);
        } catch (err) {
          const next = engine.currentRun(run.namespace, run.workflowId);
          const moved = !req.workflowExecution?.runId && next && next !== run && next.firstRunId === run.firstRunId;
          if (!moved || hop >= 10) throw err;
        }
      }
    },
    PollWorkflowExecutionUpdate: async (req, ctx) => {
      const ref = req.updateRef;
      const run = engine.findRun(req.namespace, ref?.workflowExecution);
      // No wait policy: answer with the stage reached so far, without a long poll (a test helper probes
      // "has this update been admitted" this way, every 100 ms).
      const wanted = req.waitPolicy?.lifecycleStage || UpdateStage.ADMITTED;
      return waitForUpdateStage(engine, run.runId, ref?.updateId ?? '', wanted, ctx);
    },
  };
}
