import { describe, expect, it } from 'vitest';
import {
  nodeLabel,
  parseNodeId,
  queryOf,
  readState,
  selectionOf,
  sequenceInSlot,
  validateFilters,
  type FilterText,
} from './filters.ts';
import { bytesOfBase64, hexRows, offsetDigits, prettyJsonTokens, rowHexText } from './payload.ts';

const none: FilterText = { stream: '', node: '', from: '', to: '', since: '', until: '' };

describe('explorer URL state', () => {
  it('reads filters, order, page size, cursor, selection and follow from the query string', () => {
    const state = readState(
      new URLSearchParams(
        'stream=orders,2&node=127.0.0.1&from=5&since=5m&order=asc&limit=200&cursor=abc&seq=7&follow=1',
      ),
    );
    expect(state).toEqual({
      filters: { stream: 'orders,2', node: '127.0.0.1', from: '5', to: '', since: '5m', until: '' },
      order: 'asc',
      limit: 200,
      cursor: 'abc',
      seq: 7,
      follow: true,
    });
    expect(queryOf(state)).toMatchObject({
      stream: ['orders', '2'],
      node: 2130706433,
      from: 5,
      since: '5m',
      order: 'asc',
      limit: 200,
      cursor: 'abc',
    });
  });

  it('falls back to defaults for values it does not understand', () => {
    const state = readState(new URLSearchParams('order=sideways&limit=7&seq=-1'));
    expect(state.order).toBe('desc');
    expect(state.limit).toBe(50);
    expect(state.seq).toBeNull();
  });

  it('parses node ids as addresses, hex or decimal', () => {
    expect(parseNodeId('127.0.0.1')).toBe(2130706433);
    expect(parseNodeId('255.255.255.255')).toBe(0xffffffff);
    expect(parseNodeId('0x73696d00')).toBe(0x73696d00);
    expect(parseNodeId('42')).toBe(42);
    expect(parseNodeId('256.0.0.1')).toBeNull();
    expect(parseNodeId('4294967296')).toBeNull();
    expect(parseNodeId('node-7')).toBe(7);
    expect(parseNodeId('ipv6:1a2b3c4d')).toBe(0x1a2b3c4d);
    expect(parseNodeId('node-x')).toBeNull();
  });

  it('names senders as the hub does', () => {
    expect(nodeLabel(2130706433, [])).toBe('127.0.0.1');
    expect(nodeLabel(7, ['FRAMED'])).toBe('node-7');
    expect(nodeLabel(0x73696d00, ['SUBMITTED'])).toBe('node-1936289024');
    expect(nodeLabel(0x1a2b, ['SOURCE_IPV6'])).toBe('ipv6:00001a2b');
  });

  it('reports bad fields and leaves them out of the selection', () => {
    const bad = { ...none, node: 'x', from: '9', to: '3', since: 'yesterday' };
    expect(Object.keys(validateFilters(bad)).sort()).toEqual(['node', 'since', 'to']);
    expect(selectionOf(bad)).toEqual({ from: 9, to: 3 });
    expect(validateFilters({ ...none, since: '2026-11-22T08:00:00Z', until: 'now' })).toEqual({});
  });

  it('finds the sequence stored in a ring slot', () => {
    expect(sequenceInSlot(3, 8, 20, 12)).toBe(19);
    expect(sequenceInSlot(4, 8, 20, 12)).toBe(12);
    expect(sequenceInSlot(3, 8, 20, 16)).toBe(19);
    expect(sequenceInSlot(5, 8, 6, 0)).toBe(5);
    expect(sequenceInSlot(6, 8, 6, 0)).toBeNull();
    expect(sequenceInSlot(0, 8, 0, 0)).toBeNull();
  });
});

describe('payload renderings', () => {
  it('dumps bytes sixteen to a row with offsets and printable ASCII', () => {
    const hex = Buffer.from('hello, world!\n\x00\xff-tail', 'latin1').toString('hex');
    const rows = hexRows(hex);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.offset).toBe(0);
    expect(rows[0]!.ascii).toBe('hello, world!...');
    expect(rows[1]).toEqual({ offset: 16, bytes: ['2d', '74', '61', '69', '6c'], ascii: '-tail' });
    expect(rowHexText(rows[1]!.bytes).trimEnd()).toBe('2d 74 61 69 6c');
    expect(rows.flatMap((r) => r.bytes).join('')).toBe(hex);
    expect(hexRows(hex, 1)).toHaveLength(1);
    expect(offsetDigits(100)).toBe(4);
    expect(offsetDigits(70_000)).toBe(6);
  });

  it('re-indents JSON keeping literals exactly as sent', () => {
    const text = '{"id":12345678901234567890,"s":"a\\u00e9\\"b","e":[],"o":{},"x":[1.50,true,null]}';
    const tokens = prettyJsonTokens(text)!;
    const pretty = tokens.map((t) => t.text).join('');
    expect(pretty).toBe(
      '{\n  "id": 12345678901234567890,\n  "s": "a\\u00e9\\"b",\n  "e": [],\n  "o": {},\n  "x": [\n    1.50,\n    true,\n    null\n  ]\n}',
    );
    expect(JSON.parse(pretty)).toEqual(JSON.parse(text));
    expect(tokens.find((t) => t.text === '"id"')?.kind).toBe('key');
    expect(prettyJsonTokens('not json')).toBeNull();
  });

  it('decodes base64 to the exact bytes', () => {
    expect([...bytesOfBase64('AP/+gGJpbmFyeQE=')]).toEqual([...Buffer.from('00fffe8062696e61727901', 'hex')]);
  });
});
