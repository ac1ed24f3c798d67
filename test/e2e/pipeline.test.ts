// End-to-end: the real embedded Temporal server, worker and API processes on loopback, a fake LLM and a fake
// content site, driven only over HTTP. Tests run in order and share the fake LLM, so each one that scripts
// the LLM has it to itself; the result table is read back in the last test (PGlite needs the worker stopped).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Stage } from '@research/contracts';
import type { Decision, DecisionReceipt, ResearchResult } from '@research/contracts';
import type { Problem, WorkflowView } from '@research/api';
import {
  FAKE_ARTICLE,
  FAKE_ARTICLE_HTML,
  FAKE_SITE_SECRET,
  fakeDraft,
  type FakeLlm,
  type FakeLlmCall,
  type FakeSite,
} from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { STACK_CALLERS, type Stack, callerName, request, waitForWorkflow } from '../support/stack.js';
import { ISO_INSTANT, assertProblem, assertStagesInOrder, startResearch as startResearchAt } from './assertions.js';

let llm: FakeLlm;
let site: FakeSite;
let stack: Stack;
/** Workflows whose result must be in the result table, with the result the API reported. */
const saved = new Map<string, ResearchResult>();
/** Workflows that must have no row. */
const unsaved: string[] = [];
/** Receipts `GET /workflows/:id/audit` answered, which must be in the research_decisions chain. */
const receipts: DecisionReceipt[] = [];
const LINK_SECRET = 'e2e-approval-link-secret-of-at-least-32-bytes';
/** The stack's reviewer: with authentication on, every decision by API key names them. */
const REVIEWER = STACK_CALLERS.reviewer.id;
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let fixture: StackWithFakes | undefined;

before(
  async () => {
    const started = await startStackWithFakes({ env: { api: { APPROVAL_LINK_SECRET: LINK_SECRET } } });
    fixture = started;
    ({ llm, site, stack } = started);
  },
  { timeout: 180_000 },
);

after(() => fixture?.close());

const startResearch = (body: Record<string, unknown>): Promise<string> => startResearchAt(stack.apiUrl, body);

function getWorkflow(id: string): Promise<{ status: number; body: WorkflowView }> {
  return request<WorkflowView>(stack.apiUrl, 'GET', `/workflows/${id}`);
}

/** A decision on 200, a problem otherwise. */
const approve = (id: string, body: Record<string, unknown>) =>
  request<Decision & Partial<Problem>>(stack.apiUrl, 'POST', `/workflows/${id}/approve`, { body });

/** Polls until the pipeline awaits approval, recording every stage seen on the way. */
async function untilAwaitingApproval(id: string, seen: Stage[] = []): Promise<WorkflowView> {
  return waitForWorkflow<WorkflowView>(
    stack.apiUrl,
    id,
    (workflow) => {
      if (seen.at(-1) !== workflow.stage) seen.push(workflow.stage);
      return workflow.stage === 'awaiting_approval';
    },
    { description: `workflow ${id} awaiting approval` },
  );
}

const untilClosed = (id: string): Promise<WorkflowView> =>
  waitForWorkflow<WorkflowView>(stack.apiUrl, id, (workflow) => workflow.status !== 'RUNNING', {
    description: `workflow ${id} closed`,
  });

/** The LLM calls whose prompt names `sourceUrl` (the prompt carries the source URL after redirects). */
const callsFor = (sourceUrl: string): FakeLlmCall[] =>
  llm.calls.filter((call) => JSON.stringify(call.body.messages).includes(`Source URL: ${sourceUrl}\\n`));

interface UncheckedPoint {
  text: string;
  citations: { source: number; quote: string }[];
}

/** sha256 of a structured draft: its summary and points as the LLM wrote them, in a fixed key order. */
const draftSha256 = (draft: { summary: string; points?: UncheckedPoint[] }): string =>
  sha256(
    JSON.stringify({
      summary: draft.summary,
      points: (draft.points ?? []).map((p) => ({
        text: p.text,
        citations: p.citations.map((c) => ({ source: c.source, quote: c.quote })),
      })),
    }),
  );

/**
 * The draft the fake LLM's deterministic answer to `call` must have produced: its quotes come from the sources, so
 * every citation is verified. `sources` (what became of each source) is the one part the answer does not decide.
 */
function expectedDraft(call: FakeLlmCall, sources: unknown) {
  const content = fakeDraft(call.body);
  const { summary, points } = JSON.parse(content) as { summary: string; points: UncheckedPoint[] };
  const promptTokens = Math.ceil(JSON.stringify(call.body.messages).length / 4);
  const completionTokens = Math.ceil(content.length / 4);
  return {
    summary,
    model: 'fake-model',
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    version: 1,
    sha256: draftSha256({ summary, points }),
    points: points.map((p) => ({ ...p, citations: p.citations.map((c) => ({ ...c, verified: true })) })),
    grounding: { verified: 3, unverified: 0, regenerated: false, warning: null },
    sources,
    // This stack sets no LLM_PRICES.
    cost: null,
  };
}

/** What one unpriced LLM call costs a pipeline without a budget. */
const unpricedCost = (usage: unknown) => ({
  totalUsd: null,
  budgetUsd: null,
  calls: [{ step: 'writeDraft', model: 'fake-model', usage, usd: null }],
});

describe('research pipeline end to end', () => {
  test('approve path: 202 with Location, stages fetching → summarizing → awaiting_approval with a draft, 200 decision, approved result', async () => {
    // A paced source and LLM hold each stage for a second, so the 100 ms poll must see every one of them.
    site.route('/paced-article', { delayMs: 1_000, headers: { 'content-type': 'text/html' }, body: FAKE_ARTICLE_HTML });
    llm.script({ kind: 'delay', ms: 1_000 });
    const sourceUrl = `${site.url}/paced-article`;
    const started = await request(stack.apiUrl, 'POST', '/research', {
      body: { topic: 'Durable execution', sourceUrl },
    });
    assert.equal(started.status, 202);
    const id = started.body.workflowId as string;
    assert.match(id, /^research-[0-9a-f-]{36}$/);
    assert.equal(started.headers.get('location'), `/workflows/${id}`);
    assert.deepEqual(started.body, { workflowId: id, runId: started.body.runId, status: 'RUNNING', stage: 'queued' });
    assert.match(started.body.runId, /\S/);

    const seen: Stage[] = [];
    const awaiting = await untilAwaitingApproval(id, seen);
    assertStagesInOrder(seen, ['fetching', 'summarizing', 'awaiting_approval']);
    const [call, ...more] = callsFor(sourceUrl);
    assert.ok(call, 'the LLM was called for the article');
    assert.equal(more.length, 0, 'exactly one LLM call for the article');
    const draft = expectedDraft(call, awaiting.draft?.sources);
    assert.deepEqual(
      awaiting.draft?.sources?.map((s) => [s.index, s.url, s.fetched, s.finalUrl, s.failure]),
      [[1, sourceUrl, true, sourceUrl, null]],
    );
    assert.equal(awaiting.status, 'RUNNING');
    assert.equal(awaiting.runId, started.body.runId);
    assert.equal(awaiting.topic, 'Durable execution');
    assert.equal(awaiting.sourceUrl, sourceUrl);
    assert.deepEqual(awaiting.draft, draft);
    assert.deepEqual(awaiting.usage, draft.usage);
    assert.ok(draft.usage.promptTokens > 0 && draft.usage.completionTokens > 0);
    assert.equal(awaiting.decision, null);
    assert.equal(awaiting.result, null);
    assert.equal(awaiting.error, null);
    assert.equal(awaiting.retry, null);
    assert.match(awaiting.startedAt, ISO_INSTANT);
    assert.equal(awaiting.closedAt, null);
    assert.deepEqual(awaiting.submittedBy, {
      id: STACK_CALLERS.submitter.id,
      name: callerName(STACK_CALLERS.submitter.id),
    });

    const decided = await approve(id, { approved: true, comment: 'Accurate and concise.' });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.deepEqual(decided.body, {
      approved: true,
      reviewer: REVIEWER,
      comment: 'Accurate and concise.',
      decidedAt: decided.body.decidedAt,
    });
    assert.match(decided.body.decidedAt, ISO_INSTANT);

    const done = await untilClosed(id);
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.stage, 'completed');
    assert.deepEqual(done.result, {
      outcome: 'approved',
      summary: draft.summary,
      topic: 'Durable execution',
      sourceUrl,
      reviewer: REVIEWER,
      comment: 'Accurate and concise.',
      decidedAt: decided.body.decidedAt,
      usage: draft.usage,
      sources: draft.sources,
      points: draft.points,
      draftVersions: 1,
      cost: unpricedCost(draft.usage),
    });
    assert.deepEqual(done.decision, decided.body);
    assert.deepEqual(done.draft, draft);
    assert.equal(done.error, null);
    assert.match(done.closedAt ?? '', ISO_INSTANT);
    saved.set(id, done.result);
  });

  test('reject path: a redirected source is summarised from its final URL and the rejection is saved', async () => {
    const requestedUrl = `${site.url}/redirect`;
    const finalUrl = `${site.url}/article`;
    const [requestedBefore, finalBefore] = [callsFor(requestedUrl).length, callsFor(finalUrl).length];
    const id = await startResearch({ topic: '  Retries  ', sourceUrl: requestedUrl });
    const awaiting = await untilAwaitingApproval(id);
    assert.equal(awaiting.topic, 'Retries', 'the topic is trimmed');
    assert.ok(awaiting.draft);
    assert.equal(callsFor(finalUrl).length, finalBefore + 1, 'the prompt names the URL the redirect led to');
    assert.equal(callsFor(requestedUrl).length, requestedBefore, 'the prompt does not name the redirecting URL');

    const decided = await approve(id, { approved: false, comment: 'Off topic.' });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.approved, false);
    assert.equal(decided.body.reviewer, REVIEWER);
    assert.equal(decided.body.comment, 'Off topic.');

    const done = await untilClosed(id);
    assert.equal(done.status, 'COMPLETED');
    assert.deepEqual(done.result, {
      outcome: 'rejected',
      summary: awaiting.draft.summary,
      topic: 'Retries',
      sourceUrl: requestedUrl,
      reviewer: REVIEWER,
      comment: 'Off topic.',
      decidedAt: decided.body.decidedAt,
      usage: awaiting.draft.usage,
      sources: awaiting.draft.sources,
      points: awaiting.draft.points,
      draftVersions: 1,
      cost: unpricedCost(awaiting.draft.usage),
    });
    assert.deepEqual(done.decision, decided.body);
    assert.ok(site.hitCount('/redirect') >= 1);
    saved.set(id, done.result);
  });

  test('expired path: with approvalTimeout 2s and no decision the pipeline completes as expired, then refuses approval', async () => {
    const sourceUrl = `${site.url}/article`;
    const callsBefore = llm.callCount;
    const id = await startResearch({ topic: 'Expiry', sourceUrl, approvalTimeout: '2s' });
    // Not polling for awaiting_approval: a slow poll could miss the 2 s window. The draft is checked below.
    const done = await untilClosed(id);
    const [call, ...more] = llm.calls.slice(callsBefore);
    assert.ok(call, 'the LLM was called');
    assert.equal(more.length, 0);
    const draft = expectedDraft(call, done.draft?.sources);
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.stage, 'completed');
    assert.equal(done.decision, null);
    assert.deepEqual(done.result, {
      outcome: 'expired',
      summary: draft.summary,
      topic: 'Expiry',
      sourceUrl,
      reviewer: null,
      comment: null,
      decidedAt: done.result?.decidedAt,
      usage: draft.usage,
      sources: draft.sources,
      points: draft.points,
      draftVersions: 1,
      cost: unpricedCost(draft.usage),
    });
    assert.deepEqual(done.draft, draft);
    const waitedMs = Date.parse(done.result.decidedAt) - Date.parse(done.startedAt);
    assert.ok(waitedMs >= 2_000, `expired after ${waitedMs} ms, before the 2 s approval timeout`);
    saved.set(id, done.result);

    const late = await approve(id, { approved: true });
    assertProblem(late, 409, 'NOT_AWAITING_APPROVAL', `/workflows/${id}/approve`);
    assert.match(late.body.detail ?? '', /closed \(COMPLETED\)/);
  });

  test('returns 409 while fetching and while summarizing, 200 once awaiting, then 409 for a second decision and after completion', async () => {
    // A slow source and a slow LLM hold the pipeline in each stage long enough to try to approve it there.
    site.route('/slow-article', { delayMs: 4_000, headers: { 'content-type': 'text/html' }, body: FAKE_ARTICLE_HTML });
    llm.script({ kind: 'delay', ms: 4_000 });
    const callsBefore = llm.callCount;
    const id = await startResearch({ topic: 'Early approval', sourceUrl: `${site.url}/slow-article` });
    const path = `/workflows/${id}/approve`;

    const fetching = await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.stage === 'fetching');
    assert.equal(fetching.draft, null);
    const whileFetching = await approve(id, { approved: true });
    assertProblem(whileFetching, 409, 'NOT_AWAITING_APPROVAL', path);
    assert.match(whileFetching.body.detail ?? '', /fetching/);
    assert.equal(llm.callCount, callsBefore, 'the LLM is not called before the source arrived');

    await llm.waitForCalls(callsBefore + 1, 10_000);
    const summarizing = await getWorkflow(id);
    assert.equal(summarizing.body.stage, 'summarizing');
    assert.equal(summarizing.body.draft, null);
    const whileSummarizing = await approve(id, { approved: true });
    assertProblem(whileSummarizing, 409, 'NOT_AWAITING_APPROVAL', path);
    assert.match(whileSummarizing.body.detail ?? '', /summarizing/);

    await untilAwaitingApproval(id);
    const first = await approve(id, { approved: true, comment: 'Grace' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const second = await approve(id, { approved: false, comment: 'Mallory' });
    assertProblem(second, 409, 'NOT_AWAITING_APPROVAL', path);

    const done = await untilClosed(id);
    assert.equal(done.result?.outcome, 'approved');
    assert.equal(done.result?.comment, 'Grace', 'the refused second decision changed nothing');
    const afterCompletion = await approve(id, { approved: false });
    assertProblem(afterCompletion, 409, 'NOT_AWAITING_APPROVAL', path);
    assert.match(afterCompletion.body.detail ?? '', /closed \(COMPLETED\)/);
    saved.set(id, done.result);
  });

  test('of two concurrent decisions exactly one is accepted and it is the one saved', async () => {
    const id = await startResearch({ topic: 'Races', sourceUrl: `${site.url}/article` });
    await untilAwaitingApproval(id);
    const answers = await Promise.all([
      approve(id, { approved: true, comment: 'first' }),
      approve(id, { approved: false, comment: 'second' }),
    ]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409], JSON.stringify(answers.map((a) => a.body)));
    const accepted = answers.find((a) => a.status === 200)!.body;
    const refused = answers.find((a) => a.status === 409)!;
    assertProblem(refused, 409, 'NOT_AWAITING_APPROVAL', `/workflows/${id}/approve`);

    const done = await untilClosed(id);
    assert.equal(done.result?.outcome, accepted.approved ? 'approved' : 'rejected');
    assert.equal(done.result?.comment, accepted.comment);
    assert.deepEqual(done.decision, accepted);
    saved.set(id, done.result);
  });

  test('a source answering 404 fails the workflow with a readable error and never reaches the LLM', async () => {
    const callsBefore = llm.callCount;
    const sourceUrl = `${site.url}/not-found`;
    const id = await startResearch({ topic: 'Missing page', sourceUrl });

    const failed = await untilClosed(id);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.stage, 'failed');
    assert.deepEqual(failed.error, {
      code: 'SourceHttpClientError',
      message: `Could not fetch the source: Source answered 404 Not Found for ${sourceUrl}`,
    });
    assert.equal(failed.draft, null);
    assert.equal(failed.result, null);
    assert.equal(failed.usage, null);
    assert.equal(failed.topic, 'Missing page');
    assert.match(failed.closedAt ?? '', ISO_INSTANT);
    assert.equal(site.hitCount('/not-found'), 1, 'a 4xx is not retried');
    assert.equal(llm.callCount, callsBefore);
    assert.deepEqual(callsFor(sourceUrl), []);
    unsaved.push(id);

    const approval = await approve(id, { approved: true });
    assertProblem(approval, 409, 'NOT_AWAITING_APPROVAL', `/workflows/${id}/approve`);
    assert.match(approval.body.detail ?? '', /closed \(FAILED\)/);
  });

  test('the LLM never sees script, style, noscript or template contents, but does see the visible text', () => {
    const articleCalls = [...callsFor(`${site.url}/article`), ...callsFor(`${site.url}/paced-article`)];
    assert.ok(
      articleCalls.length >= 4,
      `expected the article to be summarised by every pipeline, got ${articleCalls.length}`,
    );
    for (const call of llm.calls) {
      const sent = JSON.stringify(call.body);
      assert.ok(!sent.includes(FAKE_SITE_SECRET), 'a call body contains the secret from <script>/<style>');
      assert.ok(!sent.includes(FAKE_ARTICLE.linkHref), 'link targets are not sent');
    }
    for (const call of articleCalls) {
      const user = call.body.messages?.find((m) => m.role === 'user')?.content;
      assert.equal(typeof user, 'string');
      for (const visible of [FAKE_ARTICLE.title, FAKE_ARTICLE.heading, FAKE_ARTICLE.paragraph, FAKE_ARTICLE.linkText]) {
        assert.ok((user as string).includes(visible), `the prompt lacks the visible text "${visible}"`);
      }
      assert.equal(call.headers.authorization, 'Bearer test-key');
      assert.equal(call.body.model, 'fake-model');
    }
  });

  test('a decision naming another draft is 412; one with the ETag as If-Match is taken and receipted', async () => {
    const id = await startResearch({ topic: 'Durable execution', sourceUrl: `${site.url}/article` });
    const awaiting = await untilAwaitingApproval(id);
    assert.ok(awaiting.draft?.sha256);
    const read = await request<WorkflowView>(stack.apiUrl, 'GET', `/workflows/${id}`);
    const etag = read.headers.get('etag');
    assert.equal(etag, `"${draftSha256(awaiting.draft)}"`);
    const stale = await request<Problem>(stack.apiUrl, 'POST', `/workflows/${id}/approve`, {
      body: { approved: true },
      headers: { 'if-match': `"${'0'.repeat(64)}"` },
    });
    assertProblem(stale, 412, 'DRAFT_CHANGED', `/workflows/${id}/approve`);
    const taken = await request<Decision>(stack.apiUrl, 'POST', `/workflows/${id}/approve`, {
      body: { approved: true, comment: 'checked' },
      headers: { 'if-match': etag ?? '', 'x-request-id': 'e2e-etag-decision' },
    });
    assert.equal(taken.status, 200, JSON.stringify(taken.body));
    const done = await untilClosed(id);
    assert.ok(done.result);
    saved.set(id, done.result);
    const audit = await request<{ receipts: DecisionReceipt[] }>(stack.apiUrl, 'GET', `/workflows/${id}/audit`);
    assert.equal(audit.status, 200);
    const [receipt, ...more] = audit.body.receipts;
    assert.deepEqual(more, []);
    assert.ok(receipt);
    assert.deepEqual(
      { ...receipt, decisionId: '', sourceSha256: '' },
      {
        decisionId: '',
        workflowId: id,
        runId: done.runId,
        decidedBy: { id: REVIEWER, name: callerName(REVIEWER), method: 'api-key' },
        reviewer: REVIEWER,
        decidedAt: taken.body.decidedAt,
        approved: true,
        comment: 'checked',
        draftSha256: awaiting.draft.sha256,
        sourceSha256: '',
        requestId: 'e2e-etag-decision',
      },
    );
    assert.match(receipt.sourceSha256 ?? '', /^[0-9a-f]{64}$/);
    receipts.push(receipt);
  });

  test('an approval link shows the draft, decides once as its reviewer, and a second use is 409', async () => {
    const id = await startResearch({ topic: 'Durable execution', sourceUrl: `${site.url}/article` });
    const awaiting = await untilAwaitingApproval(id);
    const issued = await request<{ url: string }>(stack.apiUrl, 'POST', `/workflows/${id}/approval-links`, {
      body: { reviewer: { id: 'ben', name: 'Ben' } },
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const path = new URL(issued.body.url).pathname;
    const page = await fetch(`${stack.apiUrl}${path}`);
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes('<form method="post">'));
    assert.equal((await getWorkflow(id)).body.stage, 'awaiting_approval', 'opening the link decides nothing');
    const post = () =>
      fetch(`${stack.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'decision=approve&comment=fine',
      });
    const first = await post();
    assert.equal(first.status, 200, await first.clone().text());
    const second = await post();
    assert.equal(second.status, 409);
    assert.equal(((await second.json()) as Problem).code, 'NOT_AWAITING_APPROVAL');
    const done = await untilClosed(id);
    assert.equal(done.result?.reviewer, 'ben');
    assert.ok(done.result);
    saved.set(id, done.result);
    const audit = await request<{ receipts: DecisionReceipt[] }>(stack.apiUrl, 'GET', `/workflows/${id}/audit`);
    const [receipt] = audit.body.receipts;
    assert.deepEqual(receipt?.decidedBy, { id: 'ben', name: 'Ben', method: 'link' });
    assert.ok(receipt);
    assert.equal(receipt.draftSha256, awaiting.draft?.sha256);
    receipts.push(receipt);
  });

  test('every decided or expired pipeline is saved in the result table, a failed one is not', async () => {
    assert.equal(saved.size, 7);
    // PGlite belongs to one process: the worker must let go of it first.
    if (!process.env.TEST_DATABASE_URL) await stack.worker?.stop();
    const results = await stack.openResults();
    try {
      for (const [id, result] of saved) {
        const row = await results.get(id);
        assert.ok(row, `no row for ${id}`);
        const { workflowId, runId, createdAt, updatedAt, ...stored } = row;
        assert.equal(workflowId, id);
        const view = await request<WorkflowView>(stack.apiUrl, 'GET', `/workflows/${encodeURIComponent(id)}`);
        assert.equal(runId, view.body.runId, 'the row names the run that decided');
        assert.deepEqual(stored, result);
        assert.match(createdAt, ISO_INSTANT);
        assert.match(updatedAt, ISO_INSTANT);
      }
      for (const id of unsaved) assert.equal(await results.get(id), null);
      assert.equal(await results.count(), saved.size);
      assert.equal(receipts.length, 2);
      for (const receipt of receipts) assert.deepEqual(await results.decisions.list(receipt.workflowId), [receipt]);
      const chain = await results.decisions.verify();
      assert.equal(chain.broken, null);
      assert.ok(chain.rows >= receipts.length);
    } finally {
      await results.close();
    }
  });
});
