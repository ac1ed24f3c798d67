import { DecisionRejectedError, NotAwaitingApprovalError } from '../temporal/errors.js';
import type { ResearchGateway } from '../temporal/gateway.js';
import type { ApiMetrics } from './api-metrics.js';

/**
 * Counts what the gateway's callers achieved: pipelines started (`created` or `existing` for a repeated idempotency
 * key) and decisions (`approved`, `rejected`, or `refused` when the pipeline would not take one). Failures to reach
 * Temporal are neither; they show in the Temporal call histogram.
 */
export function instrumentGateway(
  gateway: ResearchGateway,
  metrics: Pick<ApiMetrics, 'decisions' | 'pipelinesStarted'>,
): ResearchGateway {
  return {
    ...gateway,
    async startResearch(request, options) {
      const started = await gateway.startResearch(request, options);
      metrics.pipelinesStarted.inc({ result: started.created ? 'created' : 'existing' });
      return started;
    },
    async approve(workflowId, request) {
      try {
        const decision = await gateway.approve(workflowId, request);
        metrics.decisions.inc({ outcome: decision.approved ? 'approved' : 'rejected' });
        return decision;
      } catch (error) {
        if (error instanceof NotAwaitingApprovalError || error instanceof DecisionRejectedError) {
          metrics.decisions.inc({ outcome: 'refused' });
        }
        throw error;
      }
    },
  };
}
