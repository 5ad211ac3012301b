/**
 * Query parsing of the event endpoints: times in every accepted form, stream lists, and messages that name
 * the parameter and say what it expects.
 */
import { describe, expect, it } from 'vitest';
import { eventsQuery, exportQuery, streamListParam } from './params.ts';
import { replayBodySchema, simulateBodySchema } from './schema.ts';
import { parseTimeBound, resolveTimeBound } from './time.ts';

function issues(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('time bounds', () => {
  it('accepts epoch ms, RFC 3339 and durations ago', () => {
    expect(parseTimeBound('1700000000000')).toEqual({ at: 1_700_000_000_000 });
    expect(parseTimeBound('2024-01-02T03:04:05Z')).toEqual({ at: Date.UTC(2024, 0, 2, 3, 4, 5) });
    expect(parseTimeBound('2024-01-02T03:04:05.250+02:00')).toEqual({
      at: Date.UTC(2024, 0, 2, 1, 4, 5, 250),
    });
    expect(parseTimeBound('5m')).toEqual({ ago: 300_000 });
    expect(parseTimeBound('2h')).toEqual({ ago: 7_200_000 });
    expect(parseTimeBound('1d')).toEqual({ ago: 86_400_000 });
    expect(parseTimeBound('250ms')).toEqual({ ago: 250 });
    expect(parseTimeBound('now')).toEqual({ ago: 0 });
    for (const bad of ['', 'yesterday', '5 minutes', '-5m', '2024-01-02', '1.5h', '99999999999999999999'])
      expect(parseTimeBound(bad)).toBeNull();
    expect(resolveTimeBound({ ago: 300_000 }, 1_000_000)).toBe(700_000);
    expect(resolveTimeBound({ at: 5 }, 1_000_000)).toBe(5);
    expect(resolveTimeBound({ ago: 10 }, 5)).toBe(0);
  });
});

describe('eventsQuery', () => {
  it('fills defaults and parses every parameter', () => {
    expect(eventsQuery.parse({})).toEqual({
      order: 'desc',
      limit: 100,
      payload: 'none',
      maxPayloadBytes: 256,
    });
    expect(
      eventsQuery.parse({
        stream: 'orders, 2',
        node: '2130706433',
        from: '10',
        to: '20',
        since: '5m',
        until: '2024-01-02T03:04:05Z',
        order: 'asc',
        limit: '1000',
        payload: 'hex',
        maxPayloadBytes: '0',
      }),
    ).toEqual({
      stream: ['orders', 2],
      node: 2_130_706_433,
      from: 10,
      to: 20,
      since: { ago: 300_000 },
      until: { at: Date.UTC(2024, 0, 2, 3, 4, 5) },
      order: 'asc',
      limit: 1000,
      payload: 'hex',
      maxPayloadBytes: 0,
    });
  });

  it('names the parameter and what it expects', () => {
    expect(issues(eventsQuery.safeParse({ limit: '0' }))).toEqual([
      'limit: limit must be between 1 and 1000',
    ]);
    expect(issues(eventsQuery.safeParse({ limit: 'ten' }))).toEqual([
      'limit: limit must be a non-negative integer',
    ]);
    expect(issues(eventsQuery.safeParse({ order: 'up' }))).toEqual(['order: order must be "asc" or "desc"']);
    expect(issues(eventsQuery.safeParse({ since: 'yesterday' }))[0]).toMatch(
      /^since: since must be epoch milliseconds/,
    );
    expect(issues(eventsQuery.safeParse({ node: '4294967296' }))).toEqual([
      'node: node must be between 0 and 4294967295',
    ]);
    expect(issues(eventsQuery.safeParse({ from: '9', to: '3' }))).toEqual([
      'from: from must not be greater than to',
    ]);
    expect(issues(eventsQuery.safeParse({ payload: 'xml' }))[0]).toBe(
      'payload: payload must be one of none, auto, json, text, hex, base64',
    );
    expect(issues(eventsQuery.safeParse({ sort: 'x' }))[0]).toMatch(
      /^: unknown parameter "sort"; this endpoint takes stream/,
    );
    expect(issues(exportQuery.safeParse({ format: 'xlsx' }))).toEqual([
      'format: format must be "ndjson" or "csv"',
    ]);
    expect(issues(exportQuery.safeParse({ limit: '1000001' }))).toEqual([
      'limit: limit must be between 1 and 1000000',
    ]);
  });

  it('parses stream lists of names and ids', () => {
    expect(streamListParam.parse('a,b, 3')).toEqual(['a', 'b', 3]);
    expect(issues(streamListParam.safeParse('a,,b'))[0]).toMatch(/separated by commas/);
    expect(issues(streamListParam.safeParse('70000'))[0]).toMatch(/out of range/);
  });
});

describe('bodies', () => {
  it('validates simulate bodies', () => {
    expect(simulateBodySchema.parse({ streams: ['s'], rate: 10, count: 5 })).toEqual({
      streams: ['s'],
      rate: 10,
      count: 5,
      payload: { kind: 'json' },
      nodeId: 0x7369_6d00,
    });
    expect(issues(simulateBodySchema.safeParse({ streams: [], rate: 10, count: 1 }))).toEqual([
      'streams: give at least one stream name',
    ]);
    expect(issues(simulateBodySchema.safeParse({ streams: ['s'], rate: 100_001, count: 1 }))).toEqual([
      'rate: rate is at most 100000 events per second',
    ]);
    expect(issues(simulateBodySchema.safeParse({ streams: ['s'], rate: 10 }))[0]).toMatch(
      /^durationMs: give durationMs or count/,
    );
    expect(issues(simulateBodySchema.safeParse({ streams: ['s'], rate: 1, count: 601 }))[0]).toMatch(
      /^count: .*10 minutes/,
    );
    expect(issues(simulateBodySchema.safeParse({ streams: ['bad name'], rate: 1, count: 1 }))[0]).toMatch(
      /^streams\.0: a stream name is/,
    );
    expect(
      issues(
        simulateBodySchema.safeParse({
          streams: ['s'],
          rate: 1,
          count: 1,
          payload: { kind: 'bytes', template: 'x' },
        }),
      ),
    ).toEqual(['payload.template: a template applies to json and text payloads only']);
  });

  it('validates replay bodies', () => {
    expect(
      replayBodySchema.parse({ since: '5m', target: { kind: 'udp', host: '127.0.0.1', port: 9 } }),
    ).toEqual({
      since: { ago: 300_000 },
      target: { kind: 'udp', host: '127.0.0.1', port: 9, framed: false },
      rate: 10_000,
    });
    expect(issues(replayBodySchema.safeParse({ target: { kind: 'tcp' } }))[0]).toMatch(/^target\.kind: /);
    expect(issues(replayBodySchema.safeParse({ target: { kind: 'udp', host: 'h', port: 0 } }))[0]).toMatch(
      /^target\.port: /,
    );
    expect(
      issues(replayBodySchema.safeParse({ until: 'soon', target: { kind: 'stream', stream: 'x' } }))[0],
    ).toMatch(/^until: expected epoch milliseconds/);
  });
});
