// Datetimes are compared as bigint nanoseconds since the epoch: RFC 3339 literals may carry nanoseconds,
// which a millisecond Date (or a double) would round away, making `>=` on an exact instant wrong.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 timestamp into epoch nanoseconds; undefined when it is not one. */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return undefined;
  if (m[9]) ms -= (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) * 60_000;
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0'));
  return BigInt(ms) * 1_000_000n + fraction;
}

export function dateToNanos(date: Date): bigint | undefined {
  const ms = date.getTime();
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1_000_000n;
}
