// End-to-end: the API's and the worker's metrics endpoints, scraped as Prometheus would, after one pipeline ran
// through the real processes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findFreePort } from '@research/testkit';
import { runApprovedPipeline } from '../support/approved-pipeline.js';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { request } from '../support/stack.js';

let fixture: StackWithFakes | undefined;
let apiMetricsPort: number;
let workerMetricsPort: number;

before(
  async () => {
    [apiMetricsPort, workerMetricsPort] = [await findFreePort(), await findFreePort()];
    fixture = await startStackWithFakes({
      env: {
        api: { METRICS_PORT: String(apiMetricsPort) },
        worker: { WORKER_METRICS_PORT: String(workerMetricsPort) },
      },
    });
  },
  { timeout: 180_000 },
);

after(() => fixture?.close());

async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

/** The value of the first sample whose name and labels match, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const matches = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (matches) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics', () => {
  test('a completed pipeline shows in the API metrics on METRICS_PORT and the worker metrics on WORKER_METRICS_PORT', async () => {
    assert.ok(fixture);
    const { stack, site } = fixture;
    await runApprovedPipeline(stack, 'Observability', `${site.url}/article`);

    assert.equal((await request(stack.apiUrl, 'GET', '/metrics')).status, 404, 'metrics are off the public port');
    const api = await scrape(apiMetricsPort);
    assert.equal(sample(api, 'research_pipelines_started_total', { result: 'created' }), 1);
    assert.equal(sample(api, 'research_decisions_total', { outcome: 'approved' }), 1);
    assert.equal(
      sample(api, 'http_request_duration_seconds_count', { route: '/research', status_code: '202' }),
      1,
      api,
    );
    assert.ok(
      (sample(api, 'temporal_client_call_duration_seconds_count', { operation: 'update', outcome: 'ok' }) ?? 0) >= 1,
    );

    const worker = await scrape(workerMetricsPort);
    for (const activity of ['fetchSource', 'writeDraft', 'saveResult']) {
      assert.equal(
        sample(worker, 'research_activity_outcomes_total', { activity, outcome: 'completed' }),
        1,
        `${activity} completed once\n${worker}`,
      );
    }
    // The SDK's own metrics are exported beside ours.
    assert.match(worker, /^temporal_workflow_completed_total\{/m);
    // Tracing is off here, yet the bundle's OpenTelemetry workflow interceptor calls its sink: it must be registered.
    assert.doesNotMatch(stack.worker?.output ?? '', /unregistered external sink/);
  });
});
