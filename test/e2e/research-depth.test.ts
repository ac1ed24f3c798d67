// End-to-end over HTTP: several sources, one of them missing, and structured drafts with checked citations, on the
// real processes with the fake LLM (which answers JSON-schema requests) and the fake site.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Decision, ResearchResult } from '@research/contracts';
import type { WorkflowView } from '@research/api';
import type { FakeLlm, FakeSite } from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { type Stack, request, waitForWorkflow } from '../support/stack.js';
import { startResearch as startResearchAt } from './assertions.js';

let llm: FakeLlm;
let site: FakeSite;
let stack: Stack;
let fixture: StackWithFakes | undefined;
const saved = new Map<string, ResearchResult>();
/** USD per million tokens of the fake LLM's model. */
const PRICES = { 'fake-model': { input: 1, output: 2 } };

before(
  async () => {
    fixture = await startStackWithFakes({ env: { worker: { LLM_PRICES: JSON.stringify(PRICES) } } });
    ({ llm, site, stack } = fixture);
  },
  { timeout: 180_000 },
);
after(() => fixture?.close());

const startResearch = (body: Record<string, unknown>): Promise<string> => startResearchAt(stack.apiUrl, body);

const until = (id: string, done: (view: WorkflowView) => boolean, what: string): Promise<WorkflowView> =>
  waitForWorkflow<WorkflowView>(stack.apiUrl, id, done, { description: `workflow ${id} ${what}` });

describe('research with several sources end to end', () => {
  test('three sources of which one answers 404: the draft cites the other two and says why the third is missing', async () => {
    const sources = [`${site.url}/article`, `${site.url}/plain`, `${site.url}/not-found`];
    const callsBefore = llm.callCount;
    const id = await startResearch({ topic: 'Durable execution', sources });
    const awaiting = await until(id, (v) => v.stage === 'awaiting_approval' || v.status !== 'RUNNING', 'awaiting');
    assert.equal(awaiting.stage, 'awaiting_approval', JSON.stringify(awaiting.error));
    assert.deepEqual(awaiting.sources, sources);
    assert.equal(awaiting.sourceUrl, sources[0]);

    const draft = awaiting.draft;
    assert.ok(draft?.points && draft.sources && draft.grounding);
    assert.deepEqual(
      draft.sources.map((s) => [s.index, s.url, s.fetched]),
      [
        [1, sources[0], true],
        [2, sources[1], true],
        [3, sources[2], false],
      ],
    );
    assert.equal(draft.sources[2]?.failure?.type, 'SourceHttpClientError');
    assert.match(draft.sources[2]?.failure?.message ?? '', /404/);
    const cited = new Set(draft.points.flatMap((p) => p.citations.map((c) => c.source)));
    assert.deepEqual([...cited].sort(), [1, 2], 'only the fetched sources are cited');
    assert.ok(draft.points.length >= 3 && draft.points.length <= 5);
    assert.deepEqual(draft.grounding, { verified: 3, unverified: 0, regenerated: false, warning: null });
    assert.ok(draft.points.every((p) => p.citations.every((c) => c.verified && c.quote.length <= 300)));
    const { promptTokens, completionTokens } = draft.usage;
    const usd = (promptTokens * 1 + completionTokens * 2) / 1_000_000;
    assert.equal(draft.cost, usd);
    assert.deepEqual(awaiting.cost, {
      totalUsd: usd,
      budgetUsd: null,
      calls: [{ step: 'writeDraft', model: 'fake-model', usage: draft.usage, usd }],
    });

    // One LLM call, asking for the draft's JSON schema, with the two fetched sources as numbered data blocks.
    const calls = llm.calls.slice(callsBefore);
    assert.equal(calls.length, 1);
    const body = calls[0]?.body;
    assert.equal((body?.response_format as { type?: string } | undefined)?.type, 'json_schema');
    const prompt = String(body?.messages?.[1]?.content);
    assert.match(prompt, /<source index="1">\nSource URL: [^\n]*\/article\n/);
    assert.match(prompt, /<source index="2">\nSource URL: [^\n]*\/plain\n/);
    assert.doesNotMatch(prompt, /<source index="3">/);

    const decided = await request<Decision>(stack.apiUrl, 'POST', `/workflows/${id}/approve`, {
      body: { approved: true },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const done = await until(id, (v) => v.status !== 'RUNNING', 'closed');
    assert.equal(done.result?.outcome, 'approved');
    assert.deepEqual(done.result?.sources, draft.sources);
    assert.deepEqual(done.result?.points, draft.points);
    assert.equal(done.result?.draftVersions, 1);
    assert.deepEqual(done.result?.cost, awaiting.cost);
    saved.set(id, done.result);
  });

  test('fails with a message naming every source when none can be fetched', async () => {
    const sources = [`${site.url}/not-found`, `${site.url}/image.png`];
    const id = await startResearch({ topic: 'Nothing to read', sources });
    const failed = await until(id, (v) => v.status !== 'RUNNING', 'closed');
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.stage, 'failed');
    assert.equal(failed.error?.code, 'SourcesUnavailable');
    assert.match(
      failed.error?.message ?? '',
      /^Could not fetch any of the 2 sources: \[1\] .*\/not-found: .*404.*; \[2\] .*\/image\.png: /,
    );
  });

  test('an LLM that never answers the draft schema fails the pipeline as LlmMalformedDraft after three answers', async () => {
    llm.scriptTimes(3, { kind: 'answer', content: 'Here is a summary in prose, not JSON.' });
    const callsBefore = llm.callCount;
    const id = await startResearch({ topic: 'Prose', sourceUrl: `${site.url}/article` });
    const failed = await until(id, (v) => v.status !== 'RUNNING', 'closed');
    assert.equal(failed.error?.code, 'LlmMalformedDraft');
    assert.match(failed.error?.message ?? '', /^Could not summarize the source: .*unusable 3 times in a row/);
    assert.equal(llm.callCount - callsBefore, 3, 'not retried past the bound');
  });

  test('a budget the first draft used up stops the second LLM call with BudgetExceeded naming the amounts', async () => {
    // Quotes that are in no source: the draft would be written again, but the budget is spent.
    const ungrounded = JSON.stringify({
      summary: 'Made up.',
      points: [1, 2, 3].map((i) => ({ text: `Point ${i}`, citations: [{ source: 1, quote: `invented quote ${i}` }] })),
    });
    llm.script({ kind: 'answer', content: ungrounded });
    const callsBefore = llm.callCount;
    const id = await startResearch({ topic: 'Budget', sourceUrl: `${site.url}/article`, maxCostUsd: 0.000001 });
    const failed = await until(id, (v) => v.status !== 'RUNNING', 'closed');
    assert.equal(failed.stage, 'failed');
    assert.equal(failed.error?.code, 'BudgetExceeded');
    assert.match(
      failed.error?.message ?? '',
      /^The LLM budget is spent: this pipeline has spent \$0\.\d+ of its \$0\.000001 \(maxCostUsd\)/,
    );
    assert.equal(llm.callCount - callsBefore, 1, 'no second call');
    assert.equal(failed.cost?.calls.length, 1);
    assert.equal(failed.cost?.budgetUsd, 0.000001);
  });

  test('revise sends the comment to the LLM and awaits version 2; past maxRevisions 409; an edit is approved and saved', async () => {
    const id = await startResearch({ topic: 'Revise', sources: [`${site.url}/article`], maxRevisions: 1 });
    await until(id, (v) => v.stage === 'awaiting_approval', 'awaiting');
    const callsBefore = llm.callCount;
    const comment = 'Please say more about the event history.';
    const revised = await request<Decision>(stack.apiUrl, 'POST', `/workflows/${id}/approve`, {
      body: { approved: false, revise: true, comment },
    });
    assert.equal(revised.status, 200, JSON.stringify(revised.body));
    assert.equal(revised.body.revise, true);
    const second = await until(id, (v) => v.stage === 'awaiting_approval' && v.draft?.version === 2, 'version 2');
    const [next, ...more] = llm.calls.slice(callsBefore);
    assert.equal(more.length, 0);
    assert.ok(JSON.stringify(next?.body.messages).includes(comment), "the LLM's next request has the comment");
    assert.deepEqual(
      second.drafts?.map((d) => d.version),
      [1, 2],
    );
    assert.equal(second.draft?.feedback, comment);
    assert.equal(second.decision, null);

    const exhausted = await request<{ code: string; detail: string }>(
      stack.apiUrl,
      'POST',
      `/workflows/${id}/approve`,
      {
        body: { approved: false, revise: true, comment: 'Once more.' },
      },
    );
    assert.equal(exhausted.status, 409);
    assert.equal(exhausted.body.code, 'REVISIONS_EXHAUSTED');
    assert.match(exhausted.body.detail, /maxRevisions 1/);

    const editedSummary = 'The reviewer wrote this summary.';
    const approved = await request<Decision>(stack.apiUrl, 'POST', `/workflows/${id}/approve`, {
      body: { approved: true, editedSummary },
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const done = await until(id, (v) => v.status !== 'RUNNING', 'closed');
    assert.equal(done.result?.outcome, 'approved');
    assert.equal(done.result?.summary, editedSummary);
    assert.equal(done.result?.draftVersions, 2);
    assert.equal(done.result?.edit?.draftSha256, second.draft?.sha256);
    assert.equal(done.result?.edit?.editedSha256, createHash('sha256').update(editedSummary).digest('hex'));
    assert.match(
      done.result?.edit?.diff ?? '',
      /^--- draft\n\+\+\+ edited\n@@ [^\n]+\n-Fake draft [^\n]+\n\+The reviewer wrote this summary\.$/m,
    );
    saved.set(id, done.result);
  });

  test('the saved row holds the sources, the points, the number of draft versions, the cost and the edit', async () => {
    if (!process.env.TEST_DATABASE_URL) await stack.worker?.stop();
    const results = await stack.openResults();
    try {
      for (const [id, result] of saved) {
        const row = await results.get(id);
        assert.ok(row, `no row for ${id}`);
        assert.deepEqual(row.sources, result.sources);
        assert.deepEqual(row.points, result.points);
        assert.equal(row.draftVersions, result.draftVersions);
        assert.deepEqual(row.cost, result.cost);
        assert.equal(row.summary, result.summary);
        assert.deepEqual(row.edit, result.edit);
      }
    } finally {
      await results.close();
    }
  });
});
