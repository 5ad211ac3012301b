/**
 * The plain Node `dgram` baseline of the ingest benchmark: what a TypeScript user would write to journal UDP
 * datagrams without the native sequencer. One `dgram` socket; per message a hybrid-logical-clock tick, the
 * CRC32C of the payload (src/core/crc32c.ts), a copy of the payload into a big blob Buffer (8-byte aligned,
 * contiguous, wrapping) and a 32-byte slot written with `encodeCausalEvent` into a ring Buffer.
 *
 * Prints `{"port":P}` once listening, and `{"received":N}` on SIGINT/SIGTERM.
 *
 * Run: node --import tsx bench/ingest/node-receiver.ts [--port 0] [--slots 4194304] [--blob-size 1073741824]
 *      [--rcvbuf 4194304]
 *
 * @module
 */
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import {
  CAUSAL_EVENT_SIZE,
  type CausalEvent,
  emptyCausalEvent,
  encodeCausalEvent,
} from '../../src/core/causal-event.ts';
import { crc32c } from '../../src/core/crc32c.ts';
import { HybridLogicalClock, hlcHighWord, hlcLowWord } from '../../src/core/hlc.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    slots: { type: 'string', default: String(2 ** 22) },
    'blob-size': { type: 'string', default: String(2 ** 30) },
    rcvbuf: { type: 'string', default: String(4 * 2 ** 20) },
  },
});
const port = Number(values.port);
const slotCount = Number(values.slots);
const blobSize = Number(values['blob-size']);
const receiveBufferBytes = Number(values.rcvbuf);

const ring = Buffer.alloc(slotCount * CAUSAL_EVENT_SIZE);
const ringView = new DataView(ring.buffer, ring.byteOffset, ring.byteLength);
const blob = Buffer.alloc(blobSize);
const clock = new HybridLogicalClock();
const slot: CausalEvent = emptyCausalEvent();
const nodeIds = new Map<string, number>();
let head = 0;
let blobHead = 0;
let received = 0;

function nodeIdOf(address: string): number {
  let id = nodeIds.get(address);
  if (id === undefined) {
    const parts = address.split('.').map(Number);
    id =
      parts.length === 4 ? ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0 : 0;
    nodeIds.set(address, id);
  }
  return id;
}

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: receiveBufferBytes });
socket.on('message', (message: Buffer, remote: dgram.RemoteInfo) => {
  const length = message.length;
  let offset = Math.ceil(blobHead / 8) * 8;
  if ((offset % blobSize) + length > blobSize) offset = Math.ceil(offset / blobSize) * blobSize;
  message.copy(blob, offset % blobSize);
  const now = clock.tick(Date.now());
  slot.lamportHi = hlcHighWord(now);
  slot.lamportLo = hlcLowWord(now);
  slot.nodeId = nodeIdOf(remote.address);
  slot.streamId = 1;
  slot.flags = 0;
  slot.payloadOffset = offset;
  slot.checksum = crc32c(message);
  slot.payloadLength = length;
  encodeCausalEvent(slot, ringView, (head % slotCount) * CAUSAL_EVENT_SIZE);
  head++;
  blobHead = offset + length;
  received++;
});
socket.on('error', (error) => {
  console.error(`node-receiver: ${error.message}`);
  process.exit(1);
});
socket.bind(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: socket.address().port })}\n`);
});

function finish(): void {
  socket.close();
  process.stdout.write(`${JSON.stringify({ received })}\n`);
  process.exit(0);
}
process.on('SIGINT', finish);
process.on('SIGTERM', finish);
