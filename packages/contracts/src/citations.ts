import { z } from 'zod';

/** Most sources one pipeline takes. */
export const MAX_SOURCES = 5;
/** Longest quote a citation may carry. */
export const MAX_QUOTE_CHARS = 300;
/** How many points a structured draft has. */
export const MIN_POINTS = 3;
export const MAX_POINTS = 5;

/** A quote backing a point: `source` is the 1-based index into the pipeline's sources. */
export const citationSchema = z.object({
  source: z.number().int().min(1).max(MAX_SOURCES).describe('1-based index into `sources`'),
  quote: z.string().max(MAX_QUOTE_CHARS).describe('Verbatim excerpt of that source'),
  verified: z
    .boolean()
    .describe('Whether the quote occurs in the text extracted from that source (whitespace, quotes and case aside)'),
});
export type Citation = z.infer<typeof citationSchema>;

export const draftPointSchema = z.object({
  text: z.string(),
  citations: z.array(citationSchema),
});
export type DraftPoint = z.infer<typeof draftPointSchema>;

/** How many of a draft's citations were found in their sources. */
export const groundingSchema = z.object({
  verified: z.number().int().nonnegative(),
  unverified: z.number().int().nonnegative(),
  /** Whether the draft was written a second time because more than half its quotes were not found. */
  regenerated: z.boolean(),
  /** A sentence for the reviewer when more than half the quotes are still not found; null otherwise. */
  warning: z.string().nullable(),
});
export type Grounding = z.infer<typeof groundingSchema>;

/** Why a source could not be used: the fetch step's failure type and its readable reason. */
export const sourceFailureSchema = z.object({ type: z.string(), message: z.string() });
export type SourceFailure = z.infer<typeof sourceFailureSchema>;

/** What became of one requested source, in request order (its position + 1 is its citation index). */
export const sourceOutcomeSchema = z.object({
  index: z.number().int().min(1),
  url: z.string().describe('As requested'),
  fetched: z.boolean(),
  finalUrl: z.string().nullable().describe('After redirects; null when not fetched'),
  title: z.string().nullable(),
  /** sha256 (hex) of the text handed to the LLM; null when not fetched. */
  sha256: z.string().nullable(),
  failure: sourceFailureSchema.nullable().describe('Why the source is missing from the draft; null when fetched'),
});
export type SourceOutcome = z.infer<typeof sourceOutcomeSchema>;
