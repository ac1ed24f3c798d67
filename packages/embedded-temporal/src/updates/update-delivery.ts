import type { Msg } from '../proto/root.js';
import type { Run } from '../engine/run-state.js';
import type { Tx } from '../engine/tx.js';
import { unb64 } from '../engine/history.js';

// Delivery of admitted update requests to the workflow as protocol messages on its workflow tasks. The workflow
// task state machine uses these; admission and the worker's replies are in `update-registry.ts`.

const REQUEST = 'temporal.api.update.v1.Request';
const TYPE_PREFIX = 'type.googleapis.com/';

/** Whether an admitted update still waits to be sent on a workflow task. */
export function hasUndeliveredUpdates(run: Run): boolean {
  return Object.values(run.updates).some((u) => u.state === 'admitted');
}

/** Request messages for every update not yet accepted; attached to the task being started. */
export function pendingUpdateMessages(tx: Tx, run: Run, startedId: number): Msg[] {
  const out: Msg[] = [];
  for (const u of Object.values(run.updates)) {
    if (u.state !== 'admitted' && u.state !== 'sent') continue;
    u.state = 'sent';
    out.push({
      id: `${u.updateId}/request`,
      protocolInstanceId: u.updateId,
      eventId: startedId - 1,
      body: { type_url: `${TYPE_PREFIX}${REQUEST}`, value: unb64(u.request) },
    });
  }
  if (out.length) tx.dirty.add(run);
  return out;
}

/** A failed or timed-out task means its update requests must be sent again. */
export function resetSentUpdates(run: Run): void {
  for (const u of Object.values(run.updates)) if (u.state === 'sent') u.state = 'admitted';
}
