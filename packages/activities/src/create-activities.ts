import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DecisionReceipt, NotificationActivities, ResearchActivities, SaveResultInput } from '@research/contracts';
import type OpenAI from 'openai';
import { DEFAULT_EXTRACT_CONFIG, type ActivitiesConfig } from './config.js';
import { createDeliverWebhook } from './deliver-webhook.js';
import { createFetchSource } from './fetch-source.js';
import type { ResolveHost } from './guarded-agent.js';
import { createHtmlExtractor, type HtmlExtractor } from './html-extractor.js';
import type { ResultStore } from './result-store.js';
import { createSummarize } from './summarize.js';
import { diffSummary } from './summary-diff.js';
import { createTakeNotes, createWriteDraft } from './write-draft.js';

export interface ActivitiesDeps {
  config: Pick<ActivitiesConfig, 'fetch' | 'llm'> &
    Partial<Pick<ActivitiesConfig, 'extract' | 'testHooks' | 'webhooks'>>;
  /**
   * Where `saveResult` and `recordDecision` write; usually from {@link openResultStore}. The caller owns closing it.
   * Without `decisions`, `recordDecision` fails (non-retryable): only tests that never decide leave it out.
   */
  store: Pick<ResultStore, 'save'> & Partial<Pick<ResultStore, 'decisions'>>;
  /**
   * Where `fetchSource` converts HTML; usually from {@link createHtmlExtractor}, and the caller owns closing it.
   * When omitted one is made from `config.extract` (or the defaults) and never closed: its idle threads do not
   * keep the process alive.
   */
  htmlExtractor?: HtmlExtractor | undefined;
  /** OpenAI client to use instead of one built from `config.llm` (tests, custom transports). */
  openai?: OpenAI | undefined;
  /** Replaces DNS resolution for `fetchSource` and `deliverWebhook`; their address rules still apply to what it returns. */
  resolveHost?: ResolveHost | undefined;
  /** Replaces the address policy of `fetchSource` (default: `addressPolicy(config.fetch.allowPrivateHosts)`). */
  isAllowedAddress?: ((address: string) => boolean) | undefined;
  /** How often `summarize` heartbeats while waiting for the model; default 5000 ms. */
  heartbeatIntervalMs?: number | undefined;
}

/**
 * Builds the research pipeline's activities; the worker registers the returned object.
 *
 * Every failure is an `ApplicationFailure` whose `type` is a {@link FailureType}:
 * - `fetchSource`: `SourceHttpClientError` (4xx, non-retryable; 408/429 count as `SourceUnavailable`),
 *   `SourceUnavailable` (5xx, network, timeout; retryable), `SourceAddressBlocked` (target, any redirect hop or any
 *   resolved address is refused by the address policy, or its port by the port rule; non-retryable),
 *   `SourceUnreadable` (bad URL, unsupported content type or
 *   encoding, too many redirects, HTML that cannot be converted to text within `extract.timeoutMs`; non-retryable). Bodies past `maxBytes` are cut, not failed. Blocked and
 *   unreachable sources fail with a fixed sentence; the address, port and socket error go to the activity log.
 * - `summarize`: `LlmRateLimited` (429, with `nextRetryDelay` from Retry-After), `LlmUnavailable` (5xx, timeout,
 *   connection), `LlmAuthentication` (401/403, non-retryable), `LlmRequestRejected` (other 4xx, non-retryable),
 *   `LlmEmptyAnswer` and `LlmInvalidAnswer` (too long for `maxOutputTokens`, or control characters; both retryable). Cancellation aborts the HTTP call and rethrows the `CancelledFailure`.
 * - `writeDraft`: as `summarize`, plus `LlmMalformedDraft` (non-retryable) when `llm.answerAttempts` answers in a row
 *   were not JSON matching the draft schema.
 * - `takeNotes`: as `writeDraft` (notes have the draft's shape, quotes from one source or chunk).
 * - `recordDecision`: appends the receipt to the `research_decisions` hash chain; database errors are retried, and a
 *   retry of the same receipt (same decision id) appends nothing.
 * - `saveResult`: database errors are thrown as they are and retried; a retry of the same run writes nothing new, and
 *   another run with the same workflow id gets a row of its own (see {@link ResultStore.save}).
 * - `deliverWebhook`: see {@link createDeliverWebhook}; without `config.webhooks.secret` every delivery fails for good.
 */
export function createActivities(deps: ActivitiesDeps): ResearchActivities & NotificationActivities {
  const fetchSource = createFetchSource({
    config: deps.config.fetch,
    extractor: deps.htmlExtractor ?? createHtmlExtractor(deps.config.extract ?? DEFAULT_EXTRACT_CONFIG),
    resolveHost: deps.resolveHost,
    isAllowedAddress: deps.isAllowedAddress,
  });
  const summarize = createSummarize({
    config: deps.config.llm,
    openai: deps.openai,
    heartbeatIntervalMs: deps.heartbeatIntervalMs,
  });
  const writeDraft = createWriteDraft({
    config: deps.config.llm,
    openai: deps.openai,
    heartbeatIntervalMs: deps.heartbeatIntervalMs,
  });
  const takeNotes = createTakeNotes({
    config: deps.config.llm,
    openai: deps.openai,
    heartbeatIntervalMs: deps.heartbeatIntervalMs,
  });
  async function saveResult({ workflowId, runId, result }: SaveResultInput): Promise<void> {
    await deps.store.save({
      workflowId,
      runId: runId ?? Context.current().info.workflowExecution?.runId ?? '',
      result,
    });
    const delayMs = deps.config.testHooks?.saveResultDelayAfterWriteMs ?? 0;
    if (delayMs > 0) {
      const context = Context.current();
      context.log.warn('saveResult wrote the row; delaying completion (TEST_ONLY_SAVE_RESULT_DELAY_AFTER_WRITE_MS)', {
        workflowId,
        delayMs,
      });
      await context.sleep(delayMs);
    }
  }
  async function recordDecision(receipt: DecisionReceipt): Promise<void> {
    if (deps.store.decisions === undefined) {
      throw ApplicationFailure.nonRetryable('No decision log is configured on this worker.', 'DecisionLogMissing');
    }
    const appended = await deps.store.decisions.append(receipt);
    Context.current().log.info(appended ? 'Decision receipt recorded' : 'Decision receipt already recorded', {
      decisionId: receipt.decisionId,
    });
  }
  const deliverWebhook = createDeliverWebhook({
    config: deps.config.webhooks ?? { secret: undefined },
    resolveHost: deps.resolveHost,
  });
  return {
    fetchSource,
    summarize,
    writeDraft,
    takeNotes,
    diffSummary: async (input) => diffSummary(input),
    saveResult,
    recordDecision,
    deliverWebhook,
  };
}
