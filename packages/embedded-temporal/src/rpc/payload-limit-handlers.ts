import { enumValues, type Msg } from '../proto/root.js';
import type { Engine } from '../engine/engine.js';
import { failWft, runForWftToken } from '../engine/workflow-task.js';
import { terminateRun } from '../engine/lifecycle.js';
import { invalidArgument } from './errors.js';
import type { Handler } from './service-registry.js';
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

const GRPC_MESSAGE_TOO_LARGE = 'WORKFLOW_TASK_FAILED_CAUSE_GRPC_MESSAGE_TOO_LARGE';
const grpcMessageTooLarge = enumValues('temporal.api.enums.v1.WorkflowTaskFailedCause')[GRPC_MESSAGE_TOO_LARGE];

/** Temporal's `failure.NewServerFailure`. */
const serverFailure = (message: string, nonRetryable: boolean, cause?: Msg): Msg => ({
  message,
  source: '',
  serverFailureInfo: { nonRetryable },
  ...(cause ? { cause } : {}),
});

/** What is kept of a failure too large to record: its message, type and stack trace, cut short. */
function truncatedFailure(failure: Msg | null | undefined): Msg {
  const cut = (s: unknown): string => (typeof s === 'string' ? s.slice(0, 64 * 1024) : '');
  const app = failure?.applicationFailureInfo as Msg | undefined;
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
  handlers: Record<string, Handler>,
  limits: PayloadLimits,
): Record<string, Handler> {
  const base = (name: string): Handler => {
    const h = handlers[name];
    if (!h) throw new Error(`no ${name} handler to wrap`);
    return h;
  };
  const tooLarge = (p: Msg | null | undefined): boolean => payloadsSize(p) > limits.blobSizeLimitError;
  const out: Record<string, Handler> = { ...handlers };

  const start = base('StartWorkflowExecution');
  out.StartWorkflowExecution = (req, ctx) => {
    const error = startRequestTooLarge(req, limits);
    if (error) throw invalidArgument(error);
    return start(req, ctx);
  };
  const signalWithStart = base('SignalWithStartWorkflowExecution');
  out.SignalWithStartWorkflowExecution = (req, ctx) => {
    const error = startRequestTooLarge(req, limits) ?? (tooLarge(req.signalInput) ? BLOB_TOO_LARGE : undefined);
    if (error) throw invalidArgument(error);
    return signalWithStart(req, ctx);
  };
  const signal = base('SignalWorkflowExecution');
  out.SignalWorkflowExecution = (req, ctx) => {
    if (tooLarge(req.input)) throw invalidArgument(BLOB_TOO_LARGE);
    return signal(req, ctx);
  };

  for (const suffix of ['', 'ById']) {
    const complete = base(`RespondActivityTaskCompleted${suffix}`);
    const fail = base(`RespondActivityTaskFailed${suffix}`);
    const heartbeat = base(`RecordActivityTaskHeartbeat${suffix}`);
    const canceled = base(`RespondActivityTaskCanceled${suffix}`);
    out[`RespondActivityTaskCompleted${suffix}`] = async (req, ctx) => {
      if (!tooLarge(req.result)) return complete(req, ctx);
      await fail({ ...req, result: null, failure: serverFailure(ACTIVITY_RESULT_TOO_LARGE, true) }, ctx);
      return {};
    };
    out[`RespondActivityTaskFailed${suffix}`] = async (req, ctx) => {
      const failures: Msg[] = [];
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
      if (request === req) return fail(req, ctx);
      await fail(request, ctx);
      return { failures };
    };
    out[`RespondActivityTaskCanceled${suffix}`] = async (req, ctx) => {
      if (!tooLarge(req.details)) return canceled(req, ctx);
      await fail({ ...req, details: null, failure: serverFailure(CANCEL_DETAILS_TOO_LARGE, true) }, ctx);
      return {};
    };
    out[`RecordActivityTaskHeartbeat${suffix}`] = async (req, ctx) => {
      if (!tooLarge(req.details)) return heartbeat(req, ctx);
      await fail({ ...req, details: null, failure: serverFailure(HEARTBEAT_TOO_LARGE, true) }, ctx);
      return { cancelRequested: true };
    };
  }

  const completeWft = base('RespondWorkflowTaskCompleted');
  out.RespondWorkflowTaskCompleted = async (req, ctx) => {
    const oversized = oversizedCommand((req.commands ?? []) as Msg[], limits);
    const run = oversized && runForWftToken(engine, req.taskToken);
    if (!oversized || !run) return completeWft(req, ctx);
    if (run.wft.attempt <= 1) {
      await engine.mutate((tx) => {
        failWft(engine, tx, run, {
          cause: oversized.cause,
          failure: serverFailure(oversized.message, false),
          identity: req.identity,
        });
        terminateRun(engine, tx, run, oversized.message, null, 'history-service');
      });
    }
    throw invalidArgument(oversized.message);
  };

  const failWftHandler = base('RespondWorkflowTaskFailed');
  out.RespondWorkflowTaskFailed = async (req, ctx) => {
    const run = req.cause === grpcMessageTooLarge && runForWftToken(engine, req.taskToken);
    if (!run) return failWftHandler(req, ctx);
    await engine.mutate((tx) => terminateRun(engine, tx, run, GRPC_MESSAGE_TOO_LARGE, null, 'history-service'));
    return {};
  };
  return out;
}
