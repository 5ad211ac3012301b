/**
 * Payload renderings for the viewer: a hex dump with offsets, and JSON re-indented from the payload's own text
 * (so number literals and string escapes stay exactly as sent, unlike JSON.parse + stringify). Pure functions.
 *
 * @module
 */

export interface HexRow {
  /** Byte offset of the row's first byte. */
  offset: number;
  /** Up to 16 bytes as two-digit lowercase hex. */
  bytes: string[];
  /** The same bytes as printable ASCII, others as '.'. */
  ascii: string;
}

export const BYTES_PER_ROW = 16;

/** Splits lowercase hex (`00fffe…`) into dump rows, at most `maxRows`. */
export function hexRows(hex: string, maxRows = Infinity): HexRow[] {
  const rows: HexRow[] = [];
  const total = hex.length / 2;
  for (let offset = 0; offset < total && rows.length < maxRows; offset += BYTES_PER_ROW) {
    const bytes: string[] = [];
    let ascii = '';
    for (let i = offset; i < Math.min(offset + BYTES_PER_ROW, total); i++) {
      const pair = hex.slice(i * 2, i * 2 + 2);
      bytes.push(pair);
      const code = parseInt(pair, 16);
      ascii += code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : '.';
    }
    rows.push({ offset, bytes, ascii });
  }
  return rows;
}

/** A row's bytes as dump text: `00 ff fe 80 62 69 6e 61  72 79 01`, padded to the full row width. */
export const rowHexText = (bytes: readonly string[]): string =>
  `${bytes.slice(0, 8).join(' ')}  ${bytes.slice(8).join(' ')}`.padEnd(BYTES_PER_ROW * 3, ' ');

/** Hex digits the offsets of a payload of `size` bytes need: 4 up to 64 KiB, 6 up to 16 MiB, else 8. */
export const offsetDigits = (size: number): number => (size <= 0x10000 ? 4 : size <= 0x1000000 ? 6 : 8);

/** An offset as fixed-width hex: `0010`. */
export const formatOffset = (offset: number, digits = 8): string => offset.toString(16).padStart(digits, '0');

/** The payload's bytes from its base64 rendering (for downloads). */
export function bytesOfBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal' | 'punct' | 'space';
export interface JsonToken {
  kind: JsonTokenKind;
  text: string;
}

const TOKEN = /\s+|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}[\]:,]/gy;

/**
 * Re-indents JSON text by two spaces, keeping every string and number literal exactly as written, and returns
 * tokens for highlighting. Returns null when the text is not a sequence of JSON tokens (callers fall back to
 * the hub's parsed value).
 */
export function prettyJsonTokens(text: string): JsonToken[] | null {
  const raw: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match || match.index !== start) return null;
    if (!/^\s+$/.test(match[0])) raw.push(match[0]);
  }
  const out: JsonToken[] = [];
  let depth = 0;
  const newline = () => out.push({ kind: 'space', text: `\n${'  '.repeat(depth)}` });
  for (let i = 0; i < raw.length; i++) {
    const token = raw[i]!;
    const next = raw[i + 1];
    if (token === '{' || token === '[') {
      out.push({ kind: 'punct', text: token });
      const empty = next === (token === '{' ? '}' : ']');
      if (empty) {
        out.push({ kind: 'punct', text: next! });
        i++;
      } else {
        depth++;
        newline();
      }
    } else if (token === '}' || token === ']') {
      depth = Math.max(0, depth - 1);
      newline();
      out.push({ kind: 'punct', text: token });
    } else if (token === ',') {
      out.push({ kind: 'punct', text: ',' });
      newline();
    } else if (token === ':') {
      out.push({ kind: 'punct', text: ':' }, { kind: 'space', text: ' ' });
    } else if (token.startsWith('"')) {
      out.push({ kind: next === ':' ? 'key' : 'string', text: token });
    } else if (token === 'true' || token === 'false' || token === 'null') {
      out.push({ kind: 'literal', text: token });
    } else {
      out.push({ kind: 'number', text: token });
    }
  }
  return out;
}
