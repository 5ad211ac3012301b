/**
 * Turns a webhook request body into event payloads: one JSON object is one event, its bytes as sent (without
 * surrounding whitespace); a JSON array is one event per element (each re-serialised compactly); NDJSON
 * (`application/x-ndjson`, or any body of several JSON lines) is one event per non-blank line, its bytes as sent.
 *
 * @module
 */
import { HubError } from '../errors.ts';
import { INGEST_MAX_EVENTS } from './schema.ts';

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

function trim(bytes: Buffer): Buffer {
  let start = 0;
  let end = bytes.length;
  while (start < end && isSpace(bytes[start]!)) start++;
  while (end > start && isSpace(bytes[end - 1]!)) end--;
  return bytes.subarray(start, end);
}

function invalid(code: string, message: string): HubError {
  return new HubError(400, code, message, { issues: [{ field: 'body', message }] });
}

function tooMany(n: number): HubError {
  return new HubError(
    413,
    'TOO_MANY_EVENTS',
    `the body holds ${n} events; one request takes at most ${INGEST_MAX_EVENTS}`,
  );
}

function ndjson(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  let line = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    line++;
    const text = trim(body.subarray(start, end));
    if (text.length > 0) {
      try {
        JSON.parse(text.toString('utf8'));
      } catch (error) {
        throw invalid('INVALID_NDJSON', `body line ${line} is not JSON: ${(error as Error).message}`);
      }
      out.push(text);
      if (out.length > INGEST_MAX_EVENTS) throw tooMany(out.length);
    }
    start = end + 1;
  }
  return out;
}

/** @throws HubError 400 (empty, not JSON, not an object/array/NDJSON), 413 TOO_MANY_EVENTS */
export function parseIngestBody(raw: Uint8Array, contentType: string | undefined): Buffer[] {
  const body = trim(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
  if (body.length === 0)
    throw invalid('EMPTY_BODY', 'the body is empty; send a JSON object, a JSON array or NDJSON');
  if (/ndjson|jsonl|json-seq/i.test(contentType ?? '')) return ndjson(body);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    if (body.includes(0x0a)) return ndjson(body);
    throw new HubError(
      400,
      'INVALID_JSON',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (Array.isArray(value)) {
    if (value.length > INGEST_MAX_EVENTS) throw tooMany(value.length);
    return value.map((v) => Buffer.from(JSON.stringify(v), 'utf8'));
  }
  if (value !== null && typeof value === 'object') return [body];
  throw invalid(
    'INVALID_EVENTS',
    'the body must be a JSON object (one event), a JSON array (one event each) or NDJSON',
  );
}
