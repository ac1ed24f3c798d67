// Tokens of the list filter language, a WHERE clause plus ORDER BY in MySQL-flavoured SQL as Temporal's
// server parses it: keywords are case-insensitive, names are case-sensitive and may be `backquoted`,
// strings take single or double quotes with backslash escapes or a doubled quote.
import { ListQueryError } from './errors.js';

export type Token =
  | { type: 'word'; text: string; pos: number }
  | { type: 'name'; text: string; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; text: string; pos: number }
  | { type: 'op'; text: string; pos: number }
  | { type: 'eof'; pos: number };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', b: '\b', Z: '\x1a' };
const OPERATORS = ['<=', '>=', '!=', '<>', '=', '<', '>', '(', ')', ',', '-'];

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (pos: number, detail: string): never => {
    throw new ListQueryError('syntax', `syntax error at position ${pos + 1}: ${detail}`);
  };
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= query.length) fail(start, 'unterminated string literal');
        const d = query[i]!;
        if (d === '\\') {
          const e = query[i + 1];
          if (e === undefined) fail(start, 'unterminated string literal');
          value += ESCAPES[e!] ?? e;
          i += 2;
        } else if (d === c) {
          if (query[i + 1] === c) {
            value += c;
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ type: 'string', value, pos: start });
    } else if (c === '`') {
      const end = query.indexOf('`', i + 1);
      if (end < 0) fail(start, 'unterminated `name`');
      tokens.push({ type: 'name', text: query.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if (/[0-9.]/.test(c)) {
      const match = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(query.slice(i));
      if (!match) fail(start, `unexpected ${JSON.stringify(c)}`);
      i += match![0].length;
      if (/[A-Za-z_]/.test(query[i] ?? '')) fail(start, 'malformed number');
      tokens.push({ type: 'number', text: match![0], pos: start });
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i))!;
      i += match[0].length;
      tokens.push({ type: 'word', text: match[0], pos: start });
    } else {
      const op = OPERATORS.find((o) => query.startsWith(o, i));
      if (!op) fail(start, `unexpected ${JSON.stringify(c)}`);
      i += op!.length;
      tokens.push({ type: 'op', text: op === '<>' ? '!=' : op!, pos: start });
    }
  }
  tokens.push({ type: 'eof', pos: query.length });
  return tokens;
}
