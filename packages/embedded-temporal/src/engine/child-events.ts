import type { Msg } from '../proto/root.js';
import { EV } from '../proto/enums.js';
import type { Run } from './run-state.js';
import { attrsOf } from './history.js';

/**
 * Keeps child bookkeeping right when a buffered child event is finally written: the child's started event id
 * is known only then. Passed to `flushBuffered` wherever a workflow task closes.
 */
export function onChildEventFlushed(run: Run, event: Msg): void {
  if (event.eventType === EV.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) {
    const child = run.children[String(attrsOf(event).initiatedEventId)];
    if (child) child.startedId = event.eventId.toNumber() as number;
  }
}
