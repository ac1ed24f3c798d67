import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { REVISIONS_EXHAUSTED, STATUS_MEMO_KEY } from '@research/contracts';
import type { ApprovalRequest } from '@research/contracts';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import { FakeTemporal } from './fake-temporal.js';
import { GATEWAY_TEST_TIMEOUTS, VALID_REQUEST, problemOf, testApp } from './support.js';

const DRAFT = { summary: 'A summary.', model: 'stub', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } };

/** The real gateway over the fake Temporal, whose update refuses revisions after `allowed` the way the workflow does. */
async function setup(t: TestContext, allowed = 1) {
  const temporal = new FakeTemporal();
  const app = testApp(t, createTemporalGateway(temporal, GATEWAY_TEST_TIMEOUTS));
  const started = await app.inject({ method: 'POST', url: '/research', payload: VALID_REQUEST });
  const { workflowId } = started.json<{ workflowId: string }>();
  const execution = temporal.executions.get(workflowId)!;
  execution.memo[STATUS_MEMO_KEY] = { stage: 'awaiting_approval', draft: DRAFT };
  const received: ApprovalRequest[] = [];
  execution.update = async (request) => {
    if (request.revise === true && received.filter((r) => r.revise).length >= allowed) {
      const cause = ApplicationFailure.nonRetryable(
        `The draft was already revised ${allowed} time, the most this pipeline allows (maxRevisions ${allowed}); approve or reject it.`,
        REVISIONS_EXHAUSTED,
      );
      throw new WorkflowUpdateFailedError('Workflow Update failed', cause);
    }
    received.push(request);
    return {
      approved: request.approved,
      comment: request.comment ?? null,
      reviewer: null,
      decidedAt: '2025-01-01T00:03:00.000Z',
      ...(request.revise === true ? { revise: true } : {}),
      ...(request.editedSummary !== undefined ? { edited: true } : {}),
    };
  };
  const approve = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/workflows/${workflowId}/approve`, payload });
  return { approve, received, workflowId };
}

describe('POST /workflows/:id/approve: revise and edit', () => {
  test('passes a revision to the workflow and answers its decision; past maxRevisions 409 REVISIONS_EXHAUSTED', async (t) => {
    const { approve, received, workflowId } = await setup(t);
    const first = await approve({ approved: false, revise: true, comment: 'Cite the second source.' });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json<{ revise?: boolean }>().revise, true);
    assert.deepEqual(received[0], {
      approved: false,
      revise: true,
      comment: 'Cite the second source.',
      via: { method: 'open', requestId: received[0]?.via?.requestId ?? null },
    });
    const second = await approve({ approved: false, revise: true, comment: 'Again.' });
    assert.equal(second.statusCode, 409);
    const problem = problemOf(second);
    assert.equal(problem.code, 'REVISIONS_EXHAUSTED');
    assert.equal(problem.instance, `/workflows/${workflowId}/approve`);
    assert.match(problem.detail ?? '', /already revised 1 time, the most this pipeline allows/);
  });

  test('passes an edited summary with the approval', async (t) => {
    const { approve, received } = await setup(t);
    const response = await approve({ approved: true, editedSummary: 'My words.' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<{ edited?: boolean }>().edited, true);
    assert.equal(received[0]?.editedSummary, 'My words.');
  });

  test('returns 400 for a revision without a comment and for an edit that rejects', async (t) => {
    const { approve, received } = await setup(t);
    const noComment = await approve({ approved: false, revise: true });
    assert.equal(noComment.statusCode, 400);
    assert.deepEqual(
      problemOf(noComment).errors?.map((e) => e.pointer),
      ['/comment'],
    );
    const rejectedEdit = await approve({ approved: false, editedSummary: 'x' });
    assert.equal(rejectedEdit.statusCode, 400);
    assert.deepEqual(
      problemOf(rejectedEdit).errors?.map((e) => e.pointer),
      ['/editedSummary'],
    );
    assert.equal(received.length, 0);
  });
});
