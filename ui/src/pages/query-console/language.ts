/**
 * The query language for the editor: a CodeMirror stream tokenizer (keywords, strings, numbers, durations,
 * times, operators, built-in and JSON fields) and the completion source (streams after FROM, fields and
 * keywords elsewhere). The keyword and field lists are the hub's own (src/hub/query/schema.ts); the hub's
 * parser stays the judge of what is valid — this only colours and suggests.
 *
 * @module
 */
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { HighlightStyle, type StreamParser, StreamLanguage } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { QUERY_BUILTIN_FIELDS, QUERY_KEYWORDS } from '../../../../src/hub/query/schema.ts';

const KEYWORDS = new Set<string>(QUERY_KEYWORDS);
const BUILTINS = new Set<string>(QUERY_BUILTIN_FIELDS);
const LITERALS = new Set(['TRUE', 'FALSE', 'NULL']);

const DATETIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})/;
const DURATION = /^\d+(?:ms|s|m|h|d|w)(?![A-Za-z0-9_])/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z0-9_])/;

/** Token names; `tokenTable` maps them to highlight tags, and `queryHighlight` to CSS classes. */
const queryParser: StreamParser<null> = {
  name: 'lacrimosa-query',
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(DATETIME)) return 'datetime';
    if (stream.match(DURATION)) return 'duration';
    if (stream.match(NUMBER)) return 'number';
    if (stream.peek() === '"') {
      stream.next();
      let escaped = false;
      for (let c = stream.next(); c !== undefined; c = stream.next()) {
        if (c === '"' && !escaped) return 'string';
        escaped = c === '\\' && !escaped;
      }
      return 'string';
    }
    if (stream.peek() === '`') {
      stream.next();
      if (stream.skipTo('`')) stream.next();
      else stream.skipToEnd();
      return 'field';
    }
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const upper = word[0].toUpperCase();
      if (LITERALS.has(upper)) return 'literal';
      if (KEYWORDS.has(upper)) return 'keyword';
      return BUILTINS.has(word[0]) ? 'builtin' : 'field';
    }
    if (stream.match(/^(?:!=|>=|<=|[=<>])/)) return 'operator';
    if (stream.match(/^[*,().]/)) return 'punctuation';
    stream.next();
    return 'invalid';
  },
  tokenTable: {
    datetime: tags.special(tags.string),
    duration: tags.unit,
    literal: tags.atom,
    builtin: tags.standard(tags.variableName),
    field: tags.propertyName,
    invalid: tags.invalid,
  },
};

export const queryLanguage = StreamLanguage.define(queryParser);

/** Static classes (`qc-tok-*`), styled in query-console.css with the theme's tokens. */
export const queryHighlight = HighlightStyle.define([
  { tag: tags.keyword, class: 'qc-tok-keyword' },
  { tag: tags.string, class: 'qc-tok-string' },
  { tag: tags.special(tags.string), class: 'qc-tok-time' },
  { tag: tags.number, class: 'qc-tok-number' },
  { tag: tags.unit, class: 'qc-tok-duration' },
  { tag: tags.atom, class: 'qc-tok-literal' },
  { tag: tags.operator, class: 'qc-tok-operator' },
  { tag: tags.standard(tags.variableName), class: 'qc-tok-builtin' },
  { tag: tags.propertyName, class: 'qc-tok-field' },
  { tag: tags.invalid, class: 'qc-tok-invalid' },
]);

/** What the word at the cursor should be: a stream name (in the FROM list) or anything else. */
export function completionKind(before: string): 'stream' | 'other' {
  // Strings may hold keywords; blank them before looking for the last keyword.
  const plain = before.replace(/"(?:[^"\\]|\\.)*"?/g, '""');
  const words = [...plain.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)];
  const last = words.findLast((m) => KEYWORDS.has(m[0].toUpperCase()));
  if (!last || last[0].toUpperCase() !== 'FROM') return 'other';
  // Right after FROM or a comma of its list: names separated by commas, the one being typed last.
  const list = plain.slice(last.index + last[0].length);
  return /^\s*(?:[^\s,]+\s*,\s*)*[^\s,]*$/.test(list) ? 'stream' : 'other';
}

export interface CompletionWords {
  streams: readonly string[];
  /** JSON field paths seen in results and sample events. */
  fields: readonly string[];
}

/** A completion source over the current streams and fields (read through `words()` at each request). */
export function queryCompletions(words: () => CompletionWords) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[A-Za-z0-9_.:/`-]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const before = context.state.doc.sliceString(0, word.from);
    const { streams, fields } = words();
    let options: Completion[];
    if (completionKind(before) === 'stream') {
      options = [
        ...streams.map((s): Completion => ({ label: s, type: 'class', detail: 'stream' })),
        { label: '*', type: 'constant', detail: 'every stream' },
      ];
    } else {
      options = [
        ...QUERY_BUILTIN_FIELDS.map((f): Completion => ({ label: f, type: 'variable', detail: 'built-in' })),
        ...fields
          .filter((f) => !BUILTINS.has(f))
          .map((f): Completion => ({ label: f, type: 'property', detail: 'field' })),
        ...QUERY_KEYWORDS.map((k): Completion => ({ label: k, type: 'keyword', boost: -1 })),
        { label: 'COUNT(*)', type: 'function', boost: -1 },
      ];
    }
    return { from: word.from, options, validFor: /^[A-Za-z0-9_.:/`-]*$/ };
  };
}
