import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  getExternalWorkflowHandle,
  startChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities.js';

const act = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms', maximumAttempts: 5 },
});
const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '10s' });

export const unblock = defineSignal<[string]>('unblock');
export const getValue = defineQuery<string>('getValue');
export const setValue = defineUpdate<string, [string]>('setValue');

export async function hello(name: string): Promise<string> {
  return `hello ${name}`;
}

export async function withActivity(name: string): Promise<string> {
  return act.greet(name);
}

export async function withTimer(ms: number): Promise<number> {
  const start = Date.now();
  await sleep(ms);
  return Date.now() - start;
}

export async function waitForSignal(): Promise<string> {
  let value = 'initial';
  setHandler(unblock, (v) => void (value = v));
  setHandler(getValue, () => value);
  await condition(() => value !== 'initial');
  return value;
}

export async function updatable(): Promise<string> {
  let value = 'start';
  let done = false;
  setHandler(getValue, () => value);
  setHandler(
    setValue,
    (v) => {
      const old = value;
      value = v;
      if (v === 'finish') done = true;
      return old;
    },
    {
      validator: (v) => {
        if (v === 'bad') throw new Error('bad value');
      },
    },
  );
  await condition(() => done);
  return value;
}

export async function failing(): Promise<void> {
  throw ApplicationFailure.nonRetryable('boom', 'MyError');
}

export async function flakyActivity(): Promise<number> {
  return act.flaky(3);
}

export async function parent(n: number): Promise<string> {
  const child = await executeChild(hello, { args: [`child${n}`] });
  return `parent got ${child}`;
}

export async function counter(n: number): Promise<number> {
  if (n < 3) await continueAsNew<typeof counter>(n + 1);
  return n;
}

export async function localAndPatch(): Promise<string> {
  const a = await local.greet('local');
  const p = patched('my-patch') ? 'patched' : 'old';
  return `${a}/${p}`;
}

export async function cancellable(): Promise<string> {
  try {
    await act.waitForCancel();
    return 'not cancelled';
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => sleep(1));
      return 'cancelled';
    }
    throw err;
  }
}

export async function searchAttrs(): Promise<string> {
  upsertSearchAttributes({ CustomKeywordField: ['updated'] });
  await sleep(1);
  return workflowInfo().searchAttributes.CustomKeywordField?.[0] as string;
}

export async function failsFirstTask(): Promise<string> {
  // historyLength is 3 on the very first task; a retried task sees the failed attempt's events too.
  if (workflowInfo().historyLength <= 3) throw new Error('transient task failure');
  return 'recovered';
}

export const bump = defineSignal('bump');

export async function signalDuringTask(): Promise<number> {
  let count = 0;
  setHandler(bump, () => void count++);
  await local.sleepMs(600);
  return count;
}

export async function retriedWorkflow(): Promise<number> {
  if (workflowInfo().attempt < 2) throw ApplicationFailure.retryable('first attempt fails', 'Retry');
  return workflowInfo().attempt;
}

export async function sleeper(ms: number): Promise<void> {
  await sleep(ms);
}

export async function activityOutcome(
  kind: 'heartbeatResume' | 'scheduleToClose' | 'startToCloseRetry' | 'nonRetryable' | 'delayedRetry',
): Promise<string> {
  try {
    switch (kind) {
      case 'heartbeatResume':
        return await proxyActivities<typeof activities>({
          startToCloseTimeout: '20s',
          heartbeatTimeout: '400ms',
          retry: { initialInterval: '50ms', maximumAttempts: 3 },
        }).heartbeatThenStall();
      case 'scheduleToClose':
        return await proxyActivities<typeof activities>({ scheduleToCloseTimeout: '400ms' }).stall(5000);
      case 'startToCloseRetry':
        return await proxyActivities<typeof activities>({
          startToCloseTimeout: '300ms',
          retry: { initialInterval: '50ms', maximumAttempts: 3 },
        }).slowFirstAttempt();
      case 'nonRetryable':
        return await proxyActivities<typeof activities>({
          startToCloseTimeout: '5s',
          retry: { initialInterval: '50ms', nonRetryableErrorTypes: ['Fatal'] },
        }).throwType('Fatal');
      case 'delayedRetry':
        return String(
          await proxyActivities<typeof activities>({
            startToCloseTimeout: '5s',
            retry: { maximumAttempts: 2 },
          }).delayedRetry(),
        );
    }
  } catch (err) {
    const e = err as { name: string; message: string; cause?: { name: string; message: string; timeoutType?: number } };
    return `${e.name}: ${e.cause?.name}: ${e.cause?.message}${e.cause?.timeoutType ? ` (${e.cause.timeoutType})` : ''}`;
  }
}

export async function signalOther(targetId: string): Promise<void> {
  await getExternalWorkflowHandle(targetId).signal(unblock, 'from another workflow');
}

export async function parentOfLongChild(childId: string): Promise<string> {
  await startChild(waitForSignal, { workflowId: childId });
  return 'parent done';
}

export async function inFlightActivity(): Promise<string> {
  return proxyActivities<typeof activities>({
    startToCloseTimeout: '2s',
    retry: { initialInterval: '50ms' },
  }).slowFirstAttempt();
}

export async function asyncCompleted(): Promise<string> {
  return act.completeLater();
}

export async function parentOfFailingChild(): Promise<string> {
  try {
    await executeChild(failing, {});
    return 'child succeeded';
  } catch (err) {
    const e = err as { name: string; cause?: { message: string } };
    return `${e.name}: ${e.cause?.message}`;
  }
}

export async function longLocalActivity(): Promise<string> {
  // Longer than the workflow task timeout: core keeps the task alive with heartbeat completions.
  await proxyLocalActivities<typeof activities>({ startToCloseTimeout: '10s' }).sleepMs(1800);
  return 'local done';
}

/** The first run continues as new on a signal without ever handling updates; the second run does. */
export async function continuesBeforeUpdate(run: number): Promise<string> {
  if (run === 1) {
    let go = false;
    setHandler(unblock, () => void (go = true));
    await condition(() => go);
    await continueAsNew<typeof continuesBeforeUpdate>(2);
  }
  return updatable();
}

export const appendUpdate = defineUpdate<string, [string]>('appendUpdate');

/** Records the updates handled before the body returns; they can only arrive in the first task. */
export async function returnsEarlyUpdates(): Promise<string[]> {
  const seen: string[] = [];
  setHandler(appendUpdate, (v) => {
    seen.push(v);
    return v;
  });
  return seen;
}

/** The root workflow id this run sees (`null` for a top-level run). */
export async function rootOf(): Promise<string | null> {
  return workflowInfo().root?.workflowId ?? null;
}

/** A child with REJECT_DUPLICATE and a summary, then a second start of the same (closed) child id. */
export async function childReuse(
  childId: string,
): Promise<{ root: string | null; childRoot: string | null; duplicate: string }> {
  const childRoot = await executeChild(rootOf, {
    workflowId: childId,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: 'child summary',
  });
  let duplicate = 'started';
  try {
    await startChild(rootOf, { workflowId: childId, workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (err) {
    duplicate = (err as Error).name === 'WorkflowExecutionAlreadyStartedError' ? 'already started' : String(err);
  }
  return { root: workflowInfo().root?.workflowId ?? null, childRoot, duplicate };
}

/** Whether the Datetime attribute set at start reaches the workflow as a Date; then upserts a new one. */
export async function datetimeAttribute(): Promise<boolean> {
  const isDate = workflowInfo().searchAttributes.CustomDatetimeField?.[0] instanceof Date;
  upsertSearchAttributes({ CustomDatetimeField: [new Date('2030-01-02T03:04:05.000Z')] });
  await sleep(1);
  return isDate;
}

export async function pausableActivity(): Promise<string> {
  return proxyActivities<typeof activities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '1s',
    retry: { initialInterval: '50ms', maximumAttempts: 5 },
  }).pausable();
}

/**
 * Cancellation of a running activity as the research pipeline meets it: the workflow is cancelled while
 * `waitForCancel` heartbeats, asks the server to cancel the activity (`cancellationType`; the TypeScript SDK's
 * default is WAIT_CANCELLATION_COMPLETED), and then still does work (a non-cancellable activity, like saving a cancelled result), so the
 * task that asks for the cancel does not close the run. If the activity finishes anyway, its result is returned.
 */
export async function cancelRunningActivity(
  cancellationType: 'TRY_CANCEL' | 'WAIT_CANCELLATION_COMPLETED',
): Promise<string> {
  const running = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    heartbeatTimeout: '5s',
    retry: { maximumAttempts: 1 },
    cancellationType: ActivityCancellationType[cancellationType],
  });
  try {
    return await running.waitForCancel();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    return await CancellationScope.nonCancellable(() => act.greet('cancelled'));
  }
}
