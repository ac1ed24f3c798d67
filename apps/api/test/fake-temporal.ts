import type { ApprovalRequest, Decision, ResearchState } from '@research/contracts';
import { ServiceError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { WorkflowExecutionStatusName, WorkflowStartOptions } from '@temporalio/client';
import type {
  HistoryPollRequest,
  HistoryResponse,
  ListResponse,
  ResearchWorkflowHandle,
  TemporalPort,
  WorkflowDescription,
} from '../src/temporal/ports.js';

/** A gRPC ServiceError as @grpc/grpc-js produces it (14 = UNAVAILABLE, 4 = DEADLINE_EXCEEDED). */
export function grpcError(code: number, details = 'connection refused'): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

export interface FakeExecution {
  workflowId: string;
  runId: string;
  /** The workflow type it was started with. */
  type: string;
  /** The input it was started with. */
  args?: unknown[];
  status: WorkflowExecutionStatusName;
  memo: Record<string, unknown>;
  startTime: Date;
  closeTime?: Date;
  pendingActivities?: WorkflowDescription['raw']['pendingActivities'];
  /** Answer of the state query; an Error is thrown (e.g. no worker). */
  state?: ResearchState | Error;
  /** Settles `result()`: a value, or an Error to throw (e.g. WorkflowFailedError). */
  result?: unknown;
  /** Behaviour of the approval update. */
  update?: (request: ApprovalRequest) => Promise<Decision>;
  /** Set by `cancel()`. */
  cancelRequested?: boolean;
}

/**
 * In-memory Temporal behind {@link TemporalPort}: workflow-id uniqueness is atomic like the server's, and
 * failures are the SDK's own error classes, so the gateway's branching is exercised for real.
 */
export class FakeTemporal implements TemporalPort {
  readonly executions = new Map<string, FakeExecution>();
  readonly starts: { workflowType: string; options: WorkflowStartOptions }[] = [];
  readonly deadlines: number[] = [];
  /** Every list request, and the pages it answers in turn. */
  readonly lists: { query: string; pageSize: number; nextPageToken?: Uint8Array | undefined }[] = [];
  listPages: ListResponse[] = [];
  readonly counts: string[] = [];
  count = 0;
  /** Answers of `pollHistory` in turn; an Error is thrown. When none is left, waits until the call is aborted. */
  historyPages: (HistoryResponse | Error)[] = [];
  readonly historyPolls: HistoryPollRequest[] = [];
  /** When set, every call fails with this error, as a lost connection does. */
  failure: Error | undefined;
  private runs = 0;

  readonly workflow = {
    start: async (workflowType: string, options: WorkflowStartOptions) => {
      await Promise.resolve(); // let concurrent callers interleave before the atomic check
      this.throwIfDown();
      if (this.executions.has(options.workflowId)) {
        throw new WorkflowExecutionAlreadyStartedError(
          'Workflow execution already started',
          options.workflowId,
          workflowType,
        );
      }
      this.starts.push({ workflowType, options });
      const runId = `run-${++this.runs}`;
      this.executions.set(options.workflowId, {
        workflowId: options.workflowId,
        runId,
        type: workflowType,
        args: options.args ? [...options.args] : [],
        status: 'RUNNING',
        memo: structuredClone(options.memo ?? {}),
        startTime: new Date('2025-01-01T00:00:00.000Z'),
      });
      return { firstExecutionRunId: runId };
    },
    getHandle: (workflowId: string): ResearchWorkflowHandle => ({
      describe: async () => {
        const execution = this.find(workflowId);
        return {
          workflowId,
          runId: execution.runId,
          type: execution.type,
          status: { name: execution.status },
          memo: structuredClone(execution.memo),
          startTime: execution.startTime,
          closeTime: execution.closeTime,
          raw: { pendingActivities: execution.pendingActivities ?? [] },
        };
      },
      query: async () => {
        const state = this.find(workflowId).state;
        if (state === undefined) throw grpcError(4, 'query timed out: no worker');
        if (state instanceof Error) throw state;
        return state;
      },
      result: async () => {
        const result = this.find(workflowId).result;
        if (result instanceof Error) throw result;
        return result;
      },
      executeUpdate: async (_update, { args }) => {
        const update = this.find(workflowId).update;
        if (!update) throw new Error('fake update not configured');
        return update(args[0]);
      },
      cancel: async () => {
        this.find(workflowId).cancelRequested = true;
      },
    }),
  };

  async listWorkflows(request: { query: string; pageSize: number; nextPageToken?: Uint8Array | undefined }) {
    this.throwIfDown();
    this.lists.push(request);
    return this.listPages.shift() ?? { executions: [], nextPageToken: new Uint8Array() };
  }

  async countWorkflows(query: string): Promise<number> {
    this.throwIfDown();
    this.counts.push(query);
    return this.count;
  }

  async pollHistory(request: HistoryPollRequest, { signal }: { deadline: number; signal: AbortSignal }) {
    this.throwIfDown();
    this.historyPolls.push(request);
    const next = this.historyPages.shift();
    if (next instanceof Error) throw next;
    if (next) return next;
    return new Promise<HistoryResponse>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }

  async withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
    this.deadlines.push(deadline);
    return fn();
  }

  async systemInfo(): Promise<unknown> {
    this.throwIfDown();
    return {};
  }

  private find(workflowId: string): FakeExecution {
    this.throwIfDown();
    const execution = this.executions.get(workflowId);
    if (!execution) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
    return execution;
  }

  private throwIfDown(): void {
    if (this.failure) throw new ServiceError('Failed to reach Temporal', { cause: this.failure });
  }
}
