// Fault suite: sources longer than LLM_CONTEXT_CHARS get notes (one activity per source or chunk) before a synthesis
// call; a worker killed during the synthesis repeats only that call.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatCompletionBody } from '@research/testkit';
import { startStackWithFakes } from '../support/stack-with-fakes.js';
import type { StackWithFakes } from '../support/stack-with-fakes.js';
import { type Stack, request, waitForWorkflow } from '../support/stack.js';
import { approve, articleAt, awaitingApproval, ensureWorker, waitFor, waitForClose } from './support.js';

const systemPrompt = (body: ChatCompletionBody): string => {
  const content = body.messages?.find((m) => m.role === 'system')?.content;
  return typeof content === 'string' ? content : '';
};
const isNotes = (body: ChatCompletionBody) => systemPrompt(body).includes('taking notes');
const isSynthesis = (body: ChatCompletionBody) => systemPrompt(body).includes('Write a factual draft');
const userPrompt = (body: ChatCompletionBody) => JSON.stringify(body.messages?.find((m) => m.role === 'user'));

async function startResearch(stack: Stack, body: Record<string, unknown>): Promise<string> {
  const response = await request(stack.apiUrl, 'POST', '/research', { body });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.workflowId as string;
}

describe('notes, then synthesis: each LLM call is its own activity', () => {
  let f: StackWithFakes;
  before(
    async () => {
      // 100 characters: the article is cut into several chunks, the plain text is one.
      f = await startStackWithFakes({ env: { api: { LLM_CONTEXT_CHARS: '100' } } });
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await f?.close();
  });

  test('a worker killed during the synthesis call re-runs only that call', { timeout: 180_000 }, async (t) => {
    const { stack, llm, site } = f;
    await ensureWorker(stack);
    llm.reset();
    llm.scriptWhen(isSynthesis, { kind: 'hang' });
    const sources = [articleAt(site, '/notes-article'), `${site.url}/plain`];
    const workflowId = await startResearch(stack, { topic: 'durable execution', sources });
    await waitFor(() => llm.calls.some((c) => isSynthesis(c.body)), {
      timeoutMs: 60_000,
      description: 'the synthesis call',
    });
    const notesBefore = llm.calls.filter((c) => isNotes(c.body)).length;
    assert.ok(notesBefore >= 3, `several notes calls before the synthesis (${notesBefore})`);

    await stack.worker!.kill('SIGKILL');
    await stack.startWorker();
    const view = await waitForWorkflow<any>(stack.apiUrl, workflowId, awaitingApproval, { timeoutMs: 90_000 });
    t.diagnostic(`notes calls ${notesBefore}, LLM calls in all ${llm.callCount}`);

    const notes = llm.calls.filter((c) => isNotes(c.body));
    const syntheses = llm.calls.filter((c) => isSynthesis(c.body));
    assert.equal(notes.length, notesBefore, 'no notes call is made again');
    assert.equal(new Set(notes.map((c) => userPrompt(c.body))).size, notes.length, 'each chunk noted exactly once');
    assert.equal(syntheses.length, 2, 'the synthesis call ran twice: killed, then on the new worker');
    assert.equal(syntheses[0]!.aborted, true);
    assert.equal(llm.callCount, notes.length + 2);
    assert.equal(site.hitCount('/notes-article'), 1, 'the source is fetched once');
    // The synthesis got notes, and its quotes were checked against the full texts.
    assert.match(userPrompt(syntheses[1]!.body), /Notes:/);
    assert.ok(view.draft.grounding.verified >= 2, JSON.stringify(view.draft.grounding));
    assert.deepEqual(
      view.cost.calls.map((c: { step: string }) => c.step),
      [...notes.map(() => 'takeNotes'), 'writeDraft'],
    );

    assert.equal((await approve(stack, workflowId, { approved: true })).status, 200);
    assert.equal((await waitForClose(stack, workflowId)).status, 'COMPLETED');
  });
});
