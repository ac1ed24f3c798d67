import type { Engine } from './engine.js';
import type { Run } from './run-state.js';
import { nextDeadline, processDeadlines } from './deadlines.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One timer per run, armed for the run's next deadline (timers, timeouts, backoffs, retention) and re-armed
 * whenever the engine reports the run changed. When it fires, the due deadlines are applied in one transaction.
 */
export class DeadlineTimers {
  /** Per run: the armed timer and the moment it is armed for. */
  private readonly ticks = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  private stopped = false;

  /** Registers on `engine`'s hooks; created once per engine by `createEngine`. */
  constructor(private readonly engine: Engine) {
    engine.hooks.runChanged.push((run) => this.arm(run));
    engine.hooks.runForgotten.push((run) => this.disarm(run.runId));
    engine.hooks.reset.push((reason) => {
      if (reason === 'stop') this.stopped = true;
      for (const t of this.ticks.values()) clearTimeout(t.timer);
      this.ticks.clear();
    });
  }

  /** (Re)arms the single timer that drives all of a run's deadlines. */
  private arm(run: Run): void {
    if (this.engine.runs.get(run.runId) !== run) return;
    const old = this.ticks.get(run.runId);
    const at = this.stopped ? Infinity : nextDeadline(run, this.engine.retentionMs(run));
    // Most commits leave the deadline where it was: keep the armed timer instead of re-creating it.
    if (old && old.at === at) return;
    if (old) clearTimeout(old.timer);
    this.ticks.delete(run.runId);
    if (at === Infinity) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now()));
    const timer = setTimeout(() => {
      this.ticks.delete(run.runId);
      // A deadline beyond the longest setTimeout delay (≈ 24.8 days, e.g. a retention) is reached in steps.
      if (at > Date.now()) return this.arm(run);
      this.engine
        .mutate((tx) => processDeadlines(this.engine, tx, run))
        .catch((err: unknown) => {
          if (!this.stopped) this.engine.opts.logger.warn(`deadline processing failed for run ${run.runId}`, err);
        });
    }, delay);
    timer.unref?.();
    this.ticks.set(run.runId, { timer, at });
  }

  private disarm(runId: string): void {
    const tick = this.ticks.get(runId);
    if (tick) clearTimeout(tick.timer);
    this.ticks.delete(runId);
  }
}
