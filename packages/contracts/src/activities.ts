import type { UncheckedPoint } from './grounding.js';
import type { Usage } from './cost.js';
import type { DecisionReceipt, Draft, ResearchResult, SummaryEdit } from './research.js';

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

/** One fetched source as the LLM sees it; `index` is its 1-based citation number. */
export interface DraftSource {
  index: number;
  url: string;
  title: string | null;
  text: string;
  /** sha256 (hex) of `text`, from `fetchSource`. */
  sha256: string | null;
}

export interface WriteDraftInput {
  topic: string;
  /** The fetched sources only; a failed source's index is skipped, so indexes may have gaps. */
  sources: DraftSource[];
  /**
   * Set when the draft is written again: why (a sentence for the LLM, e.g. which quotes were not found) and the
   * draft it replaces.
   */
  feedback?: { reason: string; previous: { summary: string; points: UncheckedPoint[] } };
}

/** The LLM's structured draft before the workflow checks its quotes. */
export interface WrittenDraft {
  summary: string;
  points: UncheckedPoint[];
  model: string;
  /** Tokens of every call the activity made for this draft, invalid answers included. */
  usage: Usage;
  /** USD of those calls at the worker's `LLM_PRICES`; null when it has no price for the model. */
  costUsd: number | null;
  /** sha256 (hex) of the canonical JSON `{"summary":…,"points":[{"text":…,"citations":[{"source":…,"quote":…}]}]}`. */
  sha256: string;
  /**
   * sha256 of the sources it was written from, for decision receipts: the one source's text hash when there is one,
   * else sha256 of the lines `<index> <text sha256>` of the sources in index order, joined with newlines.
   */
  sourcesSha256: string | null;
}

/** One source, or one chunk of a long source, to take notes from before the draft is synthesised. */
export interface TakeNotesInput {
  topic: string;
  /** The source with `text` being this chunk only; `index` is still the source's citation number. */
  source: DraftSource;
  /** 1-based chunk number and the number of chunks of this source (1 of 1 when it fits). */
  chunk: { number: number; of: number };
}

/**
 * Notes on one source or chunk: the same structured answer as a draft (a summary and points whose citations quote
 * the chunk verbatim), priced like one.
 */
export type SourceNotes = WrittenDraft;

export interface DiffSummaryInput {
  /** The LLM draft's summary and its sha256. */
  draftSummary: string;
  draftSha256: string | null;
  editedSummary: string;
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
  /** Asks the LLM for a structured draft with citations (JSON validated against the draft schema). */
  writeDraft: (input: WriteDraftInput) => Promise<WrittenDraft>;
  /** Asks the LLM for notes with verbatim quotes on one source or chunk (long sources, see `llmContextChars`). */
  takeNotes: (input: TakeNotesInput) => Promise<SourceNotes>;
  /** The hash of a reviewer's edited summary and a unified diff from the draft's (no crypto in workflow code). */
  diffSummary: (input: DiffSummaryInput) => Promise<SummaryEdit>;
  saveResult: (input: SaveResultInput) => Promise<void>;
  /** Appends a decision receipt to the tamper-evident `research_decisions` chain; a repeat is a no-op. */
  recordDecision: (receipt: DecisionReceipt) => Promise<void>;
}
