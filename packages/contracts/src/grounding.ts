import type { DraftPoint, Grounding } from './citations.js';

// Typographic quotes and apostrophes, and the dashes models like to swap for hyphens.
const SINGLE_QUOTES = /[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4]/g;
const DOUBLE_QUOTES = /[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g;
const DASHES = /[\u2010-\u2015\u2212]/g;

/**
 * The form in which quotes are compared with source text: Unicode NFKC, typographic quotes and dashes made plain,
 * every run of whitespace one space, lower case, trimmed. Pure and deterministic, so workflow code may call it.
 */
export function normalizeForGrounding(text: string): string {
  return text
    .normalize('NFKC')
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(DASHES, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** A point as the LLM wrote it: citations not yet checked. */
export interface UncheckedPoint {
  text: string;
  citations: { source: number; quote: string }[];
}

/**
 * Marks each citation `verified` when its quote occurs, normalised, in the normalised text of the source it cites
 * (`texts[source - 1]`; an index without text, e.g. a source that failed, is never verified), and counts them.
 * An empty quote is never verified.
 */
export function checkGrounding(
  points: readonly UncheckedPoint[],
  texts: readonly (string | null)[],
): { points: DraftPoint[]; verified: number; unverified: number } {
  const normalized = texts.map((text) => (text === null ? null : normalizeForGrounding(text)));
  let verified = 0;
  let unverified = 0;
  const checked = points.map((point) => ({
    text: point.text,
    citations: point.citations.map(({ source, quote }) => {
      const haystack = normalized[source - 1];
      const needle = normalizeForGrounding(quote);
      const ok = haystack !== null && haystack !== undefined && needle !== '' && haystack.includes(needle);
      if (ok) verified += 1;
      else unverified += 1;
      return { source, quote, verified: ok };
    }),
  }));
  return { points: checked, verified, unverified };
}

/** More than half the citations unverified (a draft without citations counts as ungrounded). */
export function isPoorlyGrounded({ verified, unverified }: Pick<Grounding, 'verified' | 'unverified'>): boolean {
  return unverified > verified || verified + unverified === 0;
}
