// Page tokens are keyset cursors: the sort key of the last record returned plus the ordering they belong
// to. Resuming after a key rather than an offset keeps pages stable while runs start and close between
// calls: nothing is skipped or repeated except records whose own sort key changed.
import type { Scalar } from './attribute-values.js';
import type { CompiledListQuery, SortKey } from './compile.js';
import { ListQueryError } from './errors.js';
import type { VisibilityRecord } from './record.js';

type EncodedValue = ['s', string] | ['n', number] | ['b', boolean] | ['i', string] | ['z'];

interface TokenBody {
  v: 1;
  order: string;
  key: EncodedValue[];
}

const orderSignature = (query: CompiledListQuery): string =>
  query.orderBy.map((t) => `${t.attribute} ${t.direction}`).join(',');

/** The token for the page after `last` (the final record of the current page). */
export function encodePageToken(query: CompiledListQuery, last: VisibilityRecord): Uint8Array {
  const key = query.sortKey(last).map(encodeValue);
  const body: TokenBody = { v: 1, order: orderSignature(query), key };
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/**
 * Reads a token made by {@link encodePageToken} for a query with the same ordering.
 * @throws ListQueryError `invalid-page-token` when it is malformed or was made for another ordering.
 */
export function decodePageToken(query: CompiledListQuery, token: Uint8Array): SortKey {
  const invalid = (): never => {
    throw new ListQueryError('invalid-page-token', 'invalid page token');
  };
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token).toString('utf8')) as Partial<TokenBody>;
  } catch {
    return invalid();
  }
  if (body.v !== 1 || body.order !== orderSignature(query) || !Array.isArray(body.key)) return invalid();
  if (body.key.length !== query.orderBy.length) return invalid();
  return body.key.map((v) => {
    const decoded = decodeValue(v);
    return decoded === undefined ? invalid() : decoded;
  });
}

/**
 * One page of `records` (any order) that match `query`, sorted, starting after `nextPageToken`. The
 * returned token is empty when there are no more pages, as Temporal's API expects.
 * @throws ListQueryError `invalid-page-token` for a bad token.
 */
export function listPage(
  records: Iterable<VisibilityRecord>,
  query: CompiledListQuery,
  options: { pageSize: number; nextPageToken?: Uint8Array | undefined },
): { records: VisibilityRecord[]; nextPageToken: Uint8Array } {
  const after = options.nextPageToken?.length ? decodePageToken(query, options.nextPageToken) : undefined;
  const keyed: Array<{ record: VisibilityRecord; key: SortKey }> = [];
  for (const record of records) {
    if (!query.matches(record)) continue;
    const key = query.sortKey(record);
    if (after && query.compareSortKeys(key, after) <= 0) continue;
    keyed.push({ record, key });
  }
  keyed.sort((a, b) => query.compareSortKeys(a.key, b.key));
  const pageSize = Math.max(1, Math.floor(options.pageSize));
  const page = keyed.slice(0, pageSize).map((k) => k.record);
  const last = page.at(-1);
  const more = keyed.length > pageSize && last !== undefined;
  return { records: page, nextPageToken: more ? encodePageToken(query, last) : new Uint8Array(0) };
}

function encodeValue(value: Scalar | null): EncodedValue {
  if (value === null) return ['z'];
  if (typeof value === 'string') return ['s', value];
  if (typeof value === 'number') return ['n', value];
  if (typeof value === 'boolean') return ['b', value];
  return ['i', value.toString()];
}

/** Undefined (not null) for a malformed entry, since null is a legitimate decoded value. */
function decodeValue(encoded: unknown): Scalar | null | undefined {
  if (!Array.isArray(encoded)) return undefined;
  const [tag, value] = encoded as [unknown, unknown];
  if (tag === 'z') return null;
  if (tag === 's' && typeof value === 'string') return value;
  if (tag === 'n' && typeof value === 'number') return value;
  if (tag === 'b' && typeof value === 'boolean') return value;
  if (tag === 'i' && typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}
