/**
 * A record flowing through a pipeline, and the field helpers every node uses. A source record keeps its
 * payload as text and parses it as JSON only when something reads a field; a derived record (a transform's,
 * a join's, a window's) carries its fields directly.
 *
 * A source's fields: the payload's JSON object; any other JSON value as `{ value }`; text that is not JSON
 * as `{ payload }`; bytes that are not UTF-8 as `{}`.
 *
 * @module
 */
import type { CausalEvent } from '../../core/causal-event.ts';
import { parseJson } from '../events/payload.ts';
import { EventContext } from '../query/evaluate.ts';
import type { PipelineRecordView } from './schema.ts';

export type Fields = Record<string, unknown>;

export class PipeRecord {
  #fields: Fields | undefined;
  #text: string | null | undefined;
  #size: number | undefined;

  constructor(
    readonly seq: number,
    readonly time: number,
    readonly stream: string | null,
    readonly streamId: number,
    readonly node: number,
    source: { text: string | null; size: number } | { fields: Fields },
    /** The earliest journal event behind this record (an aggregate's window or a join reaches back). */
    readonly firstSeq: number = seq,
  ) {
    if ('fields' in source) this.#fields = source.fields;
    else {
      this.#text = source.text;
      this.#size = source.size;
    }
  }

  /** Payload bytes (for a derived record, of its JSON). */
  get size(): number {
    if (this.#size === undefined) {
      const text = this.text;
      this.#size = text === null ? 0 : Buffer.byteLength(text);
    }
    return this.#size;
  }

  get fields(): Fields {
    if (this.#fields === undefined) {
      const text = this.#text ?? null;
      if (text === null) this.#fields = {};
      else {
        const parsed = parseJson(text);
        if (!parsed.ok) this.#fields = { payload: text };
        else if (parsed.value !== null && typeof parsed.value === 'object' && !Array.isArray(parsed.value))
          this.#fields = parsed.value as Fields;
        else this.#fields = { value: parsed.value };
      }
    }
    return this.#fields;
  }

  /** The payload text (for a derived record, its fields as JSON). */
  get text(): string | null {
    if (this.#text === undefined) this.#text = JSON.stringify(this.#fields);
    return this.#text;
  }

  derive(
    fields: Fields,
    time = this.time,
    seq = this.seq,
    firstSeq = Math.min(seq, this.firstSeq),
  ): PipeRecord {
    return new PipeRecord(seq, time, this.stream, this.streamId, this.node, { fields }, firstSeq);
  }

  view(): PipelineRecordView {
    return { seq: this.seq, time: this.time, stream: this.stream, fields: this.fields };
  }

  toJSON(): unknown {
    return {
      seq: this.seq,
      time: this.time,
      stream: this.stream,
      streamId: this.streamId,
      node: this.node,
      fields: this.fields,
      firstSeq: this.firstSeq,
    };
  }

  static fromJSON(v: {
    seq: number;
    time: number;
    stream: string | null;
    streamId: number;
    node: number;
    fields: Fields;
    firstSeq?: number;
  }): PipeRecord {
    return new PipeRecord(
      v.seq,
      v.time,
      v.stream,
      v.streamId,
      v.node,
      { fields: v.fields },
      v.firstSeq ?? v.seq,
    );
  }
}

/** The value at a dotted path (array indexes as numbers), or undefined when it is missing. */
export function getPath(root: unknown, path: readonly string[]): unknown {
  let at = root;
  for (const segment of path) {
    if (Array.isArray(at)) {
      if (!/^\d+$/.test(segment)) return undefined;
      at = at[Number(segment)];
    } else if (at !== null && typeof at === 'object' && Object.hasOwn(at, segment)) {
      at = (at as Fields)[segment];
    } else return undefined;
  }
  return at;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Sets a dotted path, creating objects on the way (an existing non-object on the way is replaced). */
export function setPath(root: Fields, path: readonly string[], value: unknown): void {
  let at: Fields = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    if (UNSAFE_KEYS.has(key)) return;
    const next = Object.hasOwn(at, key) ? at[key] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const fresh: Fields = {};
      at[key] = fresh;
      at = fresh;
    } else at = next as Fields;
  }
  const last = path[path.length - 1]!;
  if (UNSAFE_KEYS.has(last)) return;
  at[last] = value;
}

export function deletePath(root: Fields, path: readonly string[]): void {
  const parent = getPath(root, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object' && !Array.isArray(parent))
    Reflect.deleteProperty(parent, path[path.length - 1]!);
}

function cloneValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneValue);
  const out: Fields = {};
  for (const key of Object.keys(value)) out[key] = cloneValue((value as Fields)[key]);
  return out;
}

/** A deep copy of JSON-like fields (several times faster than structuredClone for small objects). */
export function cloneFields(fields: Fields): Fields {
  return cloneValue(fields) as Fields;
}

const NO_PAYLOAD = new Uint8Array(0);

/** The query evaluator's view of a record, so filters reuse the query language's semantics unchanged. */
export class RecordContext extends EventContext {
  #record!: PipeRecord;
  readonly #event: CausalEvent;

  constructor() {
    super(
      () => NO_PAYLOAD,
      () => null,
    );
    const record = () => this.#record;
    this.#event = {
      get streamId() {
        return record().streamId;
      },
      get nodeId() {
        return record().node;
      },
      get payloadLength() {
        return record().size;
      },
    } as unknown as CausalEvent;
  }

  use(record: PipeRecord): this {
    this.#record = record;
    return this.reset(record.seq, this.#event);
  }

  override text(): string | null {
    return this.#record.text;
  }

  override json(): { value: unknown } {
    return { value: this.#record.fields };
  }

  override streamName(): string | null {
    return this.#record.stream;
  }

  override time(): number {
    return this.#record.time;
  }
}
