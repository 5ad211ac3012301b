/**
 * Payload rendering: each encoding, the fallbacks when bytes are not what was asked for, truncation on a
 * character boundary, and the single-event view with every representation.
 */
import { describe, expect, it } from 'vitest';
import { csvField } from './export.ts';
import { isPrintable, payloadCell, renderPayload, renderPayloadDetail, utf8Prefix } from './payload.ts';
import { payloadDetailSchema, payloadPreviewSchema } from './schema.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const binary = new Uint8Array([0, 1, 2, 0xff, 0xfe]);

describe('renderPayload', () => {
  it('renders each encoding as asked', () => {
    const json = bytes('{"a":[1,2]}');
    expect(renderPayload(json, 'json')).toEqual({ encoding: 'json', json: { a: [1, 2] }, truncated: false });
    expect(renderPayload(json, 'text')).toEqual({ encoding: 'text', text: '{"a":[1,2]}', truncated: false });
    expect(renderPayload(json, 'hex')).toEqual({
      encoding: 'hex',
      hex: '7b2261223a5b312c325d7d',
      truncated: false,
    });
    expect(renderPayload(json, 'base64')).toEqual({
      encoding: 'base64',
      base64: 'eyJhIjpbMSwyXX0=',
      truncated: false,
    });
    expect(renderPayload(json, 'auto')).toEqual({ encoding: 'json', json: { a: [1, 2] }, truncated: false });
  });

  it('falls back to text, then hex, and says so', () => {
    expect(renderPayload(bytes('hi\n'), 'json')).toEqual({
      encoding: 'text',
      text: 'hi\n',
      truncated: false,
    });
    expect(renderPayload(bytes('hi\n'), 'auto')).toEqual({
      encoding: 'text',
      text: 'hi\n',
      truncated: false,
    });
    expect(renderPayload(binary, 'json')).toEqual({ encoding: 'hex', hex: '000102fffe', truncated: false });
    expect(renderPayload(binary, 'text')).toEqual({ encoding: 'hex', hex: '000102fffe', truncated: false });
    // Valid UTF-8 but control characters: auto shows hex, an explicit text request still gets text.
    const control = bytes('a\u0000b');
    expect(renderPayload(control, 'auto').encoding).toBe('hex');
    expect(renderPayload(control, 'text')).toEqual({ encoding: 'text', text: 'a\u0000b', truncated: false });
    expect(renderPayload(new Uint8Array(0), 'auto')).toEqual({
      encoding: 'text',
      text: '',
      truncated: false,
    });
  });

  it('truncates to the byte budget without splitting a character, and never parses a cut JSON', () => {
    const text = bytes('héllo wörld'); // é and ö are two bytes each
    expect(renderPayload(text, 'text', 2)).toEqual({ encoding: 'text', text: 'h', truncated: true });
    expect(renderPayload(text, 'text', 3)).toEqual({ encoding: 'text', text: 'hé', truncated: true });
    expect(renderPayload(bytes('{"a":1}'), 'json', 4)).toEqual({
      encoding: 'text',
      text: '{"a"',
      truncated: true,
    });
    expect(renderPayload(binary, 'hex', 2)).toEqual({ encoding: 'hex', hex: '0001', truncated: true });
    expect(renderPayload(bytes('ab'), 'hex', 2).truncated).toBe(false);
    expect(utf8Prefix(bytes('€'))).toHaveLength(3);
    expect(utf8Prefix(bytes('€').subarray(0, 2))).toHaveLength(0);
    expect(utf8Prefix(bytes('a€').subarray(0, 3))).toHaveLength(1);
  });

  it('produces previews that satisfy the shared schema', () => {
    for (const input of [bytes('{"x":null}'), bytes('null'), bytes('plain'), binary])
      for (const mode of ['auto', 'json', 'text', 'hex', 'base64'] as const)
        expect(payloadPreviewSchema.parse(renderPayload(input, mode, 4))).toBeTruthy();
    expect(renderPayload(bytes('null'), 'json')).toEqual({ encoding: 'json', json: null, truncated: false });
  });
});

describe('renderPayloadDetail', () => {
  it('gives every representation that applies', () => {
    const detail = renderPayloadDetail(bytes('{"n":1}'), 1024);
    expect(detail).toEqual({
      encoding: 'json',
      json: { n: 1 },
      text: '{"n":1}',
      hex: '7b226e223a317d',
      base64: 'eyJuIjoxfQ==',
      truncated: false,
    });
    expect(renderPayloadDetail(binary, 1024)).toEqual({
      encoding: 'hex',
      hex: '000102fffe',
      base64: 'AAEC//4=',
      truncated: false,
    });
    const cut = renderPayloadDetail(bytes('{"n":12345}'), 4);
    expect(cut).toMatchObject({ encoding: 'text', text: '{"n"', hex: '7b226e22', truncated: true });
    expect(cut.json).toBeUndefined();
    for (const d of [detail, cut]) expect(payloadDetailSchema.parse(d)).toEqual(d);
  });
});

describe('cells', () => {
  it('renders one CSV cell per payload and quotes what needs quoting', () => {
    expect(payloadCell(renderPayload(bytes('{ "a" : 1 }'), 'json'))).toBe('{"a":1}');
    expect(payloadCell(renderPayload(bytes('x'), 'base64'))).toBe('eA==');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(42)).toBe('42');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(isPrintable('tab\tand\r\nnewlines')).toBe(true);
  });
});
