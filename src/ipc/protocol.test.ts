import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeClientMessage,
  decodeServerMessage,
  encodeBye,
  encodeError,
  encodeHello,
  encodePublication,
  encodeRegisterStream,
  encodeStatus,
  encodeStatusRequest,
  encodeStreamRegistered,
  encodeSubmit,
  encodeSubmitAck,
  FrameReader,
  type Hello,
  IPC_MAX_FRAME,
  type IpcFrame,
  IpcMessageType,
  type IpcSubmitEventInput,
} from './protocol.ts';

const hello: Hello = {
  protocol: 1,
  pid: 4242,
  journal: { path: '/var/lib/cz/journal.db', slotCount: 1 << 20, blobSize: 1 << 30, maxPayload: 65_475 },
  backend: 'io_uring',
  listeners: [{ host: '127.0.0.1', port: 9000, streamId: 1, stream: 'ticks' }],
  streams: [{ id: 1, name: 'ticks' }],
  publication: { head: 10, tail: 2, clock: '115561676800000000', publishedMs: 1_763_000_000_000 },
};

/** Cuts one whole frame (as an encoder returns it) into type and body, checking the length field. */
function frameOf(bytes: Uint8Array): IpcFrame {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  expect(length).toBe(bytes.length - 4);
  return { type: bytes[4]!, body: bytes.subarray(5) };
}

function server(bytes: Uint8Array) {
  const result = decodeServerMessage(frameOf(bytes));
  if (!result.ok) throw new Error(`expected a valid message: ${result.error.message}`);
  return result.message;
}

function client(bytes: Uint8Array) {
  const result = decodeClientMessage(frameOf(bytes));
  if (!result.ok) throw new Error(`expected a valid message: ${result.error.message}`);
  return result.message;
}

function rawFrame(type: number, body: Uint8Array | number[]): Uint8Array {
  const bytes = new Uint8Array(5 + body.length);
  new DataView(bytes.buffer).setUint32(0, 1 + body.length, true);
  bytes[4] = type;
  bytes.set(body, 5);
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('IPC frame layout (docs/ipc.md)', () => {
  it('writes PUBLICATION as length 33, type 2, then head, tail, clock, publishedMs as u64 LE', () => {
    const clock = (1_763_000_000_000n << 16n) | 7n;
    const bytes = encodePublication({ head: 2 ** 40 + 3, tail: 5, clock, publishedMs: 1_763_000_000_123 });
    const view = new DataView(bytes.buffer);
    expect(bytes.length).toBe(37);
    expect(view.getUint32(0, true)).toBe(33);
    expect(bytes[4]).toBe(2);
    expect(view.getBigUint64(5, true)).toBe(2n ** 40n + 3n);
    expect(view.getBigUint64(13, true)).toBe(5n);
    expect(view.getBigUint64(21, true)).toBe(clock);
    expect(view.getBigUint64(29, true)).toBe(1_763_000_000_123n);
  });

  it('writes SUBMIT as request id, count, then 20-byte event headers each followed by the payload', () => {
    const bytes = encodeSubmit(0x01020304, [
      {
        streamId: 0x0a0b,
        flags: 0x0102,
        nodeId: 0xdeadbeef,
        clockHint: 0x1122334455667788n,
        payload: Uint8Array.of(9, 8, 7),
      },
      { streamId: 1, nodeId: 2, payload: new Uint8Array(0) },
    ]);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0, true)).toBe(1 + 8 + 20 + 3 + 20);
    expect(bytes[4]).toBe(3);
    expect(view.getUint32(5, true)).toBe(0x01020304);
    expect(view.getUint32(9, true)).toBe(2);
    expect(view.getUint16(13, true)).toBe(0x0a0b);
    expect(view.getUint16(15, true)).toBe(0x0102);
    expect(view.getUint32(17, true)).toBe(0xdeadbeef);
    expect(view.getBigUint64(21, true)).toBe(0x1122334455667788n);
    expect(view.getUint32(29, true)).toBe(3);
    expect([...bytes.subarray(33, 36)]).toEqual([9, 8, 7]);
    expect(view.getUint16(36, true)).toBe(1);
    expect(view.getUint16(38, true)).toBe(0); // flags default
    expect(view.getUint32(40, true)).toBe(2);
    expect(view.getBigUint64(44, true)).toBe(0n); // no clock hint
    expect(view.getUint32(52, true)).toBe(0);
    expect(bytes.length).toBe(56);
  });

  it('writes SUBMIT_ACK as request id, count, then a status byte and a u64 sequence per event', () => {
    const bytes = encodeSubmitAck(77, {
      sequences: [12, null, null, null],
      statuses: ['journaled', 'dropped', 'too_large', 'shutting_down'],
    });
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0, true)).toBe(1 + 8 + 4 * 9);
    expect(bytes[4]).toBe(4);
    expect(view.getUint32(5, true)).toBe(77);
    expect(view.getUint32(9, true)).toBe(4);
    expect(bytes[13]).toBe(0);
    expect(view.getBigUint64(14, true)).toBe(12n);
    for (const [i, status] of [1, 2, 3].entries()) {
      expect(bytes[22 + i * 9]).toBe(status);
      expect(view.getBigUint64(23 + i * 9, true)).toBe(2n ** 64n - 1n);
    }
  });

  it('writes request-id messages as a u32 request id followed by UTF-8 JSON', () => {
    const bytes = encodeError(5, { code: 'SUBMIT_QUEUE_FULL', message: 'full' });
    expect(bytes[4]).toBe(7);
    expect(new DataView(bytes.buffer).getUint32(5, true)).toBe(5);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(9)))).toEqual({
      code: 'SUBMIT_QUEUE_FULL',
      message: 'full',
    });
    const request = encodeStatusRequest(0xffffffff);
    expect([...request]).toEqual([5, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff]);
    const register = encodeRegisterStream(3, 'trädes');
    expect(register[4]).toBe(5);
    expect(new TextDecoder().decode(register.subarray(9))).toBe('{"name":"trädes"}');
  });

  it('writes HELLO and BYE as bare JSON bodies', () => {
    const bytes = encodeHello(hello);
    expect(bytes[4]).toBe(1);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(5)))).toEqual(hello);
    expect(new TextDecoder().decode(encodeBye('stopping').subarray(5))).toBe('{"reason":"stopping"}');
  });
});

describe('IPC messages round-trip', () => {
  it('decodes what the server encodes', () => {
    expect(server(encodeHello(hello))).toEqual({ type: IpcMessageType.HELLO, hello });
    const publication = { head: 2 ** 53 - 1, tail: 0, clock: 2n ** 64n - 1n, publishedMs: 1 };
    expect(server(encodePublication(publication))).toEqual({ type: IpcMessageType.PUBLICATION, publication });
    const result = {
      sequences: [0, null, 2 ** 52],
      statuses: ['journaled', 'dropped', 'journaled'] as const,
    };
    expect(
      server(encodeSubmitAck(9, { sequences: result.sequences, statuses: [...result.statuses] })),
    ).toEqual({
      type: IpcMessageType.SUBMIT_ACK,
      requestId: 9,
      result: { sequences: result.sequences, statuses: [...result.statuses] },
    });
    expect(server(encodeStreamRegistered(3, { id: 17, name: 'orders' }))).toEqual({
      type: IpcMessageType.STREAM_REGISTERED,
      requestId: 3,
      id: 17,
      name: 'orders',
    });
    expect(server(encodeError(0, { code: 'SLOW_CONSUMER', message: 'm' }))).toEqual({
      type: IpcMessageType.ERROR,
      requestId: 0,
      error: { code: 'SLOW_CONSUMER', message: 'm' },
    });
    expect(server(encodeStatus(4, { events: 12n, nested: { ok: true } }))).toEqual({
      type: IpcMessageType.STATUS,
      requestId: 4,
      status: { events: '12', nested: { ok: true } },
    });
    expect(server(encodeStatus(4, undefined))).toMatchObject({ status: null });
    expect(server(encodeBye('bye'))).toEqual({ type: IpcMessageType.BYE, reason: 'bye' });
  });

  it('decodes what the client encodes, with payloads as views into the frame', () => {
    const events: IpcSubmitEventInput[] = [
      {
        streamId: 65535,
        flags: 65535,
        nodeId: 2 ** 32 - 1,
        clockHint: 2n ** 64n - 1n,
        payload: Uint8Array.of(0, 255, 1),
      },
      { streamId: 0, nodeId: 0, clockHint: 5, payload: new Uint8Array(70_000).fill(0xab) },
    ];
    const bytes = encodeSubmit(1, events);
    const message = client(bytes);
    expect(message.type).toBe(IpcMessageType.SUBMIT);
    if (message.type !== IpcMessageType.SUBMIT) return;
    expect(message.requestId).toBe(1);
    expect(message.events.map((e) => ({ ...e, payload: [...e.payload] }))).toEqual([
      { streamId: 65535, flags: 65535, nodeId: 2 ** 32 - 1, clockHint: 2n ** 64n - 1n, payload: [0, 255, 1] },
      { streamId: 0, flags: 0, nodeId: 0, clockHint: 5n, payload: [...events[1]!.payload] },
    ]);
    expect(message.events[0]!.payload.buffer).toBe(bytes.buffer);
    expect(client(encodeRegisterStream(8, 'x'))).toEqual({
      type: IpcMessageType.REGISTER_STREAM,
      requestId: 8,
      name: 'x',
    });
    expect(client(encodeStatusRequest(2))).toEqual({ type: IpcMessageType.STATUS_REQUEST, requestId: 2 });
  });

  it('round-trips arbitrary submissions byte-exactly', () => {
    const event = fc.record({
      streamId: fc.integer({ min: 0, max: 0xffff }),
      flags: fc.integer({ min: 0, max: 0xffff }),
      nodeId: fc.integer({ min: 0, max: 0xffffffff }),
      clockHint: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      payload: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(event, { maxLength: 20 }),
        (requestId, events) => {
          const message = client(encodeSubmit(requestId, events));
          expect(message).toEqual({ type: IpcMessageType.SUBMIT, requestId, events });
        },
      ),
    );
  });
});

describe('IPC encoders reject values that do not fit, naming the field', () => {
  it.each([
    ['streamId', () => encodeSubmit(1, [{ streamId: 65536, nodeId: 0, payload: new Uint8Array(0) }])],
    ['flags', () => encodeSubmit(1, [{ streamId: 0, flags: -1, nodeId: 0, payload: new Uint8Array(0) }])],
    ['nodeId', () => encodeSubmit(1, [{ streamId: 0, nodeId: 2 ** 32, payload: new Uint8Array(0) }])],
    [
      'clockHint',
      () => encodeSubmit(1, [{ streamId: 0, nodeId: 0, clockHint: 2n ** 64n, payload: new Uint8Array(0) }]),
    ],
    ['requestId', () => encodeStatusRequest(-1)],
    ['head', () => encodePublication({ head: 2 ** 53, tail: 0, clock: 0n, publishedMs: 0 })],
    ['clock', () => encodePublication({ head: 0, tail: 0, clock: -1n, publishedMs: 0 })],
    ['statuses[0]', () => encodeSubmitAck(1, { sequences: [null], statuses: ['lost' as 'dropped'] })],
    ['sequences[0]', () => encodeSubmitAck(1, { sequences: [null], statuses: ['journaled'] })],
    ['stream id', () => encodeStreamRegistered(1, { id: 70_000, name: 'x' })],
    ['protocol', () => encodeHello({ ...hello, protocol: 2 as 1 })],
  ])('%s', (field, encode) => {
    expect(encode).toThrow(RangeError);
    expect(encode).toThrow(field);
  });

  it('refuses a SUBMIT larger than IPC_MAX_FRAME', () => {
    const payload = new Uint8Array(IPC_MAX_FRAME / 2);
    expect(() =>
      encodeSubmit(
        1,
        [0, 1].map(() => ({ streamId: 0, nodeId: 0, payload })),
      ),
    ).toThrow(/at most/);
  });
});

describe('IPC decoders reject malformed bodies without throwing', () => {
  const submitHeader = (count: number, extra: number[] = []) => {
    const body = new Uint8Array(8 + extra.length);
    new DataView(body.buffer).setUint32(4, count, true);
    body.set(extra, 8);
    return body;
  };

  it.each([
    ['an unknown type', { type: 99, body: new Uint8Array(0) }, 'UNEXPECTED_TYPE'],
    ['a server-only type', { type: IpcMessageType.HELLO, body: new Uint8Array(0) }, 'UNEXPECTED_TYPE'],
    ['a short SUBMIT header', { type: IpcMessageType.SUBMIT, body: new Uint8Array(7) }, 'TRUNCATED_BODY'],
    [
      'a SUBMIT claiming 2^32-1 events',
      { type: IpcMessageType.SUBMIT, body: submitHeader(0xffffffff) },
      'TRUNCATED_BODY',
    ],
    [
      'a SUBMIT event longer than the body',
      {
        type: IpcMessageType.SUBMIT,
        body: submitHeader(1, [...new Array<number>(16).fill(0), 5, 0, 0, 0, 1, 2]),
      },
      'TRUNCATED_BODY',
    ],
    [
      'a SUBMIT with bytes after its events',
      { type: IpcMessageType.SUBMIT, body: submitHeader(0, [1]) },
      'TRAILING_BYTES',
    ],
    [
      'REGISTER_STREAM without a request id',
      { type: IpcMessageType.REGISTER_STREAM, body: Uint8Array.of(1) },
      'TRUNCATED_BODY',
    ],
    [
      'REGISTER_STREAM with invalid JSON',
      { type: IpcMessageType.REGISTER_STREAM, body: Uint8Array.of(1, 0, 0, 0, 0x7b) },
      'BAD_JSON',
    ],
    [
      'REGISTER_STREAM with invalid UTF-8',
      { type: IpcMessageType.REGISTER_STREAM, body: Uint8Array.of(1, 0, 0, 0, 0x22, 0xff, 0x22) },
      'BAD_JSON',
    ],
    [
      'REGISTER_STREAM without a name',
      {
        type: IpcMessageType.REGISTER_STREAM,
        body: concat([Uint8Array.of(1, 0, 0, 0), new TextEncoder().encode('{"name":3}')]),
      },
      'BAD_FIELD',
    ],
    [
      'STATUS_REQUEST of 5 bytes',
      { type: IpcMessageType.STATUS_REQUEST, body: new Uint8Array(5) },
      'BAD_FIELD',
    ],
  ])('client message: %s', (_name, frame, code) => {
    const result = decodeClientMessage(frame);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it.each([
    ['a client-only type', { type: IpcMessageType.SUBMIT, body: new Uint8Array(8) }, 'UNEXPECTED_TYPE'],
    [
      'a PUBLICATION of 31 bytes',
      { type: IpcMessageType.PUBLICATION, body: new Uint8Array(31) },
      'BAD_FIELD',
    ],
    [
      'a PUBLICATION head of 2^64-1',
      { type: IpcMessageType.PUBLICATION, body: new Uint8Array(32).fill(0xff) },
      'BAD_FIELD',
    ],
    [
      'a SUBMIT_ACK with a count past its body',
      { type: IpcMessageType.SUBMIT_ACK, body: Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0) },
      'BAD_FIELD',
    ],
    [
      'a SUBMIT_ACK with status 4',
      {
        type: IpcMessageType.SUBMIT_ACK,
        body: Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0),
      },
      'BAD_FIELD',
    ],
    [
      'a HELLO of another protocol version',
      {
        type: IpcMessageType.HELLO,
        body: new TextEncoder().encode(JSON.stringify({ ...hello, protocol: 2 })),
      },
      'BAD_FIELD',
    ],
    [
      'a HELLO with a numeric clock',
      {
        type: IpcMessageType.HELLO,
        body: new TextEncoder().encode(
          JSON.stringify({ ...hello, publication: { ...hello.publication, clock: 5 } }),
        ),
      },
      'BAD_FIELD',
    ],
    [
      'a BYE that is an array',
      { type: IpcMessageType.BYE, body: new TextEncoder().encode('[]') },
      'BAD_FIELD',
    ],
  ])('server message: %s', (_name, frame, code) => {
    const result = decodeServerMessage(frame);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('never throws on arbitrary frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 }), (type, body) => {
        decodeClientMessage({ type, body });
        decodeServerMessage({ type, body });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('FrameReader', () => {
  const frames = [
    encodeHello(hello),
    encodePublication({ head: 1, tail: 0, clock: 9n, publishedMs: 2 }),
    rawFrame(42, []),
    encodeSubmit(3, [{ streamId: 1, nodeId: 2, payload: Uint8Array.of(1, 2, 3, 4, 5, 6, 7) }]),
    encodeBye('done'),
  ];
  const stream = concat(frames);
  const expected = frames.map((f) => ({ type: f[4], body: [...f.subarray(5)] }));
  const plain = (list: IpcFrame[]) => list.map((f) => ({ type: f.type, body: [...f.body] }));

  it('returns several frames from one chunk as views into it', () => {
    const result = new FrameReader().push(stream);
    expect(result.ok).toBe(true);
    expect(plain(result.frames)).toEqual(expected);
    expect(result.frames.every((f) => f.body.buffer === stream.buffer)).toBe(true);
  });

  it('reassembles frames split at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader();
      const first = reader.push(stream.subarray(0, cut));
      const second = reader.push(stream.subarray(cut));
      expect(plain([...first.frames, ...second.frames]), `cut at ${cut}`).toEqual(expected);
      expect(reader.bufferedBytes).toBe(0);
    }
  });

  it('reassembles frames fed one byte at a time', () => {
    const reader = new FrameReader();
    const got: IpcFrame[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...reader.push(stream.subarray(i, i + 1)).frames);
    expect(plain(got)).toEqual(expected);
  });

  it('yields the same frames however the stream is chunked (property)', () => {
    const frameArb = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 5000 }))
      .map(([type, body]) => rawFrame(type, body));
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 1 << 16 }), { maxLength: 30 }),
        (list, cutPoints) => {
          const bytes = concat(list);
          const cuts = [...new Set(cutPoints.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const reader = new FrameReader();
          const got: IpcFrame[] = [];
          let from = 0;
          for (const cut of [...cuts, bytes.length]) {
            const result = reader.push(bytes.subarray(from, cut));
            expect(result.ok).toBe(true);
            got.push(...result.frames);
            from = cut;
          }
          expect(plain(got)).toEqual(list.map((f) => ({ type: f[4], body: [...f.subarray(5)] })));
          expect(reader.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports a frame longer than IPC_MAX_FRAME from its length field alone, and stays failed', () => {
    const reader = new FrameReader();
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, IPC_MAX_FRAME + 1, true);
    expect(reader.push(header.subarray(0, 2)).ok).toBe(true);
    const result = reader.push(header.subarray(2));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('FRAME_TOO_LARGE');
    expect(result.error.message).toContain(String(IPC_MAX_FRAME));
    expect(reader.push(encodeBye('x')).ok).toBe(false);
    expect(reader.bufferedBytes).toBeLessThanOrEqual(4);
  });

  it('returns the frames before a bad length field along with the error', () => {
    const result = new FrameReader().push(concat([encodeBye('a'), Uint8Array.of(0, 0, 0, 0, 1)]));
    expect(result.ok).toBe(false);
    expect(result.frames).toHaveLength(1);
    if (!result.ok) expect(result.error.code).toBe('EMPTY_FRAME');
  });

  it('accepts a frame of exactly IPC_MAX_FRAME, buffering only what arrived', () => {
    const reader = new FrameReader();
    const header = Uint8Array.of(0, 0, 0, 0, IpcMessageType.STATUS);
    new DataView(header.buffer).setUint32(0, IPC_MAX_FRAME, true);
    expect(reader.push(header).frames).toHaveLength(0);
    expect(reader.bufferedBytes).toBe(1);
    const rest = new Uint8Array(IPC_MAX_FRAME - 1);
    const result = reader.push(rest.subarray(0, 1000));
    expect(result.frames).toHaveLength(0);
    const final = reader.push(rest.subarray(1000));
    expect(final.frames).toHaveLength(1);
    expect(final.frames[0]!.body.length).toBe(IPC_MAX_FRAME - 1);
  });
});
