import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type Draft, type SummarizeInput } from '@research/contracts';
import OpenAI from 'openai';
import type { LlmConfig } from './config.js';
import { toLlmFailure } from './llm-errors.js';
import { buildSummaryMessages } from './prompt.js';
import { checkSummary } from './summary-answer.js';

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;

export interface SummarizeDeps {
  config: LlmConfig;
  /** A preconfigured client; by default one is built from `config`. Retries are switched off per request either way. */
  openai?: OpenAI | undefined;
  heartbeatIntervalMs?: number | undefined;
}

/** The client the LLM activities share; undefined without an API key. */
export function llmClient(config: LlmConfig): OpenAI | undefined {
  // Temporal owns retries; an SDK retry loop inside one attempt would hide failures and stretch timeouts.
  return config.apiKey === undefined
    ? undefined
    : new OpenAI({ apiKey: config.apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: config.timeoutMs });
}

/** The failure of an LLM activity on a worker without an API key. */
export function missingKeyFailure(): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.LlmAuthentication,
    message:
      'No LLM API key is configured: set OPENAI_API_KEY on the worker (and OPENAI_BASE_URL for an ' +
      "OpenAI-compatible endpoint other than OpenAI's), then restart it",
    nonRetryable: true,
  });
}

/** Builds the `summarize` activity. See {@link createActivities} for the failures it raises. */
export function createSummarize(deps: SummarizeDeps): (input: SummarizeInput) => Promise<Draft> {
  const { config } = deps;
  const client = deps.openai ?? llmClient(config);
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;

  return async function summarize(input: SummarizeInput): Promise<Draft> {
    if (client === undefined) throw missingKeyFailure();
    const context = Context.current();
    const signal = context.cancellationSignal;
    // Heartbeats are how a cancellation or a dead worker is noticed while the model is thinking.
    context.heartbeat();
    const heartbeats = setInterval(() => context.heartbeat(), heartbeatIntervalMs);
    try {
      const completion = await client.chat.completions.create(
        { model: config.model, messages: buildSummaryMessages(input), max_tokens: config.maxOutputTokens },
        { signal, maxRetries: 0, timeout: config.timeoutMs },
      );
      const choice = completion.choices[0];
      const summary = choice?.message.content?.trim() ?? '';
      if (summary === '') {
        throw ApplicationFailure.create({
          type: FailureType.LlmEmptyAnswer,
          message: `The LLM returned no summary (finish reason: ${choice?.finish_reason ?? 'no choices'})`,
          nonRetryable: false,
        });
      }
      checkSummary(summary, config.maxOutputTokens);
      const usage = completion.usage;
      const promptTokens = usage?.prompt_tokens ?? 0;
      const completionTokens = usage?.completion_tokens ?? 0;
      return {
        summary,
        // The reviewer decides on the summary text, so that is what a decision's `draftSha256` names.
        sha256: createHash('sha256').update(summary, 'utf8').digest('hex'),
        model: completion.model || config.model,
        usage: { promptTokens, completionTokens, totalTokens: usage?.total_tokens ?? promptTokens + completionTokens },
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw toLlmFailure(error);
    } finally {
      clearInterval(heartbeats);
    }
  };
}
