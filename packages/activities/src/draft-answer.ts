import { MAX_POINTS, MAX_QUOTE_CHARS, MAX_SOURCES, MIN_POINTS } from '@research/contracts';
import type { UncheckedPoint } from '@research/contracts';
import { z } from 'zod';

// C0 and C1 controls other than tab and line breaks, DEL, and the bidirectional overrides (as in summary-answer.ts).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
const clean = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !FORBIDDEN.test(text), 'must not contain control characters');

/**
 * What the LLM must answer, as JSON: the schema sent as the response format (through the `openai` package's
 * `zodResponseFormat`) and the one every answer is validated against, whichever format the endpoint supports.
 */
export const draftAnswerSchema = z.object({
  summary: clean(3000).describe('A concise, factual summary of the sources for the topic, at most 200 words'),
  points: z
    .array(
      z.object({
        text: clean(1000).describe('One finding, in your own words'),
        citations: z
          .array(
            z.object({
              source: z.number().int().min(1).max(MAX_SOURCES).describe('The index of the source quoted'),
              quote: clean(MAX_QUOTE_CHARS).describe('A verbatim excerpt of that source backing the point'),
            }),
          )
          .min(1)
          .max(3),
      }),
    )
    .min(MIN_POINTS)
    .max(MAX_POINTS),
});
export type DraftAnswer = z.infer<typeof draftAnswerSchema>;

export type ParsedDraftAnswer = { ok: true; answer: DraftAnswer } | { ok: false; problem: string };

/**
 * Parses the model's text as a draft: JSON (a code fence around it tolerated, as models in instruction mode add
 * one) matching {@link draftAnswerSchema}, citing only the indexes in `sourceIndexes`. Never throws.
 */
export function parseDraftAnswer(text: string, sourceIndexes: readonly number[]): ParsedDraftAnswer {
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(unfenced);
  } catch {
    return { ok: false, problem: 'the answer is not valid JSON' };
  }
  const parsed = draftAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, problem: `the answer does not match the schema (${issues.join('; ')})` };
  }
  const unknown = parsed.data.points
    .flatMap((point) => point.citations.map((c) => c.source))
    .filter((index) => !sourceIndexes.includes(index));
  if (unknown.length > 0) {
    return { ok: false, problem: `citations name sources that were not given: ${[...new Set(unknown)].join(', ')}` };
  }
  return { ok: true, answer: parsed.data };
}

/** The JSON the draft's sha256 is taken of: fixed key order, citations without their check. */
export function canonicalDraftJson(summary: string, points: readonly UncheckedPoint[]): string {
  return JSON.stringify({
    summary,
    points: points.map((p) => ({
      text: p.text,
      citations: p.citations.map((c) => ({ source: c.source, quote: c.quote })),
    })),
  });
}
