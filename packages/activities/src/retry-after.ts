/** Longest server-requested pause honoured; a larger value is clamped so one header cannot stall a pipeline. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Milliseconds to wait before retrying, from `retry-after-ms` (OpenAI's extension) or `Retry-After`
 * (delta-seconds or an HTTP date, RFC 9110 §10.2.3). Undefined when absent or unparseable; clamped to
 * [0, {@link MAX_RETRY_AFTER_MS}].
 */
export function parseRetryAfterMs(headers: HeaderSource | undefined, now: number = Date.now()): number | undefined {
  const clamp = (ms: number): number => Math.min(Math.max(0, Math.ceil(ms)), MAX_RETRY_AFTER_MS);
  const milliseconds = headers?.get('retry-after-ms')?.trim();
  if (milliseconds && /^\d+(\.\d+)?$/.test(milliseconds)) return clamp(Number(milliseconds));
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return clamp(Number(value) * 1000);
  // HTTP dates start with the day name; anything else (negative numbers, junk) is ignored.
  const date = /^[A-Za-z]{3},/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : clamp(date - now);
}
