// End-to-end: the reviewer workspace over HTTP against the real processes (embedded Temporal, worker, API) with
// the fake LLM and content site: list filters and cursor paging over 60+ pipelines, the event stream resumed with
// Last-Event-ID after a dropped connection, and cancel in each stage a test can hold a pipeline in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FakeLlm, FakeSite } from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { defaultAuthorization } from '../support/stack.js';
import { type Stack, request, waitForWorkflow } from '../support/stack.js';

let llm: FakeLlm;
let site: FakeSite;
let stack: Stack;
let fixture: StackWithFakes | undefined;

before(
  async () => {
    fixture = await startStackWithFakes({ env: { api: { EVENTS_HEARTBEAT_MS: '200', EVENTS_RETRY_CHECK_MS: '100' } } });
    ({ llm, site, stack } = fixture);
  },
  { timeout: 180_000 },
);
after(() => fixture?.close());

interface Summary {
  workflowId: string;
  stage: string;
  status: string;
  startedAt: string;
  awaitingSince: string | null;
  approvalDeadline: string | null;
  draftExcerpt: string | null;
}
interface ListPage {
  items: Summary[];
  nextCursor: string | null;
  total?: number;
}

async function startResearch(topic: string, sourceUrl = `${site.url}/article`): Promise<string> {
  const response = await request(stack.apiUrl, 'POST', '/research', {
    body: { topic, sourceUrl, approvalTimeout: '1h' },
  });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.workflowId as string;
}

const list = (query: string) => request<ListPage>(stack.apiUrl, 'GET', `/workflows?${query}`);

interface SseEvent {
  id: string;
  event: string;
  data: unknown;
}

/** Reads events until `stop` says so or the stream ends; aborting the fetch drops the connection. */
async function readEvents(id: string, stop: (e: SseEvent) => boolean, lastEventId?: string): Promise<SseEvent[]> {
  const controller = new AbortController();
  const response = await fetch(`${stack.apiUrl}/workflows/${id}/events`, {
    headers: {
      ...defaultAuthorization(stack.apiUrl),
      ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    },
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body!.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        if (fields.id === undefined) continue;
        const event: SseEvent = {
          id: fields.id,
          event: fields.event ?? 'message',
          data: JSON.parse(fields.data ?? 'null'),
        };
        events.push(event);
        if (stop(event)) return events;
      }
    }
  } finally {
    controller.abort();
  }
}

describe('reviewer workspace', { timeout: 240_000 }, () => {
  const ids: string[] = [];

  test('lists 60+ pipelines newest first, filtered by stage, with total and cursor paging', async () => {
    for (let batch = 0; batch < 62; batch += 16) {
      const count = Math.min(16, 62 - batch);
      ids.push(...(await Promise.all(Array.from({ length: count }, (_, i) => startResearch(`Topic ${batch + i}`)))));
    }
    const first = await waitForPage('stage=awaiting_approval&limit=25', (page) => page.total === 62);
    const seen: Summary[] = [...first.items];
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await list(`stage=awaiting_approval&limit=25&cursor=${cursor}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    assert.equal(first.items.length, 25);
    assert.deepEqual(new Set(seen.map((s) => s.workflowId)), new Set(ids));
    assert.equal(seen.length, 62);
    const starts = seen.map((s) => Date.parse(s.startedAt));
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => b - a),
      'newest first',
    );
    for (const item of seen) {
      assert.equal(item.stage, 'awaiting_approval');
      assert.ok(item.awaitingSince && item.approvalDeadline && item.draftExcerpt, JSON.stringify(item));
    }
    // Other filters: nothing completed yet; a start-time window; a bad cursor is a 400 problem.
    assert.deepEqual((await list('stage=completed')).body.items, []);
    const window = await list(`startedAfter=${new Date(Date.now() + 60_000).toISOString()}`);
    assert.deepEqual(window.body.items, []);
    const bad = await list('cursor=bm90LWEtY3Vyc29y');
    assert.equal(bad.status, 400);
    assert.equal((bad.body as unknown as { code: string }).code, 'INVALID_CURSOR');
  });

  test('a stream dropped after the draft resumes with Last-Event-ID: no gap, no duplicate', async () => {
    const id = ids[0]!;
    const untilDraft = await readEvents(id, (e) => e.event === 'draft');
    assert.deepEqual(
      untilDraft.map((e) => e.event),
      ['stage', 'stage', 'stage', 'stage', 'draft'],
    );
    const decision = await request(stack.apiUrl, 'POST', `/workflows/${id}/approve`, {
      body: { approved: true },
    });
    assert.equal(decision.status, 200);
    const rest = await readEvents(id, () => false, untilDraft.at(-1)!.id);
    assert.deepEqual(
      rest.map((e) => e.event),
      ['decision', 'stage', 'stage', 'completed'],
    );
    const whole = await readEvents(id, () => false);
    assert.deepEqual(
      [...untilDraft, ...rest].map((e) => e.id),
      whole.map((e) => e.id),
    );
  });

  test('cancel while awaiting approval, summarizing and fetching: stage and outcome cancelled; then 409', async () => {
    const awaiting = ids[1]!;
    llm.script({ kind: 'delay', ms: 60_000 });
    const summarizing = await startResearch('Slow summary');
    const fetching = await startResearch('Failing source', `${site.url}/server-error`);
    await waitForWorkflow(stack.apiUrl, summarizing, (w: { stage: string }) => w.stage === 'summarizing');
    await waitForWorkflow(stack.apiUrl, fetching, (w: { retry: unknown }) => w.retry !== null);
    for (const id of [awaiting, summarizing, fetching]) {
      const response = await request(stack.apiUrl, 'POST', `/workflows/${id}/cancel`);
      assert.equal(response.status, 202, JSON.stringify(response.body));
      const view = await waitForWorkflow<{ status: string; stage: string; result: { outcome: string } | null }>(
        stack.apiUrl,
        id,
        (w) => w.status === 'CANCELLED',
      );
      assert.equal(view.stage, 'cancelled');
      assert.equal(view.result?.outcome, 'cancelled');
      const again = await request(stack.apiUrl, 'POST', `/workflows/${id}/cancel`);
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'WORKFLOW_CLOSED');
    }
    const cancelled = await list('stage=cancelled&limit=100');
    assert.deepEqual(
      new Set(cancelled.body.items.map((s) => s.workflowId)),
      new Set([awaiting, summarizing, fetching]),
    );
  });
});

async function waitForPage(query: string, accept: (page: ListPage) => boolean): Promise<ListPage> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const response = await list(query);
    if (response.status === 200 && accept(response.body)) return response.body;
    if (Date.now() > deadline) throw new Error(`list never matched: ${JSON.stringify(response.body).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
