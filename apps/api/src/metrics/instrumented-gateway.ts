import {
  DecisionRejectedError,
  DraftChangedError,
  NotAwaitingApprovalError,
  SelfApprovalForbiddenError,
} from '../temporal/errors.js';
import type { ResearchGateway } from '../temporal/gateway.js';
import type { ApiMetrics } from './api-metrics.js';

/**
 * Counts what the gateway's callers achieved: pipelines started (`created` or `existing` for a repeated idempotency
 * key) and decisions (`approved`, `rejected`, or `refused` when the pipeline or the four-eyes rule would not take
 * one). Failures to reach Temporal are neither; they show in the Temporal call histogram. Arguments pass through
 * untouched, whatever the gateway's methods come to take.
 */
export function instrumentGateway(
  gateway: ResearchGateway,
  metrics: Pick<ApiMetrics, 'decisions' | 'pipelinesStarted'>,
): ResearchGateway {
  return {
    ...gateway,
    async startResearch(...args) {
      const started = await gateway.startResearch(...args);
      metrics.pipelinesStarted.inc({ result: started.created ? 'created' : 'existing' });
      return started;
    },
    async approve(...args) {
      try {
        const decision = await gateway.approve(...args);
        metrics.decisions.inc({ outcome: decision.approved ? 'approved' : 'rejected' });
        return decision;
      } catch (error) {
        if (
          error instanceof NotAwaitingApprovalError ||
          error instanceof DecisionRejectedError ||
          error instanceof SelfApprovalForbiddenError ||
          error instanceof DraftChangedError
        ) {
          metrics.decisions.inc({ outcome: 'refused' });
        }
        throw error;
      }
    },
  };
}
