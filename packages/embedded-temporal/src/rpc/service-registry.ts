import { type Server, type MethodDefinition, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import type * as protobuf from 'protobufjs';
import { root } from '../proto/root.js';
import { RpcError } from './errors.js';

/** What a unary handler sees besides the request. */
export interface CallContext {
  /** Absolute deadline in epoch ms, or `Infinity` when the caller set none. */
  deadline: number;
  /** Aborted when the caller cancels or the server stops. */
  signal: AbortSignal;
}

/**
 * A unary RPC implementation: decoded request in, plain response object out. `Handler` with no arguments accepts
 * every handler; the registry hands each one the message its method's request type decodes to.
 */
export type Handler<Req = never, Res extends object = object> = (request: Req, ctx: CallContext) => Promise<Res> | Res;

/** The fields of a generated message class, all optional: what a handler's plain response object may set. */
export type MessageFields<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]?:
    | (T[K] extends { toNumber(): number } ? T[K] | number : T[K]) // int64 fields take a plain number too
    | null;
};

/**
 * Handlers for a generated protobufjs service class, keyed by gRPC method name (each method type carries it as
 * `name`), with the method's request interface and response fields.
 */
export type ServiceHandlers<S> = {
  [
    K in keyof S as S[K] extends { readonly name: infer N extends string } ? (string extends N ? never : N) : never
  ]?: S[K] extends (request: infer Req) => Promise<infer Res> ? Handler<Req, MessageFields<Res>> : never;
};

export type WorkflowServiceHandlers = ServiceHandlers<temporal.api.workflowservice.v1.WorkflowService>;
export type OperatorServiceHandlers = ServiceHandlers<temporal.api.operatorservice.v1.OperatorService>;

/** Logs RPC-level failures that are bugs on our side. */
export type ErrorLogger = (method: string, err: unknown) => void;

const passthrough = (b: Buffer): Buffer => b;

/**
 * Registers every method of a proto service on `server`. Methods without a handler answer UNIMPLEMENTED with the
 * method name; requests are decoded inside the handler so malformed bytes become INVALID_ARGUMENT rather than the
 * INTERNAL grpc-js would send.
 */
export function registerService(
  server: Server,
  serviceName: string,
  handlers: Readonly<Record<string, Handler | undefined>>,
  shutdownSignal: AbortSignal,
  logError: ErrorLogger,
): void {
  const service = root.lookupService(serviceName);
  service.resolveAll();
  const definition: Record<string, MethodDefinition<Buffer, Uint8Array>> = {};
  const impl: Record<string, (...args: never[]) => void> = {};
  for (const method of Object.values(service.methods)) {
    const reqType = method.resolvedRequestType as protobuf.Type;
    const resType = method.resolvedResponseType as protobuf.Type;
    const path = `/${serviceName}/${method.name}`;
    definition[method.name] = {
      path,
      requestStream: !!method.requestStream,
      responseStream: !!method.responseStream,
      requestSerialize: (v: Buffer) => v,
      requestDeserialize: passthrough,
      responseSerialize: (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength),
      responseDeserialize: passthrough,
    };
    const handler = handlers[method.name];
    if (method.requestStream || method.responseStream || !handler) {
      const unimplemented = { code: status.UNIMPLEMENTED, details: `Method ${path} is not implemented` };
      impl[method.name] = (call: { emit(e: string, err: unknown): void }, cb?: sendUnaryData<Uint8Array>) => {
        if (cb) cb(unimplemented);
        else call.emit('error', unimplemented);
      };
      continue;
    }
    impl[method.name] = (call: ServerUnaryCall<Buffer, Uint8Array>, cb: sendUnaryData<Uint8Array>) => {
      void runUnary(call, cb, reqType, resType, handler, shutdownSignal, path, logError);
    };
  }
  server.addService(definition, impl as never);
}

async function runUnary(
  call: ServerUnaryCall<Buffer, Uint8Array>,
  cb: sendUnaryData<Uint8Array>,
  reqType: protobuf.Type,
  resType: protobuf.Type,
  handler: Handler,
  shutdownSignal: AbortSignal,
  path: string,
  logError: ErrorLogger,
): Promise<void> {
  let request: protobuf.Message;
  try {
    request = reqType.decode(call.request);
  } catch (err) {
    cb({ code: status.INVALID_ARGUMENT, details: `malformed ${reqType.fullName}: ${(err as Error).message}` });
    return;
  }
  const d = call.getDeadline();
  const deadline = d instanceof Date ? d.getTime() : d;
  // Only long polls read the signal; an AbortController and two listeners per call were a visible share of
  // the server's CPU for the short calls, so they are made on first read.
  let controller: AbortController | undefined;
  const abort = (): void => controller?.abort();
  const ctx: CallContext = {
    deadline: Number.isFinite(deadline) ? deadline : Infinity,
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (call.cancelled || shutdownSignal.aborted) controller.abort();
        call.on('cancelled', abort);
        shutdownSignal.addEventListener('abort', abort, { once: true });
      }
      return controller.signal;
    },
  };
  try {
    // The one untyped step: `request` was decoded with this method's request type, which is what the handler
    // declared (ServiceHandlers derives both from the same generated method).
    const response = await (handler as Handler<protobuf.Message>)(request, ctx);
    cb(null, resType.encode(response).finish());
  } catch (err) {
    if (err instanceof RpcError) cb(err.toServiceError());
    else {
      logError(path, err);
      cb({ code: status.INTERNAL, details: (err as Error)?.message ?? String(err) });
    }
  } finally {
    // grpc-js emits 'cancelled' when every call's stream closes, answered or not; aborting then would only
    // build a DOMException per call for a handler that has already returned.
    if (controller) {
      call.removeListener('cancelled', abort);
      shutdownSignal.removeEventListener('abort', abort);
    }
  }
}
