import type { Msg } from '../proto/root.js';
import { WorkflowStatus } from '../proto/enums.js';
import type { Engine } from '../engine/engine.js';
import type { Handler } from './service-registry.js';
import { durableHistory } from '../engine/run-state.js';

const CLOSE_EVENT = 2;

/**
 * GetWorkflowExecutionHistory: everything in one page; `wait_new_event` long-polls for the close event (the TS
 * client's `result()`) or for events past the page token.
 */
export function historyHandler(engine: Engine): Handler {
  return async (req, ctx) => {
    const run = engine.findRun(req.namespace, req.execution);
    // Only durable events are visible: a closed run counts as closed once its close event is committed.
    const closed = (): boolean => run.status !== WorkflowStatus.RUNNING && run.durableLength === run.history.length;
    const deadline = engine.pollDeadline(ctx.deadline, engine.opts.longPollTimeoutMs);
    if ((req.historyEventFilterType as number) === CLOSE_EVENT) {
      if (req.waitNewEvent && !closed())
        await engine.waitFor(run.runId, () => (closed() ? true : undefined), deadline, ctx.signal);
      const last = run.history[run.durableLength - 1];
      return closed() && last
        ? { history: { events: [last] }, nextPageToken: Buffer.alloc(0) }
        : { history: { events: [] }, nextPageToken: req.nextPageToken ?? Buffer.alloc(0) };
    }
    const token = Buffer.from((req.nextPageToken as Uint8Array | undefined) ?? []).toString();
    const from = token ? Number(token.split(':')[1]) || 1 : 1;
    if (req.waitNewEvent && !closed() && run.durableLength < from) {
      await engine.waitFor(
        run.runId,
        () => (closed() || run.durableLength >= from ? true : undefined),
        deadline,
        ctx.signal,
      );
    }
    const events: Msg[] = durableHistory(run).slice(from - 1);
    const more = req.waitNewEvent && !closed();
    const next = more ? Buffer.from(`${run.runId}:${run.durableLength + 1}`) : Buffer.alloc(0);
    return { history: { events }, nextPageToken: next };
  };
}
