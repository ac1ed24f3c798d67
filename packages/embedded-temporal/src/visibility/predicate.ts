// Turns the parsed condition into a function over records. Evaluation is three-valued as in SQL (the
// store Temporal's development server uses): a comparison with an absent attribute is unknown (null), NOT
// keeps unknown unknown, and only a true result matches. So `Foo != 'x'` does not match runs without Foo;
// ask for those with `Foo IS NULL`.
import type { ComparisonOperator, Expr, Literal } from './ast.js';
import {
  attribute,
  compareScalars,
  literalValue,
  type Attribute,
  type Scalar,
  type Value,
} from './attribute-values.js';
import { ListQueryError } from './errors.js';
import type { VisibilityRecord } from './record.js';
import type { SearchAttributeRegistry } from './search-attributes.js';

export type Tri = boolean | null;
export type Predicate = (record: VisibilityRecord) => Tri;

/** Resolves an attribute name or throws `unknown-attribute`. */
export function resolveAttribute(name: string, registry: SearchAttributeRegistry): Attribute {
  const type = registry.typeOf(name);
  if (type === undefined) throw new ListQueryError('unknown-attribute', `unknown search attribute ${name}`);
  return attribute(name, type);
}

export function compilePredicate(expr: Expr, registry: SearchAttributeRegistry): Predicate {
  switch (expr.kind) {
    case 'and': {
      const left = compilePredicate(expr.left, registry);
      const right = compilePredicate(expr.right, registry);
      return (r) => {
        const a = left(r);
        if (a === false) return false;
        const b = right(r);
        return b === false ? false : a === null || b === null ? null : true;
      };
    }
    case 'or': {
      const left = compilePredicate(expr.left, registry);
      const right = compilePredicate(expr.right, registry);
      return (r) => {
        const a = left(r);
        if (a === true) return true;
        const b = right(r);
        return b === true ? true : a === null || b === null ? null : false;
      };
    }
    case 'not': {
      const inner = compilePredicate(expr.expr, registry);
      return (r) => {
        const v = inner(r);
        return v === null ? null : !v;
      };
    }
    case 'isNull': {
      const attr = resolveAttribute(expr.attr.name, registry);
      return (r) => (attr.read(r) === null) !== expr.negated;
    }
    case 'compare':
      return compileComparison(resolveAttribute(expr.attr.name, registry), expr.op, expr.value);
    case 'in': {
      const attr = resolveAttribute(expr.attr.name, registry);
      requireKind(attr, 'IN', ['Keyword', 'KeywordList', 'Int', 'Double', 'Bool', 'Datetime', 'ExecutionStatus']);
      const wanted = expr.values.map((v) => literalValue(attr, v));
      const test = (v: Scalar): boolean => wanted.some((w) => w === v);
      return negate(expr.negated, (r) => anyValue(attr.read(r), test));
    }
    case 'between': {
      const attr = resolveAttribute(expr.attr.name, registry);
      requireKind(attr, 'BETWEEN', ['Keyword', 'Int', 'Double', 'Datetime']);
      const low = literalValue(attr, expr.low);
      const high = literalValue(attr, expr.high);
      return negate(expr.negated, (r) =>
        anyValue(attr.read(r), (v) => compareScalars(v, low) >= 0 && compareScalars(v, high) <= 0),
      );
    }
    case 'startsWith': {
      const attr = resolveAttribute(expr.attr.name, registry);
      requireKind(attr, 'STARTS_WITH', ['Keyword', 'KeywordList']);
      const prefix = literalValue(attr, expr.value) as string;
      return negate(expr.negated, (r) => anyValue(attr.read(r), (v) => (v as string).startsWith(prefix)));
    }
  }
}

function compileComparison(attr: Attribute, op: ComparisonOperator, literal: Literal): Predicate {
  if (op === '=' || op === '!=') {
    const wanted = literalValue(attr, literal);
    const equal: (r: VisibilityRecord) => Tri =
      attr.kind === 'Text' ? textMatcher(attr, wanted as string) : (r) => anyValue(attr.read(r), (v) => v === wanted);
    return negate(op === '!=', equal);
  }
  requireKind(attr, op, ['Keyword', 'Int', 'Double', 'Datetime']);
  const bound = literalValue(attr, literal);
  const accept: (order: number) => boolean =
    op === '<' ? (c) => c < 0 : op === '<=' ? (c) => c <= 0 : op === '>' ? (c) => c > 0 : (c) => c >= 0;
  return (r) => anyValue(attr.read(r), (v) => accept(compareScalars(v, bound)));
}

/**
 * Text `=` matches when any word of the literal is a word of the value, case-insensitively, words being
 * runs of letters and digits: Elasticsearch's standard analyser, simplified (no stemming or stop words).
 */
function textMatcher(attr: Attribute, literal: string): (r: VisibilityRecord) => Tri {
  const wanted = words(literal);
  return (r) => {
    const value = attr.read(r);
    if (value === null) return null;
    const have = new Set(words(String(value)));
    return wanted.some((w) => have.has(w));
  };
}

const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** Applies `test` to a scalar, or to each element of a KeywordList (true if any matches). */
function anyValue(value: Value, test: (v: Scalar) => boolean): Tri {
  if (value === null) return null;
  return Array.isArray(value) ? value.some(test) : test(value);
}

function negate(negated: boolean, predicate: Predicate): Predicate {
  if (!negated) return predicate;
  return (r) => {
    const v = predicate(r);
    return v === null ? null : !v;
  };
}

function requireKind(attr: Attribute, operator: string, kinds: readonly Attribute['kind'][]): void {
  if (kinds.includes(attr.kind)) return;
  const type = attr.kind === 'ExecutionStatus' ? 'ExecutionStatus' : `${attr.kind} search attribute`;
  throw new ListQueryError('unsupported-operator', `operator ${operator} is not supported for ${type} ${attr.name}`);
}
