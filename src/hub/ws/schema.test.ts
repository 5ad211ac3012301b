import { describe, expect, it } from 'vitest';
import { playbackAction } from '../playback/schema.ts';
import { clientMessage, serverMessage } from './schema.ts';

describe('clientMessage', () => {
  it('accepts every documented message', () => {
    for (const message of [
      { type: 'auth', key: 'cz_x' },
      { type: 'subscribe', topic: 'metrics' },
      { type: 'subscribe', topic: 'metrics', intervalMs: 100 },
      { type: 'subscribe', topic: 'events', stream: 'orders' },
      { type: 'subscribe', topic: 'events', stream: 3, where: { node: 7 }, maxPerSecond: 10, payload: 'hex' },
      { type: 'subscribe', topic: 'playback', payload: 'none' },
      { type: 'unsubscribe', topic: 'events' },
      { type: 'ping' },
    ]) {
      expect(clientMessage.safeParse(message).success, JSON.stringify(message)).toBe(true);
    }
  });

  it('refuses unknown fields, topics and out-of-range values, naming the field', () => {
    const path = (message: unknown): string =>
      clientMessage.safeParse(message).error!.issues[0]!.path.map(String).join('.');
    expect(path({ type: 'subscribe', topic: 'metrics', intervalMs: 99 })).toBe('intervalMs');
    expect(path({ type: 'subscribe', topic: 'metrics', intervalMs: 60_001 })).toBe('intervalMs');
    expect(path({ type: 'subscribe', topic: 'events', stream: 1024 })).toBe('stream');
    expect(path({ type: 'subscribe', topic: 'events', stream: 'x', maxPerSecond: 0 })).toBe('maxPerSecond');
    expect(path({ type: 'subscribe', topic: 'events', stream: 'x', where: { flags: 1 } })).toBe('where');
    expect(path({ type: 'subscribe', topic: 'logs' })).toBe('topic');
    expect(path({ type: 'shout' })).toBe('type');
    expect(clientMessage.safeParse({ type: 'ping', id: 1 }).success).toBe(false);
  });
});

describe('serverMessage', () => {
  it('parses each message type and keeps fields the sampler adds later', () => {
    const snapshot = {
      at: 1,
      journal: { available: true, path: '/j' },
      sequencer: { state: 'connected', backend: 'io_uring', pid: 1 },
      head: 5,
      tail: 0,
      ring: { slotCount: 1024, used: 5, utilization: 0.005 },
      blob: { size: 65536, used: 40, utilization: 0.001 },
      counters: { EVENTS_JOURNALED: 5 },
      rates: {
        eventsPerSec: 1,
        payloadBytesPerSec: 8,
        datagramsPerSec: 1,
        bytesPerSec: 8,
        droppedPerSec: 0,
        evictedPerSec: 0,
      },
      consumers: [],
      // A field a later sampler might add: passed through, not refused.
      futureField: { x: 1 },
    };
    const parsed = serverMessage.parse({
      type: 'metrics',
      at: 2,
      intervalMs: 1000,
      hub: { clients: 1, slowClientsDropped: 0, eventLoopDelayMs: { p50: 0, p99: 0, max: 0 } },
      snapshot,
    });
    expect(parsed.type === 'metrics' && parsed.snapshot['futureField']).toEqual({ x: 1 });
    // The tracker's parts are optional, but typed: a malformed stream entry is refused.
    expect(
      serverMessage.safeParse({
        type: 'metrics',
        at: 2,
        intervalMs: 1000,
        hub: { clients: 1, slowClientsDropped: 0, eventLoopDelayMs: { p50: 0, p99: 0, max: 0 } },
        snapshot: { ...snapshot, streams: [{ id: 0, eventsPerSec: 1 }] },
      }).success,
    ).toBe(false);
    const event = {
      seq: 1,
      time: 2,
      logical: 0,
      node: 3,
      stream: 0,
      flags: 0,
      size: 1,
      encoding: 'text',
      payload: 'a',
    };
    expect(
      serverMessage.parse({
        type: 'events',
        stream: 0,
        streamName: null,
        events: [event],
        dropped: 0,
        gap: 0,
      }).type,
    ).toBe('events');
    expect(serverMessage.parse({ type: 'pong', at: 1 }).type).toBe('pong');
    expect(serverMessage.parse({ type: 'error', code: 'X', message: 'y' }).type).toBe('error');
    expect(serverMessage.safeParse({ type: 'events', stream: 0 }).success).toBe(false);
  });
});

describe('playbackAction', () => {
  it('accepts sequence numbers, written times and {time} as places', () => {
    const parse = (body: unknown) => playbackAction.parse(body);
    expect(parse({ action: 'play', from: 5 })).toEqual({ action: 'play', from: 5 });
    expect(parse({ action: 'play', from: '2026-11-22T08:00:00Z' })).toEqual({
      action: 'play',
      from: { time: { at: Date.parse('2026-11-22T08:00:00Z') } },
    });
    expect(parse({ action: 'play', from: '5m' })).toEqual({
      action: 'play',
      from: { time: { ago: 300_000 } },
    });
    expect(parse({ action: 'seek', to: { time: 1000 } })).toEqual({
      action: 'seek',
      to: { time: { at: 1000 } },
    });
    expect(parse({ action: 'seek', to: { time: '2026-11-22T08:00:00+01:00' } })).toEqual({
      action: 'seek',
      to: { time: { at: Date.parse('2026-11-22T07:00:00Z') } },
    });
    expect(parse({ action: 'seek', to: { time: 'now' } })).toEqual({
      action: 'seek',
      to: { time: { ago: 0 } },
    });
    expect(playbackAction.safeParse({ action: 'play', from: 'soon' }).success).toBe(false);
  });

  it('names the field of a bad action', () => {
    const issue = (body: unknown) => playbackAction.safeParse(body).error!.issues[0]!;
    expect(issue({ action: 'rewind' }).path).toEqual(['action']);
    expect(issue({ action: 'rewind' }).message).toMatch(/one of play, pause/);
    expect(issue({ action: 'speed', speed: 0.01 }).path).toEqual(['speed']);
    expect(issue({ action: 'play', streams: [] }).path).toEqual(['streams']);
    expect(issue({ action: 'play', from: -1 }).path).toEqual(['from']);
    expect(issue({ action: 'pause', speed: 2 }).message).toMatch(/speed/);
  });
});
