/**
 * Parsing of human-friendly flag values: byte sizes ("256MiB", "64k", "1048576") and listen specs.
 *
 * @module
 */
import { UserError } from './errors.ts';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Parses "256MiB", "64k", "4096" (binary units: k = 1024). @throws UserError naming the flag. */
export function parseSize(flag: string, value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new UserError(`--${flag} must be a non-negative whole number of bytes, got ${value}`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new UserError(`--${flag} must be a size like 4096, 64KiB or 256MiB, got "${value}"`);
  }
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes))
    throw new UserError(`--${flag} must be a whole number of bytes, got "${value}"`);
  return bytes;
}

export interface ListenSpec {
  host?: string;
  port: number;
  stream: string;
}

/**
 * Parses a listen spec: `PORT=STREAM`, `HOST:PORT=STREAM` or `[IPV6]:PORT=STREAM`; `=STREAM` may be omitted
 * (stream "default"). Without a host the sequencer listens on 127.0.0.1 and ::1.
 */
export function parseListen(spec: string): ListenSpec {
  const [address = '', stream = 'default', ...rest] = spec.split('=');
  if (rest.length > 0 || stream === '') {
    throw new UserError(`--listen "${spec}" should look like 9000=default or 127.0.0.1:9001=orders`);
  }
  let host: string | undefined;
  let portText = address;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2]!;
  } else if (address.includes(':')) {
    const colon = address.lastIndexOf(':');
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    throw new UserError(`--listen "${spec}": port must be a number in 0..65535, got "${portText}"`);
  }
  return host === undefined ? { port, stream } : { host, port, stream };
}
