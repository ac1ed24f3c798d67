import { compareScalars, type Scalar } from './attribute-values.js';
import { ListQueryError } from './errors.js';
import { parseListQuery } from './parser.js';
import { compilePredicate, resolveAttribute } from './predicate.js';
import { executionStatusNumber, type VisibilityRecord } from './record.js';
import type { SearchAttributeRegistry } from './search-attributes.js';

/** One ORDER BY term after defaults are applied. */
export interface OrderTerm {
  attribute: string;
  direction: 'ASC' | 'DESC';
}

/** A record's position in the ordering: one value per {@link OrderTerm}, null where absent. */
export type SortKey = ReadonlyArray<Scalar | null>;

/** A list filter ready to run over many records. */
export interface CompiledListQuery {
  /** The query text it was compiled from. */
  readonly query: string;
  /** The full ordering: the query's ORDER BY (or `StartTime DESC`), then `RunId ASC` to break ties. */
  readonly orderBy: readonly OrderTerm[];
  /** Whether the record satisfies the filter (an unknown result, SQL-style, does not match). */
  matches(record: VisibilityRecord): boolean;
  /** Sort comparator for the ordering; a total order because RunId is unique. */
  compare(a: VisibilityRecord, b: VisibilityRecord): number;
  sortKey(record: VisibilityRecord): SortKey;
  compareSortKeys(a: SortKey, b: SortKey): number;
}

const DEFAULT_ORDER: readonly OrderTerm[] = [{ attribute: 'StartTime', direction: 'DESC' }];
const TIE_BREAK: OrderTerm = { attribute: 'RunId', direction: 'ASC' };

/**
 * Compiles a Temporal list filter (`ListWorkflowExecutions`/`CountWorkflowExecutions` query). An empty or
 * blank query matches everything. See the folder README for the supported language and its semantics.
 *
 * @throws ListQueryError on a syntax error (`syntax`), an attribute the registry does not know
 *   (`unknown-attribute`), a literal of the wrong type (`type-mismatch`) or an operator the attribute's
 *   type does not support, including ORDER BY on Text or KeywordList (`unsupported-operator`).
 */
export function compileListQuery(query: string, registry: SearchAttributeRegistry): CompiledListQuery {
  const parsed = parseListQuery(query);
  const predicate = parsed.where ? compilePredicate(parsed.where, registry) : undefined;
  const orderBy: OrderTerm[] = parsed.orderBy.length
    ? parsed.orderBy.map((o) => ({ attribute: o.attr.name, direction: o.descending ? 'DESC' : 'ASC' }))
    : [...DEFAULT_ORDER];
  orderBy.push(TIE_BREAK);
  const readers = orderBy.map((term) => {
    const attr = resolveAttribute(term.attribute, registry);
    if (attr.kind === 'Text' || attr.kind === 'KeywordList') {
      throw new ListQueryError(
        'unsupported-operator',
        `ORDER BY is not supported for ${attr.kind} search attribute ${attr.name}`,
      );
    }
    // Statuses sort in enum order, as Temporal stores them as numbers.
    return attr.kind === 'ExecutionStatus'
      ? (r: VisibilityRecord) => executionStatusNumber(r.status)
      : (r: VisibilityRecord) => attr.read(r) as Scalar | null;
  });
  const descending = orderBy.map((t) => t.direction === 'DESC');

  const sortKey = (record: VisibilityRecord): SortKey => readers.map((read) => read(record));
  const compareSortKeys = (a: SortKey, b: SortKey): number => {
    for (let i = 0; i < readers.length; i++) {
      const c = compareNullsLargest(a[i] ?? null, b[i] ?? null);
      if (c !== 0) return descending[i] ? -c : c;
    }
    return 0;
  };
  return {
    query,
    orderBy,
    matches: predicate ? (r) => predicate(r) === true : () => true,
    compare: (a, b) => compareSortKeys(sortKey(a), sortKey(b)),
    sortKey,
    compareSortKeys,
  };
}

/** Absent values sort as larger than any value: last ascending, first descending (running runs first by CloseTime DESC). */
function compareNullsLargest(a: Scalar | null, b: Scalar | null): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return compareScalars(a, b);
}
