import { WorkflowStatus } from '../proto/enums.js';
import type { EngineCore } from './core.js';
import type { Run } from './run-state.js';
import type { Tx } from './tx.js';
import { terminateRun } from './lifecycle.js';

/** When a closed run's namespace retention runs out (Infinity while the run is open). */
export function retentionDeadline(run: Run, retentionMs: number): number {
  return run.status === WorkflowStatus.RUNNING || !run.closeTime ? Infinity : run.closeTime + retentionMs;
}

/**
 * Removes a run for good: its record and history leave the store in this transaction, and it leaves every
 * in-memory index at once, so no later request can find it. A running run is terminated first, with the reason
 * and identity Temporal's history service writes for DeleteWorkflowExecution.
 */
export function deleteRun(engine: EngineCore, tx: Tx, run: Run): void {
  if (run.status === WorkflowStatus.RUNNING)
    terminateRun(engine, tx, run, 'Delete workflow execution', null, 'history-service');
  tx.deleted.add(run);
  engine.forget(run);
}
