import type { DurableStore } from './store-types.js';
import { Engine } from './engine.js';
import type { EngineOptions } from './core.js';
import { DeadlineTimers } from './deadline-timers.js';
import { onRunClosed as closeChildLinks } from './children.js';
import { abortUpdates } from '../updates/update-registry.js';

/**
 * Builds the engine and registers what is built on it: deadline timers, and what a run's close, deletion and
 * the engine's stop mean for children, updates and queries. The server calls it once; nothing is loaded yet.
 */
export function createEngine(store: DurableStore, opts: EngineOptions): Engine {
  const engine = new Engine(store, opts);
  new DeadlineTimers(engine);
  // In this order: accepted updates fail and earlier ones abort, then children follow their parent-close policy
  // and the parent hears of the close, then (once durable) pending queries go to a worker or fail.
  engine.hooks.runClosed.push(
    (_tx, run) => abortUpdates(run),
    (tx, run, closeEvent) => closeChildLinks(engine, tx, run, closeEvent),
    (tx, run) => tx.afterCommit(() => engine.queries.onRunClosed(run)),
  );
  engine.hooks.runForgotten.push((run) => engine.queries.onRunDeleted(run));
  engine.hooks.reset.push((reason) =>
    engine.queries.failAll(
      reason === 'stop' ? 'server is shutting down' : 'server state is being reloaded after a failed write',
    ),
  );
  return engine;
}
