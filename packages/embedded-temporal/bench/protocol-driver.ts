// The synthetic protocol driver (not the SDK): a raw-gRPC client that starts, signals and awaits workflows the way
// `@temporalio/client` does, plus SyntheticWorker. With the SDK in the loop the bench process spends about twice
// the server's CPU per workflow, so on a small machine the bench cannot show the server's own capacity; this
// driver does the same protocol work for a fraction of that. Its histories are replayed with the real SDK
// worker afterwards, which proves it drove the same workflow shape.
import { randomUUID } from 'node:crypto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Msg } from '../src/proto/root.js';
import { benchWorkflow, goSignal } from './workflows.js';
import { failureLatch, type BenchDriver, type LastStepHook, type StartedWorkflow } from './driver.js';
import { SyntheticWorker, type SignalTiming, type SyntheticWorkerStats } from './synthetic-worker.js';
import {
  IDENTITY,
  NAMESPACE,
  RawWorkflowService,
  enumValue,
  firstJsonValue,
  jsonPayloads,
} from './raw-workflow-service.js';

const NORMAL = enumValue('TaskQueueKind', 'TASK_QUEUE_KIND_NORMAL');
const CLOSE_EVENT = enumValue('HistoryEventFilterType', 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT');

export interface ReplayCheck {
  /** The executions replayed: up to two per signal timing the run produced. */
  replayed: Array<{ timing: SignalTiming; workflowId: string }>;
}

export class ProtocolDriver implements BenchDriver {
  readonly #pollers: { normal: number; sticky: number; activity: number };
  readonly #onLastStep: LastStepHook | undefined;
  readonly #latch = failureLatch();
  #address = '';
  #client: RawWorkflowService | undefined;
  #workerService: RawWorkflowService | undefined;
  #worker: SyntheticWorker | undefined;

  constructor(pollers: { normal: number; sticky: number; activity: number }, onLastStep: LastStepHook | undefined) {
    this.#pollers = pollers;
    this.#onLastStep = onLastStep;
  }

  get failed(): Promise<never> {
    return this.#latch.promise;
  }

  get stats(): SyntheticWorkerStats | undefined {
    return this.#worker?.stats;
  }

  async connect(address: string): Promise<void> {
    this.#address = address;
    this.#client = new RawWorkflowService(address);
    await this.#client.call('GetSystemInfo', {});
  }

  async startWorker(taskQueue: string): Promise<void> {
    this.#workerService = new RawWorkflowService(this.#address);
    this.#worker = new SyntheticWorker({
      service: this.#workerService,
      taskQueue,
      pollers: this.#pollers,
      onLastStep: this.#onLastStep,
    });
    this.#worker.failed.catch((err: unknown) => this.#latch.fail(new Error(`synthetic worker failed: ${String(err)}`)));
    this.#worker.start();
  }

  async start(taskQueue: string, workflowId: string): Promise<StartedWorkflow> {
    const res = await this.#requireClient().call('StartWorkflowExecution', {
      namespace: NAMESPACE,
      identity: IDENTITY,
      requestId: randomUUID(),
      workflowId,
      workflowType: { name: benchWorkflow.name },
      taskQueue: { name: taskQueue, kind: NORMAL },
      input: { payloads: [] },
      header: {},
    });
    const runId = res.runId as string;
    return { signal: () => this.signal(workflowId), result: () => this.#result(workflowId, runId) };
  }

  async signal(workflowId: string): Promise<void> {
    // No run id, like a handle from `start()`: the signal goes to the current run.
    await this.#requireClient().call('SignalWorkflowExecution', {
      namespace: NAMESPACE,
      identity: IDENTITY,
      requestId: randomUUID(),
      workflowExecution: { workflowId },
      signalName: goSignal.name,
      header: {},
      input: jsonPayloads(1),
    });
  }

  /**
   * Replays up to two completed histories per signal timing with the real SDK worker and benchWorkflow's bundle.
   * Throws the SDK's DeterminismViolationError (or ReplayError) when a history is not what the workflow makes.
   */
  async replayCheck(bundle: WorkflowBundleWithSourceMap): Promise<ReplayCheck> {
    const examples = this.#worker?.examples ?? [];
    if (examples.length === 0) throw new Error('replay check: the synthetic worker completed no workflow');
    const replayed: ReplayCheck['replayed'] = [];
    for (const { timing, workflowId, runId } of examples) {
      const history = await this.#fullHistory({ workflowId, runId });
      await Worker.runReplayHistory(
        { workflowBundle: bundle, replayName: `bench-replay-${timing}` },
        history,
        workflowId,
      );
      replayed.push({ timing, workflowId });
    }
    return { replayed };
  }

  async close(): Promise<void> {
    await this.#worker?.stop();
    this.#workerService?.close();
    this.#client?.close();
  }

  /** `handle.result()`: long-polls for the close event, following a continued run. */
  async #result(workflowId: string, runId: string): Promise<unknown> {
    const execution = { workflowId, runId };
    let nextPageToken: Uint8Array | undefined;
    for (;;) {
      const res = await this.#requireClient().call('GetWorkflowExecutionHistory', {
        namespace: NAMESPACE,
        execution,
        skipArchival: true,
        waitNewEvent: true,
        historyEventFilterType: CLOSE_EVENT,
        nextPageToken,
      });
      const event = res.history?.events?.[0] as Msg | undefined;
      if (!event) {
        nextPageToken = res.nextPageToken as Uint8Array;
        continue;
      }
      const completed = event.workflowExecutionCompletedEventAttributes as Msg | null;
      if (!completed) throw new Error(`${workflowId} did not complete (close event type ${String(event.eventType)})`);
      if (completed.newExecutionRunId) {
        execution.runId = completed.newExecutionRunId as string;
        nextPageToken = undefined;
        continue;
      }
      return firstJsonValue(completed.result);
    }
  }

  async #fullHistory(execution: { workflowId: string; runId: string }): Promise<Msg> {
    const events: Msg[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const res = await this.#requireClient().call('GetWorkflowExecutionHistory', {
        namespace: NAMESPACE,
        execution,
        nextPageToken,
      });
      events.push(...((res.history?.events ?? []) as Msg[]));
      nextPageToken = res.nextPageToken as Uint8Array | undefined;
    } while (nextPageToken?.length);
    return { events };
  }

  #requireClient(): RawWorkflowService {
    if (!this.#client) throw new Error('ProtocolDriver used before connect()');
    return this.#client;
  }
}
