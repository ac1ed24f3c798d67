import { z } from 'zod';

/** OTLP over HTTP, with protobuf (the OpenTelemetry default) or JSON bodies. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

const protocol = z.enum(OTLP_PROTOCOLS, {
  error: 'must be http/protobuf or http/json (OTLP over gRPC is not supported)',
});
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4318' });

/**
 * The standard OpenTelemetry variables that decide whether and where the apps export traces. The exporter reads
 * the others it knows itself (`OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT`, `_COMPRESSION`, `OTEL_BSP_*`,
 * `OTEL_TRACES_SAMPLER`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_PROPAGATORS`). A plain `z.object` for apps to extend.
 */
export const tracingEnvSchema = z.object({
  OTEL_SDK_DISABLED: z.stringbool().optional(),
  /** `none` turns tracing off; `otlp` turns it on, at the specification's default endpoint when none is set. */
  OTEL_TRACES_EXPORTER: z
    .enum(['otlp', 'none'], { error: 'must be otlp or none (the console and zipkin exporters are not included)' })
    .optional(),
  /** Base URL; traces go to `<base>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  /** Full URL for traces; wins over the base URL. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});
export type TracingEnv = z.infer<typeof tracingEnvSchema>;

/** Where and how spans are exported; see {@link tracingSettingsFromEnv}. */
export interface TracingSettings {
  /** `service.name` of every span this process exports. */
  serviceName: string;
  /** The OTLP/HTTP traces URL, `/v1/traces` included. */
  endpoint: string;
  protocol: OtlpProtocol;
}

/** The OpenTelemetry specification's default OTLP/HTTP traces endpoint. */
const DEFAULT_TRACES_ENDPOINT = 'http://localhost:4318/v1/traces';

/**
 * Tracing is off unless an OTLP endpoint is configured or `OTEL_TRACES_EXPORTER=otlp` asks for the default one, and
 * off whenever `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. (The specification defaults the exporter to
 * `otlp`; here an unset exporter with no endpoint means off, so an app never sends spans nobody asked for.) The
 * signal-specific variables win over the general ones, as the OpenTelemetry specification says.
 *
 * @returns undefined when tracing is off.
 */
export function tracingSettingsFromEnv(env: TracingEnv, defaultServiceName: string): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED === true || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const endpoint =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
      ? undefined
      : `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`) ??
    (env.OTEL_TRACES_EXPORTER === 'otlp' ? DEFAULT_TRACES_ENDPOINT : undefined);
  if (endpoint === undefined) return undefined;
  return {
    serviceName: env.OTEL_SERVICE_NAME ?? defaultServiceName,
    endpoint,
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
  };
}
