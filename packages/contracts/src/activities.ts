import type { DecisionReceipt, Draft, ResearchResult } from './research.js';

export interface FetchSourceInput {
  url: string;
}

export interface FetchedSource {
  /** URL after redirects. */
  finalUrl: string;
  title: string | null;
  /** Readable text of the page, truncated to the configured budget. */
  text: string;
  contentType: string;
  truncated: boolean;
  /** sha256 (hex) of `text`, recorded on decision receipts; absent in histories recorded before it existed. */
  sha256?: string;
}

export interface SummarizeInput {
  topic: string;
  sourceUrl: string;
  title: string | null;
  text: string;
}

export interface SaveResultInput {
  workflowId: string;
  /**
   * The run that decided. Optional because activities scheduled by workflow code older than this field carry none;
   * `saveResult` then takes it from the activity's own info.
   */
  runId?: string | undefined;
  result: ResearchResult;
}

/**
 * The pipeline's side effects, implemented by `@research/activities` and proxied by the workflow.
 * Every call may run more than once (retries, crashed workers), so each must be safe to repeat.
 */
export interface ResearchActivities {
  fetchSource: (input: FetchSourceInput) => Promise<FetchedSource>;
  summarize: (input: SummarizeInput) => Promise<Draft>;
  saveResult: (input: SaveResultInput) => Promise<void>;
  /** Appends a decision receipt to the tamper-evident `research_decisions` chain; a repeat is a no-op. */
  recordDecision: (receipt: DecisionReceipt) => Promise<void>;
}
