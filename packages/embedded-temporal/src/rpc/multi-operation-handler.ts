import { status } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { encode } from '../proto/root.js';
import { UpdateStage, WorkflowStatus } from '../proto/enums.js';
import type { Engine } from '../engine/engine.js';
import { startWorkflow, validateStart } from '../engine/start-workflow.js';
import { admitUpdate } from '../updates/update-registry.js';
import { RpcError, invalidArgument } from './errors.js';
import type { WorkflowServiceHandlers } from './service-registry.js';
import { waitForUpdateStage } from './update-handlers.js';

const ANY_PREFIX = 'type.googleapis.com/';

/** The failure of one operation, with the other reported as aborted (what the TS client unpacks). */
function multiOperationFailure(err: RpcError, failedIndex: number): RpcError {
  const failed = {
    code: err.code,
    message: err.message,
    details: err.detail
      ? [
          {
            type_url: `${ANY_PREFIX}temporal.api.errordetails.v1.${err.detail.type}`,
            value: encode(`temporal.api.errordetails.v1.${err.detail.type}`, err.detail.value),
          },
        ]
      : [],
  };
  const aborted = {
    code: status.ABORTED,
    message: 'Operation was aborted.',
    details: [
      { type_url: `${ANY_PREFIX}temporal.api.failure.v1.MultiOperationExecutionAborted`, value: new Uint8Array() },
    ],
  };
  const statuses = failedIndex === 0 ? [failed, aborted] : [aborted, failed];
  return new RpcError(err.code, `MultiOperation could not be executed: ${err.message}`, {
    type: 'MultiOperationExecutionFailure',
    value: { statuses },
  });
}

/** ExecuteMultiOperation for update-with-start: start (or reuse) the workflow and admit the update atomically. */
export function multiOperationHandler(engine: Engine): NonNullable<WorkflowServiceHandlers['ExecuteMultiOperation']> {
  return async (req, ctx) => {
    const ops = req.operations ?? [];
    const start = ops[0]?.startWorkflow;
    const update = ops[1]?.updateWorkflow;
    if (ops.length !== 2 || !start || !update)
      throw invalidArgument('ExecuteMultiOperation supports exactly [StartWorkflow, UpdateWorkflow].');
    engine.namespace(req.namespace);
    const request = update.request;
    const updateId = request?.meta?.updateId;
    if (!updateId || !request?.input?.name) throw invalidArgument('Update id and name must be set.');
    let started: { runId: string; started: boolean };
    try {
      validateStart(start);
      started = await engine.mutate((tx) => {
        const result = startWorkflow(engine, tx, { ...start, namespace: req.namespace });
        const run = engine.runs.get(result.runId);
        if (run && run.status === WorkflowStatus.RUNNING) admitUpdate(engine, tx, run, request);
        return result;
      });
    } catch (err) {
      if (err instanceof RpcError) throw multiOperationFailure(err, 0);
      throw err;
    }
    const wanted = Math.max(update.waitPolicy?.lifecycleStage || UpdateStage.ACCEPTED, UpdateStage.ACCEPTED);
    let updateResponse: temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse;
    try {
      updateResponse = await waitForUpdateStage(engine, started.runId, updateId, wanted, ctx);
    } catch (err) {
      if (err instanceof RpcError) throw multiOperationFailure(err, 1);
      throw err;
    }
    return {
      responses: [
        { startWorkflow: { runId: started.runId, started: started.started } },
        { updateWorkflow: updateResponse },
      ],
    };
  };
}
