// A minimal worker for benchWorkflow only, speaking the WorkflowService protocol directly instead of running the
// SDK. It costs the bench process a fraction of what sdk-core plus the workflow sandbox cost, so with it the
// bench measures the server. It has to make the server do the SDK worker's work: the same pollers (normal and
// sticky workflow-task queues, activity queue), sticky completions with partial histories, eager activity
// starts, the same commands in the same tasks and the same `sdk_metadata`, so that its histories equal the SDK
// worker's event for event and replay with the real SDK (protocol-driver.ts checks that after each run).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { status, type ClientUnaryCall } from '@grpc/grpc-js';
import type { Msg } from '../src/proto/root.js';
import { goSignal, type BenchActivities } from './workflows.js';
import { failureLatch, type LastStepHook } from './driver.js';
import {
  IDENTITY,
  NAMESPACE,
  enumValue,
  firstJsonValue,
  int64,
  isServiceError,
  jsonPayloads,
  type RawWorkflowService,
} from './raw-workflow-service.js';

const STEP: keyof BenchActivities = 'step';
const STEPS = 3;
/** sdk-core's long-poll deadline; the server answers empty shortly before it. */
const POLL_DEADLINE_MS = 70_000;
/** Sent where sdk-core sends its `@temporalio/worker@<version>+<hash>` (the server records it as a build id). */
const BINARY_CHECKSUM = 'bench-synthetic-worker';
/**
 * `sdk_metadata` as sdk-core 1.24 and the TS workflow runtime write it. Without the core flags a replay skips the
 * activity id and type checks (IdAndTypeDeterminismChecks), and the replay check would prove little.
 * Core records every flag it knows (1 IdAndTypeDeterminismChecks, 2 UpsertSearchAttributeOnPatch,
 * 3 MoveTerminalCommands) and its name and version in a run's first completion; the TS runtime records lang
 * flag 2 (ProcessWorkflowActivationJobsAsSingleBatch) on the first activation that carries a signal.
 */
const CORE_FLAGS = [1, 2, 3];
const SIGNAL_BATCH_FLAG = 2;
const SDK_NAME = 'bench-synthetic-worker';
/** The SDK release whose recorded behaviour this worker mimics (the replay takes flag defaults from it). */
const SDK_VERSION = (createRequire(import.meta.url)('@temporalio/worker/package.json') as { version: string }).version;
/** The TS worker's default `stickyQueueScheduleToStartTimeout`. */
const STICKY_SCHEDULE_TO_START = { seconds: 10 };

const NORMAL = enumValue('TaskQueueKind', 'TASK_QUEUE_KIND_NORMAL');
const STICKY = enumValue('TaskQueueKind', 'TASK_QUEUE_KIND_STICKY');
const SCHEDULE_ACTIVITY = enumValue('CommandType', 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK');
const COMPLETE_WORKFLOW = enumValue('CommandType', 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION');
const WFT_COMPLETED = enumValue('EventType', 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
const ACTIVITY_SCHEDULED = enumValue('EventType', 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
const ACTIVITY_COMPLETED = enumValue('EventType', 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
const SIGNALED = enumValue('EventType', 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');

/** What benchWorkflow's code would know at the end of the events seen so far. */
interface RunState {
  lastEventId: number;
  scheduled: number;
  completed: number;
  /** The last `step` result (0 before the first), which is also the next step's input. */
  n: number;
  signal: number | undefined;
  /** Whether a completed task of the run recorded the core flags, and lang flag 2. */
  coreFlagsRecorded: boolean;
  signalFlagRecorded: boolean;
}

/** When the `go` signal reached the workflow, relative to the third activity's completion. */
export type SignalTiming = 'before-third-completion' | 'with-third-completion' | 'after-third-completion';

export interface SyntheticWorkerStats {
  workflowTasks: number;
  /** Tasks answered with no command (an activity still running, or waiting for the signal). */
  emptyCompletions: number;
  /** Workflow tasks after a run's first that came with the full history instead of a sticky partial one. */
  fullHistoryRepeats: number;
  activityTasks: number;
  /** Activity tasks handed back in a completion's `activity_tasks` instead of through a poll. */
  eagerActivityTasks: number;
  /** Completions the server refused: UnhandledCommand (news arrived meanwhile) or NOT_FOUND (task gone). */
  rejectedCompletions: number;
  signalTiming: Record<SignalTiming, number>;
}

export interface SyntheticWorkerOptions {
  service: RawWorkflowService;
  taskQueue: string;
  /** Workflow-task pollers on the normal queue and on this worker's sticky queue, and activity pollers. */
  pollers: { normal: number; sticky: number; activity: number };
  onLastStep: LastStepHook | undefined;
}

export class SyntheticWorker {
  readonly stats: SyntheticWorkerStats = {
    workflowTasks: 0,
    emptyCompletions: 0,
    fullHistoryRepeats: 0,
    activityTasks: 0,
    eagerActivityTasks: 0,
    rejectedCompletions: 0,
    signalTiming: { 'before-third-completion': 0, 'with-third-completion': 0, 'after-third-completion': 0 },
  };
  /** Up to two completed executions per signal timing seen, for the replay check. */
  readonly examples: Array<{ timing: SignalTiming; workflowId: string; runId: string }> = [];
  readonly #opts: SyntheticWorkerOptions;
  /** sdk-core's naming: `<identity>-<uuid>`. */
  readonly #stickyQueue = `${IDENTITY}-${randomUUID().replaceAll('-', '')}`;
  readonly #runs = new Map<string, RunState>();
  readonly #polls = new Set<ClientUnaryCall>();
  readonly #work = new Set<Promise<void>>();
  readonly #latch = failureLatch();
  #loops: Array<Promise<void>> = [];
  #stopping = false;

  constructor(opts: SyntheticWorkerOptions) {
    this.#opts = opts;
  }

  /** Rejects on the first unexpected error (a poll or a completion failing, a history this worker cannot follow). */
  get failed(): Promise<never> {
    return this.#latch.promise;
  }

  start(): void {
    const { taskQueue, pollers } = this.#opts;
    const normal = { name: taskQueue, kind: NORMAL };
    const sticky = { name: this.#stickyQueue, kind: STICKY, normalName: taskQueue };
    const loops = [
      ...Array.from({ length: pollers.normal }, () => this.#pollLoop('PollWorkflowTaskQueue', normal)),
      ...Array.from({ length: pollers.sticky }, () => this.#pollLoop('PollWorkflowTaskQueue', sticky)),
      ...Array.from({ length: pollers.activity }, () => this.#pollLoop('PollActivityTaskQueue', normal)),
    ];
    this.#loops = loops.map((p) => p.catch((err: unknown) => this.#latch.fail(err)));
  }

  /** Cancels the polls, lets tasks in hand finish, and tells the server the sticky queue is gone (as sdk-core does). */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const call of this.#polls) call.cancel();
    await Promise.all(this.#loops);
    await Promise.allSettled([...this.#work]);
    await this.#opts.service
      .call('ShutdownWorker', {
        namespace: NAMESPACE,
        stickyTaskQueue: this.#stickyQueue,
        identity: IDENTITY,
        reason: 'bench done',
      })
      .catch(() => undefined);
  }

  async #pollLoop(method: 'PollWorkflowTaskQueue' | 'PollActivityTaskQueue', taskQueue: Msg): Promise<void> {
    const request: Msg = { namespace: NAMESPACE, taskQueue, identity: IDENTITY };
    if (method === 'PollWorkflowTaskQueue') request.binaryChecksum = BINARY_CHECKSUM;
    while (!this.#stopping) {
      let task: Msg;
      try {
        task = await this.#opts.service.call(method, request, {
          deadline: Date.now() + POLL_DEADLINE_MS,
          inflight: this.#polls,
        });
      } catch (err) {
        if (this.#stopping) return;
        throw err;
      }
      if (!task.taskToken?.length) continue; // the long poll expired
      // Like sdk-core, poll again at once and handle the task meanwhile.
      this.#handle(method === 'PollWorkflowTaskQueue' ? this.#workflowTask(task) : this.#activityTask(task));
    }
  }

  #handle(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => this.#latch.fail(err)).finally(() => this.#work.delete(tracked));
    this.#work.add(tracked);
  }

  async #workflowTask(task: Msg): Promise<void> {
    this.stats.workflowTasks++;
    const execution = {
      workflowId: task.workflowExecution.workflowId as string,
      runId: task.workflowExecution.runId as string,
    };
    const { state, sawThirdCompletion, sawSignal } = this.#advance(execution.runId, task);
    const command = nextCommand(state, this.#opts.taskQueue);
    if (!command) this.stats.emptyCompletions++;
    let response: Msg;
    try {
      response = await this.#opts.service.call('RespondWorkflowTaskCompleted', {
        namespace: NAMESPACE,
        taskToken: task.taskToken,
        identity: IDENTITY,
        binaryChecksum: BINARY_CHECKSUM,
        commands: command ? [command] : [],
        sdkMetadata: {
          coreUsedFlags: state.coreFlagsRecorded ? [] : CORE_FLAGS,
          langUsedFlags: sawSignal && !state.signalFlagRecorded ? [SIGNAL_BATCH_FLAG] : [],
          sdkName: state.coreFlagsRecorded ? '' : SDK_NAME,
          sdkVersion: state.coreFlagsRecorded ? '' : SDK_VERSION,
        },
        meteringMetadata: {},
        stickyAttributes: {
          workerTaskQueue: { name: this.#stickyQueue, kind: STICKY, normalName: this.#opts.taskQueue },
          scheduleToStartTimeout: STICKY_SCHEDULE_TO_START,
        },
        // sdk-core asks for this whenever it is sticky; handled below should the server ever inline a task.
        returnNewWorkflowTask: true,
      });
    } catch (err) {
      // sdk-core matches the UnhandledCommand rejection by its text too. Either way the server has closed the
      // task and schedules a new one on the normal queue, with the full history this worker folds from scratch.
      const unhandled = isServiceError(err, status.INVALID_ARGUMENT) && err.details.includes('UnhandledCommand');
      if (!unhandled && !isServiceError(err, status.NOT_FOUND)) throw err;
      this.stats.rejectedCompletions++;
      return;
    }
    if (command?.commandType === COMPLETE_WORKFLOW) {
      this.#runs.delete(execution.runId);
      const timing: SignalTiming = !sawThirdCompletion
        ? 'after-third-completion'
        : sawSignal
          ? 'with-third-completion'
          : 'before-third-completion';
      this.stats.signalTiming[timing]++;
      if (this.examples.filter((x) => x.timing === timing).length < 2) this.examples.push({ timing, ...execution });
    }
    if (response.workflowTask?.taskToken?.length) this.#handle(this.#workflowTask(response.workflowTask));
    for (const activity of (response.activityTasks ?? []) as Msg[]) {
      this.stats.eagerActivityTasks++;
      this.#handle(this.#activityTask(activity));
    }
  }

  /**
   * Folds the task's new events into the run's state. A history starting at event 1 is the full one (first task,
   * or after stickiness was lost) and rebuilds the state; a sticky task carries only the events after the last
   * completed task, which continue the cached state.
   */
  #advance(runId: string, task: Msg): { state: RunState; sawThirdCompletion: boolean; sawSignal: boolean } {
    const events = (task.history?.events ?? []) as Msg[];
    const first = events.length ? int64(events[0]!.eventId) : 0;
    const cached = this.#runs.get(runId);
    if (first === 1 && int64(task.previousStartedEventId) > 0) this.stats.fullHistoryRepeats++;
    const state: RunState | undefined = first === 1 ? freshState() : cached;
    if (!state || first > state.lastEventId + 1) {
      const seen = state ? `up to event ${state.lastEventId}` : 'nothing';
      throw new Error(
        `workflow task for run ${runId} starts at event ${first}, but this worker has seen ${seen} of it`,
      );
    }
    // What this task brings that the workflow has not seen yet (a full history repeats the rest).
    const news = int64(task.previousStartedEventId);
    let sawThirdCompletion = false;
    let sawSignal = false;
    for (const e of events) {
      const id = int64(e.eventId);
      if (id <= state.lastEventId) continue;
      state.lastEventId = id;
      if (e.eventType === WFT_COMPLETED) {
        const m = e.workflowTaskCompletedEventAttributes?.sdkMetadata as Msg | null | undefined;
        if (m?.coreUsedFlags?.length) state.coreFlagsRecorded = true;
        if (m?.langUsedFlags?.includes(SIGNAL_BATCH_FLAG)) state.signalFlagRecorded = true;
      } else if (e.eventType === ACTIVITY_SCHEDULED) state.scheduled++;
      else if (e.eventType === ACTIVITY_COMPLETED) {
        state.completed++;
        state.n = firstJsonValue(e.activityTaskCompletedEventAttributes.result) as number;
        if (state.completed === STEPS && id > news) sawThirdCompletion = true;
      } else if (e.eventType === SIGNALED && e.workflowExecutionSignaledEventAttributes.signalName === goSignal.name) {
        // benchWorkflow's handler keeps the last value; only one signal is ever sent.
        state.signal = firstJsonValue(e.workflowExecutionSignaledEventAttributes.input) as number;
        if (id > news) sawSignal = true;
      }
    }
    this.#runs.set(runId, state);
    return { state, sawThirdCompletion, sawSignal };
  }

  async #activityTask(task: Msg): Promise<void> {
    this.stats.activityTasks++;
    if (task.activityType?.name !== STEP)
      throw new Error(`unexpected activity type ${String(task.activityType?.name)}`);
    const n = firstJsonValue(task.input) as number;
    const completion = this.#opts.service.call('RespondActivityTaskCompleted', {
      namespace: NAMESPACE,
      taskToken: task.taskToken,
      identity: IDENTITY,
      result: jsonPayloads(n + 1),
    });
    // The completion is on its way to the server, as when the SDK activity has returned.
    if (n === STEPS - 1) this.#opts.onLastStep?.(task.workflowExecution.workflowId as string);
    await completion;
  }
}

function freshState(): RunState {
  return {
    lastEventId: 0,
    scheduled: 0,
    completed: 0,
    n: 0,
    signal: undefined,
    coreFlagsRecorded: false,
    signalFlagRecorded: false,
  };
}

/**
 * benchWorkflow's next command: the next `step` once the previous one completed, then nothing until the signal,
 * then the result. Activity id, type and input are what the SDK's ScheduleActivityTask carries: replay checks the
 * id and type; input and timeout keep the server's work the same.
 */
function nextCommand(s: RunState, taskQueue: string): Msg | undefined {
  if (s.scheduled < STEPS && s.completed === s.scheduled) {
    return {
      commandType: SCHEDULE_ACTIVITY,
      scheduleActivityTaskCommandAttributes: {
        activityId: String(s.scheduled + 1), // the workflow's activity sequence number, the TS SDK's default id
        activityType: { name: STEP },
        taskQueue: { name: taskQueue, kind: NORMAL },
        header: {},
        input: jsonPayloads(s.n),
        startToCloseTimeout: { seconds: 30 },
        // sdk-core asks for eager execution when it has a free activity slot, which it always has here.
        requestEagerExecution: true,
      },
    };
  }
  if (s.completed === STEPS && s.signal !== undefined) {
    const result = jsonPayloads(s.n + s.signal);
    return { commandType: COMPLETE_WORKFLOW, completeWorkflowExecutionCommandAttributes: { result } };
  }
  return undefined;
}
