// The real SDK as bench driver: `@temporalio/client` starts and awaits the workflows, one `@temporalio/worker`
// (bundle built once by the bench) runs them and their activities, all in the bench process.
import { Client, Connection } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { benchWorkflow, goSignal, type BenchActivities } from './workflows.js';
import { failureLatch, withTimeout, type BenchDriver, type LastStepHook, type StartedWorkflow } from './driver.js';

/**
 * The bench worker's options; `--wft-polls` sets the workflow-task poll count. Two workflow threads instead of the
 * default one (with reused V8 contexts): a single one was the worker's busiest thread, and with two the bench ran
 * ≈ 20–30% more workflows per second on this 2-core machine.
 */
export function workerOptions(workflowTaskPolls: number) {
  return {
    workflowThreadPoolSize: 2,
    maxConcurrentWorkflowTaskExecutions: 200,
    maxConcurrentActivityTaskExecutions: 200,
    maxConcurrentWorkflowTaskPolls: workflowTaskPolls,
    maxConcurrentActivityTaskPolls: 20,
  };
}

export class SdkDriver implements BenchDriver {
  readonly #bundle: WorkflowBundleWithSourceMap;
  readonly #activities: BenchActivities;
  readonly #latch = failureLatch();
  #address = '';
  #connection: Connection | undefined;
  #client: Client | undefined;
  #native: NativeConnection | undefined;
  #worker: Worker | undefined;
  #workerRun: Promise<void> | undefined;

  readonly #workerOptions: ReturnType<typeof workerOptions>;

  constructor(
    bundle: WorkflowBundleWithSourceMap,
    options: ReturnType<typeof workerOptions>,
    onLastStep: LastStepHook | undefined,
  ) {
    this.#bundle = bundle;
    this.#workerOptions = options;
    this.#activities = {
      async step(n: number): Promise<number> {
        if (n === 2 && onLastStep) {
          const workflowId = Context.current().info.workflowExecution?.workflowId;
          if (workflowId === undefined) throw new Error('step activity run outside a workflow');
          onLastStep(workflowId);
        }
        return n + 1;
      },
    };
  }

  get failed(): Promise<never> {
    return this.#latch.promise;
  }

  /** The worker's workflow cache size, reported beside the results. */
  get maxCachedWorkflows(): number | undefined {
    return this.#worker?.options.maxCachedWorkflows;
  }

  async connect(address: string): Promise<void> {
    this.#address = address;
    this.#connection = await Connection.connect({ address });
    await this.#connection.workflowService.getSystemInfo({});
    this.#client = new Client({ connection: this.#connection });
  }

  async startWorker(taskQueue: string): Promise<void> {
    this.#native = await NativeConnection.connect({ address: this.#address });
    this.#worker = await Worker.create({
      connection: this.#native,
      taskQueue,
      workflowBundle: this.#bundle,
      activities: this.#activities,
      ...this.#workerOptions,
    });
    this.#workerRun = this.#worker.run();
    this.#workerRun.then(
      () => this.#latch.fail(new Error('worker stopped unexpectedly')),
      (err: unknown) => this.#latch.fail(new Error(`worker failed: ${String(err)}`)),
    );
  }

  async start(taskQueue: string, workflowId: string): Promise<StartedWorkflow> {
    const handle = await this.#requireClient().workflow.start(benchWorkflow, { taskQueue, workflowId, args: [] });
    return { signal: () => handle.signal(goSignal, 1), result: () => handle.result() };
  }

  async signal(workflowId: string): Promise<void> {
    await this.#requireClient().workflow.getHandle(workflowId).signal(goSignal, 1);
  }

  /** Mean number of completed workflow tasks in the histories of `workflowIds`; read after a run, never timed. */
  async meanWorkflowTasks(workflowIds: string[]): Promise<number> {
    let total = 0;
    for (const id of workflowIds) {
      const history = await this.#requireClient().workflow.getHandle(id).fetchHistory();
      total += history.events?.filter((e) => e.workflowTaskCompletedEventAttributes).length ?? 0;
    }
    return total / workflowIds.length;
  }

  async close(): Promise<void> {
    if (this.#worker && this.#workerRun) {
      if (this.#worker.getState() === 'RUNNING') this.#worker.shutdown();
      await withTimeout(this.#workerRun, 30_000, 'worker shutdown').catch((e: unknown) => console.error(String(e)));
    }
    await this.#native?.close().catch(() => undefined);
    await this.#connection?.close().catch(() => undefined);
  }

  #requireClient(): Client {
    if (!this.#client) throw new Error('SdkDriver used before connect()');
    return this.#client;
  }
}
