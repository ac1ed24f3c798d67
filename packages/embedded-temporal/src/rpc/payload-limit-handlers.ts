import type { temporal } from '@temporalio/proto';
import { enumValues } from '../proto/root.js';
import type { Engine } from '../engine/engine.js';
import { failWft, runForWftToken } from '../engine/workflow-task.js';
import { terminateRun } from '../engine/lifecycle.js';
import { invalidArgument } from './errors.js';
import type { Handler, WorkflowServiceHandlers } from './service-registry.js';
import {
  ACTIVITY_FAILURE_TOO_LARGE,
  ACTIVITY_RESULT_TOO_LARGE,
  BLOB_TOO_LARGE,
  CANCEL_DETAILS_TOO_LARGE,
  HEARTBEAT_TOO_LARGE,
  failureSize,
  oversizedCommand,
  payloadsSize,
  startRequestTooLarge,
  type PayloadLimits,
} from './payload-limits.js';

type IPayloads = temporal.api.common.v1.IPayloads;
type IFailure = temporal.api.failure.v1.IFailure;

const GRPC_MESSAGE_TOO_LARGE = 'WORKFLOW_TASK_FAILED_CAUSE_GRPC_MESSAGE_TOO_LARGE';
const grpcMessageTooLarge = enumValues('temporal.api.enums.v1.WorkflowTaskFailedCause')[GRPC_MESSAGE_TOO_LARGE];

/** Temporal's `failure.NewServerFailure`. */
const serverFailure = (message: string, nonRetryable: boolean, cause?: IFailure): IFailure => ({
  message,
  source: '',
  serverFailureInfo: { nonRetryable },
  ...(cause ? { cause } : {}),
});

/** What is kept of a failure too large to record: its message, type and stack trace, cut short. */
function truncatedFailure(failure: IFailure | null | undefined): IFailure {
  const cut = (s: string | null | undefined): string => (typeof s === 'string' ? s.slice(0, 64 * 1024) : '');
  const app = failure?.applicationFailureInfo;
  return {
    message: cut(failure?.message),
    source: cut(failure?.source),
    stackTrace: cut(failure?.stackTrace),
    ...(app ? { applicationFailureInfo: { type: app.type ?? '', nonRetryable: !!app.nonRetryable } } : {}),
  };
}

/**
 * Wraps the WorkflowService handlers with Temporal's blob and memo size checks, answering as Temporal does:
 * - a start or signal whose input or memo is over the limit gets INVALID_ARGUMENT;
 * - an activity result, failure, cancellation details or heartbeat over the limit turns the attempt into a non-retryable server
 *   failure (the RPC succeeds; a heartbeat answers `cancel_requested`);
 * - a workflow-task completion with a command payload over the limit fails the task with the command's
 *   `BAD_*_ATTRIBUTES` cause and terminates the workflow, then answers INVALID_ARGUMENT (from the second
 *   attempt on only the answer, so the task times out and is retried, as in Temporal);
 * - a workflow task the worker fails with GRPC_MESSAGE_TOO_LARGE (its completion was over the gRPC message
 *   limit) terminates the workflow, as Temporal does.
 * Called once by `startEmbeddedTemporal`; the wrapped handlers keep their own errors.
 */
export function withPayloadLimits(
  engine: Engine,
  handlers: WorkflowServiceHandlers,
  limits: PayloadLimits,
): WorkflowServiceHandlers {
  const base = <K extends keyof WorkflowServiceHandlers>(name: K): NonNullable<WorkflowServiceHandlers[K]> => {
    const h = handlers[name];
    if (!h) throw new Error(`no ${name} handler to wrap`);
    return h;
  };
  const tooLarge = (p: IPayloads | null | undefined): boolean => payloadsSize(p) > limits.blobSizeLimitError;

  const start = base('StartWorkflowExecution');
  const signalWithStart = base('SignalWithStartWorkflowExecution');
  const signal = base('SignalWorkflowExecution');
  const completeWft = base('RespondWorkflowTaskCompleted');
  const failWftHandler = base('RespondWorkflowTaskFailed');
  // The failed handler reads only the token (or run and activity id), identity, failure and heartbeat details
  // of the request it is given, so a completion, cancellation or heartbeat is passed on with a failure added.
  const byToken = limitActivityRpcs(
    {
      complete: base('RespondActivityTaskCompleted'),
      fail: base('RespondActivityTaskFailed'),
      canceled: base('RespondActivityTaskCanceled'),
      heartbeat: base('RecordActivityTaskHeartbeat'),
    },
    (req, failure): temporal.api.workflowservice.v1.IRespondActivityTaskFailedRequest => ({ ...req, failure }),
    tooLarge,
    limits,
  );
  const byId = limitActivityRpcs(
    {
      complete: base('RespondActivityTaskCompletedById'),
      fail: base('RespondActivityTaskFailedById'),
      canceled: base('RespondActivityTaskCanceledById'),
      heartbeat: base('RecordActivityTaskHeartbeatById'),
    },
    (req, failure): temporal.api.workflowservice.v1.IRespondActivityTaskFailedByIdRequest => ({ ...req, failure }),
    tooLarge,
    limits,
  );
  return {
    ...handlers,
    StartWorkflowExecution: (req, ctx) => {
      const error = startRequestTooLarge(req, limits);
      if (error) throw invalidArgument(error);
      return start(req, ctx);
    },
    SignalWithStartWorkflowExecution: (req, ctx) => {
      const error = startRequestTooLarge(req, limits) ?? (tooLarge(req.signalInput) ? BLOB_TOO_LARGE : undefined);
      if (error) throw invalidArgument(error);
      return signalWithStart(req, ctx);
    },
    SignalWorkflowExecution: (req, ctx) => {
      if (tooLarge(req.input)) throw invalidArgument(BLOB_TOO_LARGE);
      return signal(req, ctx);
    },
    RespondActivityTaskCompleted: byToken.complete,
    RespondActivityTaskFailed: byToken.fail,
    RespondActivityTaskCanceled: byToken.canceled,
    RecordActivityTaskHeartbeat: byToken.heartbeat,
    RespondActivityTaskCompletedById: byId.complete,
    RespondActivityTaskFailedById: byId.fail,
    RespondActivityTaskCanceledById: byId.canceled,
    RecordActivityTaskHeartbeatById: byId.heartbeat,
    RespondWorkflowTaskCompleted: async (req, ctx) => {
      const oversized = oversizedCommand(req.commands ?? [], limits);
      const run = oversized && runForWftToken(engine, req.taskToken ?? new Uint8Array());
      if (!oversized || !run) return completeWft(req, ctx);
      if (run.wft.attempt <= 1) {
        await engine.mutate((tx) => {
          failWft(engine, tx, run, {
            cause: oversized.cause,
            failure: serverFailure(oversized.message, false),
            identity: req.identity ?? undefined,
          });
          terminateRun(engine, tx, run, oversized.message, null, 'history-service');
        });
      }
      throw invalidArgument(oversized.message);
    },
    RespondWorkflowTaskFailed: async (req, ctx) => {
      const run = req.cause === grpcMessageTooLarge && runForWftToken(engine, req.taskToken ?? new Uint8Array());
      if (!run) return failWftHandler(req, ctx);
      await engine.mutate((tx) => terminateRun(engine, tx, run, GRPC_MESSAGE_TOO_LARGE, null, 'history-service'));
      return {};
    },
  };
}

/** The four activity-outcome RPCs of one addressing variant (by task token, or …ById). */
interface ActivityRpcs<C, F, X, H> {
  complete: Handler<C>;
  fail: Handler<F, temporal.api.workflowservice.v1.IRespondActivityTaskFailedResponse>;
  canceled: Handler<X>;
  heartbeat: Handler<H, temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatResponse>;
}

/** The activity-outcome RPCs with the blob limit applied: an outcome over it fails the attempt instead. */
function limitActivityRpcs<
  C extends { result?: IPayloads | null },
  F extends { failure?: IFailure | null; lastHeartbeatDetails?: IPayloads | null },
  X extends { details?: IPayloads | null },
  H extends { details?: IPayloads | null },
>(
  rpcs: ActivityRpcs<C, F, X, H>,
  asFailed: (req: C | X | H, failure: IFailure) => F,
  tooLarge: (p: IPayloads | null | undefined) => boolean,
  limits: PayloadLimits,
): ActivityRpcs<C, F, X, H> {
  return {
    complete: async (req, ctx) => {
      if (!tooLarge(req.result)) return rpcs.complete(req, ctx);
      await rpcs.fail(asFailed(req, serverFailure(ACTIVITY_RESULT_TOO_LARGE, true)), ctx);
      return {};
    },
    fail: async (req, ctx) => {
      const failures: IFailure[] = [];
      let request = req;
      if (tooLarge(req.lastHeartbeatDetails)) {
        failures.push(serverFailure(HEARTBEAT_TOO_LARGE, true));
        request = { ...request, lastHeartbeatDetails: null };
      }
      if (failureSize(req.failure) > limits.blobSizeLimitError) {
        const replaced = serverFailure(ACTIVITY_FAILURE_TOO_LARGE, true, truncatedFailure(req.failure));
        failures.push(replaced);
        request = { ...request, failure: replaced };
      }
      if (request === req) return rpcs.fail(req, ctx);
      await rpcs.fail(request, ctx);
      return { failures };
    },
    canceled: async (req, ctx) => {
      if (!tooLarge(req.details)) return rpcs.canceled(req, ctx);
      await rpcs.fail(asFailed(req, serverFailure(CANCEL_DETAILS_TOO_LARGE, true)), ctx);
      return {};
    },
    heartbeat: async (req, ctx) => {
      if (!tooLarge(req.details)) return rpcs.heartbeat(req, ctx);
      await rpcs.fail(asFailed(req, serverFailure(HEARTBEAT_TOO_LARGE, true)), ctx);
      return { cancelRequested: true };
    },
  };
}
