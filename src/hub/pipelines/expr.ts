/**
 * The transform node's expression language: a tokenizer, a recursive-descent parser and a tree-walking
 * evaluator — never `eval` or `new Function`. Expressions read the record's fields (`user.name`,
 * `items.0.price`), its journal facts (`$seq`, `$time`, `$stream`, `$node`), literals, arithmetic,
 * comparisons, `&&` `||` `!`, `+` on strings (concatenation) and a few functions (FUNCTIONS below).
 *
 * `parseExpression` never throws: it returns the tree or an `ExprError` with the offset of what did not fit.
 * Evaluation throws only `ExprEvalError` (a type mismatch, division by zero, an unknown function's arity).
 * `now()` is the record's event time, not the wall clock, so a dry run gives the same answer every time.
 *
 * @module
 */

export type ExprNode =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'field'; path: string[] }
  | { kind: 'meta'; name: MetaName }
  | { kind: 'unary'; op: '-' | '!'; expr: ExprNode }
  | { kind: 'binary'; op: BinaryOp; left: ExprNode; right: ExprNode }
  | { kind: 'call'; name: FunctionName; args: ExprNode[] };

export const META_NAMES = ['seq', 'time', 'stream', 'node'] as const;
type MetaName = (typeof META_NAMES)[number];
type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export interface ExprError {
  message: string;
  /** 0-based offset into the expression. */
  offset: number;
}
export type ExprParseResult = { ok: true; expr: ExprNode } | { ok: false; error: ExprError };

/** A failure while evaluating (the record is counted as an error of its node). */
export class ExprEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExprEvalError';
  }
}

/** What an expression can see of a record. */
export interface ExprScope {
  field(path: readonly string[]): unknown;
  seq: number;
  time: number;
  stream: string | null;
  node: number;
}

export const MAX_EXPRESSION_LENGTH = 10_000;
const MAX_DEPTH = 64;

// ── tokens ───────────────────────────────────────────────────────────────────────────────────────────

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'meta'; value: string; at: number }
  | { kind: 'op'; value: string; at: number }
  | { kind: 'eof'; at: number };

class SyntaxFailure {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')', ','];
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const at = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(input[i + 1] ?? ''))) {
      const m = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(input.slice(i))!;
      const value = Number(m[0]);
      if (!Number.isFinite(value)) throw new SyntaxFailure(`the number ${m[0]} is too large`, at);
      tokens.push({ kind: 'number', value, at });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new SyntaxFailure('the string is not closed', at);
        const d = input[i]!;
        if (d === c) break;
        if (d === '\\') {
          const e = input[i + 1];
          const escaped =
            e === 'n' ? '\n' : e === 't' ? '\t' : e === '\\' || e === '"' || e === "'" ? e : null;
          if (escaped === null)
            throw new SyntaxFailure('unknown escape (use \\n, \\t, \\\\, \\" or \\\')', i);
          value += escaped;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', value, at });
      continue;
    }
    if (c === '$' || NAME_START.test(c)) {
      // A name is identifiers (or array indexes after the first) joined by dots: user.name, items.0.price.
      let j = c === '$' ? i + 1 : i;
      if (!NAME_START.test(input[j] ?? '')) throw new SyntaxFailure('expected a name after $', at);
      while (j < input.length) {
        if (NAME_PART.test(input[j]!)) j++;
        else if (input[j] === '.' && NAME_PART.test(input[j + 1] ?? '') && c !== '$') j++;
        else break;
      }
      const text = input.slice(c === '$' ? i + 1 : i, j);
      tokens.push({ kind: c === '$' ? 'meta' : 'name', value: text, at });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op === undefined) throw new SyntaxFailure(`unexpected character ${JSON.stringify(c)}`, at);
    tokens.push({ kind: 'op', value: op, at });
    i += op.length;
  }
  tokens.push({ kind: 'eof', at: input.length });
  return tokens;
}

// ── parser ───────────────────────────────────────────────────────────────────────────────────────────

const FUNCTION_ARITY = {
  lower: [1, 1],
  upper: [1, 1],
  len: [1, 1],
  round: [1, 2],
  floor: [1, 1],
  ceil: [1, 1],
  abs: [1, 1],
  now: [0, 0],
  str: [1, 1],
  num: [1, 1],
  concat: [1, 16],
  coalesce: [1, 16],
  if: [3, 3],
  min: [1, 16],
  max: [1, 16],
  contains: [2, 2],
} as const satisfies Record<string, readonly [number, number]>;
type FunctionName = keyof typeof FUNCTION_ARITY;
export const FUNCTIONS = Object.keys(FUNCTION_ARITY) as FunctionName[];

const LEVELS: string[][] = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

class Parser {
  #i = 0;
  #depth = 0;
  constructor(readonly tokens: Token[]) {}

  get #peek(): Token {
    return this.tokens[this.#i]!;
  }

  #describe(t: Token): string {
    return t.kind === 'eof' ? 'the end' : t.kind === 'string' ? JSON.stringify(t.value) : String(t.value);
  }

  #isOp(value: string): boolean {
    const t = this.#peek;
    return t.kind === 'op' && t.value === value;
  }

  #expectOp(value: string): void {
    if (!this.#isOp(value))
      throw new SyntaxFailure(`expected "${value}" but found ${this.#describe(this.#peek)}`, this.#peek.at);
    this.#i++;
  }

  parse(): ExprNode {
    const expr = this.#binary(0);
    if (this.#peek.kind !== 'eof')
      throw new SyntaxFailure(
        `expected an operator or the end but found ${this.#describe(this.#peek)}`,
        this.#peek.at,
      );
    return expr;
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH)
      throw new SyntaxFailure(`the expression nests deeper than ${MAX_DEPTH} levels`, this.#peek.at);
  }

  #binary(level: number): ExprNode {
    if (level === LEVELS.length) return this.#unary();
    let left = this.#binary(level + 1);
    const ops = LEVELS[level]!;
    let chained = 0;
    for (;;) {
      const t = this.#peek;
      if (t.kind !== 'op' || !ops.includes(t.value)) return left;
      // a < b < c reads like maths but would compare a boolean: refuse it.
      if (level === 2 && chained++ > 0)
        throw new SyntaxFailure('comparisons do not chain; combine them with &&', t.at);
      this.#i++;
      this.#enter();
      const right = this.#binary(level + 1);
      this.#depth--;
      left = { kind: 'binary', op: t.value as BinaryOp, left, right };
    }
  }

  #unary(): ExprNode {
    if (this.#isOp('-') || this.#isOp('!')) {
      const op = (this.#peek as { value: '-' | '!' }).value;
      this.#i++;
      this.#enter();
      const expr = this.#unary();
      this.#depth--;
      return { kind: 'unary', op, expr };
    }
    return this.#primary();
  }

  #primary(): ExprNode {
    const t = this.#peek;
    switch (t.kind) {
      case 'number':
      case 'string':
        this.#i++;
        return { kind: 'literal', value: t.value };
      case 'meta':
        if (!(META_NAMES as readonly string[]).includes(t.value))
          throw new SyntaxFailure(
            `unknown $${t.value}: use ${META_NAMES.map((m) => `$${m}`).join(', ')}`,
            t.at,
          );
        this.#i++;
        return { kind: 'meta', name: t.value as MetaName };
      case 'name': {
        this.#i++;
        if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true' };
        if (t.value === 'null') return { kind: 'literal', value: null };
        if (!this.#isOp('(')) return { kind: 'field', path: t.value.split('.') };
        if (!Object.hasOwn(FUNCTION_ARITY, t.value))
          throw new SyntaxFailure(`unknown function ${t.value}(): use ${FUNCTIONS.join(', ')}`, t.at);
        const name = t.value as FunctionName;
        this.#i++;
        const args: ExprNode[] = [];
        this.#enter();
        if (!this.#isOp(')')) {
          for (;;) {
            args.push(this.#binary(0));
            if (!this.#isOp(',')) break;
            this.#i++;
          }
        }
        this.#depth--;
        this.#expectOp(')');
        const [min, max] = FUNCTION_ARITY[name];
        if (args.length < min || args.length > max)
          throw new SyntaxFailure(
            `${name}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, not ${args.length}`,
            t.at,
          );
        return { kind: 'call', name, args };
      }
      case 'op':
        if (t.value === '(') {
          this.#i++;
          this.#enter();
          const inner = this.#binary(0);
          this.#depth--;
          this.#expectOp(')');
          return inner;
        }
        break;
      case 'eof':
        break;
    }
    throw new SyntaxFailure(`expected a value, a field or a function but found ${this.#describe(t)}`, t.at);
  }
}

/** Parses an expression; never throws. */
export function parseExpression(input: string): ExprParseResult {
  if (input.length > MAX_EXPRESSION_LENGTH)
    return {
      ok: false,
      error: { message: `an expression is at most ${MAX_EXPRESSION_LENGTH} characters`, offset: 0 },
    };
  try {
    return { ok: true, expr: new Parser(tokenize(input)).parse() };
  } catch (error) {
    if (error instanceof SyntaxFailure)
      return { ok: false, error: { message: error.message, offset: error.offset } };
    return { ok: false, error: { message: `cannot parse the expression: ${String(error)}`, offset: 0 } };
  }
}

// ── evaluator ────────────────────────────────────────────────────────────────────────────────────────

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v;

function truthy(v: unknown): boolean {
  return !(v === null || v === false || v === 0 || v === '' || v === undefined);
}

function number(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new ExprEvalError(`${what} needs a number, not ${typeName(v)}`);
  return v;
}

function finite(n: number, what: string): number {
  if (!Number.isFinite(n)) throw new ExprEvalError(`${what} is not a finite number`);
  return n;
}

/** Text of a value for concatenation and str(). */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null)
    return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function order(op: string, a: unknown, b: unknown): boolean {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')))
    throw new ExprEvalError(
      `${op} compares two numbers or two strings, not ${typeName(a)} and ${typeName(b)}`,
    );
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function call(name: FunctionName, args: ExprNode[], scope: ExprScope): unknown {
  const arg = (i: number): unknown => evaluateExpression(args[i]!, scope);
  switch (name) {
    case 'lower':
    case 'upper': {
      const v = arg(0);
      if (typeof v !== 'string') throw new ExprEvalError(`${name}() needs a string, not ${typeName(v)}`);
      return name === 'lower' ? v.toLowerCase() : v.toUpperCase();
    }
    case 'len': {
      const v = arg(0);
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (v !== null && typeof v === 'object') return Object.keys(v).length;
      throw new ExprEvalError(`len() needs a string, an array or an object, not ${typeName(v)}`);
    }
    case 'round': {
      const v = number(arg(0), 'round()');
      const digits = args.length > 1 ? number(arg(1), 'round() digits') : 0;
      if (!Number.isInteger(digits) || digits < 0 || digits > 15)
        throw new ExprEvalError('round() digits must be an integer from 0 to 15');
      const scale = 10 ** digits;
      return finite(Math.round(v * scale) / scale, 'round()');
    }
    case 'floor':
      return Math.floor(number(arg(0), 'floor()'));
    case 'ceil':
      return Math.ceil(number(arg(0), 'ceil()'));
    case 'abs':
      return Math.abs(number(arg(0), 'abs()'));
    case 'now':
      return scope.time;
    case 'str':
      return textOf(arg(0));
    case 'num': {
      const v = arg(0);
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n)) throw new ExprEvalError(`num() cannot read ${textOf(v)} as a number`);
      return n;
    }
    case 'concat':
      return args.map((_, i) => textOf(arg(i))).join('');
    case 'coalesce':
      for (let i = 0; i < args.length; i++) {
        const v = arg(i);
        if (v !== null) return v;
      }
      return null;
    case 'if':
      return truthy(arg(0)) ? arg(1) : arg(2);
    case 'min':
    case 'max': {
      const values = args.map((_, i) => number(arg(i), `${name}()`));
      return name === 'min' ? Math.min(...values) : Math.max(...values);
    }
    case 'contains': {
      const hay = arg(0);
      const needle = arg(1);
      if (typeof hay === 'string') return typeof needle === 'string' && hay.includes(needle);
      if (Array.isArray(hay)) return hay.some((v) => same(v, needle));
      throw new ExprEvalError(`contains() needs a string or an array, not ${typeName(hay)}`);
    }
  }
}

/** Evaluates to a JSON value (a missing field is null). @throws ExprEvalError */
export function evaluateExpression(node: ExprNode, scope: ExprScope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'field': {
      const v = scope.field(node.path);
      return v === undefined ? null : v;
    }
    case 'meta':
      return scope[node.name];
    case 'unary': {
      const v = evaluateExpression(node.expr, scope);
      return node.op === '!' ? !truthy(v) : -number(v, 'unary -');
    }
    case 'call':
      return call(node.name, node.args, scope);
    case 'binary': {
      const { op } = node;
      if (op === '&&')
        return truthy(evaluateExpression(node.left, scope)) && truthy(evaluateExpression(node.right, scope));
      if (op === '||')
        return truthy(evaluateExpression(node.left, scope)) || truthy(evaluateExpression(node.right, scope));
      const a = evaluateExpression(node.left, scope);
      const b = evaluateExpression(node.right, scope);
      switch (op) {
        case '==':
          return same(a, b);
        case '!=':
          return !same(a, b);
        case '<':
        case '<=':
        case '>':
        case '>=':
          return order(op, a, b);
        case '+':
          if (typeof a === 'string' || typeof b === 'string') return textOf(a) + textOf(b);
          return finite(number(a, '+') + number(b, '+'), '+');
        case '-':
          return finite(number(a, '-') - number(b, '-'), '-');
        case '*':
          return finite(number(a, '*') * number(b, '*'), '*');
        case '/':
        case '%': {
          const divisor = number(b, op);
          if (divisor === 0) throw new ExprEvalError('division by zero');
          return finite(op === '/' ? number(a, op) / divisor : number(a, op) % divisor, op);
        }
      }
    }
  }
}
