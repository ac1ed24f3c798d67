import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DecisionRequest } from '@research/contracts';
import {
  DecisionRejectedError,
  NotAwaitingApprovalError,
  TemporalUnavailableError,
  WorkflowNotFoundError,
  WorkflowTimeoutError,
} from '../src/temporal/errors.js';
import { problemOf, sampleView, stubGateway, testApp } from './support.js';

describe('GET /workflows/:id', () => {
  test('returns 200 with the workflow view', async (t) => {
    const view = sampleView({
      retry: {
        activity: 'fetchSource',
        attempt: 3,
        maximumAttempts: null,
        lastFailure: { code: 'SourceUnavailable', message: 'The source answered 503' },
        nextAttemptAt: '2025-01-01T00:01:00.000Z',
      },
    });
    const app = testApp(t, stubGateway({ getWorkflow: async (id) => ({ ...view, workflowId: id }) }));
    const response = await app.inject({ method: 'GET', url: '/workflows/research-1' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), view);
  });

  test('returns a failed workflow with its error', async (t) => {
    const view = sampleView({
      status: 'FAILED',
      stage: 'failed',
      draft: null,
      usage: null,
      error: {
        code: 'SourceHttpClientError',
        message: 'Could not fetch the source: The source answered 404 Not Found',
      },
      closedAt: '2025-01-01T00:02:00.000Z',
    });
    const app = testApp(t, stubGateway({ getWorkflow: async () => view }));
    const response = await app.inject({ method: 'GET', url: '/workflows/research-1' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().error, view.error);
  });

  test('returns 404 for an unknown workflow id', async (t) => {
    const app = testApp(t, stubGateway({ getWorkflow: (id) => Promise.reject(new WorkflowNotFoundError(id)) }));
    const response = await app.inject({ method: 'GET', url: '/workflows/nope' });
    assert.equal(response.statusCode, 404);
    const problem = problemOf(response);
    assert.equal(problem.code, 'WORKFLOW_NOT_FOUND');
    assert.equal(problem.instance, '/workflows/nope');
  });

  test('returns 503 when Temporal is unavailable', async (t) => {
    const app = testApp(t, stubGateway({ getWorkflow: () => Promise.reject(new TemporalUnavailableError()) }));
    const response = await app.inject({ method: 'GET', url: '/workflows/research-1' });
    assert.equal(response.statusCode, 503);
    assert.equal(problemOf(response).code, 'TEMPORAL_UNAVAILABLE');
  });
});

describe('POST /workflows/:id/approve', () => {
  const decision = { approved: true, comment: 'Good', reviewer: 'ada' };

  test('returns 200 with the accepted decision', async (t) => {
    const received: [string, DecisionRequest][] = [];
    const app = testApp(
      t,
      stubGateway({
        approve: async (id, request) => {
          received.push([id, request]);
          return { approved: true, comment: 'Good', reviewer: 'ada', decidedAt: '2025-01-01T00:03:00.000Z' };
        },
      }),
    );
    const response = await app.inject({ method: 'POST', url: '/workflows/research-1/approve', payload: decision });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { ...decision, decidedAt: '2025-01-01T00:03:00.000Z' });
    assert.deepEqual(received, [['research-1', decision]]);
  });

  test('returns 409 when the workflow is not awaiting approval', async (t) => {
    const app = testApp(
      t,
      stubGateway({
        approve: (id) =>
          Promise.reject(
            new NotAwaitingApprovalError(id, 'The pipeline is not awaiting approval (its stage is fetching).'),
          ),
      }),
    );
    const response = await app.inject({ method: 'POST', url: '/workflows/research-1/approve', payload: decision });
    assert.equal(response.statusCode, 409);
    const problem = problemOf(response);
    assert.equal(problem.code, 'NOT_AWAITING_APPROVAL');
    assert.match(problem.detail, /stage is fetching/);
  });

  test('returns 409 DECISION_REJECTED when the update handler refuses for another reason', async (t) => {
    const app = testApp(t, stubGateway({ approve: (id) => Promise.reject(new DecisionRejectedError(id, 'no')) }));
    const response = await app.inject({ method: 'POST', url: '/workflows/research-1/approve', payload: decision });
    assert.equal(response.statusCode, 409);
    assert.equal(problemOf(response).code, 'DECISION_REJECTED');
  });

  test('returns 404 for an unknown workflow id', async (t) => {
    const app = testApp(t, stubGateway({ approve: (id) => Promise.reject(new WorkflowNotFoundError(id)) }));
    const response = await app.inject({ method: 'POST', url: '/workflows/nope/approve', payload: decision });
    assert.equal(response.statusCode, 404);
    assert.equal(problemOf(response).code, 'WORKFLOW_NOT_FOUND');
  });

  test('returns 504 when no worker handles the update in time', async (t) => {
    const app = testApp(t, stubGateway({ approve: (id) => Promise.reject(new WorkflowTimeoutError(id)) }));
    const response = await app.inject({ method: 'POST', url: '/workflows/research-1/approve', payload: decision });
    assert.equal(response.statusCode, 504);
    assert.equal(problemOf(response).code, 'WORKFLOW_TIMEOUT');
  });

  test('returns 400 for an invalid decision', async (t) => {
    const app = testApp(t, stubGateway());
    const response = await app.inject({
      method: 'POST',
      url: '/workflows/research-1/approve',
      payload: { approved: 'yes', reviewer: '' },
    });
    assert.equal(response.statusCode, 400);
    const problem = problemOf(response);
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.deepEqual(problem.errors?.map((e) => e.pointer).sort(), ['/approved', '/reviewer']);
  });
});
