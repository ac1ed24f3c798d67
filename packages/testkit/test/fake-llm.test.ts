import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeLlm, waitFor, type FakeLlm } from '../src/index.js';

const chat = (llm: FakeLlm, content: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${llm.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
    body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content }] }),
    ...init,
  });

describe('fake LLM', () => {
  let llm: FakeLlm;
  before(async () => {
    llm = await startFakeLlm();
  });
  after(() => llm.close());
  beforeEach(() => llm.reset());

  it('answers in the chat-completions format with usage and a summary derived from the source', async () => {
    const response = await chat(llm, 'Topic: x\n<source>alpha beta gamma</source>');
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      model: string;
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    assert.equal(body.model, 'fake-model');
    assert.match(body.choices[0]?.message.content ?? '', /alpha beta gamma/);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
    assert.equal(llm.callCount, 1);
    assert.equal(llm.calls[0]?.headers.authorization, 'Bearer test-key');
  });

  it('answers a JSON-schema request with a draft of three points quoting the numbered sources verbatim', async () => {
    const prompt =
      'Write the draft\n\n<source index="1">\nSource URL: https://a/\nTitle: A\n\nalpha beta gamma delta\n</source>\n' +
      '<source index="3">\nSource URL: https://c/\n\none two three four five six seven eight nine\n</source>';
    const response = await chat(llm, prompt, {
      body: JSON.stringify({
        model: 'fake-model',
        messages: [{ role: 'user', content: prompt }],
        response_format: { type: 'json_schema', json_schema: { name: 'd', schema: {} } },
      }),
    });
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    const draft = JSON.parse(body.choices[0]?.message.content ?? '') as {
      summary: string;
      points: { citations: { source: number; quote: string }[] }[];
    };
    assert.deepEqual(
      draft.points.map((p) => p.citations[0]),
      [
        { source: 1, quote: 'alpha beta gamma delta' },
        { source: 3, quote: 'one two three four five six seven eight' },
        { source: 1, quote: 'alpha beta gamma delta' },
      ],
    );
  });

  it('refuses JSON-schema requests with 400 when started without structured outputs', async () => {
    const plain = await startFakeLlm({ structuredOutputs: false });
    try {
      const response = await chat(plain, 'x', {
        body: JSON.stringify({ model: 'm', messages: [], response_format: { type: 'json_schema' } }),
      });
      assert.equal(response.status, 400);
    } finally {
      await plain.close();
    }
  });

  it('gives the same answer to the same prompt', async () => {
    const first = await (await chat(llm, 'same')).json();
    const second = await (await chat(llm, 'same')).json();
    assert.deepEqual(first, { ...(second as object), id: (first as { id: string }).id });
  });

  it('plays scripted behaviours in order, then falls back to the default', async () => {
    llm.script({ kind: 'rate-limit', retryAfter: '7' }, { kind: 'error', status: 401 });
    const limited = await chat(llm, 'a');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal((await chat(llm, 'b')).status, 401);
    assert.equal((await chat(llm, 'c')).status, 200);
  });

  it('answers the next N calls with a repeated behaviour', async () => {
    llm.scriptTimes(2, { kind: 'error', status: 500 });
    assert.equal((await chat(llm, 'a')).status, 500);
    assert.equal((await chat(llm, 'b')).status, 500);
    assert.equal((await chat(llm, 'c')).status, 200);
  });

  it('answers the next call whose body matches with its own behaviour, once, before the script', async () => {
    llm.scriptWhen((body) => JSON.stringify(body.messages).includes('synthesis'), { kind: 'error', status: 503 });
    llm.script({ kind: 'error', status: 500 });
    assert.equal((await chat(llm, 'notes')).status, 500);
    assert.equal((await chat(llm, 'synthesis')).status, 503);
    assert.equal((await chat(llm, 'synthesis')).status, 200);
  });

  it('keeps a hanging request open until the client aborts, and records the abort', async () => {
    llm.setBehaviour({ kind: 'hang' });
    const controller = new AbortController();
    const pending = chat(llm, 'hang', { signal: controller.signal });
    await llm.waitForCalls(1);
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    await waitFor(() => llm.calls[0]?.aborted === true);
  });
});
