import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { DRAFT_CHANGED, NOT_AWAITING_APPROVAL, STATUS_MEMO_KEY } from '@research/contracts';
import type { ApprovalRequest, Draft, PublishedStatus } from '@research/contracts';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { issueLinkToken, readLinkToken } from '../src/approval-links/link-token.js';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import { FakeTemporal } from './fake-temporal.js';
import { GATEWAY_TEST_TIMEOUTS, VALID_REQUEST, bearer, problemOf, testApiKey, testApp, testConfig } from './support.js';

const SECRET = 'a-test-secret-of-more-than-32-bytes-0123456789';
const ana = testApiKey('ana', ['research:submit', 'research:read', 'research:approve']);
const SHA = 'd'.repeat(64);
const DRAFT: Draft = {
  summary: 'Durable <b>execution</b> survives crashes.',
  model: 'stub',
  usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
  version: 1,
  sha256: SHA,
};
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * The real gateway over the fake Temporal, with a pipeline ana submitted awaiting approval. The fake update behaves
 * like the workflow's: one decision only (NotAwaitingApproval after), the named draft must be the current one.
 */
async function setup(t: TestContext, env: Record<string, string> = { APPROVAL_LINK_SECRET: SECRET }) {
  const config = testConfig({
    API_KEYS: JSON.stringify([ana.entry]),
    PUBLIC_BASE_URL: 'https://research.example.com/',
    ...env,
  });
  const temporal = new FakeTemporal();
  const gateway = createTemporalGateway(temporal, {
    ...GATEWAY_TEST_TIMEOUTS,
  });
  const app = testApp(t, gateway, { config });
  const started = await app.inject({
    method: 'POST',
    url: '/research',
    headers: bearer(ana.key),
    payload: VALID_REQUEST,
  });
  const { workflowId } = started.json<{ workflowId: string }>();
  const execution = temporal.executions.get(workflowId)!;
  const status = (): PublishedStatus => execution.memo[STATUS_MEMO_KEY] as PublishedStatus;
  execution.memo[STATUS_MEMO_KEY] = { stage: 'awaiting_approval', draft: DRAFT } satisfies PublishedStatus;
  const received: ApprovalRequest[] = [];
  execution.update = async (request) => {
    const fail = (message: string, type: string) => {
      throw new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable(message, type));
    };
    if (status().stage !== 'awaiting_approval') fail('A decision was already taken.', NOT_AWAITING_APPROVAL);
    if (request.draftSha256 !== undefined && request.draftSha256 !== status().draft?.sha256) {
      fail('The decision names a draft other than the current one.', DRAFT_CHANGED);
    }
    received.push(request);
    execution.memo[STATUS_MEMO_KEY] = { ...status(), stage: 'saving' };
    return {
      approved: request.approved,
      comment: request.comment ?? null,
      reviewer: request.decidedBy?.id ?? null,
      decidedAt: '2025-01-01T00:03:00.000Z',
    };
  };
  const issue = (reviewer: Record<string, string> = { id: 'ben', name: 'Ben <Reviewer>' }) =>
    app.inject({
      method: 'POST',
      url: `/workflows/${workflowId}/approval-links`,
      headers: bearer(ana.key),
      payload: { reviewer },
    });
  const pathOf = (url: string) => new URL(url).pathname;
  return { app, execution, workflowId, received, issue, pathOf };
}

describe('approval links', () => {
  test('issues a link bound to the workflow, the draft and the reviewer, under PUBLIC_BASE_URL', async (t) => {
    const { issue, workflowId } = await setup(t);
    const response = await issue();
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json<{ url: string; draftSha256: string; reviewer: unknown; expiresAt: string }>();
    assert.match(body.url, /^https:\/\/research\.example\.com\/approval-links\/[\w-]+\.[\w-]{43}$/);
    assert.equal(body.draftSha256, SHA);
    assert.deepEqual(body.reviewer, { id: 'ben', name: 'Ben <Reviewer>' });
    const token = body.url.split('/').pop() ?? '';
    const check = readLinkToken(SECRET, token);
    assert.ok(check.ok);
    assert.equal(check.claims.workflowId, workflowId);
    assert.ok(Math.abs(Date.parse(body.expiresAt) - (Date.now() + 72 * 3_600_000)) < 5_000, 'APPROVAL_LINK_TTL 72h');
  });

  test('shows a confirmation page that decides nothing, with a strict CSP and the draft escaped', async (t) => {
    const { app, issue, pathOf, received } = await setup(t);
    const url = (await issue()).json<{ url: string }>().url;
    for (let i = 0; i < 2; i++) {
      const page = await app.inject({ method: 'GET', url: pathOf(url) });
      assert.equal(page.statusCode, 200, page.body);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.match(page.body, /<form method="post">/);
      assert.match(page.body, /Durable &lt;b&gt;execution&lt;\/b&gt; survives crashes\./);
      assert.match(page.body, /Ben &lt;Reviewer&gt;/);
      assert.doesNotMatch(page.body, /<script/i);
    }
    assert.deepEqual(received, [], 'opening the link (as mail scanners do) takes no decision');
  });

  test('a posted form decides as the link reviewer with method link, once; the second use is 409', async (t) => {
    const { app, issue, pathOf, received } = await setup(t);
    const url = (await issue()).json<{ url: string }>().url;
    const decide = () =>
      app.inject({ method: 'POST', url: pathOf(url), headers: FORM, payload: 'decision=reject&comment=wrong+source' });
    const first = await decide();
    assert.equal(first.statusCode, 200, first.body);
    assert.match(first.body, /Rejected/);
    assert.deepEqual(received, [
      {
        approved: false,
        comment: 'wrong source',
        draftSha256: SHA,
        decidedBy: { id: 'ben', name: 'Ben <Reviewer>' },
        via: { method: 'link', requestId: first.headers['x-request-id'] },
      },
    ]);
    const again = await decide();
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(problemOf(again).code, 'NOT_AWAITING_APPROVAL');
    const page = await app.inject({ method: 'GET', url: pathOf(url) });
    assert.equal(page.statusCode, 409);
    assert.equal(received.length, 1);
  });

  test('answers 412 to opening or using a link once the draft changed', async (t) => {
    const { app, issue, pathOf, execution, received } = await setup(t);
    const url = (await issue()).json<{ url: string }>().url;
    execution.memo[STATUS_MEMO_KEY] = { stage: 'awaiting_approval', draft: { ...DRAFT, sha256: 'e'.repeat(64) } };
    const page = await app.inject({ method: 'GET', url: pathOf(url) });
    assert.equal(page.statusCode, 412);
    assert.equal(problemOf(page).code, 'DRAFT_CHANGED');
    const post = await app.inject({ method: 'POST', url: pathOf(url), headers: FORM, payload: 'decision=approve' });
    assert.equal(post.statusCode, 412);
    assert.equal(problemOf(post).code, 'DRAFT_CHANGED');
    assert.deepEqual(received, []);
  });

  test('answers 410 to an expired link and 404 to an altered or foreign one', async (t) => {
    const { app, workflowId, received } = await setup(t);
    const reviewer = { id: 'ben', name: 'Ben' };
    const expired = issueLinkToken(SECRET, { workflowId, draftSha256: SHA, reviewer, expiresAt: 1 }).token;
    const gone = await app.inject({
      method: 'POST',
      url: `/approval-links/${expired}`,
      headers: FORM,
      payload: 'decision=approve',
    });
    assert.equal(gone.statusCode, 410);
    assert.equal(problemOf(gone).code, 'APPROVAL_LINK_EXPIRED');
    assert.equal((await app.inject({ method: 'GET', url: `/approval-links/${expired}` })).statusCode, 410);

    const valid = issueLinkToken(SECRET, { workflowId, draftSha256: SHA, reviewer, expiresAt: 4_102_444_800 }).token;
    const [payload, signature] = valid.split('.');
    const forged = issueLinkToken('another-secret-of-more-than-32-bytes-0000000', {
      workflowId,
      draftSha256: SHA,
      reviewer: { id: 'mallory', name: 'M' },
      expiresAt: 4_102_444_800,
    }).token;
    const altered = `${Buffer.from(
      Buffer.from(payload ?? '', 'base64url')
        .toString()
        .replace('"ben"', '"eve"'),
    ).toString('base64url')}.${signature}`;
    for (const token of [forged, altered, 'not-a-token']) {
      const response = await app.inject({ method: 'GET', url: `/approval-links/${token}` });
      assert.equal(response.statusCode, 404, token);
      assert.equal(problemOf(response).code, 'APPROVAL_LINK_INVALID');
    }
    assert.deepEqual(received, []);
  });

  test('refuses to issue a link for the submitter while four-eyes is on', async (t) => {
    const { issue } = await setup(t);
    const response = await issue({ id: 'ana' });
    assert.equal(response.statusCode, 403);
    assert.equal(problemOf(response).code, 'SELF_APPROVAL_FORBIDDEN');
  });

  test('answers 501 APPROVAL_LINKS_DISABLED on every link route without APPROVAL_LINK_SECRET', async (t) => {
    const { app, issue, workflowId } = await setup(t, {});
    const issued = await issue();
    assert.equal(issued.statusCode, 501);
    assert.equal(problemOf(issued).code, 'APPROVAL_LINKS_DISABLED');
    const token = issueLinkToken(SECRET, {
      workflowId,
      draftSha256: SHA,
      reviewer: { id: 'ben', name: 'Ben' },
      expiresAt: 4_102_444_800,
    }).token;
    assert.equal((await app.inject({ method: 'GET', url: `/approval-links/${token}` })).statusCode, 501);
  });

  test('takes form bodies only on the link routes: a form posted to /research is 415', async (t) => {
    const { app } = await setup(t);
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      headers: { ...bearer(ana.key), ...FORM },
      payload: 'topic=x&sourceUrl=https%3A%2F%2Fexample.com',
    });
    assert.equal(response.statusCode, 415);
  });
});
