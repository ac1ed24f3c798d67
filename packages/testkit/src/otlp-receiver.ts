import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, startLoopbackServer } from './http-server.js';

/** A span as an OTLP/HTTP receiver got it, flattened: ids in hex, attribute values unwrapped. */
export interface ReceivedSpan {
  /** `service.name` of the resource that exported the span. */
  service: string | undefined;
  name: string;
  traceId: string;
  spanId: string;
  /** Undefined for a trace's root span. */
  parentSpanId: string | undefined;
  /** OTLP `SpanKind`: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`, for `OTEL_EXPORTER_OTLP_ENDPOINT` (exporters append `/v1/traces`). */
  url: string;
  /** Every span received so far, in arrival order. */
  readonly spans: readonly ReceivedSpan[];
  close(): Promise<void>;
}

// The OTLP/JSON shapes this receiver reads (opentelemetry-proto's JSON mapping).
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface ExportTraceServiceRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        name: string;
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        kind?: number;
        attributes?: KeyValue[];
      }[];
    }[];
  }[];
}

function unwrap(value: AnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, unwrap(value)]));
}

function flatten(request: ExportTraceServiceRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = attributesOf(resourceSpans.resource?.attributes)['service.name'];
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service: typeof service === 'string' ? service : undefined,
        name: span.name,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        kind: span.kind ?? 0,
        attributes: attributesOf(span.attributes),
      })),
    );
  });
}

/**
 * Starts an OTLP/HTTP trace receiver on 127.0.0.1 that accepts the JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=
 * http/json`) at `POST /v1/traces` and keeps every span. Anything else gets 404 or 415. Close it in `after`.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    if (!req.headers['content-type']?.startsWith('application/json')) {
      res.writeHead(415).end();
      return;
    }
    spans.push(...flatten(JSON.parse(await readBody(req)) as ExportTraceServiceRequest));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };
  const server = await startLoopbackServer(handle);
  return { url: server.origin, spans, close: () => server.close() };
}
