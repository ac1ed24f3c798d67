const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a CLI duration: `250ms`, `5s`, `2m`, `1h`, or a bare number of milliseconds. Returns `undefined` for
 * anything else (including zero and negative values), so the caller can name the flag in its error.
 */
export function parseDurationFlagMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!;
  return ms >= 1 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}
