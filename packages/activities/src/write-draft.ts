import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '@research/contracts';
import type {
  DraftSource,
  SourceNotes,
  TakeNotesInput,
  Usage,
  WriteDraftInput,
  WrittenDraft,
} from '@research/contracts';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { LlmConfig } from './config.js';
import { canonicalDraftJson, draftAnswerSchema, parseDraftAnswer } from './draft-answer.js';
import { buildDraftMessages, buildNotesMessages } from './draft-prompt.js';
import { costUsd, priceFor } from './llm-cost.js';
import { toLlmFailure } from './llm-errors.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, llmClient, missingKeyFailure } from './summarize.js';

/**
 * How the draft's JSON is asked for, best first: the endpoint's JSON-schema response format, then JSON mode, then
 * the instructions alone. An endpoint that refuses a format (400/422) is asked with the next one.
 */
const RESPONSE_FORMATS = ['json_schema', 'json_object', 'instructions'] as const;
type ResponseFormatMode = (typeof RESPONSE_FORMATS)[number];

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** See {@link WrittenDraft.sourcesSha256}. */
export function sourcesSha256(sources: readonly DraftSource[]): string | null {
  if (sources.length === 1) return sources[0]?.sha256 ?? null;
  if (sources.some((s) => s.sha256 === null)) return null;
  return sha256(sources.map((s) => `${s.index} ${s.sha256}`).join('\n'));
}

export interface WriteDraftDeps {
  config: LlmConfig;
  openai?: OpenAI | undefined;
  heartbeatIntervalMs?: number | undefined;
}

const addUsage = (total: Usage, usage: OpenAI.CompletionUsage | undefined): Usage => {
  const promptTokens = usage?.prompt_tokens ?? 0;
  const completionTokens = usage?.completion_tokens ?? 0;
  return {
    promptTokens: total.promptTokens + promptTokens,
    completionTokens: total.completionTokens + completionTokens,
    totalTokens: total.totalTokens + (usage?.total_tokens ?? promptTokens + completionTokens),
  };
};

const refusesFormat = (error: unknown): boolean =>
  error instanceof OpenAI.APIError && (error.status === 400 || error.status === 422);

/**
 * Builds the `writeDraft` activity: asks for a structured draft with citations and validates it with zod. An answer
 * that is not JSON or does not match is asked again, with the problem named, up to `config.answerAttempts` calls in
 * all; then it fails as `LlmMalformedDraft` (non-retryable). Other failures as `summarize` (see `createActivities`).
 */
export function createWriteDraft(deps: WriteDraftDeps): (input: WriteDraftInput) => Promise<WrittenDraft> {
  return createStructuredDraftCall(deps, 'draft', buildDraftMessages, (input) => input.sources);
}

/**
 * Builds the `takeNotes` activity: the same structured call as `writeDraft` (format fallback, validation, bounded
 * re-asks, pricing), asking for notes whose quotes come verbatim from one source or chunk.
 */
export function createTakeNotes(deps: WriteDraftDeps): (input: TakeNotesInput) => Promise<SourceNotes> {
  return createStructuredDraftCall(deps, 'notes', buildNotesMessages, (input) => [input.source]);
}

function createStructuredDraftCall<I>(
  deps: WriteDraftDeps,
  what: string,
  buildMessages: (input: I) => ReturnType<typeof buildDraftMessages>,
  sourcesOf: (input: I) => readonly DraftSource[],
): (input: I) => Promise<WrittenDraft> {
  const { config } = deps;
  const client = deps.openai ?? llmClient(config);
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const responseFormat = zodResponseFormat(draftAnswerSchema, 'research_draft');
  // The first format the endpoint accepted; kept for the worker's lifetime so it is not probed on every call.
  let formatIndex = 0;

  const formatParams = (mode: ResponseFormatMode): Partial<ChatCompletionCreateParamsNonStreaming> =>
    mode === 'json_schema'
      ? { response_format: responseFormat }
      : mode === 'json_object'
        ? { response_format: { type: 'json_object' } }
        : {};

  return async function structuredDraftCall(input: I): Promise<WrittenDraft> {
    if (client === undefined) throw missingKeyFailure();
    const llm = client;
    const context = Context.current();
    const signal = context.cancellationSignal;
    context.heartbeat();
    const heartbeats = setInterval(() => context.heartbeat(), heartbeatIntervalMs);
    const messages = buildMessages(input);
    const sources = sourcesOf(input);
    const indexes = sources.map((s) => s.index);
    let usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    let problem = 'no answer';
    try {
      for (let attempt = 1; attempt <= config.answerAttempts; attempt++) {
        const completion = await completeWithFallback(messages);
        usage = addUsage(usage, completion.usage);
        const choice = completion.choices[0];
        const content = choice?.message.content?.trim() ?? '';
        if (content === '') {
          throw ApplicationFailure.create({
            type: FailureType.LlmEmptyAnswer,
            message: `The LLM returned no ${what} (finish reason: ${choice?.finish_reason ?? 'no choices'})`,
            nonRetryable: false,
          });
        }
        const parsed = parseDraftAnswer(content, indexes);
        if (parsed.ok) {
          const { summary, points } = parsed.answer;
          const model = completion.model || config.model;
          return {
            summary,
            points,
            model,
            usage,
            costUsd: costUsd(usage, priceFor(model, config.prices) ?? priceFor(config.model, config.prices)),
            sha256: sha256(canonicalDraftJson(summary, points)),
            sourcesSha256: sourcesSha256(sources),
          };
        }
        problem = choice?.finish_reason === 'length' ? `${parsed.problem} (cut at max_tokens)` : parsed.problem;
        context.log.warn(`The LLM ${what} answer is malformed; asking again`, { attempt, problem });
        messages.push(
          { role: 'assistant', content: content.slice(0, 4_000) },
          { role: 'user', content: `That answer is unusable: ${problem}. Answer again with only the JSON object.` },
        );
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw toLlmFailure(error);
    } finally {
      clearInterval(heartbeats);
    }
    throw ApplicationFailure.create({
      type: FailureType.LlmMalformedDraft,
      message: `The LLM's ${what} answer was unusable ${config.answerAttempts} times in a row: ${problem}`,
      nonRetryable: true,
    });

    async function completeWithFallback(messages: ReturnType<typeof buildDraftMessages>) {
      for (;;) {
        const mode = RESPONSE_FORMATS[formatIndex] ?? 'instructions';
        try {
          return await llm.chat.completions.create(
            { model: config.model, messages, max_tokens: config.maxOutputTokens, ...formatParams(mode) },
            { signal, maxRetries: 0, timeout: config.timeoutMs },
          );
        } catch (error) {
          if (mode === 'instructions' || !refusesFormat(error)) throw error;
          formatIndex += 1;
          context.log.warn('The LLM endpoint refused a response format; falling back', {
            refused: mode,
            next: RESPONSE_FORMATS[formatIndex],
          });
        }
      }
    }
  };
}
