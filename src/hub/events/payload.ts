/**
 * Renders payload bytes for JSON and CSV: as a parsed JSON value, UTF-8 text, hex or base64, cut to a byte
 * budget. Works on views into the journal mapping without copying them; the caller re-checks the journal's
 * tail afterwards and discards what was overwritten, as for every read of the journal.
 *
 * @module
 */
import type { PayloadDetail, PayloadEncoding, PayloadPreview } from './schema.ts';

// fatal: invalid UTF-8 must be detected, not silently replaced; ignoreBOM: render the bytes as they are.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The payload as UTF-8 text, or null when it is not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Drops an incomplete UTF-8 sequence from the end of `bytes`: a truncated text payload usually ends inside a
 * character, and must not be taken for binary because of it.
 */
export function utf8Prefix(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? bytes.subarray(0, n - back) : bytes;
  }
  return bytes;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Text a person can read: no control characters other than tab, CR and LF. */
export function isPrintable(text: string): boolean {
  return !CONTROL.test(text);
}

const JSON_START = /^[\s]*[{["\-0-9tfn]/;

/** Parses `text` as JSON; `ok` is false when it is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!JSON_START.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const toHex = (bytes: Uint8Array): string => buffer(bytes).toString('hex');
export const toBase64 = (bytes: Uint8Array): string => buffer(bytes).toString('base64');

function textOrHex(bytes: Uint8Array, truncated: boolean, printableOnly: boolean): PayloadPreview {
  const text = decodeUtf8(truncated ? utf8Prefix(bytes) : bytes);
  if (text !== null && (!printableOnly || isPrintable(text))) return { encoding: 'text', text, truncated };
  return { encoding: 'hex', hex: toHex(bytes), truncated };
}

/**
 * Renders a payload one way (`auto`: JSON when it parses, else printable UTF-8 text, else hex). Asking for
 * json or text falls back the same way when the bytes are not that; `encoding` says what was produced. JSON is
 * only parsed from a complete payload: a truncated one is never valid.
 */
export function renderPayload(
  view: Uint8Array,
  mode: PayloadEncoding | 'auto',
  maxBytes = Number.POSITIVE_INFINITY,
): PayloadPreview {
  const truncated = view.length > maxBytes;
  const bytes = truncated ? view.subarray(0, maxBytes) : view;
  switch (mode) {
    case 'hex':
      return { encoding: 'hex', hex: toHex(bytes), truncated };
    case 'base64':
      return { encoding: 'base64', base64: toBase64(bytes), truncated };
    case 'text':
      return textOrHex(bytes, truncated, false);
    case 'json':
    case 'auto': {
      if (!truncated) {
        const text = decodeUtf8(bytes);
        const parsed = text === null ? null : parseJson(text);
        if (parsed?.ok) return { encoding: 'json', json: parsed.value, truncated };
      }
      return textOrHex(bytes, truncated, mode === 'auto');
    }
  }
}

/** Every representation that applies, for the single-event view. */
export function renderPayloadDetail(view: Uint8Array, maxBytes: number): PayloadDetail {
  const truncated = view.length > maxBytes;
  const bytes = truncated ? view.subarray(0, maxBytes) : view;
  const text = decodeUtf8(truncated ? utf8Prefix(bytes) : bytes);
  const parsed = !truncated && text !== null ? parseJson(text) : null;
  const encoding = parsed?.ok ? 'json' : text !== null && isPrintable(text) ? 'text' : 'hex';
  return {
    encoding,
    ...(parsed?.ok ? { json: parsed.value } : {}),
    ...(text === null ? {} : { text }),
    hex: toHex(bytes),
    base64: toBase64(bytes),
    truncated,
  };
}

/** The payload as one CSV/text cell: JSON compactly re-serialized, the other encodings as they are. */
export function payloadCell(preview: PayloadPreview): string {
  switch (preview.encoding) {
    case 'json':
      return JSON.stringify(preview.json);
    case 'text':
      return preview.text ?? '';
    case 'hex':
      return preview.hex ?? '';
    case 'base64':
      return preview.base64 ?? '';
  }
}
