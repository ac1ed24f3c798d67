// Workflow bundled by throughput.bench.ts: three sequential trivial activities, then wait for one signal.
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

/** The activities the bench worker registers (implemented in throughput.bench.ts). */
export interface BenchActivities {
  /** Returns `n + 1`; `n` is 0, 1, 2 for the three calls. */
  step(n: number): Promise<number>;
}

export const goSignal = defineSignal<[number]>('go');

const { step } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30s' });

/** Runs `step` three times in sequence, waits for `go`, returns the sum of the step results and the signal. */
export async function benchWorkflow(): Promise<number> {
  let signalled: number | undefined;
  setHandler(goSignal, (value) => {
    signalled = value;
  });
  let n = 0;
  for (let i = 0; i < 3; i++) n = await step(n);
  await condition(() => signalled !== undefined);
  return n + (signalled ?? 0);
}
