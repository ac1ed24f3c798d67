import type { Tracing } from '@research/tracing';
import { UNTRACED_SPAN_SINKS } from '@research/workflows/bundle-options';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';

/**
 * The sink through which the workflow interceptor module (always in the workflow bundle, see
 * `WORKFLOW_INTERCEPTOR_MODULES`) hands over the spans it records in the sandbox. With tracing off the sink drops
 * them ({@link UNTRACED_SPAN_SINKS}).
 */
export function workflowSpanSinks(tracing: Tracing | undefined): InjectedSinks<OpenTelemetrySinks> {
  if (tracing === undefined) return UNTRACED_SPAN_SINKS;
  return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
}

/**
 * Activity interceptors of tracing: a `RunActivity:<type>` span per attempt, child of the workflow's
 * `StartActivity:<type>` span (its context arrives in the activity's headers), and the trace and span ids on
 * every `Context.log` line. None when tracing is off.
 */
export function activityTracingInterceptors(tracing: Tracing | undefined): ActivityInterceptorsFactory[] {
  if (tracing === undefined) return [];
  const tracer = tracing.tracer('@research/worker');
  return [
    (ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
  ];
}
