import { EditorState } from '@codemirror/state';
import { CompletionContext } from '@codemirror/autocomplete';
import { describe, expect, it } from 'vitest';
import { fieldPaths, toCsv } from './csv.ts';
import { completionKind, queryCompletions } from './language.ts';
import { errorRange } from './QueryEditor.tsx';

describe('toCsv', () => {
  it('writes RFC 4180 CSV: quoted when needed, objects as JSON, null as empty', () => {
    expect(
      toCsv(
        ['id', 'note', 'data'],
        [
          [1, 'plain', { a: 1 }],
          [2, 'has, comma', null],
          [3, 'say "hi"\nbye', [1, 2]],
          [4, ' padded', true],
        ],
      ),
    ).toBe(
      'id,note,data\r\n1,plain,"{""a"":1}"\r\n2,"has, comma",\r\n3,"say ""hi""\nbye","[1,2]"\r\n4," padded",true\r\n',
    );
  });
});

describe('fieldPaths', () => {
  it('collects nested object paths in first-seen order, quoting names that need it', () => {
    expect(
      fieldPaths([
        { id: 1, customer: { tier: 'gold', 'first name': 'x' } },
        'text',
        null,
        { id: 2, items: [{ sku: 1 }] },
      ]),
    ).toEqual(['id', 'customer', 'customer.tier', 'customer.`first name`', 'items']);
  });
});

describe('completionKind', () => {
  it('offers streams right after FROM or a comma of its list, and anything else elsewhere', () => {
    expect(completionKind('SELECT * FROM ')).toBe('stream');
    expect(completionKind('select * from orders, ')).toBe('stream');
    expect(completionKind('SELECT * FROM orders ')).toBe('other');
    expect(completionKind('SELECT * FROM orders WHERE ')).toBe('other');
    expect(completionKind('SELECT ')).toBe('other');
    expect(completionKind('SELECT * FROM orders WHERE note = "FROM ')).toBe('other');
  });

  it('completes from the given streams and fields', () => {
    const source = queryCompletions(() => ({ streams: ['orders', 'logs'], fields: ['amount', 'stream'] }));
    const complete = (doc: string) => {
      const state = EditorState.create({ doc });
      const result = source(new CompletionContext(state, doc.length, true));
      return result?.options.map((o) => o.label) ?? [];
    };
    expect(complete('SELECT * FROM o')).toEqual(['orders', 'logs', '*']);
    const elsewhere = complete('SELECT * FROM orders WHERE a');
    expect(elsewhere.slice(0, 7)).toEqual(['stream', 'node', 'seq', 'time', 'size', 'payload', 'amount']);
    expect(elsewhere).toContain('STARTSWITH');
    expect(elsewhere.filter((label) => label === 'stream')).toHaveLength(1);
  });
});

describe('errorRange', () => {
  it('underlines the offending token, or the last character at the end of the input', () => {
    expect(errorRange('SELECT * FRM x', { offset: 9, length: 3 })).toEqual({ from: 9, to: 12 });
    expect(errorRange('SELECT * FROM', { offset: 13, length: 0 })).toEqual({ from: 12, to: 13 });
    expect(errorRange('', { offset: 0, length: 0 })).toEqual({ from: 0, to: 0 });
    expect(errorRange('abc', { offset: 10, length: 5 })).toEqual({ from: 3, to: 3 });
  });
});
