// Normalised values of one attribute: what a record holds and what a literal means, in the same form so
// predicates compare like with like. Datetime is bigint nanoseconds, ExecutionStatus its name.
import type { Literal } from './ast.js';
import { dateToNanos, parseRfc3339Nanos } from './datetime.js';
import { ListQueryError } from './errors.js';
import { EXECUTION_STATUS_NAMES, type VisibilityRecord } from './record.js';
import type { SearchAttributeType } from './search-attributes.js';

export type Scalar = string | number | boolean | bigint;
export type Value = Scalar | string[] | null;

/** How the query treats an attribute: its registry type, with ExecutionStatus an enum over Keyword. */
export type AttributeKind = SearchAttributeType | 'ExecutionStatus';

export interface Attribute {
  name: string;
  kind: AttributeKind;
  read(record: VisibilityRecord): Value;
}

const FIELD_READERS: Record<string, (r: VisibilityRecord) => unknown> = {
  WorkflowId: (r) => r.workflowId,
  RunId: (r) => r.runId,
  WorkflowType: (r) => r.workflowType,
  TaskQueue: (r) => r.taskQueue,
  ExecutionStatus: (r) => r.status,
  StartTime: (r) => r.startTime,
  CloseTime: (r) => r.closeTime,
  ExecutionTime: (r) => r.executionTime,
  HistoryLength: (r) => r.historyLength,
};

/** Resolves a name against the registry's type; fields come from the record, the rest from its search attributes. */
export function attribute(name: string, type: SearchAttributeType): Attribute {
  const kind: AttributeKind = name === 'ExecutionStatus' ? 'ExecutionStatus' : type;
  const field = Object.hasOwn(FIELD_READERS, name) ? FIELD_READERS[name] : undefined;
  const raw = field ?? ((r: VisibilityRecord) => r.searchAttributes[name]);
  return { name, kind, read: (r) => normalise(raw(r), kind) };
}

/** A record's stored value in comparable form; anything of the wrong shape counts as absent (null). */
function normalise(value: unknown, kind: AttributeKind): Value {
  if (value === undefined || value === null) return null;
  if (kind === 'KeywordList') {
    const list = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    return list.length > 0 ? list : null;
  }
  // Older SDKs wrap every value in an array; a single element is the value itself.
  if (Array.isArray(value)) return value.length === 1 ? normalise(value[0], kind) : null;
  switch (kind) {
    case 'Keyword':
    case 'Text':
    case 'ExecutionStatus':
      return typeof value === 'string' ? value : null;
    case 'Int':
      return typeof value === 'number' && Number.isInteger(value) ? value : null;
    case 'Double':
      return typeof value === 'number' ? value : null;
    case 'Bool':
      return typeof value === 'boolean' ? value : null;
    case 'Datetime':
      if (value instanceof Date) return dateToNanos(value) ?? null;
      if (typeof value === 'string') return parseRfc3339Nanos(value) ?? dateStringNanos(value);
      return null;
  }
}

function dateStringNanos(text: string): bigint | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : BigInt(ms) * 1_000_000n;
}

/**
 * What a literal means for an attribute.
 * @throws ListQueryError `type-mismatch` when the literal cannot be a value of the attribute's type.
 */
export function literalValue(attr: Attribute, literal: Literal): Scalar {
  const mismatch = (expected: string): never => {
    const shown =
      literal.kind === 'string'
        ? `'${literal.value}'`
        : literal.kind === 'number'
          ? literal.text
          : String(literal.value);
    throw new ListQueryError(
      'type-mismatch',
      `invalid value ${shown} for ${attr.kind === 'ExecutionStatus' ? 'Keyword' : attr.kind} search attribute ${attr.name}: expected ${expected}`,
    );
  };
  switch (attr.kind) {
    case 'Keyword':
    case 'Text':
    case 'KeywordList':
      return literal.kind === 'string' ? literal.value : mismatch('a string');
    case 'ExecutionStatus': {
      // Temporal accepts the status name or its enum number.
      if (literal.kind === 'string' && (EXECUTION_STATUS_NAMES as readonly string[]).includes(literal.value)) {
        return literal.value;
      }
      const byNumber = literal.kind === 'number' ? EXECUTION_STATUS_NAMES[literal.value - 1] : undefined;
      return byNumber ?? mismatch(`one of ${EXECUTION_STATUS_NAMES.join(', ')}`);
    }
    case 'Int':
      return literal.kind === 'number' && Number.isInteger(literal.value) ? literal.value : mismatch('an integer');
    case 'Double':
      return literal.kind === 'number' ? literal.value : mismatch('a number');
    case 'Bool':
      if (literal.kind === 'bool') return literal.value;
      if (literal.kind === 'string' && /^(true|false)$/i.test(literal.value))
        return literal.value.toLowerCase() === 'true';
      return mismatch('true or false');
    case 'Datetime': {
      if (literal.kind === 'string') return parseRfc3339Nanos(literal.value) ?? mismatch('an RFC 3339 timestamp');
      // As in Temporal, an integer is nanoseconds since the epoch.
      if (literal.kind === 'number' && Number.isInteger(literal.value)) {
        return /^-?\d+$/.test(literal.text) ? BigInt(literal.text) : BigInt(literal.value);
      }
      return mismatch('an RFC 3339 timestamp');
    }
  }
}

/**
 * Orders two values of the same attribute: numbers and bigints numerically, strings by UTF-16 code unit
 * (deterministic, unlike locale collation), false before true.
 */
export function compareScalars(a: Scalar, b: Scalar): number {
  // Both sides come from one attribute, so they share a runtime type; the cast only silences the union.
  const x = a as number;
  const y = b as number;
  return x < y ? -1 : x > y ? 1 : 0;
}
