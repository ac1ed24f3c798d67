// Recursive descent over the tokens. Precedence, loosest first: OR, AND, NOT, then a predicate or a
// parenthesised expression; BETWEEN consumes its own AND.
import type { AttributeRef, ComparisonOperator, Expr, Literal, OrderItem, ParsedQuery } from './ast.js';
import { ListQueryError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);
const RESERVED = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS',
  'NULL',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'STARTS_WITH',
  'TRUE',
  'FALSE',
  'LIKE',
  'GROUP',
  'LIMIT',
]);

/** Longest list filter accepted, in UTF-8 bytes. */
export const MAX_QUERY_LENGTH = 32 * 1024;
/** Deepest nesting of parentheses and NOTs accepted; the parser recurses once per level. */
export const MAX_QUERY_DEPTH = 100;

/**
 * Parses a list filter; an empty or blank query parses to no condition and no ordering.
 *
 * @throws ListQueryError (`syntax`, `too-complex` past {@link MAX_QUERY_LENGTH} or {@link MAX_QUERY_DEPTH})
 */
export function parseListQuery(query: string): ParsedQuery {
  const bytes = Buffer.byteLength(query);
  if (bytes > MAX_QUERY_LENGTH) {
    throw new ListQueryError('too-complex', `query is ${bytes} bytes long, the limit is ${MAX_QUERY_LENGTH}`);
  }
  return new Parser(tokenize(query)).query();
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  query(): ParsedQuery {
    const where = this.isWord('ORDER') || this.peek().type === 'eof' ? undefined : this.or();
    const orderBy: OrderItem[] = [];
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      do {
        const attr = this.attribute();
        const descending = this.acceptWord('DESC') ? true : (this.acceptWord('ASC'), false);
        orderBy.push({ attr, descending });
      } while (this.acceptOp(','));
    }
    const end = this.peek();
    if (end.type !== 'eof') {
      if (end.type === 'word' && /^(GROUP|LIMIT)$/i.test(end.text)) {
        throw new ListQueryError('unsupported-operator', `${end.text.toUpperCase()} clause is not supported`);
      }
      this.fail(end, 'expected AND, OR, ORDER BY or the end of the query');
    }
    return { where, orderBy };
  }

  private or(): Expr {
    let left = this.and();
    while (this.acceptWord('OR')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.acceptWord('AND')) left = { kind: 'and', left, right: this.not() };
    return left;
  }

  private not(): Expr {
    const token = this.peek();
    if (this.acceptWord('NOT')) return this.nested(token, () => ({ kind: 'not', expr: this.not() }));
    if (this.acceptOp('(')) {
      return this.nested(token, () => {
        const expr = this.or();
        this.expectOp(')');
        return expr;
      });
    }
    return this.predicate();
  }

  /** Parses one level deeper, refusing past MAX_QUERY_DEPTH rather than running out of stack. */
  private nested(token: Token, parse: () => Expr): Expr {
    if (++this.depth > MAX_QUERY_DEPTH) {
      throw new ListQueryError(
        'too-complex',
        `max nesting level reached at position ${token.pos + 1}: parentheses and NOT nest at most ${MAX_QUERY_DEPTH} deep`,
      );
    }
    const expr = parse();
    this.depth--;
    return expr;
  }

  private predicate(): Expr {
    const attr = this.attribute();
    const token = this.peek();
    if (token.type === 'op' && COMPARISONS.has(token.text)) {
      this.i++;
      return { kind: 'compare', attr, op: token.text as ComparisonOperator, value: this.literal() };
    }
    if (this.acceptWord('IS')) {
      const negated = this.acceptWord('NOT');
      this.expectWord('NULL');
      return { kind: 'isNull', attr, negated };
    }
    const negated = this.acceptWord('NOT');
    if (this.acceptWord('IN')) {
      this.expectOp('(');
      const values = [this.literal()];
      while (this.acceptOp(',')) values.push(this.literal());
      this.expectOp(')');
      return { kind: 'in', attr, negated, values };
    }
    if (this.acceptWord('BETWEEN')) {
      const low = this.literal();
      this.expectWord('AND');
      return { kind: 'between', attr, negated, low, high: this.literal() };
    }
    if (this.acceptWord('STARTS_WITH')) return { kind: 'startsWith', attr, negated, value: this.literal() };
    if (this.isWord('LIKE'))
      throw new ListQueryError('unsupported-operator', 'operator LIKE is not supported; use STARTS_WITH');
    return this.fail(this.peek(), `expected an operator after ${attr.name}`);
  }

  private attribute(): AttributeRef {
    const token = this.peek();
    if (token.type === 'name' || (token.type === 'word' && !RESERVED.has(token.text.toUpperCase()))) {
      this.i++;
      return { name: token.text, pos: token.pos };
    }
    return this.fail(token, 'expected a search attribute name');
  }

  private literal(): Literal {
    const token = this.peek();
    this.i++;
    if (token.type === 'string') return { kind: 'string', value: token.value, pos: token.pos };
    if (token.type === 'number') return { kind: 'number', value: Number(token.text), text: token.text, pos: token.pos };
    if (token.type === 'op' && token.text === '-') {
      const n = this.peek();
      if (n.type === 'number') {
        this.i++;
        return { kind: 'number', value: -Number(n.text), text: `-${n.text}`, pos: token.pos };
      }
    }
    if (token.type === 'word' && /^(TRUE|FALSE)$/i.test(token.text)) {
      return { kind: 'bool', value: token.text.toUpperCase() === 'TRUE', pos: token.pos };
    }
    if (token.type === 'word' || token.type === 'name') {
      this.i--;
      throw new ListQueryError(
        'syntax',
        `syntax error at position ${token.pos + 1}: expected a value, found ${token.text} (quote strings, e.g. '${token.text}'; comparing two attributes is not supported)`,
      );
    }
    this.i--;
    return this.fail(token, 'expected a value');
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t.type === 'word' && t.text.toUpperCase() === word;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) this.fail(this.peek(), `expected ${word}`);
  }

  private acceptOp(op: string): boolean {
    const t = this.peek();
    if (t.type !== 'op' || t.text !== op) return false;
    this.i++;
    return true;
  }

  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(this.peek(), `expected '${op}'`);
  }

  private fail(token: Token, detail: string): never {
    const found =
      token.type === 'eof' ? 'end of query' : token.type === 'string' ? `'${token.value}'` : `'${token.text}'`;
    throw new ListQueryError('syntax', `syntax error at position ${token.pos + 1}: ${detail}, found ${found}`);
  }
}
