import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RESEARCH_SEARCH_ATTRIBUTES } from '@research/contracts';
import { loadConfig } from '../src/config.js';
import { IdempotencyKeyReusedError, RunningLimitError, TemporalUnavailableError } from '../src/temporal/errors.js';
import { runningPipelinesQuery } from '../src/temporal/list-query.js';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import { FakeTemporal, grpcError } from './fake-temporal.js';
import { GATEWAY_TEST_TIMEOUTS, VALID_REQUEST, bearer, problemOf, testApiKey, testApp, testConfig } from './support.js';

const ana = { id: 'ana', name: 'Ana' };

function setup(maxRunningPerCaller: number | undefined) {
  const temporal = new FakeTemporal();
  const gateway = createTemporalGateway(temporal, { ...GATEWAY_TEST_TIMEOUTS, maxRunningPerCaller });
  return { temporal, gateway };
}

describe('running pipelines per caller (MAX_RUNNING_PER_CALLER)', () => {
  test('counts the caller running research pipelines by submitter, with the id escaped as a query literal', () => {
    assert.equal(
      runningPipelinesQuery(`o'brien\\x`),
      `WorkflowType = 'research' AND ExecutionStatus = 'Running' AND ResearchSubmitter = 'o\\'brien\\\\x'`,
    );
    // Open mode identifies nobody: one bucket, every running pipeline.
    assert.equal(runningPipelinesQuery(undefined), `WorkflowType = 'research' AND ExecutionStatus = 'Running'`);
  });

  test('starts while the caller is under the cap, and records the submitter search attribute at start', async () => {
    const { temporal, gateway } = setup(2);
    temporal.count = 1;
    const started = await gateway.startResearch(VALID_REQUEST, { submittedBy: ana });
    assert.equal(started.created, true);
    assert.deepEqual(temporal.counts, [runningPipelinesQuery('ana')]);
    assert.deepEqual(temporal.starts[0]?.options.typedSearchAttributes, [
      { key: RESEARCH_SEARCH_ATTRIBUTES.submitter, value: 'ana' },
    ]);
  });

  test('refuses a new pipeline with RunningLimitError once the caller has the cap running', async () => {
    const { temporal, gateway } = setup(2);
    temporal.count = 2;
    await assert.rejects(gateway.startResearch(VALID_REQUEST, { submittedBy: ana }), (error: unknown) => {
      assert.ok(error instanceof RunningLimitError);
      assert.equal(error.running, 2);
      assert.equal(error.max, 2);
      return true;
    });
    await assert.rejects(gateway.startResearch(VALID_REQUEST, { submittedBy: ana, idempotencyKey: 'new' }), {
      name: 'RunningLimitError',
    });
    assert.equal(temporal.starts.length, 0);
  });

  test('answers a repeated Idempotency-Key as before when the cap is reached (200, or 422 for another body)', async () => {
    const { temporal, gateway } = setup(1);
    const first = await gateway.startResearch(VALID_REQUEST, { submittedBy: ana, idempotencyKey: 'k' });
    temporal.count = 1;
    const again = await gateway.startResearch(VALID_REQUEST, { submittedBy: ana, idempotencyKey: 'k' });
    assert.deepEqual(again, { ...first, created: false });
    await assert.rejects(
      gateway.startResearch({ ...VALID_REQUEST, topic: 'Other' }, { submittedBy: ana, idempotencyKey: 'k' }),
      IdempotencyKeyReusedError,
    );
    assert.equal(temporal.starts.length, 1);
  });

  test('counts nothing without a cap, and open-mode pipelines carry no submitter attribute', async () => {
    const { temporal, gateway } = setup(undefined);
    temporal.count = 1_000;
    await gateway.startResearch(VALID_REQUEST);
    assert.deepEqual(temporal.counts, []);
    assert.equal(temporal.starts[0]?.options.typedSearchAttributes, undefined);
  });

  test('answers TemporalUnavailableError when the count cannot be read', async () => {
    const { temporal, gateway } = setup(1);
    temporal.failure = grpcError(14);
    await assert.rejects(gateway.startResearch(VALID_REQUEST, { submittedBy: ana }), TemporalUnavailableError);
  });

  test('POST /research answers 429 RUNNING_LIMIT_REACHED with Retry-After', async (t) => {
    const key = testApiKey('ana', ['research:submit']);
    const temporal = new FakeTemporal();
    temporal.count = 3;
    const config = testConfig({ API_KEYS: JSON.stringify([key.entry]), MAX_RUNNING_PER_CALLER: '3' });
    const gateway = createTemporalGateway(temporal, {
      ...GATEWAY_TEST_TIMEOUTS,
      maxRunningPerCaller: config.MAX_RUNNING_PER_CALLER,
    });
    const app = testApp(t, gateway, { config });
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      headers: bearer(key.key),
      payload: VALID_REQUEST,
    });
    assert.equal(response.statusCode, 429);
    const problem = problemOf(response);
    assert.equal(problem.code, 'RUNNING_LIMIT_REACHED');
    assert.match(problem.detail, /at most 3 may run at once/);
    assert.equal(response.headers['retry-after'], '60');
    assert.deepEqual(temporal.counts, [runningPipelinesQuery('ana')]);
  });

  test('MAX_RUNNING_PER_CALLER is unset by default and must be a positive integer', () => {
    assert.equal(loadConfig({}).MAX_RUNNING_PER_CALLER, undefined);
    assert.equal(loadConfig({ MAX_RUNNING_PER_CALLER: '5' }).MAX_RUNNING_PER_CALLER, 5);
    assert.throws(() => loadConfig({ MAX_RUNNING_PER_CALLER: '0' }), /MAX_RUNNING_PER_CALLER/);
    assert.throws(() => loadConfig({ MAX_RUNNING_PER_CALLER: 'many' }), /MAX_RUNNING_PER_CALLER/);
  });
});
