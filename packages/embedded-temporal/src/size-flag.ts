const UNIT_BYTES: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Largest size gRPC's 32-bit signed message-length options take. */
const MAX_SIZE = 2 ** 31 - 1;

/**
 * Parses a CLI size: a number of bytes, or a whole number of `KiB`, `MiB` or `GiB` (`4MiB`, `512KiB`). Returns
 * `undefined` for anything else, including zero and sizes of 2 GiB or more, so the caller can name the flag.
 */
export function parseSizeBytes(text: string): number | undefined {
  const match = /^(\d+)\s*(b|kib|mib|gib)?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * UNIT_BYTES[(match[2] ?? '').toLowerCase()]!;
  return bytes >= 1 && bytes <= MAX_SIZE ? bytes : undefined;
}
