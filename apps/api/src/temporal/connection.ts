import { temporalConnectionOptions, temporalSettingsFromEnv } from '@research/config';
import type { Tracer } from '@opentelemetry/api';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import protos from '@temporalio/proto';
import type { Config } from '../config.js';
import type { TemporalPort } from './ports.js';

/**
 * Creates a lazy Temporal connection: nothing is dialled until the first call, so the API starts and answers
 * `/healthz` while Temporal is down, and gRPC reconnects on its own when Temporal comes back (the reconnect
 * backoff is capped at 5 s so recovery is quick).
 *
 * @throws Error when a TLS certificate file cannot be read.
 */
export function createTemporalConnection(config: Config): Connection {
  return Connection.lazy({
    ...temporalConnectionOptions(temporalSettingsFromEnv(config)),
    channelArgs: {
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5_000,
    },
  });
}

/**
 * Adapts a `Connection` to the {@link TemporalPort} the gateway uses. With `tracer` (tracing on), every workflow
 * call gets a client span (`StartWorkflow:research`, `QueryWorkflow:…`) whose context travels in the workflow's
 * headers, so the worker's spans join the caller's trace.
 */
export function temporalPort(connection: Connection, namespace: string, tracer?: Tracer): TemporalPort {
  const interceptors = tracer === undefined ? [] : [new OpenTelemetryWorkflowClientInterceptor({ tracer })];
  const client = new Client({ connection, namespace, interceptors: { workflow: interceptors } });
  return {
    workflow: client.workflow,
    withDeadline: (deadline, fn) => connection.withDeadline(deadline, fn),
    systemInfo: () => connection.workflowService.getSystemInfo({}),
    listWorkflows: ({ query, pageSize, nextPageToken }) =>
      connection.workflowService.listWorkflowExecutions({ namespace, query, pageSize, nextPageToken }),
    countWorkflows: async (query) => {
      const { count } = await connection.workflowService.countWorkflowExecutions({ namespace, query });
      return count == null ? 0 : Number(count);
    },
    pollHistory: ({ workflowId, runId, nextPageToken }, { deadline, signal }) =>
      connection.withAbortSignal(signal, () =>
        connection.withDeadline(deadline, () =>
          connection.workflowService.getWorkflowExecutionHistory({
            namespace,
            execution: { workflowId, runId },
            nextPageToken,
            waitNewEvent: true,
            historyEventFilterType:
              protos.temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT,
          }),
        ),
      ),
  };
}
