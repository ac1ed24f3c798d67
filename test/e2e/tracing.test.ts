// End-to-end: with OTEL_* pointing at an in-process OTLP/HTTP receiver, one pipeline run through the real API and
// worker processes is one trace, from the API's request span down to the worker's activity spans.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOtlpReceiver, waitFor } from '@research/testkit';
import type { OtlpReceiver, ReceivedSpan } from '@research/testkit';
import { runApprovedPipeline } from '../support/approved-pipeline.js';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';

const SERVER = 2;

/** The spans from `span` up to its trace's root, as far as the parents were received. */
function ancestry(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const chain = [span];
  for (let current = span; current.parentSpanId !== undefined;) {
    const parent = spans.find((s) => s.traceId === current.traceId && s.spanId === current.parentSpanId);
    if (parent === undefined) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

/**
 * `prebuiltBundle`: the worker loads a bundle built once by `build:bundle` (the production image) or bundles the
 * workflows at start-up (`npm start`); the workflow interceptor module must be in both.
 */
function describeTracing(prebuiltBundle: boolean): void {
  describe(`traces, ${prebuiltBundle ? 'prebuilt workflow bundle' : 'workflows bundled at start-up'}`, () => {
    let receiver: OtlpReceiver | undefined;
    let fixture: StackWithFakes | undefined;

    before(
      async () => {
        receiver = await startOtlpReceiver();
        const otel = {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          // Export within 100 ms instead of 5 s, so the test's wait is short.
          OTEL_BSP_SCHEDULE_DELAY: '100',
        };
        // Set only so that saveResult logs a line through Context.log, which must carry the trace id.
        const worker = { ...otel, TEST_ONLY_SAVE_RESULT_DELAY_AFTER_WRITE_MS: '1' };
        fixture = await startStackWithFakes({ env: { api: otel, worker }, prebuiltBundle });
      },
      { timeout: 180_000 },
    );

    after(async () => {
      await fixture?.close();
      await receiver?.close();
    });

    test('POST /research, the workflow start and run and the fetchSource activity are one trace; activity logs carry its id', async () => {
      assert.ok(fixture && receiver);
      const { stack, site } = fixture;
      const id = await runApprovedPipeline(stack, 'Tracing', `${site.url}/article`);

      const spans = receiver.spans;
      const http = await waitFor(
        () => spans.find((s) => s.service === 'research-api' && s.name === 'POST /research' && s.kind === SERVER),
        { timeoutMs: 15_000, description: 'the POST /research span' },
      );
      assert.equal(http.attributes['http.route'], '/research');
      assert.equal(http.attributes['http.response.status_code'], 202);

      // The activity's span arrives once its chain up to the request span is complete.
      const chain = await waitFor(
        () => {
          const activity = spans.find(
            (s) => s.name === 'RunActivity:fetchSource' && s.attributes['temporalWorkflowId'] === id,
          );
          const chain = activity && ancestry(activity, spans);
          return chain?.at(-1)?.spanId === http.spanId ? chain : undefined;
        },
        {
          timeoutMs: 15_000,
          description: `RunActivity:fetchSource descending from POST /research; received ${JSON.stringify(spans.map((s) => s.name))}`,
        },
      );
      assert.deepEqual(
        chain.map((s) => `${s.service} ${s.name}`),
        [
          'research-worker RunActivity:fetchSource',
          'research-worker StartActivity:fetchSource',
          'research-worker RunWorkflow:research',
          'research-api StartWorkflow:research',
          'research-api POST /research',
        ],
      );
      assert.ok(chain.every((s) => s.traceId === http.traceId));
      const activityLog = stack.worker?.output.split('\n').find((line) => line.includes('saveResult wrote the row'));
      assert.match(
        activityLog ?? '',
        new RegExp(`"trace_id":"${http.traceId}"`),
        'Context.log lines carry the trace id',
      );
    });
  });
}

describeTracing(true);
describeTracing(false);
