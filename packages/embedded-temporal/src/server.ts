import { setMaxListeners } from 'node:events';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { EngineLogger } from './engine/engine.js';
import { createEngine } from './engine/create-engine.js';
import { createMemoryStore, openFileStore, type DurableStore, type StoreFs } from './persistence/index.js';
import { refuseCompressedRequests } from './rpc/compression.js';
import { registerService } from './rpc/service-registry.js';
import { systemHandlers } from './rpc/system-handlers.js';
import { clientHandlers } from './rpc/client-handlers.js';
import { workerHandlers } from './rpc/worker-handlers.js';
import { withPayloadLimits } from './rpc/payload-limit-handlers.js';
import { DEFAULT_PAYLOAD_LIMITS } from './rpc/payload-limits.js';

/** gRPC's default, which Temporal's frontend keeps. */
export const DEFAULT_MAX_RECEIVE_MESSAGE_SIZE = 4 * 1024 * 1024;

/** Options of {@link startEmbeddedTemporal}. */
export interface EmbeddedTemporalOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Bind only this host. Default: both 127.0.0.1 and ::1. */
  host?: string;
  /** Directory for durable state; `undefined` keeps everything in memory. */
  dataDir?: string;
  /** Namespace created at first start. Default `default`. */
  namespace?: string;
  /** Cap for history and update long polls without a caller deadline (queries: at least 20 s). Default 20000. */
  longPollTimeoutMs?: number;
  /** Cap for task-queue polls. Default 60000. */
  taskPollTimeoutMs?: number;
  /**
   * Inflate gzip/deflate-compressed requests instead of refusing them with UNIMPLEMENTED. Default false: SDKs on
   * sdk-core fall back to uncompressed requests, and on loopback compression only costs CPU.
   */
  acceptCompressedRequests?: boolean;
  /**
   * Eager activity execution, Temporal's `system.enableActivityEagerExecution` (off by default there too): an
   * activity the worker asks to run eagerly on the workflow's task queue is started in the workflow-task
   * completion and returned in its response instead of being polled for. Default false.
   */
  eagerActivities?: boolean;
  /**
   * Largest request message accepted, in bytes (`grpc.max_receive_message_length`); a larger one is refused with
   * RESOURCE_EXHAUSTED before it is read. Default 4 MiB, gRPC's default and Temporal's.
   */
  maxReceiveMessageSize?: number;
  logger?: EngineLogger;
  /** @internal File operations of the data directory's store, for tests that inject disk failures. */
  storeFs?: StoreFs;
}

/** A running embedded server. */
export interface EmbeddedTemporal {
  /** `host:port` to pass to `Connection.connect` / `NativeConnection.connect`. */
  address: string;
  port: number;
  /** Stops accepting calls, ends in-flight long polls, and closes the store. */
  stop(): Promise<void>;
}

const silentLogger: EngineLogger = { info: () => undefined, warn: () => undefined };

async function bind(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}

/**
 * Starts a Temporal-compatible gRPC server (WorkflowService, OperatorService, Health) backed by the embedded
 * engine. With `dataDir`, every state change is durable before it is acknowledged and a restart on the same
 * directory resumes all runs. Rejects if the port is taken or the data directory is locked by another process.
 */
export async function startEmbeddedTemporal(options: EmbeddedTemporalOptions = {}): Promise<EmbeddedTemporal> {
  const logger = options.logger ?? silentLogger;
  const store: DurableStore = options.dataDir
    ? await openFileStore(options.dataDir, { fs: options.storeFs })
    : createMemoryStore();
  const engine = createEngine(store, {
    longPollTimeoutMs: options.longPollTimeoutMs ?? 20_000,
    taskPollTimeoutMs: options.taskPollTimeoutMs ?? 60_000,
    eagerActivities: options.eagerActivities ?? false,
    logger,
  });
  try {
    await engine.load(options.namespace ?? 'default');
  } catch (err) {
    await store.close();
    throw err;
  }
  const shutdown = new AbortController();
  // Every in-flight call listens for shutdown; hundreds of long polls are normal.
  setMaxListeners(0, shutdown.signal);
  const server = new Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageSize ?? DEFAULT_MAX_RECEIVE_MESSAGE_SIZE,
    interceptors: options.acceptCompressedRequests ? [] : [refuseCompressedRequests],
  });
  const logError = (method: string, err: unknown): void => logger.warn(`${method} failed`, err);
  const workflowService = withPayloadLimits(
    engine,
    { ...systemHandlers(engine), ...clientHandlers(engine), ...workerHandlers(engine) },
    DEFAULT_PAYLOAD_LIMITS,
  );
  registerService(
    server,
    'temporal.api.workflowservice.v1.WorkflowService',
    workflowService,
    shutdown.signal,
    logError,
  );
  registerService(
    server,
    'temporal.api.operatorservice.v1.OperatorService',
    systemHandlers(engine),
    shutdown.signal,
    logError,
  );
  registerService(server, 'grpc.health.v1.Health', { Check: () => ({ status: 1 }) }, shutdown.signal, logError);

  let port = options.port ?? 0;
  let address: string;
  try {
    if (options.host) {
      port = await bind(server, options.host, port);
      address = options.host.includes(':') ? `[${options.host}]:${port}` : `${options.host}:${port}`;
    } else {
      port = await bind(server, '127.0.0.1', port);
      address = `127.0.0.1:${port}`;
      // IPv6 loopback is best effort: some hosts have no ::1.
      await bind(server, '::1', port).catch((err: unknown) => logger.warn('could not bind [::1]', err));
    }
  } catch (err) {
    server.forceShutdown();
    await engine.stop();
    await store.close();
    throw err;
  }
  logger.info(`embedded Temporal listening on ${address}`);

  let stopping: Promise<void> | undefined;
  return {
    address,
    port,
    stop: () =>
      (stopping ??= (async () => {
        shutdown.abort();
        await engine.stop();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 2000);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        await store.close();
      })()),
  };
}
