import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FailureType, type WriteDraftInput, type WrittenDraft } from '@research/contracts';
import { startFakeLlm, type FakeLlm } from '@research/testkit';
import type { LlmConfig } from '../src/config.js';
import { canonicalDraftJson, parseDraftAnswer } from '../src/draft-answer.js';
import { createTakeNotes, createWriteDraft, sourcesSha256 } from '../src/write-draft.js';
import { llmConfig, mockEnvironment, rejectsWithFailure } from './helpers.js';

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const input: WriteDraftInput = {
  topic: 'durable execution',
  sources: [
    {
      index: 1,
      url: 'https://a.example/1',
      title: 'One',
      text: 'Temporal records every step of a workflow in an event history that survives crashes.',
      sha256: 'a'.repeat(64),
    },
    {
      index: 3,
      url: 'https://c.example/3',
      title: null,
      text: 'Activities are retried with backoff until they succeed or a limit is reached.',
      sha256: 'c'.repeat(64),
    },
  ],
};

const answer = (points: number, source = 1) =>
  JSON.stringify({
    summary: 'A summary.',
    points: Array.from({ length: points }, (_, i) => ({
      text: `Point ${i}`,
      citations: [{ source, quote: 'every step of a workflow' }],
    })),
  });

describe('writeDraft', () => {
  let llm: FakeLlm;
  let plainLlm: FakeLlm;
  before(async () => {
    [llm, plainLlm] = await Promise.all([startFakeLlm(), startFakeLlm({ structuredOutputs: false })]);
  });
  after(() => Promise.all([llm.close(), plainLlm.close()]));
  beforeEach(() => {
    llm.reset();
    plainLlm.reset();
  });

  const writeWith = (config: Partial<LlmConfig> = {}, on: FakeLlm = llm): Promise<WrittenDraft> =>
    mockEnvironment().run(createWriteDraft({ config: llmConfig(on.url, config), heartbeatIntervalMs: 10 }), input);

  it('asks with a JSON-schema response format and returns the validated draft, its hash and the sources hash', async () => {
    const draft = await writeWith();
    const call = llm.calls[0];
    const format = call?.body.response_format as { type: string; json_schema: { name: string; schema: unknown } };
    assert.equal(format.type, 'json_schema');
    assert.equal(format.json_schema.name, 'research_draft');
    assert.ok(JSON.stringify(format.json_schema.schema).includes('"citations"'));
    assert.equal(draft.points.length, 3);
    assert.deepEqual(
      draft.points.map((p) => p.citations[0]?.source),
      [1, 3, 1],
    );
    assert.ok(input.sources[0]?.text.includes(draft.points[0]?.citations[0]?.quote ?? '-'));
    assert.equal(draft.sha256, sha(canonicalDraftJson(draft.summary, draft.points)));
    assert.equal(draft.sourcesSha256, sha(`1 ${'a'.repeat(64)}\n3 ${'c'.repeat(64)}`));
    assert.equal(draft.model, 'fake-model');
    assert.ok(draft.usage.totalTokens > 0);
  });

  it('prices the calls it made with LLM_PRICES, and reports null without a price', async () => {
    const priced = await writeWith({ prices: { 'fake-model': { input: 1, output: 2 } } });
    const { promptTokens, completionTokens } = priced.usage;
    assert.equal(priced.costUsd, (promptTokens * 1 + completionTokens * 2) / 1_000_000);
    assert.equal((await writeWith()).costUsd, null);
  });

  it('puts each source in its own numbered data block', async () => {
    await writeWith();
    const user = llm.calls[0]?.body.messages?.[1]?.content as string;
    assert.match(user, /<source index="1">\nSource URL: https:\/\/a\.example\/1\nTitle: One\n/);
    assert.match(user, /<source index="3">\nSource URL: https:\/\/c\.example\/3\n\nActivities/);
  });

  it('falls back to JSON mode when the endpoint refuses the JSON-schema format, and stays there', async () => {
    const writeDraft = createWriteDraft({ config: llmConfig(plainLlm.url) });
    const draft: WrittenDraft = await mockEnvironment().run(writeDraft, input);
    await mockEnvironment().run(writeDraft, input);
    assert.equal(draft.points.length, 3);
    assert.deepEqual(
      plainLlm.calls.map((c) => (c.body.response_format as { type?: string } | undefined)?.type),
      ['json_schema', 'json_object', 'json_object'],
    );
  });

  it('asks again, naming the problem, when the answer is not JSON or does not match, and sums the usage', async () => {
    llm.script({ kind: 'answer', content: 'Sure! Here is the draft.' }, { kind: 'answer', content: answer(2) });
    const draft = await writeWith();
    assert.equal(llm.callCount, 3);
    const third = llm.calls[2]?.body.messages ?? [];
    assert.match(String(third.at(-3)?.content), /not valid JSON/);
    assert.match(String(third.at(-1)?.content), /does not match the schema \(points: /);
    assert.equal(draft.points.length, 3);
    assert.ok(draft.usage.promptTokens > llm.calls.length);
  });

  it('fails as non-retryable LlmMalformedDraft after the bounded number of unusable answers', async () => {
    llm.setBehaviour({ kind: 'answer', content: answer(3, 2) });
    const failure = await rejectsWithFailure(writeWith({ answerAttempts: 2 }), FailureType.LlmMalformedDraft, true);
    assert.equal(llm.callCount, 2);
    assert.match(failure.message, /unusable 2 times in a row: citations name sources that were not given: 2/);
  });

  it('fails a 401 as non-retryable LlmAuthentication without falling back', async () => {
    llm.script({ kind: 'error', status: 401 });
    await rejectsWithFailure(writeWith(), FailureType.LlmAuthentication, true);
    assert.equal(llm.callCount, 1);
  });
});

describe('parseDraftAnswer', () => {
  it('accepts a fenced JSON answer and refuses 2 or 6 points, long quotes and control characters', () => {
    assert.equal(parseDraftAnswer('```json\n' + answer(3) + '\n```', [1]).ok, true);
    assert.equal(parseDraftAnswer(answer(2), [1]).ok, false);
    assert.equal(parseDraftAnswer(answer(6), [1]).ok, false);
    const long = JSON.parse(answer(3)) as { points: { citations: { quote: string }[] }[] };
    long.points[0]!.citations[0]!.quote = 'x'.repeat(301);
    assert.equal(parseDraftAnswer(JSON.stringify(long), [1]).ok, false);
    assert.equal(parseDraftAnswer(answer(3).replace('A summary.', 'A\\u0007 summary.'), [1]).ok, false);
  });

  it('names the sources hash of one source as that source text hash', () => {
    assert.equal(sourcesSha256([{ ...input.sources[0]!, sha256: 'f'.repeat(64) }]), 'f'.repeat(64));
  });
});

describe('takeNotes', () => {
  let llm: FakeLlm;
  before(async () => {
    llm = await startFakeLlm();
  });
  after(() => llm.close());

  it('asks for notes on one chunk of one source and validates them like a draft, quotes from that chunk', async () => {
    const source = input.sources[1]!;
    const notes: WrittenDraft = await mockEnvironment().run(
      createTakeNotes({ config: llmConfig(llm.url), heartbeatIntervalMs: 10 }),
      { topic: 'durable execution', source, chunk: { number: 2, of: 3 } },
    );
    const messages = llm.calls[0]?.body.messages ?? [];
    assert.match(String(messages[0]?.content), /taking notes/);
    assert.match(String(messages[1]?.content), /part 2 of 3 of source 3/);
    assert.match(String(messages[1]?.content), /<source index="3">/);
    assert.equal(notes.points.length, 3);
    for (const point of notes.points) {
      for (const citation of point.citations) {
        assert.equal(citation.source, 3);
        assert.ok(source.text.includes(citation.quote), citation.quote);
      }
    }
    assert.equal(notes.sourcesSha256, source.sha256);
  });

  it('fails as LlmMalformedDraft when the notes never match the schema', async () => {
    llm.setBehaviour({ kind: 'answer', content: '{"summary": "no points"}' });
    await rejectsWithFailure(
      mockEnvironment().run(createTakeNotes({ config: llmConfig(llm.url), heartbeatIntervalMs: 10 }), {
        topic: 'x',
        source: input.sources[0]!,
        chunk: { number: 1, of: 1 },
      }),
      FailureType.LlmMalformedDraft,
      true,
    );
  });
});
