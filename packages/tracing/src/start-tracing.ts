import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TracingSettings } from './tracing-env.js';

/** Where the SDK's own warnings (failed exports, dropped spans) go; the apps pass their pino logger. */
export interface TracingLogger {
  warn(message: string): void;
  error(message: string): void;
}

/** A started tracer provider, registered as the process's global one. */
export interface Tracing {
  readonly settings: TracingSettings;
  /** A tracer of the registered provider. */
  tracer(name: string): Tracer;
  /**
   * The batching processor every span of this process passes through. The worker also hands it the spans its
   * workflows record in the sandbox, which reach it through a sink rather than through the provider.
   */
  readonly spanProcessor: SpanProcessor;
  /** `service.name` and the SDK's attributes, merged with `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly resource: Resource;
  /** Exports what is still queued and stops; call once on the way out. */
  shutdown(): Promise<void>;
}

/**
 * Starts tracing for the process: a Node tracer provider registered globally (so `@opentelemetry/api` callers,
 * the Temporal interceptors among them, use it), W3C trace-context propagation, async-local context, and a
 * batching OTLP/HTTP exporter. The API and the worker call it once at start-up, when
 * {@link tracingSettingsFromEnv} returned settings.
 */
export function startTracing(settings: TracingSettings, logger: TracingLogger): Tracing {
  diag.setLogger(
    {
      error: (message) => logger.error(`OpenTelemetry: ${message}`),
      warn: (message) => logger.warn(`OpenTelemetry: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  // Later merges win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the app's default name.
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': settings.serviceName }))
    .merge(envDetectorSync.detect());
  const exporter =
    settings.protocol === 'http/json'
      ? new OtlpJsonExporter({ url: settings.endpoint })
      : new OtlpProtobufExporter({ url: settings.endpoint });
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  let stopped: Promise<void> | undefined;
  return {
    settings,
    tracer: (name) => provider.getTracer(name),
    spanProcessor,
    resource,
    shutdown: () => (stopped ??= provider.shutdown()),
  };
}
