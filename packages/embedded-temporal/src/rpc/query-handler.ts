import { status } from '@grpc/grpc-js';
import { WorkflowStatus } from '../proto/enums.js';
import type { Engine } from '../engine/engine.js';
import { closedBeforeStart } from '../queries/query-registry.js';
import { RpcError, invalidArgument } from './errors.js';
import type { WorkflowServiceHandlers } from './service-registry.js';

const Reject = { NOT_OPEN: 2, NOT_COMPLETED_CLEANLY: 3 } as const;
/** Least time a query waits for a worker when the caller sets no deadline (the default `longPollTimeoutMs`). */
const QUERY_WAIT_CAP_MS = 20_000;

/** QueryWorkflow: routed to the run's next workflow task or sent as a legacy query task. */
export function queryHandler(engine: Engine): NonNullable<WorkflowServiceHandlers['QueryWorkflow']> {
  return async (req, ctx) => {
    if (!req.query?.queryType) throw invalidArgument('QueryType is not set on request.');
    const run = engine.findRun(req.namespace, req.execution);
    const open = run.status === WorkflowStatus.RUNNING;
    const condition: number = req.queryRejectCondition ?? 0;
    if (
      !open &&
      (condition === Reject.NOT_OPEN ||
        (condition === Reject.NOT_COMPLETED_CLEANLY && run.status !== WorkflowStatus.COMPLETED))
    ) {
      return { queryRejected: { status: run.status } };
    }
    const everStarted =
      run.lastCompletedStartedId > 0 || run.history.decoded().some((e) => e.workflowTaskStartedEventAttributes);
    if (!open && !everStarted) throw closedBeforeStart();
    const { id, outcome } = engine.queries.create(run.runId, req.query);
    if (!open || (run.wft.state === 'none' && run.lastCompletedStartedId > 0)) engine.queries.dispatchWaiting(run);
    // Like the real server, a query is not cut short by the (possibly shortened) long-poll interval: it waits
    // for a worker until the caller's deadline, capped at the default long-poll time at least.
    const deadline = engine.pollDeadline(ctx.deadline, Math.max(engine.opts.longPollTimeoutMs, QUERY_WAIT_CAP_MS));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
      ctx.signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    const result = await Promise.race([outcome, expired]);
    clearTimeout(timer);
    if (!result) {
      engine.queries.remove(id);
      throw new RpcError(status.DEADLINE_EXCEEDED, 'query timed out before a worker could process it');
    }
    if ('error' in result) throw result.error;
    if ('failedMessage' in result) {
      throw new RpcError(status.INVALID_ARGUMENT, result.failedMessage, {
        type: 'QueryFailedFailure',
        value: { failure: result.failure },
      });
    }
    return { queryResult: result.answer ?? { payloads: [] } };
  };
}
