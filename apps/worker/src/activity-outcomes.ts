import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Next } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
} from '@temporalio/worker';

/**
 * Counts every activity attempt in `research_activity_outcomes{activity, outcome, failure_type}` through the
 * SDK's metric meter, so the count is exported wherever the Runtime exports the SDK's own metrics
 * (`WORKER_METRICS_PORT`). `outcome` is `completed`, `failed` or `cancelled`; `failure_type` is the
 * `ApplicationFailure` type of a failed attempt (one of the contracts' `FailureType`s), else empty.
 */
export const activityOutcomeInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new ActivityOutcomeInterceptor(ctx),
});

class ActivityOutcomeInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const counter = this.ctx.metricMeter.createCounter(
      'research_activity_outcomes',
      'attempts',
      'Activity attempts by activity type and outcome.',
    );
    const activity = this.ctx.info.activityType;
    try {
      const result = await next(input);
      counter.add(1, { activity, outcome: 'completed', failure_type: '' });
      return result;
    } catch (error) {
      // Cancelled by the server, a timeout or the worker's shutdown; the error itself may be a fetch AbortError.
      const cancelled = error instanceof CancelledFailure || this.ctx.cancellationSignal.aborted;
      const failureType = !cancelled && error instanceof ApplicationFailure ? (error.type ?? '') : '';
      counter.add(1, { activity, outcome: cancelled ? 'cancelled' : 'failed', failure_type: failureType });
      throw error;
    }
  }
}
