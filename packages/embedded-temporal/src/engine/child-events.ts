import { EV } from '../proto/enums.js';
import { num } from '../proto/time.js';
import type { HistoryEvent, Run } from './run-state.js';

/**
 * Keeps child bookkeeping right when a buffered child event is finally written: the child's started event id
 * is known only then. Passed to `flushBuffered` wherever a workflow task closes.
 */
export function onChildEventFlushed(run: Run, event: HistoryEvent): void {
  if ((event.eventType as number) === EV.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) {
    const initiatedId = num(event.childWorkflowExecutionStartedEventAttributes?.initiatedEventId);
    const child = run.children[String(initiatedId)];
    if (child) child.startedId = num(event.eventId);
  }
}
