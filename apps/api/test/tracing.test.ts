import assert from 'node:assert/strict';
import { afterEach, before, describe, test } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { waitFor } from '@research/testkit';
import { VALID_REQUEST, stubGateway, testApp } from './support.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');

before(() => {
  // Global, as startTracing does: W3C propagation and async-local context are what the plugin relies on.
  provider.register();
});
afterEach(() => exporter.reset());

/** The span ends in onResponse, which may run just after inject() resolved. */
const spanNamed = (name: string): Promise<ReadableSpan> =>
  waitFor(() => exporter.getFinishedSpans().find((span) => span.name === name), { description: `span ${name}` });

const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';

describe('request spans', () => {
  test('POST /research continues the caller trace in a server span, and the gateway runs inside it', async (t) => {
    let active: SpanContext | undefined;
    const app = testApp(
      t,
      stubGateway({
        startResearch: async () => {
          active = trace.getActiveSpan()?.spanContext();
          return { created: true, workflowId: 'research-1', runId: 'run-1', status: 'RUNNING', stage: 'queued' };
        },
      }),
      { tracer },
    );
    const response = await app.inject({
      method: 'POST',
      url: '/research?verbose=1',
      payload: VALID_REQUEST,
      headers: { traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01` },
    });
    assert.equal(response.statusCode, 202);

    const span = await spanNamed('POST /research');
    assert.equal(span.kind, SpanKind.SERVER);
    assert.equal(span.spanContext().traceId, CALLER_TRACE_ID);
    assert.equal(span.parentSpanId, CALLER_SPAN_ID);
    assert.equal(active?.spanId, span.spanContext().spanId, 'the gateway call runs in the request span');
    assert.deepEqual(
      {
        method: span.attributes['http.request.method'],
        route: span.attributes['http.route'],
        path: span.attributes['url.path'],
        status: span.attributes['http.response.status_code'],
      },
      { method: 'POST', route: '/research', path: '/research', status: 202 },
    );
    assert.equal(span.status.code, SpanStatusCode.UNSET);
  });

  test('a 5xx marks the span as an error with the exception; a 404 is named by its method alone', async (t) => {
    const app = testApp(
      t,
      stubGateway({
        startResearch: () => Promise.reject(new Error('boom')),
      }),
      { tracer },
    );
    assert.equal((await app.inject({ method: 'POST', url: '/research', payload: VALID_REQUEST })).statusCode, 500);
    const failed = await spanNamed('POST /research');
    assert.equal(failed.status.code, SpanStatusCode.ERROR);
    assert.equal(failed.attributes['http.response.status_code'], 500);
    assert.ok(failed.events.some((event) => event.name === 'exception'));
    assert.equal(failed.parentSpanId, undefined, 'a request without traceparent starts a trace');

    assert.equal((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode, 404);
    const missing = await spanNamed('GET');
    assert.equal(missing.status.code, SpanStatusCode.UNSET);
    assert.equal(missing.attributes['http.route'], undefined);
  });

  test('no tracer, no spans', async (t) => {
    const app = testApp(t, stubGateway({ ready: async () => undefined }));
    await app.inject({ method: 'GET', url: '/nowhere' });
    assert.deepEqual(exporter.getFinishedSpans(), []);
  });
});
