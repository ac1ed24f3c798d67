import type { google, temporal } from '@temporalio/proto';

/** The generated interfaces' int64 type (`Long`), named without depending on the `long` package directly. */
export type Int64 = NonNullable<temporal.api.workflow.v1.IWorkflowExecutionInfo['historyLength']>;

/**
 * `n` for an int64 field of an outgoing message. The generated interfaces type int64 fields as `Long`, but
 * protobufjs encodes a plain number the same way, so the server sends numbers rather than allocate a Long per
 * field; this is the one place that tells the compiler so. Read incoming int64 fields with {@link num}.
 */
export function int64(n: number): Int64 {
  return n as unknown as Int64;
}

/** Whether `v` is a `Long` (what protobufjs decodes int64 fields to). */
const isLong = (v: unknown): v is Int64 =>
  typeof v === 'object' && v !== null && 'toNumber' in v && typeof v.toNumber === 'function';

/** Converts a protobuf int64 (Long, number, string or null) to a JS number. */
export function num(v: unknown): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (isLong(v)) return v.toNumber();
  return Number(v);
}

/** Milliseconds of a `google.protobuf.Duration` (absent ⇒ 0). */
export function durMs(d: google.protobuf.IDuration | google.protobuf.ITimestamp | null | undefined): number {
  if (!d) return 0;
  return num(d.seconds) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

/** A `google.protobuf.Duration` for `ms` milliseconds (present even when zero). */
export function dur(ms: number): google.protobuf.IDuration {
  const whole = Math.floor(ms / 1000);
  return { seconds: int64(whole), nanos: Math.round((ms - whole * 1000) * 1e6) };
}

/** A `google.protobuf.Timestamp` for epoch milliseconds. */
export function ts(ms: number): google.protobuf.ITimestamp {
  return dur(ms);
}

/** Epoch milliseconds of a Timestamp (absent ⇒ 0). */
export const tsMs = durMs;
