import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Decision } from '@research/contracts';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { createApiMetrics } from '../src/metrics/api-metrics.js';
import type { ApiMetrics } from '../src/metrics/api-metrics.js';
import { instrumentPort } from '../src/metrics/instrumented-port.js';
import { startMetricsServer } from '../src/metrics/metrics-server.js';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import { FakeTemporal } from './fake-temporal.js';
import { GATEWAY_TEST_TIMEOUTS, VALID_REQUEST, testApp, testConfig } from './support.js';

/** The value of one labelled series of a counter or of a histogram's `_count`. */
async function countOf(metrics: ApiMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, `metric ${name} exists`);
  const { values } = await metric.get();
  const matching = values.filter((v) => {
    // A counter's series have no metricName; a histogram's count series is `<name>_count`.
    const series = 'metricName' in v ? v.metricName : undefined;
    return (
      (series === undefined || series === `${name}_count`) &&
      Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value)
    );
  });
  return matching.reduce((sum, v) => sum + v.value, 0);
}

function setup(t: Parameters<typeof testApp>[0], configOverrides: Record<string, string> = {}) {
  const metrics = createApiMetrics();
  const temporal = new FakeTemporal();
  const gateway = createTemporalGateway(instrumentPort(temporal, metrics), {
    ...GATEWAY_TEST_TIMEOUTS,
  });
  const app = testApp(t, gateway, { metrics, config: testConfig(configOverrides) });
  return { app, temporal, metrics };
}

describe('API metrics', () => {
  test('GET /metrics serves request durations by route template and status, in the Prometheus text format', async (t) => {
    const { app, metrics } = setup(t);
    assert.equal((await app.inject({ method: 'GET', url: '/workflows/research-missing' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/workflows/research-other' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/no-such-route' })).statusCode, 404);

    const labels = { method: 'GET', route: '/workflows/:id', status_code: '404' };
    assert.equal(await countOf(metrics, 'http_request_duration_seconds', labels), 2);
    assert.equal(
      await countOf(metrics, 'http_request_duration_seconds', { route: 'unmatched', status_code: '404' }),
      1,
    );

    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(
      response.body,
      /^http_request_duration_seconds_count\{method="GET",route="\/workflows\/:id",status_code="404"\} 2$/m,
    );
    assert.match(response.body, /^process_cpu_seconds_total \d/m);
  });

  test('times every Temporal call by operation and outcome, naming the error class of a failed one', async (t) => {
    const { app, metrics } = setup(t);
    const started = await app.inject({ method: 'POST', url: '/research', payload: VALID_REQUEST });
    assert.equal(started.statusCode, 202);
    await app.inject({ method: 'GET', url: '/workflows/research-missing' });

    assert.equal(
      await countOf(metrics, 'temporal_client_call_duration_seconds', { operation: 'start', outcome: 'ok' }),
      1,
    );
    assert.equal(
      await countOf(metrics, 'temporal_client_call_duration_seconds', {
        operation: 'describe',
        outcome: 'WorkflowNotFoundError',
      }),
      1,
    );
  });

  test('counts pipelines started, telling a new pipeline from one its idempotency key already started', async (t) => {
    const { app, metrics } = setup(t);
    const post = () =>
      app.inject({ method: 'POST', url: '/research', payload: VALID_REQUEST, headers: { 'idempotency-key': 'k-1' } });
    assert.equal((await post()).statusCode, 202);
    assert.equal((await post()).statusCode, 200);
    assert.equal(await countOf(metrics, 'research_pipelines_started_total', { result: 'created' }), 1);
    assert.equal(await countOf(metrics, 'research_pipelines_started_total', { result: 'existing' }), 1);
  });

  test('counts decisions by outcome: approved, rejected and refused', async (t) => {
    const { app, temporal, metrics } = setup(t);
    const started = await app.inject({ method: 'POST', url: '/research', payload: VALID_REQUEST });
    const { workflowId } = started.json<{ workflowId: string }>();
    const execution = temporal.executions.get(workflowId);
    assert.ok(execution);
    let decided = false;
    execution.update = async (request) => {
      if (decided) {
        throw new WorkflowUpdateFailedError(
          'refused',
          ApplicationFailure.nonRetryable('A decision was already taken.', 'NotAwaitingApproval'),
        );
      }
      decided = true;
      const decision: Decision = {
        approved: request.approved,
        comment: null,
        reviewer: null,
        decidedAt: new Date().toISOString(),
      };
      return decision;
    };
    const decide = (approved: boolean) =>
      app.inject({ method: 'POST', url: `/workflows/${workflowId}/approve`, payload: { approved } });
    assert.equal((await decide(false)).statusCode, 200);
    assert.equal((await decide(true)).statusCode, 409);
    decided = false;
    assert.equal((await decide(true)).statusCode, 200);

    assert.equal(await countOf(metrics, 'research_decisions_total', { outcome: 'rejected' }), 1);
    assert.equal(await countOf(metrics, 'research_decisions_total', { outcome: 'refused' }), 1);
    assert.equal(await countOf(metrics, 'research_decisions_total', { outcome: 'approved' }), 1);
  });

  test('with METRICS_PORT, /metrics leaves the public port and is served on its own listener', async (t) => {
    const { app, metrics } = setup(t, { METRICS_PORT: '0' });
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
    await app.inject({ method: 'GET', url: '/healthz' });

    const { server, port } = await startMetricsServer(metrics.registry, '127.0.0.1', 0);
    t.after(() => server.close());
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(scrape.status, 200);
    assert.match(await scrape.text(), /^http_request_duration_seconds_count\{method="GET",route="\/healthz"/m);
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status, 405);
  });
});
