import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION_PATTERN = /^(\d{1,9})(ms|s|m|h|d)$/;

/** Parses `"90s"`, `"15m"`, `"24h"` style durations into milliseconds; returns undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const MIN_APPROVAL_TIMEOUT_MS = 1_000;
export const MAX_APPROVAL_TIMEOUT_MS = 30 * UNIT_MS.d;
export const DEFAULT_APPROVAL_TIMEOUT = '24h';

/** How long a pipeline waits for a human decision: a duration string between 1s and 30d. */
export const approvalTimeoutSchema = z
  .string()
  .regex(DURATION_PATTERN, 'must be a duration such as "90s", "15m", "24h" or "7d"')
  .refine((value) => {
    const ms = parseDurationMs(value);
    return ms !== undefined && ms >= MIN_APPROVAL_TIMEOUT_MS && ms <= MAX_APPROVAL_TIMEOUT_MS;
  }, 'must be between 1s and 30d');
