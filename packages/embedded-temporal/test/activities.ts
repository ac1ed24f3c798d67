import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';

/** Activities for the conformance tests; plain functions, no state beyond per-process counters. */
export async function greet(name: string): Promise<string> {
  return `hi ${name}`;
}

/** Fails until attempt `succeedOn`. */
export async function flaky(succeedOn: number): Promise<number> {
  const info = Context.current().info;
  if (info.attempt < succeedOn) throw ApplicationFailure.retryable(`attempt ${info.attempt} failed`, 'Flaky');
  return info.attempt;
}

/** Heartbeats until cancelled. */
export async function waitForCancel(): Promise<string> {
  const ctx = Context.current();
  // ctx.sleep rejects with CancelledFailure once a heartbeat response carries the cancellation.
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(50);
  }
}

/** A local-activity stand-in for a long computation inside one workflow task. */
export async function sleepMs(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Attempt 1 heartbeats a detail then stops heartbeating; later attempts return the detail they were given. */
export async function heartbeatThenStall(): Promise<string> {
  const ctx = Context.current();
  if (ctx.info.attempt === 1) {
    ctx.heartbeat('progress-1');
    await ctx.sleep(10_000).catch(() => undefined);
    return 'stalled attempt finished';
  }
  return `attempt ${ctx.info.attempt} resumed from ${String(ctx.info.heartbeatDetails)}`;
}

export async function stall(ms: number): Promise<string> {
  await Context.current()
    .sleep(ms)
    .catch(() => undefined);
  return 'stalled';
}

export async function slowFirstAttempt(): Promise<string> {
  const ctx = Context.current();
  if (ctx.info.attempt === 1) await ctx.sleep(3000).catch(() => undefined);
  return `attempt ${ctx.info.attempt}`;
}

export async function throwType(type: string): Promise<string> {
  throw ApplicationFailure.create({ message: `thrown ${type}`, type });
}

/** Fails once asking for a 1 s retry delay, then reports its attempt. */
export async function delayedRetry(): Promise<number> {
  const { attempt } = Context.current().info;
  if (attempt === 1) throw ApplicationFailure.create({ message: 'retry me later', nextRetryDelay: '1s' });
  return attempt;
}

/** Hands completion to whoever calls the async completion RPCs. */
export async function completeLater(): Promise<string> {
  throw new CompleteAsyncError();
}

/**
 * Heartbeats its attempt number until the server has it cancelled (pause / reset reach it through the heartbeat
 * response; the worker then reports the attempt as failed). Attempts after the first report what they were handed.
 */
export async function pausable(): Promise<string> {
  const ctx = Context.current();
  if (ctx.info.attempt > 1)
    return `attempt ${ctx.info.attempt}; heartbeat ${String(ctx.info.heartbeatDetails ?? 'none')}`;
  for (;;) {
    ctx.heartbeat(`progress of attempt ${ctx.info.attempt}`);
    await ctx.sleep(50);
  }
}
