// What throughput.bench.ts needs from a driver: the process-side client and worker that run benchWorkflow
// against the spawned server. Two exist: the real SDK (sdk-driver.ts) and a synthetic one speaking the gRPC
// protocol directly (protocol-driver.ts), so the server's own capacity can be read off apart from the SDK's cost.

/** One started workflow, as the batch loop sees it. */
export interface StartedWorkflow {
  /** Sends `go` with the value 1. */
  signal(): Promise<void>;
  /** Waits for the close event and returns the workflow's result. */
  result(): Promise<unknown>;
}

export interface BenchDriver {
  /** Connects and makes the first GetSystemInfo call; the bench times spawn → this call's answer. */
  connect(address: string): Promise<void>;
  /** Starts polling `taskQueue`; later failures of the worker reject `failed`. */
  startWorker(taskQueue: string): Promise<void>;
  /** Rejects when the worker stops or fails while the bench runs; never resolves. */
  readonly failed: Promise<never>;
  start(taskQueue: string, workflowId: string): Promise<StartedWorkflow>;
  /** Sends `go` to the workflow's current run (the after-activities signal). */
  signal(workflowId: string): Promise<void>;
  /** Stops the worker and closes every connection; safe to call after a failed connect. */
  close(): Promise<void>;
}

/**
 * Called by a driver's worker once it has handed the third `step` result to the server, so the bench can send
 * the signal around the time the workflow reaches its wait (signal mode `after-activities`).
 */
export type LastStepHook = (workflowId: string) => void;

/** A promise that the owner rejects; pre-handled so an unobserved rejection does not crash the bench. */
export function failureLatch(): { promise: Promise<never>; fail: (err: unknown) => void } {
  let fail!: (err: unknown) => void;
  const promise = new Promise<never>((_, reject) => {
    fail = reject;
  });
  promise.catch(() => undefined);
  return { promise, fail };
}

/** Rejects with "<what> did not finish within <ms> ms" unless `p` settles first. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
