/**
 * The query language's tokenizer. Words are matched case-insensitively against the keywords; everything a
 * user can type becomes either tokens or one `error` token at the offending offset, so the parser reports
 * lexical and grammatical mistakes the same way.
 *
 * @module
 */
import { QUERY_KEYWORDS } from './vocabulary.ts';

export type TokenKind =
  'keyword' | 'ident' | 'string' | 'number' | 'duration' | 'datetime' | 'punct' | 'error' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Keywords upper-cased, identifiers as written (backquotes removed), strings decoded, punctuation as is. */
  value: string;
  /** The exact source text. */
  text: string;
  offset: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set(QUERY_KEYWORDS);

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
// eslint-disable-next-line no-control-regex -- JSON strings exclude raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const DATETIME = /\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})/y;
const DURATION = /\d+(?:ms|s|m|h|d|w)(?![A-Za-z0-9_])/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z0-9_])/y;
const INTEGER = /\d+(?![A-Za-z0-9_])/y;
const PUNCT = /!=|>=|<=|[=><*,().]/y;
const SPACE = /\s+/y;

function match(re: RegExp, input: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(input);
  return m ? m[0] : null;
}

/** Tokens of `input`, ending with `eof`, or with an `error` token where no token starts. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (;;) {
    const space = match(SPACE, input, at);
    if (space) at += space.length;
    if (at >= input.length) {
      tokens.push({ kind: 'eof', value: '', text: '', offset: input.length });
      return tokens;
    }
    const afterDot = tokens.length > 0 && tokens[tokens.length - 1]!.text === '.';
    const token = next(input, at, afterDot);
    tokens.push(token);
    if (token.kind === 'error') return tokens;
    at += token.text.length;
  }
}

function next(input: string, at: number, afterDot: boolean): Token {
  const c = input[at]!;
  let text: string | null;
  if ((text = match(IDENT, input, at))) {
    const upper = text.toUpperCase();
    return KEYWORDS.has(upper)
      ? { kind: 'keyword', value: upper, text, offset: at }
      : { kind: 'ident', value: text, text, offset: at };
  }
  if (c === '`') {
    let value = '';
    let i = at + 1;
    while (i < input.length) {
      if (input[i] === '`') {
        if (input[i + 1] === '`') {
          value += '`';
          i += 2;
          continue;
        }
        if (value === '') break;
        return { kind: 'ident', value, text: input.slice(at, i + 1), offset: at };
      }
      value += input[i];
      i++;
    }
    return { kind: 'error', value: 'an unterminated or empty `quoted name`', text: c, offset: at };
  }
  if (c === '"') {
    if ((text = match(STRING, input, at))) {
      return { kind: 'string', value: JSON.parse(text) as string, text, offset: at };
    }
    return { kind: 'error', value: 'an unterminated or badly escaped string', text: c, offset: at };
  }
  if (afterDot && (text = match(INTEGER, input, at)))
    return { kind: 'number', value: text, text, offset: at };
  if ((text = match(DATETIME, input, at))) return { kind: 'datetime', value: text, text, offset: at };
  if ((text = match(DURATION, input, at))) return { kind: 'duration', value: text, text, offset: at };
  if ((text = match(NUMBER, input, at))) return { kind: 'number', value: text, text, offset: at };
  if ((text = match(PUNCT, input, at))) return { kind: 'punct', value: text, text, offset: at };
  return { kind: 'error', value: `an unexpected character ${JSON.stringify(c)}`, text: c, offset: at };
}
