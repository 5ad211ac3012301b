/**
 * The IPC protocol between the sequencer (`cz start`) and its observers over a Unix stream socket: the
 * frame, one encoder and one decoder per message, and `FrameReader`, which cuts a byte stream into frames.
 * docs/ipc.md is the byte-by-byte description; the offsets below are its tables.
 *
 * A frame is `u32 length` (of what follows), `u8 type`, then the body. Control bodies are UTF-8 JSON, data
 * bodies binary little-endian. Decoders of untrusted bytes never throw: every way a frame can be wrong is an
 * `IpcDecodeError`. Encoders throw `RangeError` naming the field for values that do not fit, since those are
 * programming errors.
 *
 * @module
 */
import { isU16, isU32, U64_MAX } from '../core/u64.ts';

export const IPC_PROTOCOL_VERSION = 1;
/** The largest value of a frame's length field (type byte plus body): 16 MiB. */
export const IPC_MAX_FRAME = 16 * 1024 * 1024;

export const IPC_LENGTH_OFFSET = 0; //                   u32, bytes after this field
export const IPC_TYPE_OFFSET = IPC_LENGTH_OFFSET + 4; // u8
export const IPC_BODY_OFFSET = IPC_TYPE_OFFSET + 1;
const LENGTH_FIELD_SIZE = IPC_TYPE_OFFSET - IPC_LENGTH_OFFSET;
/** Bytes before the body: the length field and the type byte. */
export const IPC_FRAME_HEADER_SIZE = IPC_BODY_OFFSET;

/** Message types; the direction of each is in docs/ipc.md. */
export const IpcMessageType = {
  HELLO: 1,
  PUBLICATION: 2,
  SUBMIT: 3,
  SUBMIT_ACK: 4,
  REGISTER_STREAM: 5,
  STREAM_REGISTERED: 6,
  ERROR: 7,
  STATUS_REQUEST: 8,
  STATUS: 9,
  BYE: 10,
} as const;
export type IpcMessageType = (typeof IpcMessageType)[keyof typeof IpcMessageType];

const TYPE_NAMES = new Map<number, string>(
  Object.entries(IpcMessageType).map(([name, type]) => [type, name]),
);

/** `HELLO (1)` for known types, `7 (unknown)` otherwise; for messages about frames. */
export function describeMessageType(type: number): string {
  const name = TYPE_NAMES.get(type);
  return name === undefined ? `${type} (unknown)` : `${name} (${type})`;
}

// ── bodies (offsets from the first body byte) ──────────────────────────────────────────────────────
const REQUEST_ID_OFFSET = 0; //                              u32, in every request and its answer
const REQUEST_JSON_OFFSET = REQUEST_ID_OFFSET + 4; //        JSON after the request id

const PUBLICATION_HEAD_OFFSET = 0; //                                 u64
const PUBLICATION_TAIL_OFFSET = PUBLICATION_HEAD_OFFSET + 8; //       u64
const PUBLICATION_CLOCK_OFFSET = PUBLICATION_TAIL_OFFSET + 8; //      u64
const PUBLICATION_PUBLISHED_MS_OFFSET = PUBLICATION_CLOCK_OFFSET + 8; // u64
export const IPC_PUBLICATION_BODY_SIZE = PUBLICATION_PUBLISHED_MS_OFFSET + 8;

const SUBMIT_COUNT_OFFSET = REQUEST_ID_OFFSET + 4; //         u32
const SUBMIT_EVENTS_OFFSET = SUBMIT_COUNT_OFFSET + 4;
const EVENT_STREAM_ID_OFFSET = 0; //                          u16
const EVENT_FLAGS_OFFSET = EVENT_STREAM_ID_OFFSET + 2; //     u16
const EVENT_NODE_ID_OFFSET = EVENT_FLAGS_OFFSET + 2; //       u32
const EVENT_CLOCK_HINT_OFFSET = EVENT_NODE_ID_OFFSET + 4; //  u64, 0 = none
const EVENT_LENGTH_OFFSET = EVENT_CLOCK_HINT_OFFSET + 8; //   u32
/** Bytes of one submitted event before its payload. */
export const IPC_SUBMIT_EVENT_HEADER_SIZE = EVENT_LENGTH_OFFSET + 4;

const ACK_COUNT_OFFSET = REQUEST_ID_OFFSET + 4; //            u32
const ACK_ENTRIES_OFFSET = ACK_COUNT_OFFSET + 4;
const ACK_STATUS_OFFSET = 0; //                               u8
const ACK_SEQUENCE_OFFSET = ACK_STATUS_OFFSET + 1; //         u64, all ones when not journaled
export const IPC_SUBMIT_ACK_ENTRY_SIZE = ACK_SEQUENCE_OFFSET + 8;

/** Submit statuses in wire order: the byte is the index. */
export const IPC_SUBMIT_STATUSES = ['journaled', 'dropped', 'too_large', 'shutting_down'] as const;
export type IpcSubmitStatus = (typeof IPC_SUBMIT_STATUSES)[number];

// ── message shapes ─────────────────────────────────────────────────────────────────────────────────

/** What the server says first on every connection (HELLO). */
export interface Hello {
  protocol: typeof IPC_PROTOCOL_VERSION;
  pid: number;
  journal: { path: string; slotCount: number; blobSize: number; maxPayload: number };
  /** The receive backend, e.g. `io_uring` or `recvmmsg`. */
  backend: string;
  listeners: { host: string; port: number; streamId: number; stream: string }[];
  streams: { id: number; name: string }[];
  /** The publication at connect time; `clock` is a u64 as decimal text. */
  publication: { head: number; tail: number; clock: string; publishedMs: number };
}

/** The journal's publication line as sent in PUBLICATION messages. */
export interface PublicationState {
  /** The next sequence number to be written; below 2^53. */
  head: number;
  /** The oldest retained sequence number; below 2^53. */
  tail: number;
  /** The last clock value issued (u64). */
  clock: bigint;
  publishedMs: number;
}

/** One event of a SUBMIT as the server decodes it. */
export interface IpcSubmitEvent {
  streamId: number;
  /** u16 on the wire; the sequencer decides which bits it accepts. */
  flags: number;
  nodeId: number;
  /** The sender's clock value (u64), `0n` for none. */
  clockHint: bigint;
  /** A view into the received frame, not a copy. The server never reuses that memory. */
  payload: Uint8Array;
}

/** One event of a SUBMIT as a client gives it; `flags` and `clockHint` default to 0 (none). */
export interface IpcSubmitEventInput {
  streamId: number;
  nodeId: number;
  flags?: number;
  clockHint?: bigint | number;
  payload: Uint8Array;
}

export interface IpcSubmitResult {
  /** Sequence number per event, `null` when it was not journaled. */
  sequences: (number | null)[];
  statuses: IpcSubmitStatus[];
}

/** The JSON body of an ERROR message. */
export interface IpcErrorBody {
  code: string;
  message: string;
}

/**
 * The one error type of the IPC layer: connection failures (`IPC_UNAVAILABLE`, `IPC_CLOSED`, `IPC_IN_USE`)
 * and errors the server reported (`SUBMIT_QUEUE_FULL`, `PROTOCOL_ERROR`, ...) all carry a string `code`.
 */
export class IpcError extends Error implements IpcErrorBody {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IpcError';
    this.code = code;
  }
}

export type IpcClientMessage =
  | { type: typeof IpcMessageType.SUBMIT; requestId: number; events: IpcSubmitEvent[] }
  | { type: typeof IpcMessageType.REGISTER_STREAM; requestId: number; name: string }
  | { type: typeof IpcMessageType.STATUS_REQUEST; requestId: number };

export type IpcServerMessage =
  | { type: typeof IpcMessageType.HELLO; hello: Hello }
  | { type: typeof IpcMessageType.PUBLICATION; publication: PublicationState }
  | { type: typeof IpcMessageType.SUBMIT_ACK; requestId: number; result: IpcSubmitResult }
  | { type: typeof IpcMessageType.STREAM_REGISTERED; requestId: number; id: number; name: string }
  | { type: typeof IpcMessageType.ERROR; requestId: number; error: IpcErrorBody }
  | { type: typeof IpcMessageType.STATUS; requestId: number; status: unknown }
  | { type: typeof IpcMessageType.BYE; reason: string };

/** A complete frame: its type byte and a view of its body. */
export interface IpcFrame {
  type: number;
  body: Uint8Array;
}

export type IpcDecodeErrorCode =
  | 'EMPTY_FRAME'
  | 'FRAME_TOO_LARGE'
  | 'UNEXPECTED_TYPE'
  | 'TRUNCATED_BODY'
  | 'TRAILING_BYTES'
  | 'BAD_JSON'
  | 'BAD_FIELD';

export interface IpcDecodeError {
  code: IpcDecodeErrorCode;
  message: string;
}

export type IpcDecodeResult<T> = { ok: true; message: T } | { ok: false; error: IpcDecodeError };

// ── encoders ───────────────────────────────────────────────────────────────────────────────────────

const utf8 = new TextEncoder();
const TWO_POW_32 = 0x1_0000_0000;

interface FrameWriter {
  bytes: Uint8Array;
  view: DataView;
}

/** Allocates a whole frame with its length and type written; body offsets are from IPC_BODY_OFFSET. */
function allocateFrame(type: IpcMessageType, bodyLength: number): FrameWriter {
  const length = 1 + bodyLength;
  if (length > IPC_MAX_FRAME) {
    throw new RangeError(
      `${describeMessageType(type)} body is ${bodyLength} bytes; a frame carries at most ${IPC_MAX_FRAME - 1}`,
    );
  }
  const bytes = new Uint8Array(IPC_FRAME_HEADER_SIZE + bodyLength);
  const view = new DataView(bytes.buffer);
  view.setUint32(IPC_LENGTH_OFFSET, length, true);
  view.setUint8(IPC_TYPE_OFFSET, type);
  return { bytes, view };
}

/** JSON with u64 `bigint`s as decimal text, the project's JSON form for values past 2^53. */
function jsonBytes(value: unknown): Uint8Array {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  // JSON.stringify(undefined) is undefined, which would put no valid JSON on the wire.
  return utf8.encode(text ?? 'null');
}

function checkRequestId(requestId: number): void {
  if (!isU32(requestId)) throw new RangeError(`requestId must be a u32, got ${requestId}`);
}

function setSafeU64(view: DataView, offset: number, value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative safe integer, got ${value}`);
  }
  view.setUint32(offset, value % TWO_POW_32, true);
  view.setUint32(offset + 4, Math.floor(value / TWO_POW_32), true);
}

function setU64(view: DataView, offset: number, value: bigint | number, field: string): void {
  const big = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (big < 0n || big > U64_MAX) throw new RangeError(`${field} must be a u64, got ${value}`);
  view.setBigUint64(offset, big, true);
}

function encodeJsonMessage(type: IpcMessageType, value: unknown): Uint8Array {
  const json = jsonBytes(value);
  const { bytes } = allocateFrame(type, json.length);
  bytes.set(json, IPC_BODY_OFFSET);
  return bytes;
}

function encodeRequestJson(type: IpcMessageType, requestId: number, value: unknown): Uint8Array {
  checkRequestId(requestId);
  const json = jsonBytes(value);
  const { bytes, view } = allocateFrame(type, REQUEST_JSON_OFFSET + json.length);
  view.setUint32(IPC_BODY_OFFSET + REQUEST_ID_OFFSET, requestId, true);
  bytes.set(json, IPC_BODY_OFFSET + REQUEST_JSON_OFFSET);
  return bytes;
}

/** HELLO, server → client. */
export function encodeHello(hello: Hello): Uint8Array {
  if (hello.protocol !== IPC_PROTOCOL_VERSION) {
    throw new RangeError(`hello.protocol must be ${IPC_PROTOCOL_VERSION}, got ${String(hello.protocol)}`);
  }
  return encodeJsonMessage(IpcMessageType.HELLO, hello);
}

/** PUBLICATION, server → client: 32 bytes of body. */
export function encodePublication(state: PublicationState): Uint8Array {
  const { bytes, view } = allocateFrame(IpcMessageType.PUBLICATION, IPC_PUBLICATION_BODY_SIZE);
  setSafeU64(view, IPC_BODY_OFFSET + PUBLICATION_HEAD_OFFSET, state.head, 'head');
  setSafeU64(view, IPC_BODY_OFFSET + PUBLICATION_TAIL_OFFSET, state.tail, 'tail');
  setU64(view, IPC_BODY_OFFSET + PUBLICATION_CLOCK_OFFSET, state.clock, 'clock');
  setSafeU64(view, IPC_BODY_OFFSET + PUBLICATION_PUBLISHED_MS_OFFSET, state.publishedMs, 'publishedMs');
  return bytes;
}

/** SUBMIT, client → server. Payloads are copied once, into the frame. */
export function encodeSubmit(requestId: number, events: readonly IpcSubmitEventInput[]): Uint8Array {
  checkRequestId(requestId);
  let bodyLength = SUBMIT_EVENTS_OFFSET;
  for (const [i, event] of events.entries()) {
    if (!(event.payload instanceof Uint8Array))
      throw new RangeError(`events[${i}].payload must be a Uint8Array`);
    bodyLength += IPC_SUBMIT_EVENT_HEADER_SIZE + event.payload.length;
  }
  if (1 + bodyLength > IPC_MAX_FRAME) {
    throw new RangeError(
      `a SUBMIT of ${events.length} events is ${bodyLength} bytes; a frame carries at most ${IPC_MAX_FRAME - 1}`,
    );
  }
  const { bytes, view } = allocateFrame(IpcMessageType.SUBMIT, bodyLength);
  view.setUint32(IPC_BODY_OFFSET + REQUEST_ID_OFFSET, requestId, true);
  view.setUint32(IPC_BODY_OFFSET + SUBMIT_COUNT_OFFSET, events.length, true);
  let at = IPC_BODY_OFFSET + SUBMIT_EVENTS_OFFSET;
  for (const [i, event] of events.entries()) {
    const { streamId, nodeId, flags = 0, clockHint = 0, payload } = event;
    if (!isU16(streamId)) throw new RangeError(`events[${i}].streamId must be a u16, got ${streamId}`);
    if (!isU16(flags)) throw new RangeError(`events[${i}].flags must be a u16, got ${flags}`);
    if (!isU32(nodeId)) throw new RangeError(`events[${i}].nodeId must be a u32, got ${nodeId}`);
    view.setUint16(at + EVENT_STREAM_ID_OFFSET, streamId, true);
    view.setUint16(at + EVENT_FLAGS_OFFSET, flags, true);
    view.setUint32(at + EVENT_NODE_ID_OFFSET, nodeId, true);
    setU64(view, at + EVENT_CLOCK_HINT_OFFSET, clockHint, `events[${i}].clockHint`);
    view.setUint32(at + EVENT_LENGTH_OFFSET, payload.length, true);
    bytes.set(payload, at + IPC_SUBMIT_EVENT_HEADER_SIZE);
    at += IPC_SUBMIT_EVENT_HEADER_SIZE + payload.length;
  }
  return bytes;
}

/** SUBMIT_ACK, server → client: one status byte and one u64 sequence per event. */
export function encodeSubmitAck(requestId: number, result: IpcSubmitResult): Uint8Array {
  checkRequestId(requestId);
  const { sequences, statuses } = result;
  if (sequences.length !== statuses.length) {
    throw new RangeError(`result has ${sequences.length} sequences but ${statuses.length} statuses`);
  }
  const count = statuses.length;
  const { bytes, view } = allocateFrame(
    IpcMessageType.SUBMIT_ACK,
    ACK_ENTRIES_OFFSET + count * IPC_SUBMIT_ACK_ENTRY_SIZE,
  );
  view.setUint32(IPC_BODY_OFFSET + REQUEST_ID_OFFSET, requestId, true);
  view.setUint32(IPC_BODY_OFFSET + ACK_COUNT_OFFSET, count, true);
  for (let i = 0; i < count; i++) {
    const at = IPC_BODY_OFFSET + ACK_ENTRIES_OFFSET + i * IPC_SUBMIT_ACK_ENTRY_SIZE;
    const status = IPC_SUBMIT_STATUSES.indexOf(statuses[i]!);
    if (status < 0) throw new RangeError(`statuses[${i}] is not a submit status: ${String(statuses[i])}`);
    view.setUint8(at + ACK_STATUS_OFFSET, status);
    const sequence = sequences[i];
    if (statuses[i] === 'journaled') {
      if (sequence === null || sequence === undefined) {
        throw new RangeError(`sequences[${i}] is missing for a journaled event`);
      }
      setSafeU64(view, at + ACK_SEQUENCE_OFFSET, sequence, `sequences[${i}]`);
    } else {
      view.setBigUint64(at + ACK_SEQUENCE_OFFSET, U64_MAX, true);
    }
  }
  return bytes;
}

/** REGISTER_STREAM, client → server. */
export function encodeRegisterStream(requestId: number, name: string): Uint8Array {
  if (typeof name !== 'string') throw new RangeError('name must be a string');
  return encodeRequestJson(IpcMessageType.REGISTER_STREAM, requestId, { name });
}

/** STREAM_REGISTERED, server → client. */
export function encodeStreamRegistered(requestId: number, stream: { id: number; name: string }): Uint8Array {
  if (!isU16(stream.id)) throw new RangeError(`stream id must be a u16, got ${stream.id}`);
  return encodeRequestJson(IpcMessageType.STREAM_REGISTERED, requestId, { id: stream.id, name: stream.name });
}

/** ERROR, server → client; request id 0 is about the connection as a whole. */
export function encodeError(requestId: number, error: IpcErrorBody): Uint8Array {
  return encodeRequestJson(IpcMessageType.ERROR, requestId, { code: error.code, message: error.message });
}

/** STATUS_REQUEST, client → server: the request id and nothing else. */
export function encodeStatusRequest(requestId: number): Uint8Array {
  checkRequestId(requestId);
  const { bytes, view } = allocateFrame(IpcMessageType.STATUS_REQUEST, REQUEST_JSON_OFFSET);
  view.setUint32(IPC_BODY_OFFSET + REQUEST_ID_OFFSET, requestId, true);
  return bytes;
}

/** STATUS, server → client. `bigint`s in `status` become decimal strings. */
export function encodeStatus(requestId: number, status: unknown): Uint8Array {
  return encodeRequestJson(IpcMessageType.STATUS, requestId, status);
}

/** BYE, server → client, before the server closes. */
export function encodeBye(reason: string): Uint8Array {
  return encodeJsonMessage(IpcMessageType.BYE, { reason });
}

// ── frame reader ───────────────────────────────────────────────────────────────────────────────────

export type FrameReadResult =
  { ok: true; frames: IpcFrame[] } | { ok: false; frames: IpcFrame[]; error: IpcDecodeError };

/**
 * Cuts a byte stream into frames, whatever the chunking: a frame split at any byte, or several frames in
 * one chunk. Frames wholly inside a pushed chunk are views into it (no copy); a frame split across chunks is
 * assembled once into its own buffer. Pushed chunks must not be modified afterwards.
 *
 * A length field of 0 or above IPC_MAX_FRAME is reported as soon as its four bytes arrive, before any of
 * the frame is buffered; the reader then stays failed (a byte stream cannot resynchronise).
 */
export class FrameReader {
  readonly #header = new Uint8Array(LENGTH_FIELD_SIZE);
  #headerFill = 0;
  /** Length of the frame being assembled (type + body), or -1 while its length field is incomplete. */
  #frameLength = -1;
  #partial = new Uint8Array(0);
  #partialFill = 0;
  #error: IpcDecodeError | null = null;

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.#headerFill + this.#partialFill;
  }

  push(chunk: Uint8Array): FrameReadResult {
    const frames: IpcFrame[] = [];
    if (this.#error) return { ok: false, frames, error: this.#error };
    let at = this.#continuePartial(chunk, frames);
    while (at >= 0 && at < chunk.length) {
      const remaining = chunk.length - at;
      if (remaining < LENGTH_FIELD_SIZE) {
        this.#header.set(chunk.subarray(at));
        this.#headerFill = remaining;
        break;
      }
      const length = new DataView(chunk.buffer, chunk.byteOffset + at, LENGTH_FIELD_SIZE).getUint32(0, true);
      if (!this.#checkLength(length)) break;
      const start = at + LENGTH_FIELD_SIZE;
      if (chunk.length - start >= length) {
        frames.push(frameOf(chunk.subarray(start, start + length)));
        at = start + length;
        continue;
      }
      this.#frameLength = length;
      this.#append(chunk.subarray(start));
      break;
    }
    return this.#error ? { ok: false, frames, error: this.#error } : { ok: true, frames };
  }

  /** Feeds the start of `chunk` to an incomplete frame; returns where unread bytes start, -1 on error. */
  #continuePartial(chunk: Uint8Array, frames: IpcFrame[]): number {
    let at = 0;
    if (this.#headerFill > 0) {
      const take = Math.min(LENGTH_FIELD_SIZE - this.#headerFill, chunk.length);
      this.#header.set(chunk.subarray(0, take), this.#headerFill);
      this.#headerFill += take;
      at = take;
      if (this.#headerFill < LENGTH_FIELD_SIZE) return chunk.length;
      this.#headerFill = 0;
      const length = new DataView(this.#header.buffer).getUint32(0, true);
      if (!this.#checkLength(length)) return -1;
      this.#frameLength = length;
    }
    if (this.#frameLength < 0) return at;
    const take = Math.min(this.#frameLength - this.#partialFill, chunk.length - at);
    this.#append(chunk.subarray(at, at + take));
    at += take;
    if (this.#partialFill === this.#frameLength) {
      frames.push(frameOf(this.#partial.subarray(0, this.#frameLength)));
      this.#frameLength = -1;
      this.#partial = new Uint8Array(0);
      this.#partialFill = 0;
    }
    return at;
  }

  /**
   * Grows the assembly buffer with what actually arrived (doubling, capped at the frame length) rather than
   * allocating the declared length up front: a peer that announces 16 MiB and sends four bytes costs four.
   */
  #append(bytes: Uint8Array): void {
    const needed = this.#partialFill + bytes.length;
    if (needed > this.#partial.length) {
      const grown = new Uint8Array(
        Math.min(this.#frameLength, Math.max(needed, this.#partial.length * 2, 4096)),
      );
      grown.set(this.#partial.subarray(0, this.#partialFill));
      this.#partial = grown;
    }
    this.#partial.set(bytes, this.#partialFill);
    this.#partialFill = needed;
  }

  #checkLength(length: number): boolean {
    if (length === 0) {
      this.#error = {
        code: 'EMPTY_FRAME',
        message: 'frame length is 0; a frame holds at least its type byte',
      };
    } else if (length > IPC_MAX_FRAME) {
      this.#error = {
        code: 'FRAME_TOO_LARGE',
        message: `frame length ${length} exceeds the maximum of ${IPC_MAX_FRAME} bytes`,
      };
    }
    return this.#error === null;
  }
}

function frameOf(typeAndBody: Uint8Array): IpcFrame {
  return { type: typeAndBody[0]!, body: typeAndBody.subarray(1) };
}

// ── decoders ───────────────────────────────────────────────────────────────────────────────────────

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function fail<T>(code: IpcDecodeErrorCode, message: string): IpcDecodeResult<T> {
  return { ok: false, error: { code, message } };
}

function viewOf(body: Uint8Array): DataView {
  return new DataView(body.buffer, body.byteOffset, body.byteLength);
}

type JsonResult = { ok: true; value: unknown } | { ok: false; error: IpcDecodeError };

function parseJson(bytes: Uint8Array, what: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(utf8Strict.decode(bytes)) as unknown };
  } catch (error) {
    return {
      ok: false,
      error: { code: 'BAD_JSON', message: `${what} body is not UTF-8 JSON: ${(error as Error).message}` },
    };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks that `value` has every key in `shape` with a value its predicate accepts; returns the first bad key. */
function badField(value: unknown, shape: Record<string, (v: unknown) => boolean>): string | null {
  if (!isRecord(value)) return '(not an object)';
  for (const [key, accepts] of Object.entries(shape)) if (!accepts(value[key])) return key;
  return null;
}

const listenerShape = { host: isString, port: isCount, streamId: isCount, stream: isString };
const streamShape = { id: isCount, name: isString };
const helloShape = {
  protocol: (v: unknown) => v === IPC_PROTOCOL_VERSION,
  pid: isCount,
  journal: (v: unknown) =>
    badField(v, { path: isString, slotCount: isCount, blobSize: isCount, maxPayload: isCount }) === null,
  backend: isString,
  listeners: (v: unknown) => Array.isArray(v) && v.every((l) => badField(l, listenerShape) === null),
  streams: (v: unknown) => Array.isArray(v) && v.every((s) => badField(s, streamShape) === null),
  publication: (v: unknown) =>
    badField(v, {
      head: isCount,
      tail: isCount,
      clock: (c) => isString(c) && /^\d+$/.test(c),
      publishedMs: isCount,
    }) === null,
};

/** Reads a u64 that must stay below 2^53 (sequence numbers, milliseconds); null when it does not. */
function getSafeU64(view: DataView, offset: number): number | null {
  const value = view.getUint32(offset + 4, true) * TWO_POW_32 + view.getUint32(offset, true);
  return Number.isSafeInteger(value) ? value : null;
}

function decodeJsonBody<T>(
  body: Uint8Array,
  what: string,
  shape: Record<string, (v: unknown) => boolean>,
  build: (value: Record<string, unknown>) => T,
): IpcDecodeResult<T> {
  const parsed = parseJson(body, what);
  if (!parsed.ok) return parsed;
  const bad = badField(parsed.value, shape);
  if (bad !== null) return fail('BAD_FIELD', `${what} body has a missing or invalid field: ${bad}`);
  return { ok: true, message: build(parsed.value as Record<string, unknown>) };
}

function decodeRequestJson<T>(
  body: Uint8Array,
  what: string,
  shape: Record<string, (v: unknown) => boolean>,
  build: (requestId: number, value: Record<string, unknown>) => T,
): IpcDecodeResult<T> {
  if (body.length < REQUEST_JSON_OFFSET) {
    return fail('TRUNCATED_BODY', `${what} body is ${body.length} bytes; it starts with a 4-byte request id`);
  }
  const requestId = viewOf(body).getUint32(REQUEST_ID_OFFSET, true);
  return decodeJsonBody(body.subarray(REQUEST_JSON_OFFSET), what, shape, (value) => build(requestId, value));
}

function decodeSubmit(body: Uint8Array): IpcDecodeResult<IpcClientMessage> {
  if (body.length < SUBMIT_EVENTS_OFFSET) {
    return fail(
      'TRUNCATED_BODY',
      `SUBMIT body is ${body.length} bytes; its header is ${SUBMIT_EVENTS_OFFSET}`,
    );
  }
  const view = viewOf(body);
  const requestId = view.getUint32(REQUEST_ID_OFFSET, true);
  const count = view.getUint32(SUBMIT_COUNT_OFFSET, true);
  // Checked before allocating anything for `count` events, so a lying count costs nothing.
  if (count * IPC_SUBMIT_EVENT_HEADER_SIZE > body.length - SUBMIT_EVENTS_OFFSET) {
    return fail(
      'TRUNCATED_BODY',
      `SUBMIT declares ${count} events but its body is only ${body.length} bytes`,
    );
  }
  const events: IpcSubmitEvent[] = [];
  let at = SUBMIT_EVENTS_OFFSET;
  for (let i = 0; i < count; i++) {
    if (body.length - at < IPC_SUBMIT_EVENT_HEADER_SIZE) {
      return fail('TRUNCATED_BODY', `SUBMIT event ${i} header runs past the end of the body`);
    }
    const length = view.getUint32(at + EVENT_LENGTH_OFFSET, true);
    const payloadAt = at + IPC_SUBMIT_EVENT_HEADER_SIZE;
    if (length > body.length - payloadAt) {
      return fail(
        'TRUNCATED_BODY',
        `SUBMIT event ${i} declares ${length} payload bytes but ${body.length - payloadAt} remain`,
      );
    }
    events.push({
      streamId: view.getUint16(at + EVENT_STREAM_ID_OFFSET, true),
      flags: view.getUint16(at + EVENT_FLAGS_OFFSET, true),
      nodeId: view.getUint32(at + EVENT_NODE_ID_OFFSET, true),
      clockHint: view.getBigUint64(at + EVENT_CLOCK_HINT_OFFSET, true),
      payload: body.subarray(payloadAt, payloadAt + length),
    });
    at = payloadAt + length;
  }
  if (at !== body.length) {
    return fail('TRAILING_BYTES', `SUBMIT body has ${body.length - at} bytes after its ${count} events`);
  }
  return { ok: true, message: { type: IpcMessageType.SUBMIT, requestId, events } };
}

/** Decodes a frame a client sent (SUBMIT, REGISTER_STREAM, STATUS_REQUEST). Never throws. */
export function decodeClientMessage(frame: IpcFrame): IpcDecodeResult<IpcClientMessage> {
  const { type, body } = frame;
  switch (type) {
    case IpcMessageType.SUBMIT:
      return decodeSubmit(body);
    case IpcMessageType.REGISTER_STREAM:
      return decodeRequestJson(body, 'REGISTER_STREAM', { name: isString }, (requestId, v) => ({
        type: IpcMessageType.REGISTER_STREAM,
        requestId,
        name: v['name'] as string,
      }));
    case IpcMessageType.STATUS_REQUEST:
      if (body.length !== REQUEST_JSON_OFFSET) {
        return fail(
          'BAD_FIELD',
          `STATUS_REQUEST body must be exactly a 4-byte request id, got ${body.length} bytes`,
        );
      }
      return {
        ok: true,
        message: {
          type: IpcMessageType.STATUS_REQUEST,
          requestId: viewOf(body).getUint32(REQUEST_ID_OFFSET, true),
        },
      };
    default:
      return fail(
        'UNEXPECTED_TYPE',
        `message type ${describeMessageType(type)} is not one a client may send`,
      );
  }
}

function decodePublication(body: Uint8Array): IpcDecodeResult<IpcServerMessage> {
  if (body.length !== IPC_PUBLICATION_BODY_SIZE) {
    return fail(
      'BAD_FIELD',
      `PUBLICATION body must be ${IPC_PUBLICATION_BODY_SIZE} bytes, got ${body.length}`,
    );
  }
  const view = viewOf(body);
  const head = getSafeU64(view, PUBLICATION_HEAD_OFFSET);
  const tail = getSafeU64(view, PUBLICATION_TAIL_OFFSET);
  const publishedMs = getSafeU64(view, PUBLICATION_PUBLISHED_MS_OFFSET);
  if (head === null || tail === null || publishedMs === null) {
    return fail('BAD_FIELD', 'PUBLICATION head, tail and publishedMs must be below 2^53');
  }
  const clock = view.getBigUint64(PUBLICATION_CLOCK_OFFSET, true);
  return {
    ok: true,
    message: { type: IpcMessageType.PUBLICATION, publication: { head, tail, clock, publishedMs } },
  };
}

function decodeSubmitAck(body: Uint8Array): IpcDecodeResult<IpcServerMessage> {
  if (body.length < ACK_ENTRIES_OFFSET) {
    return fail(
      'TRUNCATED_BODY',
      `SUBMIT_ACK body is ${body.length} bytes; its header is ${ACK_ENTRIES_OFFSET}`,
    );
  }
  const view = viewOf(body);
  const requestId = view.getUint32(REQUEST_ID_OFFSET, true);
  const count = view.getUint32(ACK_COUNT_OFFSET, true);
  if (body.length !== ACK_ENTRIES_OFFSET + count * IPC_SUBMIT_ACK_ENTRY_SIZE) {
    return fail('BAD_FIELD', `SUBMIT_ACK declares ${count} entries but its body is ${body.length} bytes`);
  }
  const sequences: (number | null)[] = [];
  const statuses: IpcSubmitStatus[] = [];
  for (let i = 0; i < count; i++) {
    const at = ACK_ENTRIES_OFFSET + i * IPC_SUBMIT_ACK_ENTRY_SIZE;
    const status = IPC_SUBMIT_STATUSES[view.getUint8(at + ACK_STATUS_OFFSET)];
    if (status === undefined) {
      return fail(
        'BAD_FIELD',
        `SUBMIT_ACK entry ${i} has unknown status ${view.getUint8(at + ACK_STATUS_OFFSET)}`,
      );
    }
    let sequence: number | null = null;
    if (status === 'journaled') {
      sequence = getSafeU64(view, at + ACK_SEQUENCE_OFFSET);
      if (sequence === null)
        return fail('BAD_FIELD', `SUBMIT_ACK entry ${i} is journaled without a valid sequence`);
    }
    statuses.push(status);
    sequences.push(sequence);
  }
  return {
    ok: true,
    message: { type: IpcMessageType.SUBMIT_ACK, requestId, result: { sequences, statuses } },
  };
}

/** Decodes a frame the server sent. Never throws. */
export function decodeServerMessage(frame: IpcFrame): IpcDecodeResult<IpcServerMessage> {
  const { type, body } = frame;
  switch (type) {
    case IpcMessageType.HELLO:
      return decodeJsonBody(body, 'HELLO', helloShape, (v) => ({
        type: IpcMessageType.HELLO,
        hello: v as unknown as Hello,
      }));
    case IpcMessageType.PUBLICATION:
      return decodePublication(body);
    case IpcMessageType.SUBMIT_ACK:
      return decodeSubmitAck(body);
    case IpcMessageType.STREAM_REGISTERED:
      return decodeRequestJson(body, 'STREAM_REGISTERED', streamShape, (requestId, v) => ({
        type: IpcMessageType.STREAM_REGISTERED,
        requestId,
        id: v['id'] as number,
        name: v['name'] as string,
      }));
    case IpcMessageType.ERROR:
      return decodeRequestJson(body, 'ERROR', { code: isString, message: isString }, (requestId, v) => ({
        type: IpcMessageType.ERROR,
        requestId,
        error: { code: v['code'] as string, message: v['message'] as string },
      }));
    case IpcMessageType.STATUS: {
      if (body.length < REQUEST_JSON_OFFSET) {
        return fail(
          'TRUNCATED_BODY',
          `STATUS body is ${body.length} bytes; it starts with a 4-byte request id`,
        );
      }
      const parsed = parseJson(body.subarray(REQUEST_JSON_OFFSET), 'STATUS');
      if (!parsed.ok) return parsed;
      const requestId = viewOf(body).getUint32(REQUEST_ID_OFFSET, true);
      return { ok: true, message: { type: IpcMessageType.STATUS, requestId, status: parsed.value } };
    }
    case IpcMessageType.BYE:
      return decodeJsonBody(body, 'BYE', { reason: isString }, (v) => ({
        type: IpcMessageType.BYE,
        reason: v['reason'] as string,
      }));
    default:
      return fail(
        'UNEXPECTED_TYPE',
        `message type ${describeMessageType(type)} is not one a server may send`,
      );
  }
}
