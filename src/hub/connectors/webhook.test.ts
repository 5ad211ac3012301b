import { describe, expect, it } from 'vitest';
import { HubError } from '../errors.ts';
import { atPath } from './poll.ts';
import { redacted } from './service.ts';
import { INGEST_MAX_EVENTS } from './schema.ts';
import { parseIngestBody } from './webhook.ts';

const text = (payloads: Buffer[]): string[] => payloads.map((p) => p.toString('utf8'));
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof HubError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'no error';
}

describe('parseIngestBody', () => {
  it('keeps one object as sent, without surrounding whitespace', () => {
    expect(text(parseIngestBody(bytes(' \r\n{ "a" :  1 }\n'), 'application/json'))).toEqual(['{ "a" :  1 }']);
  });

  it('splits an array into compact elements', () => {
    expect(text(parseIngestBody(bytes('[ {"a": 1}, [2], "x", null ]'), undefined))).toEqual([
      '{"a":1}',
      '[2]',
      '"x"',
      'null',
    ]);
    expect(parseIngestBody(bytes('[]'), undefined)).toEqual([]);
  });

  it('takes NDJSON by content type or by shape, each line as sent, blank lines and CRs ignored', () => {
    const body = '{"a": 1}\r\n\n  \n[2 ]\n';
    expect(text(parseIngestBody(bytes(body), 'application/x-ndjson'))).toEqual(['{"a": 1}', '[2 ]']);
    expect(text(parseIngestBody(bytes(body), 'application/json'))).toEqual(['{"a": 1}', '[2 ]']);
    // One object per line but declared NDJSON: still one event.
    expect(text(parseIngestBody(bytes('{"a":1}'), 'application/x-ndjson'))).toEqual(['{"a":1}']);
  });

  it('refuses what is not events, naming the line', () => {
    expect(code(() => parseIngestBody(bytes('  '), undefined))).toBe('400 EMPTY_BODY');
    expect(code(() => parseIngestBody(bytes('42'), undefined))).toBe('400 INVALID_EVENTS');
    expect(code(() => parseIngestBody(bytes('"s"'), undefined))).toBe('400 INVALID_EVENTS');
    expect(code(() => parseIngestBody(bytes('{oops'), undefined))).toBe('400 INVALID_JSON');
    expect(code(() => parseIngestBody(bytes('{"a":1}\n{oops'), undefined))).toBe('400 INVALID_NDJSON');
    expect(() => parseIngestBody(bytes('{"a":1}\n\n{oops'), 'application/x-ndjson')).toThrow(
      /^body line 3 is not JSON/,
    );
  });

  it('caps the number of events', () => {
    const many = `[${Array.from({ length: INGEST_MAX_EVENTS + 1 }, () => '0').join(',')}]`;
    expect(code(() => parseIngestBody(bytes(many), undefined))).toBe('413 TOO_MANY_EVENTS');
    const lines = Array.from({ length: INGEST_MAX_EVENTS + 1 }, () => '{}').join('\n');
    expect(code(() => parseIngestBody(bytes(lines), 'application/x-ndjson'))).toBe('413 TOO_MANY_EVENTS');
    expect(parseIngestBody(bytes(lines.slice(3)), 'application/x-ndjson')).toHaveLength(INGEST_MAX_EVENTS);
  });
});

describe('atPath', () => {
  const doc = { data: { items: [{ id: 1 }], 'x-y': 2 } };
  it('follows dotted paths, with or without $', () => {
    expect(atPath(doc, '')).toBe(doc);
    expect(atPath(doc, '$')).toBe(doc);
    expect(atPath(doc, 'data.items')).toBe(doc.data.items);
    expect(atPath(doc, '$.data.items.0.id')).toBe(1);
    expect(atPath(doc, 'data.x-y')).toBe(2);
    expect(atPath(doc, 'data.missing.deeper')).toBeUndefined();
    expect(atPath(null, 'a')).toBeUndefined();
  });
});

describe('redacted', () => {
  it('hides header values and credentials in server URLs, nothing else', () => {
    expect(
      redacted({ url: 'http://h/x', headers: { Authorization: 'Bearer s3cret', 'X-A': 'b' }, intervalMs: 5 }),
    ).toEqual({
      url: 'http://h/x',
      headers: { Authorization: '(redacted)', 'X-A': '(redacted)' },
      intervalMs: 5,
    });
    expect(
      redacted({ servers: ['nats://u:p@127.0.0.1:4222', 'nats://127.0.0.1:4223'], subject: 'a' }),
    ).toEqual({
      servers: ['nats://(redacted)@127.0.0.1:4222', 'nats://127.0.0.1:4223'],
      subject: 'a',
    });
    expect(redacted({})).toEqual({});
  });
});
