import { patched } from '@temporalio/workflow';
import type {
  Draft,
  DraftSource,
  ResearchActivities,
  ResearchInput,
  ResearchResult,
  SourceNotes,
  Stage,
  TakeNotesInput,
  WriteDraftInput,
  WrittenDraft,
} from '@research/contracts';
import type { CostLedger } from './cost-ledger.js';
import type { PipelineSteps } from './failures.js';
import {
  RESEARCH_NOTES_PATCH,
  gatherSources,
  needsNotes,
  notedSources,
  uncheckedPoints,
  writeGroundedDraft,
} from './research-depth.js';
import type { GatheredSources } from './research-depth.js';

/** The first draft of a run, with the hash of the source text it was written from. */
export interface FirstDraft {
  draft: Draft;
  sourceSha256: string | null;
}

/** What the drafting steps of one run work with. */
export interface DraftingContext {
  input: ResearchInput;
  /** The requested source URLs, in order. */
  sources: readonly string[];
  activities: Pick<ResearchActivities, 'fetchSource' | 'summarize' | 'writeDraft' | 'takeNotes' | 'diffSummary'>;
  ledger: CostLedger;
  enter: (stage: Stage) => void;
  steps: PipelineSteps;
}

/** The steps that write a run's drafts and its edited result. */
export interface Drafting {
  /** How many times a reviewer sent the draft back so far. */
  readonly revisions: number;
  /** The path of runs recorded before `research-depth`: one source, one plain summary. */
  singleSourceDraft(): Promise<FirstDraft>;
  /**
   * Since `research-depth`: every source in parallel, then a structured draft with checked citations. Sources longer
   * than `llmContextChars` together get notes first (since {@link RESEARCH_NOTES_PATCH}); the draft is then
   * synthesised from the notes.
   */
  groundedDraft(): Promise<FirstDraft>;
  /** A reviewer sent `previous` back with `comment`: the next version, from the same sources. */
  revisedDraft(previous: Draft, comment: string): Promise<Draft>;
  /** The saved result of an approval with `editedSummary`: the edited text, with both hashes and the diff. */
  withEdit(result: ResearchResult, draft: Draft, editedSummary: string): Promise<ResearchResult>;
}

export function drafting({ input, sources, activities, ledger, enter, steps }: DraftingContext): Drafting {
  const { fetchSource, summarize, writeDraft, takeNotes, diffSummary } = activities;
  const { step, failing } = steps;
  let revisions = 0;
  let gathered: GatheredSources | undefined;
  // What the LLM drafts from when the sources were too long for one call: notes per source (else the full texts).
  let draftSources: DraftSource[] | undefined;

  /** `writeDraft` within the budget: checked before each call, each call's cost recorded. */
  async function budgetedWriteDraft(draftInput: WriteDraftInput): Promise<WrittenDraft> {
    ledger.checkBefore('writeDraft');
    const written = await writeDraft(draftInput);
    ledger.record('writeDraft', written);
    return written;
  }

  /** `takeNotes` within the budget, like {@link budgetedWriteDraft}. */
  async function budgetedTakeNotes(notesInput: TakeNotesInput): Promise<SourceNotes> {
    ledger.checkBefore('takeNotes');
    const notes = await takeNotes(notesInput);
    ledger.record('takeNotes', notes);
    return notes;
  }

  return {
    get revisions() {
      return revisions;
    },

    async singleSourceDraft() {
      const source = await step('fetchSource', () => fetchSource({ url: sources[0] ?? '' }));

      enter('summarizing');
      const summarized = await step('summarize', () =>
        summarize({ topic: input.topic, sourceUrl: source.finalUrl, title: source.title, text: source.text }),
      );
      // Version 1: the hash comes from the activity (no crypto in the sandbox).
      return { draft: { ...summarized, version: 1 }, sourceSha256: source.sha256 ?? null };
    },

    async groundedDraft() {
      const fetched = await failing(() => gatherSources(sources, fetchSource));
      gathered = fetched;

      enter('summarizing');
      const limit = input.llmContextChars;
      // Decided from the fetch results in history and the input; the marker is written only when notes are taken.
      if (limit !== undefined && needsNotes(fetched, limit) && patched(RESEARCH_NOTES_PATCH)) {
        draftSources = await failing(() =>
          step('takeNotes', () => notedSources(input.topic, fetched, limit, budgetedTakeNotes)),
        );
      }
      const { sourcesSha256, ...grounded } = await failing(() =>
        step('writeDraft', () => writeGroundedDraft(input.topic, fetched, budgetedWriteDraft, undefined, draftSources)),
      );
      return { draft: { ...grounded, version: 1 }, sourceSha256: sourcesSha256 };
    },

    async revisedDraft(previous, comment) {
      const from = gathered;
      if (from === undefined) throw new Error('revisedDraft before the sources were gathered');
      revisions += 1;
      enter('summarizing');
      const feedback = {
        reason: `The reviewer sent the draft back with this comment: ${comment}`,
        previous: { summary: previous.summary, points: uncheckedPoints(previous.points) },
      };
      const { sourcesSha256: _same, ...grounded } = await failing(() =>
        step('writeDraft', () => writeGroundedDraft(input.topic, from, budgetedWriteDraft, feedback, draftSources)),
      );
      return { ...grounded, version: (previous.version ?? 1) + 1, feedback: comment };
    },

    async withEdit(result, draft, editedSummary) {
      const edit = await failing(() =>
        step('diffSummary', () =>
          diffSummary({ draftSummary: draft.summary, draftSha256: draft.sha256 ?? null, editedSummary }),
        ),
      );
      return { ...result, summary: editedSummary, edit };
    },
  };
}
