import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeReason } from './client.ts';
import { payloadBytes, type RawEvent, viewOf } from './event-view.ts';
import { EventsSubscription } from './live-events.ts';
import { eventView, WS_LIMITS } from './schema.ts';

function raw(payload: Buffer | string, seq = 1): RawEvent {
  return {
    seq,
    time: 1_795_335_369_728,
    logical: 3,
    node: 0x7f000001,
    stream: 2,
    flags: 0,
    payload: Buffer.from(payload),
    views: {},
  };
}

describe('viewOf', () => {
  it('renders text and hex byte-exact, falling back to hex for bytes that are not UTF-8', () => {
    const payloads = [
      'plain',
      '',
      '\ufeffBOM kept',
      'ü €',
      Buffer.from([0xff, 0x00, 0x80]),
      Buffer.from([0xc3]),
    ];
    for (const payload of payloads) {
      const bytes = Buffer.from(payload);
      for (const mode of ['text', 'hex', 'json'] as const) {
        const { view, json } = viewOf(raw(bytes), mode);
        expect(eventView.parse(JSON.parse(json))).toEqual(view);
        if (view.encoding !== 'json') expect(payloadBytes(view)!.equals(bytes)).toBe(true);
      }
    }
    expect(viewOf(raw(Buffer.from([0xff])), 'text').view.encoding).toBe('hex');
    expect(viewOf(raw('\ufeffx'), 'text').view.payload).toBe('\ufeffx');
  });

  it('parses JSON in json mode and keeps other text as text', () => {
    expect(viewOf(raw('{"a":[1,2]}'), 'json').view).toMatchObject({
      encoding: 'json',
      payload: { a: [1, 2] },
    });
    expect(viewOf(raw('  42'), 'json').view).toMatchObject({ encoding: 'json', payload: 42 });
    expect(viewOf(raw('hello'), 'json').view).toMatchObject({ encoding: 'text', payload: 'hello' });
    expect(viewOf(raw('{broken'), 'json').view).toMatchObject({ encoding: 'text', payload: '{broken' });
  });

  it('omits the payload in none mode and renders each mode once', () => {
    const event = raw('abc');
    const none = viewOf(event, 'none');
    expect(none.view).toEqual({
      seq: 1,
      time: 1_795_335_369_728,
      logical: 3,
      node: 0x7f000001,
      stream: 2,
      flags: 0,
      size: 3,
      encoding: 'none',
    });
    expect(viewOf(event, 'none')).toBe(none);
    expect(payloadBytes(none.view)).toBeNull();
  });
});

describe('closeReason', () => {
  it('cuts reasons to 123 bytes on a character boundary', () => {
    expect(closeReason('short')).toBe('short');
    const cut = closeReason('é'.repeat(100));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.includes('\ufffd')).toBe(false);
  });
});

describe('EventsSubscription', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function subscription(maxPerSecond: number) {
    const sent: { events: { seq: number }[]; dropped: number; gap: number }[] = [];
    const sub = new EventsSubscription({
      streamId: 2,
      streamName: 'orders',
      node: null,
      maxPerSecond,
      payload: 'text',
      send: (text) => {
        sent.push(JSON.parse(text) as (typeof sent)[number]);
        return true;
      },
    });
    const offer = (seq: number, payload = 'x'): boolean => {
      const event = raw(payload, seq);
      const admitted = sub.admit({ payloadLength: event.payload.length } as never);
      if (admitted) sub.offer(event);
      return admitted;
    };
    return { sub, sent, offer };
  }

  it('admits a second of events in a burst, then counts the rest as dropped and refills over time', () => {
    const { sub, sent, offer } = subscription(5);
    const admitted = Array.from({ length: 20 }, (_, i) => offer(i)).filter(Boolean).length;
    expect(admitted).toBe(5);
    sub.flushSoon();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(sent[0]!.dropped).toBe(15);
    vi.advanceTimersByTime(1000);
    expect(Array.from({ length: 10 }, (_, i) => offer(100 + i)).filter(Boolean).length).toBe(5);
  });

  it('coalesces into at most one message per batch interval and caps events per message', () => {
    const { sub, sent, offer } = subscription(10_000);
    offer(0);
    sub.flushSoon();
    expect(sent).toHaveLength(1);
    for (let i = 1; i <= 600; i++) offer(i);
    sub.flushSoon();
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(WS_LIMITS.batchIntervalMs);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.events).toHaveLength(WS_LIMITS.maxBatchEvents);
    vi.advanceTimersByTime(WS_LIMITS.batchIntervalMs);
    expect(sent).toHaveLength(3);
    expect(sent[2]!.events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 501 + i));
  });

  it('bounds what waits for a client and reports gaps', () => {
    const { sub, sent, offer } = subscription(10_000);
    const admitted = Array.from({ length: WS_LIMITS.maxPendingEvents + 50 }, (_, i) => offer(i)).filter(
      Boolean,
    ).length;
    expect(admitted).toBe(WS_LIMITS.maxPendingEvents);
    sub.gap(7);
    sub.flushSoon();
    expect(sent[0]).toMatchObject({ dropped: 50, gap: 7 });
  });
});
