import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { FailureType, checkGrounding, isPoorlyGrounded } from '@research/contracts';
import type {
  DraftSource,
  SourceNotes,
  TakeNotesInput,
  FetchedSource,
  Grounding,
  ResearchActivities,
  SourceOutcome,
  Usage,
  WriteDraftInput,
  WrittenDraft,
} from '@research/contracts';
import { explainCause, toStepFailure } from './failures.js';

/**
 * Patch id of the deep pipeline: several sources fetched in parallel, a structured draft with citations whose quotes
 * are checked against the sources. Decided once, before the first command; histories recorded before it take the
 * single-source path unchanged.
 */
export const RESEARCH_DEPTH_PATCH = 'research-depth';

/** The sources of a run once fetched: every outcome in request order, and the texts of those that were fetched. */
export interface GatheredSources {
  outcomes: SourceOutcome[];
  fetched: DraftSource[];
}

function failureOf(error: ActivityFailure): { type: string; message: string } {
  const cause = error.cause;
  const type = cause instanceof ApplicationFailure && cause.type ? cause.type : FailureType.ResearchStepFailed;
  return { type, message: explainCause(cause) };
}

/**
 * Fetches every source with its own `fetchSource` activity, all at once. A source that fails for good (after its
 * retries) is recorded with its failure type and reason; cancellation and bugs propagate.
 *
 * @throws ApplicationFailure when none was fetched: with one source exactly the single-source failure; with several,
 *   the failure type they share (else `SourcesUnavailable`) and a sentence naming each source and its reason.
 */
export async function gatherSources(
  urls: readonly string[],
  fetchSource: ResearchActivities['fetchSource'],
): Promise<GatheredSources> {
  const errors: ActivityFailure[] = [];
  const results = await Promise.all(
    urls.map(async (url, i): Promise<{ outcome: SourceOutcome; source: FetchedSource | null }> => {
      const index = i + 1;
      try {
        const source = await fetchSource({ url });
        const outcome: SourceOutcome = {
          index,
          url,
          fetched: true,
          finalUrl: source.finalUrl,
          title: source.title,
          sha256: source.sha256 ?? null,
          failure: null,
        };
        return { outcome, source };
      } catch (error) {
        if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
        errors.push(error);
        const failure = failureOf(error);
        return {
          outcome: { index, url, fetched: false, finalUrl: null, title: null, sha256: null, failure },
          source: null,
        };
      }
    }),
  );
  const outcomes = results.map((r) => r.outcome);
  const fetched = results.flatMap(({ outcome, source }) =>
    source === null
      ? []
      : [
          {
            index: outcome.index,
            url: source.finalUrl,
            title: source.title,
            text: source.text,
            sha256: source.sha256 ?? null,
          },
        ],
  );
  if (fetched.length > 0) return { outcomes, fetched };
  const [only] = errors;
  if (urls.length === 1 && only !== undefined) throw toStepFailure('fetchSource', only);
  const types = new Set(outcomes.map((o) => o.failure?.type));
  const [shared] = types;
  throw ApplicationFailure.create({
    message:
      `Could not fetch any of the ${urls.length} sources: ` +
      outcomes.map((o) => `[${o.index}] ${o.url}: ${o.failure?.message ?? 'failed'}`).join('; '),
    type: types.size === 1 && shared !== undefined ? shared : FailureType.SourcesUnavailable,
    nonRetryable: true,
    details: [{ step: 'fetchSource', sources: outcomes }],
  });
}

const addUsage = (a: Usage, b: Usage): Usage => ({
  promptTokens: a.promptTokens + b.promptTokens,
  completionTokens: a.completionTokens + b.completionTokens,
  totalTokens: a.totalTokens + b.totalTokens,
});

/** A structured draft with its citations checked, before it gets a version. */
export interface GroundedDraft {
  summary: string;
  model: string;
  usage: Usage;
  sha256: string;
  /** USD of the calls that wrote it; null when one had no price. */
  cost: number | null;
  points: ReturnType<typeof checkGrounding>['points'];
  grounding: Grounding;
  sources: SourceOutcome[];
  /** For decision receipts (see `WrittenDraft.sourcesSha256`). */
  sourcesSha256: string | null;
}

function ground(written: WrittenDraft, gathered: GatheredSources) {
  const texts = gathered.outcomes.map((o) => gathered.fetched.find((f) => f.index === o.index)?.text ?? null);
  return checkGrounding(written.points, texts);
}

function unverifiedFeedback(points: GroundedDraft['points'], verified: number, unverified: number): string {
  const missing = points
    .flatMap((p) => p.citations)
    .filter((c) => !c.verified)
    .map((c) => `[${c.source}] "${c.quote}"`)
    .join('; ');
  return (
    `${unverified} of ${verified + unverified} quotes do not occur in the sources they cite: ${missing}. ` +
    'Quote only text copied exactly from the source you cite.'
  );
}

/** A draft's points as the LLM wrote them, for feedback: without the workflow's `verified` marks. */
export function uncheckedPoints(points: readonly GroundedDraft['points'][number][] | undefined) {
  return (points ?? []).map((p) => ({
    text: p.text,
    citations: p.citations.map(({ source, quote }) => ({ source, quote })),
  }));
}

/**
 * Writes a structured draft through `writeDraft` and checks every quote against the text of the source it cites.
 * When more than half are not found, writes it once more with that feedback; if the second draft is still poorly
 * grounded it is kept, with a warning for the reviewer. `draftSources` (default: the full texts) is what the LLM is
 * given, e.g. notes (see {@link notedSources}); quotes are always checked against the full texts. `write` is called once per LLM activity, so the caller can
 * check a budget before each.
 */
export async function writeGroundedDraft(
  topic: string,
  gathered: GatheredSources,
  write: (input: WriteDraftInput) => Promise<WrittenDraft>,
  feedback?: WriteDraftInput['feedback'],
  draftSources: DraftSource[] = gathered.fetched,
): Promise<GroundedDraft> {
  const input: WriteDraftInput = { topic, sources: draftSources, ...(feedback === undefined ? {} : { feedback }) };
  let written = await write(input);
  let usage = written.usage;
  let cost = written.costUsd;
  let checked = ground(written, gathered);
  let regenerated = false;
  if (isPoorlyGrounded(checked)) {
    const reason = unverifiedFeedback(checked.points, checked.verified, checked.unverified);
    const previous = { summary: written.summary, points: written.points };
    written = await write({ ...input, feedback: { reason, previous } });
    usage = addUsage(usage, written.usage);
    cost = cost === null || written.costUsd === null ? null : cost + written.costUsd;
    checked = ground(written, gathered);
    regenerated = true;
  }
  const { points, verified, unverified } = checked;
  const warning = isPoorlyGrounded(checked)
    ? `${unverified} of ${verified + unverified} quotes were not found in the sources they cite, even after the ` +
      'draft was written again: check them before approving.'
    : null;
  return {
    summary: written.summary,
    model: written.model,
    usage,
    sha256: written.sha256,
    cost,
    points,
    grounding: { verified, unverified, regenerated, warning },
    sources: gathered.outcomes,
    sourcesSha256: written.sourcesSha256,
  };
}

/**
 * Patch id of notes before synthesis: marked only on runs whose sources are longer than `llmContextChars`, so runs
 * without a limit, or with short sources, emit exactly the commands they did before it.
 */
export const RESEARCH_NOTES_PATCH = 'research-notes';

/** Whether the fetched texts together are longer than the context limit (`llmContextChars`; absent: no limit). */
export function needsNotes(gathered: GatheredSources, contextChars: number | undefined): boolean {
  if (contextChars === undefined) return false;
  return gathered.fetched.reduce((total, source) => total + source.text.length, 0) > contextChars;
}

/** `text` cut into consecutive chunks of at most `size` characters (at least one chunk). */
export function chunksOf(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size));
  return chunks.length === 0 ? [text] : chunks;
}

/**
 * What the synthesis call gets instead of the full texts: per source, the verbatim quotes of its notes (one a line,
 * so they can be quoted again as they are) followed by the notes' points and summaries.
 */
function notesAsSource(source: DraftSource, notes: readonly SourceNotes[]): DraftSource {
  const quotes = notes.flatMap((n) => n.points.flatMap((p) => p.citations.map((c) => c.quote)));
  const points = notes.flatMap((n) => n.points.map((p) => `- ${p.text}`));
  const summaries = notes.map((n) => n.summary);
  return { ...source, text: [...quotes, '', 'Notes:', ...points, '', ...summaries].join('\n') };
}

/**
 * Takes notes on every fetched source, one `takeNotes` activity per source or per chunk of at most `contextChars`
 * characters, one after another (so a budget is checked before each), and returns the sources as notes for the
 * synthesis call. A crashed worker repeats only the call that was running: each finished call is in history.
 */
export async function notedSources(
  topic: string,
  gathered: GatheredSources,
  contextChars: number,
  takeNotes: (input: TakeNotesInput) => Promise<SourceNotes>,
): Promise<DraftSource[]> {
  const noted: DraftSource[] = [];
  for (const source of gathered.fetched) {
    const chunks = chunksOf(source.text, contextChars);
    const notes: SourceNotes[] = [];
    for (const [i, text] of chunks.entries()) {
      notes.push(await takeNotes({ topic, source: { ...source, text }, chunk: { number: i + 1, of: chunks.length } }));
    }
    noted.push(notesAsSource(source, notes));
  }
  return noted;
}
