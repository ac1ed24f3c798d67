import type { ResearchWorkflowHandle, TemporalPort } from '../temporal/ports.js';
import { timed } from './api-metrics.js';
import type { ApiMetrics } from './api-metrics.js';

/**
 * Wraps the Temporal port so every call the gateway makes is timed in
 * `temporal_client_call_duration_seconds{operation,outcome}`. The gateway and its tests stay unaware of metrics.
 */
export function instrumentPort(port: TemporalPort, metrics: Pick<ApiMetrics, 'temporalCallDuration'>): TemporalPort {
  const histogram = metrics.temporalCallDuration;
  const instrumentHandle = (handle: ResearchWorkflowHandle): ResearchWorkflowHandle => ({
    describe: () => timed(histogram, 'describe', () => handle.describe()),
    query: (query) => timed(histogram, 'query', () => handle.query(query)),
    result: () => timed(histogram, 'result', () => handle.result()),
    executeUpdate: (update, options) => timed(histogram, 'update', () => handle.executeUpdate(update, options)),
    cancel: () => timed(histogram, 'cancel', () => handle.cancel()),
  });
  return {
    workflow: {
      start: (workflowType, options) => timed(histogram, 'start', () => port.workflow.start(workflowType, options)),
      getHandle: (workflowId, runId, options) => instrumentHandle(port.workflow.getHandle(workflowId, runId, options)),
    },
    withDeadline: (deadline, fn) => port.withDeadline(deadline, fn),
    systemInfo: () => timed(histogram, 'system_info', () => port.systemInfo()),
    listWorkflows: (request) => timed(histogram, 'list', () => port.listWorkflows(request)),
    countWorkflows: (query) => timed(histogram, 'count', () => port.countWorkflows(query)),
    // A long-poll's duration is the wait, not Temporal's latency: not timed.
    pollHistory: (request, options) => port.pollHistory(request, options),
  };
}
