/**
 * Conditions and projections over one journal event. The payload is decoded lazily — UTF-8 first, then JSON —
 * only when a condition, a projected column or a group key asks for it, and at most once per event; conditions
 * on the slot's own fields never touch the payload. Semantics (missing fields, types) as in docs/query.md.
 *
 * @module
 */
import type { CausalEvent } from '../../core/causal-event.ts';
import { wallMsOfWords } from '../../core/hlc.ts';
import { decodeUtf8, parseJson } from '../events/payload.ts';
import type { Expr, Field, Literal } from './ast.ts';

/** A field the event does not have. */
export const MISSING: unique symbol = Symbol('missing');
export type Value = unknown;

/** The event being evaluated; reset for each slot, so one instance serves a whole scan. */
export class EventContext {
  seq = 0;
  event!: CausalEvent;
  #payload: () => Uint8Array;
  #streamName: (id: number) => string | null;
  #text: string | null | undefined;
  #json: { value: unknown } | null | undefined;
  /** Payloads decoded so far (for the stats and the tests of laziness). */
  decoded = 0;

  constructor(payload: (event: CausalEvent) => Uint8Array, streamName: (id: number) => string | null) {
    this.#payload = () => payload(this.event);
    this.#streamName = streamName;
  }

  reset(seq: number, event: CausalEvent): this {
    this.seq = seq;
    this.event = event;
    this.#text = undefined;
    this.#json = undefined;
    return this;
  }

  text(): string | null {
    if (this.#text === undefined) {
      this.decoded++;
      this.#text = decodeUtf8(this.#payload());
    }
    return this.#text;
  }

  /** The payload's JSON value, or null when the payload is not JSON. */
  json(): { value: unknown } | null {
    if (this.#json === undefined) {
      const text = this.text();
      const parsed = text === null ? null : parseJson(text);
      this.#json = parsed?.ok ? { value: parsed.value } : null;
    }
    return this.#json;
  }

  streamName(): string | null {
    return this.#streamName(this.event.streamId);
  }

  time(): number {
    return wallMsOfWords(this.event.lamportHi, this.event.lamportLo);
  }
}

function walk(root: unknown, path: readonly (string | number)[]): Value {
  let at = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(at) || segment >= at.length) return MISSING;
      at = at[segment];
    } else {
      if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, segment))
        return MISSING;
      at = (at as Record<string, unknown>)[segment];
    }
  }
  return at;
}

/** A field's value; `stream` compared with a number is its id, otherwise its name. */
export function fieldValue(field: Field, ctx: EventContext, streamAsId = false): Value {
  if (field.kind === 'json') {
    const json = ctx.json();
    return json === null ? MISSING : walk(json.value, field.path);
  }
  switch (field.name) {
    case 'stream':
      return streamAsId ? ctx.event.streamId : (ctx.streamName() ?? MISSING);
    case 'node':
      return ctx.event.nodeId;
    case 'seq':
      return ctx.seq;
    case 'time':
      return ctx.time();
    case 'size':
      return ctx.event.payloadLength;
    case 'payload':
      return ctx.text() ?? MISSING;
  }
}

/** A projected cell: missing is null; an unnamed stream shows its id. */
export function cellValue(field: Field, ctx: EventContext): Value {
  if (field.kind === 'builtin' && field.name === 'stream') return ctx.streamName() ?? ctx.event.streamId;
  const value = fieldValue(field, ctx);
  return value === MISSING ? null : value;
}

/** The payload as `SELECT *` shows it: JSON value, else text, else null. */
export function payloadCell(ctx: EventContext): Value {
  const json = ctx.json();
  return json !== null ? json.value : ctx.text();
}

function equal(a: Value, b: Literal): boolean {
  return a === b;
}

export function evaluate(expr: Expr, ctx: EventContext): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, ctx) && evaluate(expr.right, ctx);
    case 'or':
      return evaluate(expr.left, ctx) || evaluate(expr.right, ctx);
    case 'not':
      return !evaluate(expr.expr, ctx);
    case 'compare': {
      const v = fieldValue(expr.field, ctx, typeof expr.value === 'number');
      if (v === MISSING) return false;
      const lit = expr.value;
      switch (expr.op) {
        case '=':
          return equal(v, lit);
        case '!=':
          return !equal(v, lit);
      }
      const comparable =
        (typeof v === 'number' && typeof lit === 'number') ||
        (typeof v === 'string' && typeof lit === 'string');
      if (!comparable) return false;
      const a = v as number | string;
      const b = lit as number | string;
      switch (expr.op) {
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
      }
      return false;
    }
    case 'match': {
      const v = fieldValue(expr.field, ctx, typeof expr.value === 'number');
      if (v === MISSING) return false;
      const lit = expr.value;
      if (expr.op === 'STARTSWITH')
        return typeof v === 'string' && typeof lit === 'string' && v.startsWith(lit);
      if (typeof v === 'string') return typeof lit === 'string' && v.includes(lit);
      return Array.isArray(v) && v.some((element) => equal(element, lit));
    }
  }
}

/** Whether evaluating needs the payload at all (for EXPLAIN). */
export function readsPayload(expr: Expr | null, fields: readonly Field[]): boolean {
  const field = (f: Field): boolean => f.kind === 'json' || f.name === 'payload';
  const inExpr = (e: Expr): boolean => {
    switch (e.kind) {
      case 'and':
      case 'or':
        return inExpr(e.left) || inExpr(e.right);
      case 'not':
        return inExpr(e.expr);
      default:
        return field(e.field);
    }
  };
  return (expr !== null && inExpr(expr)) || fields.some(field);
}

// eslint-disable-next-line no-control-regex -- characters JSON must escape inside a string
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const BACKSLASH = 0x5c;

/**
 * Byte strings every matching payload must contain, from the conditions every match needs (the top-level AND
 * chain): a JSON field `=`, `CONTAINS` or `STARTSWITH` a string holds that string, and JSON text without a
 * backslash writes each string as its plain UTF-8 bytes. So a payload with no backslash that lacks one of these
 * cannot match, and is skipped without decoding. (With a backslash, an escape could spell the string another
 * way: such payloads are always decoded.)
 */
export function requiredBytes(expr: Expr | null): Buffer[] {
  const out: Buffer[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'and') {
      visit(e.left);
      visit(e.right);
    } else if (e.kind === 'compare' || e.kind === 'match') {
      const plain = typeof e.value === 'string' && e.value.length > 0 && !NEEDS_ESCAPE.test(e.value);
      if ((e.kind === 'match' || e.op === '=') && e.field.kind === 'json' && plain)
        out.push(Buffer.from(e.value as string, 'utf8'));
    }
  };
  if (expr !== null) visit(expr);
  return out;
}

/** False only when the payload certainly cannot match (see requiredBytes). */
export function mayMatch(payload: Uint8Array, needles: readonly Buffer[]): boolean {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (bytes.indexOf(BACKSLASH) !== -1) return true;
  for (const needle of needles) if (bytes.indexOf(needle) === -1) return false;
  return true;
}
