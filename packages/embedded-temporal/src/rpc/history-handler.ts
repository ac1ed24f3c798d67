import { WorkflowStatus } from '../proto/enums.js';
import type { Engine } from '../engine/engine.js';
import type { WorkflowServiceHandlers } from './service-registry.js';

const CLOSE_EVENT = 2;

/**
 * GetWorkflowExecutionHistory: everything in one page; `wait_new_event` long-polls for the close event (the TS
 * client's `result()`) or for events past the page token.
 */
export function historyHandler(engine: Engine): NonNullable<WorkflowServiceHandlers['GetWorkflowExecutionHistory']> {
  return async (req, ctx) => {
    const run = engine.findRun(req.namespace, req.execution);
    // Only durable events are visible: a closed run counts as closed once its close event is committed.
    const closed = (): boolean => run.status !== WorkflowStatus.RUNNING && run.durableLength === run.history.length;
    const deadline = engine.pollDeadline(ctx.deadline, engine.opts.longPollTimeoutMs);
    const filter: number = req.historyEventFilterType ?? 0;
    if (filter === CLOSE_EVENT) {
      if (req.waitNewEvent && !closed())
        await engine.waitFor(run.runId, () => (closed() ? true : undefined), deadline, ctx.signal);
      return closed() && run.durableLength > 0
        ? { history: run.history.page(run.durableLength - 1, run.durableLength), nextPageToken: Buffer.alloc(0) }
        : { history: { events: [] }, nextPageToken: req.nextPageToken ?? Buffer.alloc(0) };
    }
    const token = Buffer.from(req.nextPageToken ?? []).toString();
    const from = token ? Number(token.split(':')[1]) || 1 : 1;
    if (req.waitNewEvent && !closed() && run.durableLength < from) {
      await engine.waitFor(
        run.runId,
        () => (closed() || run.durableLength >= from ? true : undefined),
        deadline,
        ctx.signal,
      );
    }
    const history = run.history.page(from - 1, run.durableLength);
    const more = req.waitNewEvent && !closed();
    const next = more ? Buffer.from(`${run.runId}:${run.durableLength + 1}`) : Buffer.alloc(0);
    return { history, nextPageToken: next };
  };
}
