/**
 * The one place that finds and loads the compiled addon (native/build/Release/lacrimosa.node) and describes
 * its JavaScript surface. Everything else imports the addon through this module.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ADDON_PATH = fileURLToPath(
  new URL('../../native/build/Release/lacrimosa.node', import.meta.url),
);

export interface ListenOption {
  /** IPv4 or IPv6 address; omitted means 127.0.0.1 plus ::1 where available. */
  host?: string;
  port: number;
  stream: string;
}

export interface SequencerOptions {
  journal: string;
  slots?: number;
  blobSize?: number;
  maxPayload?: number;
  fsync?: 'none' | 'interval' | 'always';
  maxClockDriftMs?: number;
  backend?: 'auto' | 'uring' | 'recvmmsg';
  receiveBufferBytes?: number;
  submitQueueCapacity?: number;
  listens?: ListenOption[];
}

export interface NativeSubmitEvent {
  streamId: number;
  nodeId: number;
  /** Application flags (low 8 bits). */
  flags?: number;
  /** Sender clock value (u64), or 0 / undefined for none. */
  clockHint?: bigint | number;
  payload: Uint8Array;
}

export type SubmitStatus = 'journaled' | 'dropped' | 'too_large' | 'shutting_down';

export interface NativeSubmitResult {
  /** Sequence number per event, null when it was not journaled. */
  sequences: (number | null)[];
  statuses: SubmitStatus[];
}

export interface SequencerInfo {
  backend: 'io_uring' | 'recvmmsg';
  backendFallbackReason: string;
  crc32cHardware: boolean;
  listeners: { host: string; port: number; streamId: number; ipv6: boolean }[];
  journal: { path: string; slotCount: number; blobSize: number; fileSize: number; maxPayload: number };
  open: { created: boolean; recovered: boolean; truncated: number };
}

export interface NativeSequencer {
  /** Starts the receive thread; `onPublication` runs on the JS thread after publications (coalesced). */
  start(onPublication: () => void): void;
  /** Stops the receive thread after it journaled what it holds; pending submissions resolve first. */
  stop(): void;
  /** Stops if needed and closes the journal cleanly. */
  close(): void;
  submit(events: NativeSubmitEvent[]): Promise<NativeSubmitResult>;
  registerStream(name: string): number;
  info(): SequencerInfo;
}

export interface NativeJournalMapping {
  readonly header: ArrayBuffer;
  readonly ring: ArrayBuffer;
  readonly blob: ArrayBuffer;
  readonly slotCount: number;
  readonly blobSize: number;
  readonly path: string;
  /** [head, tail, blobHead, blobTail, clockHi, clockLo, publishedMs], head acquire-loaded first. */
  publication(): Float64Array;
  loadHead(): number;
  /** Acquire-loads tail; call after reading slots to detect what was overwritten meanwhile. */
  loadTail(): number;
  claimCursor(name: string, position: number, leaseMs: number, nowMs: number): number;
  updateCursor(index: number, position: number, nowMs: number): void;
  releaseCursor(index: number): void;
  close(): void;
}

export interface Addon {
  Sequencer: new (options: SequencerOptions) => NativeSequencer;
  JournalMapping: new (path: string, options?: { cursors?: boolean }) => NativeJournalMapping;
  crc32c(bytes: Uint8Array, previous?: number): number;
  crc32cUsesHardware: boolean;
  layout(): Record<string, number | bigint>;
}

/** Errors thrown by the addon carry a string `code` (e.g. JOURNAL_LOCKED, GEOMETRY_MISMATCH). */
export interface NativeError extends Error {
  code: string;
}

export function isNativeError(error: unknown): error is NativeError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

let cached: Addon | undefined;

/** Loads the addon once. @throws Error with code ADDON_NOT_BUILT and the command that builds it. */
export function loadAddon(): Addon {
  if (cached) return cached;
  if (!existsSync(ADDON_PATH)) {
    const error = new Error(
      `the native addon is not built (${ADDON_PATH} is missing); run \`npm install\` or \`npm run build:native\``,
    ) as NativeError;
    error.code = 'ADDON_NOT_BUILT';
    throw error;
  }
  cached = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  return cached;
}
