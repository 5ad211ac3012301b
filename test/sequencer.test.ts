/**
 * The sequencer end to end: real `cz start` processes, real UDP datagrams on 127.0.0.1, real journal files,
 * read back through the journal reader; every scenario runs with both receive backends.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readSync, closeSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EventFlags } from '../src/core/causal-event.ts';
import { crc32c } from '../src/core/crc32c.ts';
import { encodeFrame } from '../src/core/frame.ts';
import { hlcFromWords, hlcToBigInt } from '../src/core/hlc.ts';
import { connectIpc, type IpcClient } from '../src/ipc/client.ts';
import { payloadFileOffset, journalGeometry } from '../src/journal/layout.ts';
import { JournalReader } from '../src/journal/reader.ts';
import { killAll, until } from './helpers/processes.ts';
import { counters, sendUdp, startSequencer } from './helpers/sequencer.ts';

afterEach(killAll);

interface ReadEvent {
  sequence: number;
  streamId: number;
  nodeId: number;
  flags: number;
  payload: Buffer;
  checksumOk: boolean;
  lamport: bigint;
}

function readAll(journal: string): { head: number; tail: number; events: ReadEvent[] } {
  const reader = JournalReader.open(journal);
  try {
    const { head, tail } = reader.publication();
    const events: ReadEvent[] = [];
    reader.scan(tail, head, (e, sequence) => {
      const payload = Buffer.from(reader.payloadView(e));
      events.push({
        sequence,
        streamId: e.streamId,
        nodeId: e.nodeId,
        flags: e.flags,
        payload,
        checksumOk: crc32c(payload) === e.checksum,
        lamport: hlcToBigInt(hlcFromWords(e.lamportHi, e.lamportLo)),
      });
    });
    return { head, tail, events };
  } finally {
    reader.close();
  }
}

async function journaledAtLeast(journal: string, n: number): Promise<void> {
  await until(() => counters(journal).EVENTS_JOURNALED >= n, `${n} events journaled`);
}

const hasNc = spawnSync('sh', ['-c', 'command -v nc']).status === 0;

describe.each(['uring', 'recvmmsg'] as const)('sequencer with --backend %s', (backend) => {
  it('runs the asked-for backend and reports it', async () => {
    const s = await startSequencer({ backend });
    expect(s.ready.backend).toBe(backend === 'uring' ? 'io_uring' : 'recvmmsg');
    expect(s.ready.open.created).toBe(true);
    expect(await s.stop()).toBe(0);
  });

  it('journals raw datagrams from nc -u with the port stream, the source node, the length and a valid checksum', async () => {
    const s = await startSequencer({ backend, listens: ['0=default', '0=orders'] });
    if (hasNc) {
      execFileSync('sh', ['-c', `printf 'hi\\n' | nc -u -w1 127.0.0.1 ${s.port()}`]);
    } else {
      await sendUdp(s.port(), ['hi\n']);
    }
    await sendUdp(s.port('orders'), ['{"order":1}', '{"order":2}']);
    await journaledAtLeast(s.journal, 3);
    const { events } = readAll(s.journal);
    const reader = JournalReader.open(s.journal);
    const ordersId = reader.streamId('orders');
    reader.close();
    expect(events.map((e) => e.payload.toString())).toEqual(['hi\n', '{"order":1}', '{"order":2}']);
    expect(events.map((e) => e.streamId)).toEqual([0, ordersId, ordersId]);
    for (const e of events) {
      expect(e.nodeId).toBe(0x7f00_0001);
      expect(e.flags).toBe(0);
      expect(e.checksumOk).toBe(true);
    }
    expect(events[0]!.sequence).toBe(0);
    expect(counters(s.journal)).toMatchObject({
      DATAGRAMS_RECEIVED: 3,
      EVENTS_JOURNALED: 3,
      BYTES_RECEIVED: 3 + 11 + 11,
    });
    await s.stop();
  });

  it('derives the node id of an IPv6 source from its address and flags it', async () => {
    const s = await startSequencer({ backend });
    const v6 = s.ready.listeners.find((l) => l.ipv6);
    if (!v6) return expect(s.ready.listeners.every((l) => !l.ipv6)).toBe(true);
    await sendUdp(v6.port, ['from v6'], '::1');
    await journaledAtLeast(s.journal, 1);
    const [event] = readAll(s.journal).events;
    const loopback = new Uint8Array(16);
    loopback[15] = 1;
    expect(event!.nodeId).toBe(crc32c(loopback));
    expect(event!.flags & EventFlags.SOURCE_IPV6).toBe(EventFlags.SOURCE_IPV6);
    await s.stop();
  });

  it('journals framed datagrams with their node, stream and flags, and rejects bad ones without journaling', async () => {
    const s = await startSequencer({ backend });
    const payload = Buffer.from('{"price":101}');
    const good = encodeFrame({ nodeId: 77, streamId: 5, flags: 0x2a, payload });
    const badPayload = encodeFrame({ nodeId: 77, payload });
    badPayload[badPayload.length - 1]! ^= 0x01;
    const badHeader = encodeFrame({ nodeId: 77, payload });
    badHeader[9]! ^= 0x10;
    const truncated = encodeFrame({ nodeId: 77, payload }).subarray(0, 20);
    const wrongLength = encodeFrame({ nodeId: 77, payload }).subarray(0, 40);
    await sendUdp(s.port(), [badPayload, badHeader, truncated, wrongLength, good]);
    await until(() => counters(s.journal).DATAGRAMS_RECEIVED === 5, '5 datagrams taken');
    expect(counters(s.journal)).toMatchObject({
      CHECKSUMS_FAILED: 2,
      FRAMES_MALFORMED: 2,
      EVENTS_JOURNALED: 1,
    });
    const { events } = readAll(s.journal);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      nodeId: 77,
      streamId: 5,
      flags: 0x2a | EventFlags.FRAMED,
      checksumOk: true,
    });
    expect(events[0]!.payload.equals(payload)).toBe(true);
    await s.stop();
  });

  it('journals empty datagrams and refuses oversized ones', async () => {
    const s = await startSequencer({ backend, args: ['--max-payload', '100'] });
    await sendUdp(s.port(), [new Uint8Array(0), Buffer.alloc(101, 1), Buffer.alloc(100, 2)]);
    await until(() => counters(s.journal).DATAGRAMS_RECEIVED === 3, '3 datagrams taken');
    expect(counters(s.journal)).toMatchObject({
      DATAGRAMS_EMPTY: 1,
      DATAGRAMS_OVERSIZED: 1,
      EVENTS_JOURNALED: 2,
    });
    expect(readAll(s.journal).events.map((e) => e.payload.length)).toEqual([0, 100]);
    await s.stop();
  });

  it('applies a clock hint within the drift bound and ignores one beyond it', async () => {
    const s = await startSequencer({ backend, args: ['--max-clock-drift', '10000'] });
    const ahead = { wallMs: Date.now() + 5000, logical: 3 };
    const farAhead = { wallMs: Date.now() + 3_600_000, logical: 0 };
    await sendUdp(s.port(), [encodeFrame({ nodeId: 1, clockHint: ahead, payload: Buffer.from('a') })]);
    await sendUdp(s.port(), [encodeFrame({ nodeId: 1, clockHint: farAhead, payload: Buffer.from('b') })]);
    await journaledAtLeast(s.journal, 2);
    const [first, second] = readAll(s.journal).events;
    expect(first!.lamport).toBe(hlcToBigInt(ahead) + 1n);
    expect(first!.flags & EventFlags.CLOCK_HINT_APPLIED).toBe(EventFlags.CLOCK_HINT_APPLIED);
    expect(second!.lamport).toBe(first!.lamport + 1n);
    expect(counters(s.journal)).toMatchObject({ CLOCK_HINTS_APPLIED: 1, CLOCK_HINTS_REJECTED: 1 });
    await s.stop();
  });

  it('wraps the ring and the blob: keeps the newest events intact and counts evictions', async () => {
    const s = await startSequencer({ backend, args: ['--slots', '1024', '--blob-size', '64KiB'] });
    const sent = Array.from({ length: 3000 }, (_, i) => Buffer.from(`event ${i} `.padEnd(8 + (i % 97), '*')));
    await sendUdp(s.port(), sent);
    await journaledAtLeast(s.journal, sent.length);
    const { head, tail, events } = readAll(s.journal);
    expect(head).toBe(3000);
    expect(head - tail).toBeLessThanOrEqual(1024);
    expect(events.length).toBe(head - tail);
    for (const e of events) {
      expect(e.checksumOk).toBe(true);
      expect(e.payload.equals(sent[e.sequence]!)).toBe(true);
    }
    for (let i = 1; i < events.length; i++) expect(events[i]!.lamport > events[i - 1]!.lamport).toBe(true);
    expect(counters(s.journal).EVENTS_EVICTED).toBe(tail);
    const reader = JournalReader.open(s.journal);
    const { blobHead } = reader.publication();
    reader.close();
    expect(blobHead).toBeGreaterThan(2 * 65_536);
    await s.stop();
  });

  it('drops the newest events instead of overwriting what a live consumer cursor still needs', async () => {
    const s = await startSequencer({ backend, args: ['--slots', '1024', '--blob-size', '64KiB'] });
    const consumer = JournalReader.open(s.journal, { cursors: true });
    const cursor = consumer.registerCursor('pinned', { position: 0, leaseMs: 60_000 });
    const first = Array.from({ length: 1500 }, (_, i) => Buffer.from(`first ${i}`));
    await sendUdp(s.port(), first);
    await until(() => counters(s.journal).DATAGRAMS_RECEIVED === 1500, '1500 taken');
    let c = counters(s.journal);
    expect(c.EVENTS_JOURNALED).toBe(1024);
    expect(c.EVENTS_DROPPED).toBe(1500 - 1024);
    expect(c.EVENTS_EVICTED).toBe(0);
    const pinned = readAll(s.journal);
    expect(pinned.tail).toBe(0);
    expect(pinned.events.every((e) => e.payload.equals(first[e.sequence]!))).toBe(true);

    cursor.advance(500);
    await sendUdp(
      s.port(),
      Array.from({ length: 600 }, (_, i) => `second ${i}`),
    );
    await until(() => counters(s.journal).DATAGRAMS_RECEIVED === 2100, '2100 taken');
    c = counters(s.journal);
    expect(c.EVENTS_EVICTED).toBe(500);
    expect(c.EVENTS_DROPPED).toBe(476 + 100);
    expect(readAll(s.journal).tail).toBe(500);

    cursor.release();
    await sendUdp(s.port(), ['after release']);
    await journaledAtLeast(s.journal, 1525);
    expect(counters(s.journal).EVENTS_EVICTED).toBe(501);
    consumer.close();
    await s.stop();
  });

  it('acknowledges submissions over IPC with their sequence numbers once journaled', async () => {
    const s = await startSequencer({ backend });
    const client = await connectIpc(s.ipcPath);
    try {
      await sendUdp(s.port(), ['udp first']);
      await journaledAtLeast(s.journal, 1);
      const streamId = await client.registerStream('connector.orders');
      const result = await client.submit([
        { streamId, nodeId: 9, flags: 1, payload: Buffer.from('{"a":1}') },
        { streamId, nodeId: 9, payload: Buffer.from('{"a":2}') },
      ]);
      expect(result).toEqual({ sequences: [1, 2], statuses: ['journaled', 'journaled'] });
      const { events } = readAll(s.journal);
      expect(events[1]).toMatchObject({ streamId, nodeId: 9, flags: 1 | EventFlags.SUBMITTED });
      expect(events[2]!.payload.toString()).toBe('{"a":2}');
      expect(counters(s.journal).SUBMITS_ACCEPTED).toBe(2);
      const tooLarge = await client.submit([{ streamId, nodeId: 9, payload: Buffer.alloc(2 ** 21) }]);
      expect(tooLarge).toEqual({ sequences: [null], statuses: ['too_large'] });
    } finally {
      client.close();
    }
    await s.stop();
  });

  it('notifies IPC clients of publications; a garbage client and a client that never reads do not disturb ingest', async () => {
    const s = await startSequencer({ backend });
    const heads: number[] = [];
    const good: IpcClient = await connectIpc(s.ipcPath, { onPublication: (p) => heads.push(p.head) });
    const { createConnection } = await import('node:net');
    const garbage = createConnection(s.ipcPath);
    garbage.on('error', () => {});
    await new Promise((resolve) => garbage.once('connect', resolve));
    garbage.write(Buffer.from('this is not the protocol, not at all'));
    const silent = createConnection(s.ipcPath);
    silent.on('error', () => {});
    await new Promise((resolve) => silent.once('connect', resolve));
    silent.pause();
    const sent = Array.from({ length: 2000 }, (_, i) => `event ${i}`);
    await sendUdp(s.port(), sent);
    await journaledAtLeast(s.journal, 2000);
    await until(() => heads.at(-1) === 2000, 'the good client to see head 2000');
    expect(heads.every((h, i) => i === 0 || h >= heads[i - 1]!)).toBe(true);
    expect(readAll(s.journal).events.map((e) => e.payload.toString())).toEqual(sent);
    good.close();
    garbage.destroy();
    silent.destroy();
    await s.stop();
  });

  it('counts datagrams the kernel dropped on a full socket queue (SO_RXQ_OVFL)', async () => {
    const s = await startSequencer({ backend, args: ['--rcvbuf', '4096'] });
    // A burst far larger than the 4 KiB queue, then (after it settled) one more to carry the drop count.
    const burst = Array.from({ length: 400 }, () => Buffer.alloc(8192, 7));
    await sendUdp(s.port(), burst);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sendUdp(s.port(), ['after the burst']);
    await until(() => {
      const c = counters(s.journal);
      return c.DATAGRAMS_RECEIVED + c.KERNEL_DROPS_REPORTED === 401;
    }, 'received + kernel drops to account for all 401 datagrams');
    expect(counters(s.journal).KERNEL_DROPS_REPORTED).toBeGreaterThan(0);
    await s.stop();
  });

  it('survives kill -9 during sustained ingest: everything below head intact, clock increasing, ingest resumes', async () => {
    const s = await startSequencer({ backend, args: ['--slots', '65536', '--blob-size', '8MiB'] });
    const port = s.port();
    let sending = true;
    let sent = 0;
    const sender = (async () => {
      while (sending) {
        await sendUdp(
          port,
          Array.from({ length: 50 }, (_, i) => `sustained ${sent + i}`),
        );
        sent += 50;
        // UDP send callbacks arrive as microtasks: yield to the event loop so the test's timers run.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await journaledAtLeast(s.journal, 5000);
    s.process.child.kill('SIGKILL');
    await s.process.exited;
    sending = false;
    await sender;
    const before = readAll(s.journal);
    expect(before.head).toBeGreaterThanOrEqual(5000);
    expect(before.events.every((e) => e.checksumOk)).toBe(true);
    expect(before.events.every((e) => /^sustained \d+$/.test(e.payload.toString()))).toBe(true);
    const lastClock = before.events.at(-1)!.lamport;

    const restarted = await startSequencer({
      backend,
      dir: s.dir,
      args: ['--slots', '65536', '--blob-size', '8MiB'],
    });
    expect(restarted.ready.open).toMatchObject({ created: false, recovered: true, truncated: 0 });
    await sendUdp(restarted.port(), ['after restart']);
    await until(() => readAll(s.journal).head === before.head + 1, 'the new event');
    const after = readAll(s.journal);
    const last = after.events.at(-1)!;
    expect(last.payload.toString()).toBe('after restart');
    expect(last.lamport > lastClock).toBe(true);
    for (let i = 1; i < after.events.length; i++)
      expect(after.events[i]!.lamport > after.events[i - 1]!.lamport).toBe(true);
    expect(after.events.every((e) => e.checksumOk)).toBe(true);
    await restarted.stop();
  });

  it('cuts a torn tail on reopen after a crash', async () => {
    const s = await startSequencer({ backend, args: ['--slots', '1024', '--blob-size', '64KiB'] });
    await sendUdp(
      s.port(),
      Array.from({ length: 20 }, (_, i) => `event ${i}`),
    );
    await journaledAtLeast(s.journal, 20);
    s.process.child.kill('SIGKILL');
    await s.process.exited;
    // Corrupt the payload of event 17, as a machine crash with unflushed pages could leave it.
    const reader = JournalReader.open(s.journal);
    const event = reader.readEvent(17)!;
    reader.close();
    const fd = openSync(s.journal, 'r+');
    const at = payloadFileOffset(journalGeometry(1024, 65_536), event.payloadOffset);
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    byte[0]! ^= 0xff;
    writeSync(fd, byte, 0, 1, at);
    closeSync(fd);

    const restarted = await startSequencer({ backend, dir: s.dir });
    expect(restarted.ready.open).toMatchObject({ recovered: true, truncated: 3 });
    const { head, events } = readAll(s.journal);
    expect(head).toBe(17);
    expect(events.every((e) => e.checksumOk)).toBe(true);
    expect(counters(s.journal).TORN_EVENTS_TRUNCATED).toBe(3);
    await sendUdp(restarted.port(), ['replaces 17']);
    await until(() => readAll(s.journal).head === 18, 'the new event 17');
    expect(readAll(s.journal).events.at(-1)!.payload.toString()).toBe('replaces 17');
    await restarted.stop();
  });

  it('drains and closes cleanly on SIGINT: exit 0, journal marked closed, socket removed', async () => {
    const s = await startSequencer({ backend });
    await sendUdp(
      s.port(),
      Array.from({ length: 100 }, (_, i) => `e${i}`),
    );
    await journaledAtLeast(s.journal, 100);
    expect(await s.stop('SIGINT')).toBe(0);
    expect(existsSync(s.ipcPath)).toBe(false);
    const reader = JournalReader.open(s.journal);
    expect(reader.writer()).toMatchObject({ open: false, pid: 0 });
    expect(reader.publication().head).toBe(100);
    reader.close();
    const stopped = JSON.parse(s.process.lines.find((l) => l.includes('"event":"stopped"'))!) as {
      head: number;
    };
    expect(stopped.head).toBe(100);
  });
});

describe('sequencer guards', () => {
  it('falls back to recvmmsg on its own where seccomp blocks io_uring, and says why', async () => {
    const { NO_URING, spawnCz } = await import('./helpers/processes.ts');
    const s = await startSequencer({ backend: 'auto', wrapper: NO_URING });
    expect(s.ready.backend).toBe('recvmmsg');
    expect(s.ready.backendFallbackReason).toMatch(/io_uring_setup failed: Operation not permitted/);
    await sendUdp(s.port(), ['still journaled']);
    await until(() => counters(s.journal).EVENTS_JOURNALED === 1, 'the datagram');
    await s.stop();
    const forced = spawnCz(
      ['start', '--journal', `${s.dir}/x.db`, '--ipc', `${s.dir}/x.sock`, '--backend', 'uring'],
      {
        wrapper: NO_URING,
      },
    );
    expect(await forced.exited).toBe(1);
    expect(forced.stderr()).toMatch(/--backend uring was asked for but io_uring is unavailable/);
  });

  it('uses io_uring under --backend auto where the kernel allows it', async () => {
    const s = await startSequencer({ backend: 'auto' });
    expect(s.ready.backend).toBe('io_uring');
    expect(s.ready.backendFallbackReason).toBeNull();
    await s.stop();
  });

  it('refuses a second writer on the same journal, naming the pid holding it', async () => {
    const s = await startSequencer({ backend: 'recvmmsg' });
    const second = await import('./helpers/processes.ts').then(({ spawnCz }) =>
      spawnCz(['start', '--journal', s.journal, '--ipc', `${s.dir}/other.sock`, '--listen', '0=default']),
    );
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toMatch(new RegExp(`already open by another sequencer \\(pid ${s.ready.pid}\\)`));
    await s.stop();
  });

  it('refuses an IPC path where another sequencer listens, and replaces a stale socket file', async () => {
    const s = await startSequencer({ backend: 'recvmmsg' });
    const { spawnCz } = await import('./helpers/processes.ts');
    const clash = spawnCz([
      'start',
      '--journal',
      `${s.dir}/other.db`,
      '--ipc',
      s.ipcPath,
      '--listen',
      '0=default',
    ]);
    expect(await clash.exited).toBe(1);
    expect(clash.stderr()).toMatch(/--ipc/);
    s.process.child.kill('SIGKILL');
    await s.process.exited;
    expect(existsSync(s.ipcPath)).toBe(true);
    const again = await startSequencer({ backend: 'recvmmsg', dir: s.dir });
    const client = await connectIpc(again.ipcPath);
    expect(client.hello.pid).toBe(again.ready.pid);
    client.close();
    await again.stop();
  });

  it('rejects flags that contradict an existing journal, and files that are not journals', async () => {
    const s = await startSequencer({
      backend: 'recvmmsg',
      args: ['--slots', '1024', '--blob-size', '64KiB'],
    });
    await s.stop();
    const { spawnCz } = await import('./helpers/processes.ts');
    const mismatch = spawnCz([
      'start',
      '--journal',
      s.journal,
      '--ipc',
      `${s.dir}/b.sock`,
      '--slots',
      '2048',
    ]);
    expect(await mismatch.exited).toBe(1);
    expect(mismatch.stderr()).toMatch(/has 1024 slots but 2048 were asked for/);
    const notJournal = `${s.dir}/notes.txt`;
    writeSync(openSync(notJournal, 'w'), Buffer.alloc(70_000, 'x'));
    const foreign = spawnCz(['start', '--journal', notJournal, '--ipc', `${s.dir}/c.sock`]);
    expect(await foreign.exited).toBe(1);
    expect(foreign.stderr()).toMatch(/is not a lacrimosa journal/);
    const badSlots = spawnCz([
      'start',
      '--journal',
      `${s.dir}/new.db`,
      '--ipc',
      `${s.dir}/d.sock`,
      '--slots',
      '1000',
    ]);
    expect(await badSlots.exited).toBe(1);
    expect(badSlots.stderr()).toMatch(/slot count must be a power of two/);
  });

  it('keeps durable_head up with head under --fsync always and --fsync interval', async () => {
    for (const mode of ['always', 'interval']) {
      const s = await startSequencer({ backend: 'uring', args: ['--fsync', mode] });
      await sendUdp(
        s.port(),
        Array.from({ length: 10 }, (_, i) => `durable ${i}`),
      );
      await journaledAtLeast(s.journal, 10);
      await until(() => {
        const r = JournalReader.open(s.journal);
        const durable = r.writer().durableHead;
        r.close();
        return durable === 10;
      }, `durable head 10 with fsync ${mode}`);
      // Counters may trail by one publication (docs/journal-format.md), so wait rather than read once.
      await until(() => counters(s.journal).FSYNCS_COMPLETED > 0, `an fsync counted with fsync ${mode}`);
      await s.stop();
    }
  });

  it('keeps the payload bytes of what it journals exactly (digest of 200 random payloads)', async () => {
    const s = await startSequencer({ backend: 'uring' });
    const { randomBytes } = await import('node:crypto');
    const payloads = Array.from({ length: 200 }, (_, i) => randomBytes(1 + ((i * 331) % 1400)));
    const sent = payloads.filter((p) => !(p[0] === 0x43 && p[1] === 0x5a && p[2] === 0x46 && p[3] === 0x52));
    await sendUdp(s.port(), sent);
    await journaledAtLeast(s.journal, sent.length);
    const digest = (list: Buffer[]): string => createHash('sha256').update(Buffer.concat(list)).digest('hex');
    expect(digest(readAll(s.journal).events.map((e) => e.payload))).toBe(digest(sent));
    await s.stop();
  });
});
