import { describe, expect, it } from 'vitest';
import { BUILTIN_FIELDS } from './ast.ts';
import { KEYWORDS } from './lexer.ts';
import { QUERY_BUILTIN_FIELDS, QUERY_KEYWORDS } from './schema.ts';

describe('the editor lists in schema.ts', () => {
  it('name exactly the lexer’s keywords and the parser’s built-in fields', () => {
    expect([...QUERY_KEYWORDS].sort()).toEqual([...KEYWORDS].sort());
    expect([...QUERY_BUILTIN_FIELDS]).toEqual([...BUILTIN_FIELDS]);
  });
});
