import { status } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { decode } from '../proto/root.js';
import { num } from '../proto/time.js';
import { UpdateStage, WorkflowStatus } from '../proto/enums.js';
import type { EngineCore } from '../engine/core.js';
import type { Run, UpdateState } from '../engine/run-state.js';
import type { Tx } from '../engine/tx.js';
import { appendEvent, packMsg, unpackMsg } from '../engine/history.js';
import type { CompletionContext } from '../engine/completion-context.js';
import { ensureWft, type WftCore } from '../engine/workflow-task.js';
import { RpcError, notFound } from '../rpc/errors.js';

const U = 'temporal.api.update.v1.';
/** The real server's default `history.maxInFlightUpdates`. */
export const MAX_IN_FLIGHT_UPDATES = 10;

/** Admits an update (or returns the existing entry for a duplicate id) and makes sure a task will deliver it. */
export function admitUpdate(engine: WftCore, tx: Tx, run: Run, request: temporal.api.update.v1.IRequest): UpdateState {
  // Callers have checked that the id is set.
  const updateId = request.meta?.updateId ?? '';
  const existing = run.updates[updateId];
  if (existing) return existing;
  const inFlight = Object.values(run.updates).filter((u) => u.state !== 'completed' && u.state !== 'aborted').length;
  if (inFlight >= MAX_IN_FLIGHT_UPDATES) {
    throw new RpcError(
      status.RESOURCE_EXHAUSTED,
      `limit on number of concurrent in-flight updates has been reached (${MAX_IN_FLIGHT_UPDATES})`,
    );
  }
  const state: UpdateState = {
    updateId,
    request: packMsg(`${U}Request`, request),
    state: 'admitted',
    acceptedEventId: 0,
  };
  run.updates[updateId] = state;
  tx.dirty.add(run);
  // An update does not wait for a delayed start: the real server dispatches the first task at once.
  if (run.firstWftAt > 0) run.firstWftAt = 0;
  ensureWft(engine, tx, run);
  return state;
}

/** A protocol message's body, decoded by the kind its `type_url` names. */
type Body =
  | { kind: 'Acceptance'; value: temporal.api.update.v1.IAcceptance }
  | { kind: 'Rejection'; value: temporal.api.update.v1.IRejection }
  | { kind: 'Response'; value: temporal.api.update.v1.IResponse };

function bodyOf(message: temporal.api.protocol.v1.IMessage): Body | undefined {
  const url = message.body?.type_url ?? '';
  const kind = url.slice(url.lastIndexOf('.') + 1);
  const bytes = message.body?.value ?? new Uint8Array();
  if (kind === 'Acceptance') return { kind, value: decode<temporal.api.update.v1.IAcceptance>(`${U}${kind}`, bytes) };
  if (kind === 'Rejection') return { kind, value: decode<temporal.api.update.v1.IRejection>(`${U}${kind}`, bytes) };
  if (kind === 'Response') return { kind, value: decode<temporal.api.update.v1.IResponse>(`${U}${kind}`, bytes) };
  return undefined;
}

/** Applies one worker protocol message (acceptance/response at its command's position, or a rejection). */
function applyMessage(tx: Tx, run: Run, message: temporal.api.protocol.v1.IMessage): void {
  const body = bodyOf(message);
  const u = run.updates[message.protocolInstanceId ?? ''];
  if (!body || !u || u.state === 'completed' || u.state === 'aborted') return;
  tx.dirty.add(run);
  if (body.kind === 'Acceptance') {
    const ev = appendEvent(tx, run, 'WorkflowExecutionUpdateAccepted', {
      protocolInstanceId: u.updateId,
      acceptedRequestMessageId: body.value.acceptedRequestMessageId,
      acceptedRequestSequencingEventId: body.value.acceptedRequestSequencingEventId,
      acceptedRequest: body.value.acceptedRequest ?? unpackMsg(`${U}Request`, u.request),
    });
    u.state = 'accepted';
    u.acceptedEventId = num(ev.eventId);
  } else if (body.kind === 'Response') {
    appendEvent(tx, run, 'WorkflowExecutionUpdateCompleted', {
      meta: body.value.meta,
      acceptedEventId: u.acceptedEventId,
      outcome: body.value.outcome,
    });
    u.state = 'completed';
    u.outcome = packMsg(`${U}Outcome`, body.value.outcome ?? {});
  } else {
    u.state = 'completed';
    u.outcome = packMsg(`${U}Outcome`, { failure: body.value.failure });
  }
  // Once accepted (the Accepted event keeps it) or rejected the request is never sent again: dropping it keeps
  // the run record, serialised on every commit, from growing with each update.
  u.request = '';
}

export function applyProtocolMessage(
  _engine: EngineCore,
  tx: Tx,
  run: Run,
  messageId: string,
  ctx: CompletionContext,
): void {
  const message = ctx.messages.get(messageId);
  if (!message || ctx.handled.has(messageId)) return;
  ctx.handled.add(messageId);
  applyMessage(tx, run, message);
}

/** After the commands: rejections, unreferenced messages, and updates the worker ignored. */
export function finishUpdateMessages(_engine: EngineCore, tx: Tx, run: Run, ctx: CompletionContext): void {
  for (const [id, message] of ctx.messages) {
    if (ctx.handled.has(id) || run.status !== WorkflowStatus.RUNNING) continue;
    ctx.handled.add(id);
    applyMessage(tx, run, message);
  }
  for (const u of Object.values(run.updates)) {
    if (u.state !== 'sent') continue;
    u.state = 'completed';
    u.outcome = packMsg(`${U}Outcome`, {
      failure: {
        message:
          "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not supported by the worker.",
        source: 'Server',
        applicationFailureInfo: { type: 'UnprocessedUpdate', nonRetryable: true },
      },
    });
    tx.dirty.add(run);
  }
}

/** On close: accepted updates fail, earlier ones are aborted (their waiters get NOT_FOUND). */
export function abortUpdates(run: Run): void {
  for (const u of Object.values(run.updates)) {
    if (u.state === 'accepted') {
      u.state = 'completed';
      u.outcome = packMsg(`${U}Outcome`, {
        failure: {
          message: 'Workflow Update failed because the Workflow completed before the Update completed.',
          source: 'Server',
          applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
        },
      });
    } else if (u.state === 'admitted' || u.state === 'sent') u.state = 'aborted';
  }
}

/** The stage and outcome an update has reached; throws NOT_FOUND for aborted updates. */
export function updateView(u: UpdateState): { stage: number; outcome: temporal.api.update.v1.IOutcome | null } {
  if (u.state === 'aborted') throw notFound('workflow update was aborted by closing workflow');
  if (u.state === 'completed') return { stage: UpdateStage.COMPLETED, outcome: unpackMsg(`${U}Outcome`, u.outcome) };
  if (u.state === 'accepted') return { stage: UpdateStage.ACCEPTED, outcome: null };
  return { stage: UpdateStage.ADMITTED, outcome: null };
}
