import type { Msg } from './root.js';

/** Converts a protobuf int64 (Long, number, string or null) to a JS number. */
export function num(v: unknown): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (typeof v === 'object' && 'toNumber' in v && typeof v.toNumber === 'function') return v.toNumber() as number;
  return Number(v);
}

/** Milliseconds of a `google.protobuf.Duration` (absent ⇒ 0). */
export function durMs(d: Msg | null | undefined): number {
  if (!d) return 0;
  return num(d.seconds) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

/** A `google.protobuf.Duration` for `ms` milliseconds (present even when zero). */
export function dur(ms: number): Msg {
  const whole = Math.floor(ms / 1000);
  return { seconds: whole, nanos: Math.round((ms - whole * 1000) * 1e6) };
}

/** A `google.protobuf.Timestamp` for epoch milliseconds. */
export function ts(ms: number): Msg {
  return dur(ms);
}

/** Epoch milliseconds of a Timestamp (absent ⇒ 0). */
export const tsMs = durMs;
