/**
 * The journal contract, model-based: random sequences of receive (raw and framed), bursts, rejected frames,
 * submissions, large payloads that force eviction, consumer-cursor claims/moves/releases and reopen are applied
 * to a system under test and to the reference model (models/journal-model.ts); after every step the two must
 * agree on head, tail, counters and every retained event, clock values must be strictly increasing, and every
 * payload must match its checksum.
 *
 * A system is anything that implements `JournalSystem`: the real native sequencer (systems/native-sequencer.ts)
 * or the model itself (a check of the harness).
 *
 * @module
 */
import fc from 'fast-check';
import { EventFlags } from '../../src/core/causal-event.ts';
import { JournalModel, type ModelAppend } from '../models/journal-model.ts';
import type { ContractSuite } from '../runner.ts';

export interface SnapshotEvent {
  sequence: number;
  streamId: number;
  nodeId: number;
  flags: number;
  payload: Uint8Array;
  checksumOk: boolean;
  lamport: bigint;
}

export interface JournalSnapshot {
  head: number;
  tail: number;
  journaled: number;
  evicted: number;
  dropped: number;
  rejected: number;
  events: SnapshotEvent[];
}

export interface FramedInput {
  nodeId: number;
  streamId: number;
  flags: number;
  payload: Uint8Array;
}

export interface JournalSystem {
  readonly slotCount: number;
  readonly blobSize: number;
  readonly maxPayload: number;
  /** Stream id of each listener, by index. */
  readonly listenerStreams: readonly number[];
  /** The node id raw datagrams from this host get. */
  readonly sourceNodeId: number;
  /** Sends raw datagrams to listener `listener` and waits until the system has taken them all. */
  receiveRaw(payloads: readonly Uint8Array[], listener: number): Promise<void>;
  receiveFramed(input: FramedInput): Promise<void>;
  /** Sends the frame with bit `flipBit` (≥ 32: never the magic) flipped, which the system must reject. */
  receiveCorrupt(input: FramedInput, flipBit: number): Promise<void>;
  /** Returns each event's sequence, or null when it was not journaled. */
  submit(events: readonly ModelAppend[]): Promise<(number | null)[]>;
  claimCursor(position: number): Promise<number>;
  advanceCursor(cursor: number, position: number): Promise<void>;
  releaseCursor(cursor: number): Promise<void>;
  reopen(): Promise<void>;
  snapshot(): JournalSnapshot;
  close(): Promise<void>;
}

export interface JournalSystemFactory {
  name: string;
  slotCount: number;
  blobSize: number;
  open(): Promise<JournalSystem>;
}

interface World {
  model: JournalModel;
  /** Model cursor ids, in claim order, paired with the system's ids. */
  cursorIds: Map<number, number>;
  nextCursor: number;
  rejected: number;
  lastLamport: bigint;
  lastHead: number;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function agree(world: World, real: JournalSystem, step: string): void {
  const m = world.model;
  const s = real.snapshot();
  const fail = (what: string): never => {
    throw new Error(`after ${step}: ${what}`);
  };
  if (s.head !== m.head || s.tail !== m.tail)
    fail(`head/tail ${s.head}/${s.tail}, model ${m.head}/${m.tail}`);
  if (s.journaled !== m.journaled) fail(`journaled ${s.journaled}, model ${m.journaled}`);
  if (s.evicted !== m.evicted) fail(`evicted ${s.evicted}, model ${m.evicted}`);
  if (s.dropped !== m.dropped) fail(`dropped ${s.dropped}, model ${m.dropped}`);
  if (s.rejected !== world.rejected) fail(`rejected ${s.rejected}, model ${world.rejected}`);
  if (s.events.length !== m.head - m.tail)
    fail(`${s.events.length} events readable, model retains ${m.head - m.tail}`);
  let previous = -1n;
  for (const e of s.events) {
    const expected = m.events.get(e.sequence);
    if (!expected) return fail(`sequence ${e.sequence} readable but not retained by the model`);
    if (e.streamId !== expected.streamId || e.nodeId !== expected.nodeId || e.flags !== expected.flags) {
      fail(
        `event ${e.sequence}: stream/node/flags ${e.streamId}/${e.nodeId}/${e.flags}, model ${expected.streamId}/${expected.nodeId}/${expected.flags}`,
      );
    }
    if (!sameBytes(e.payload, expected.payload))
      fail(`event ${e.sequence}: payload differs from what was sent`);
    if (!e.checksumOk) fail(`event ${e.sequence}: payload does not match its checksum`);
    if (e.lamport <= previous) fail(`event ${e.sequence}: clock ${e.lamport} not after ${previous}`);
    if (e.sequence >= world.lastHead && e.lamport <= world.lastLamport) {
      fail(
        `event ${e.sequence}: clock ${e.lamport} not after the last clock seen before it (${world.lastLamport})`,
      );
    }
    previous = e.lamport;
  }
  if (s.events.length > 0) world.lastLamport = s.events[s.events.length - 1]!.lamport;
  world.lastHead = s.head;
}

type Command = fc.AsyncCommand<World, JournalSystem>;

const payloadBytes = (maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc
    .uint8Array({ maxLength })
    // A raw payload that begins with the frame magic would be read as a frame (docs/wire-format.md).
    .filter((p) => !(p[0] === 0x43 && p[1] === 0x5a && p[2] === 0x46 && p[3] === 0x52));

class RawCommand implements Command {
  constructor(
    readonly payloads: Uint8Array[],
    readonly listener: number,
  ) {}
  check = (): boolean => true;
  async run(world: World, real: JournalSystem): Promise<void> {
    const listener = this.listener % real.listenerStreams.length;
    for (const payload of this.payloads) {
      world.model.append({
        streamId: real.listenerStreams[listener]!,
        nodeId: real.sourceNodeId,
        flags: 0,
        payload,
      });
    }
    await real.receiveRaw(this.payloads, listener);
    agree(world, real, this.toString());
  }
  toString = (): string =>
    `receive ${this.payloads.length} raw [${this.payloads.map((p) => p.length).join(',')}] on listener ${this.listener}`;
}

class FramedCommand implements Command {
  constructor(readonly input: FramedInput) {}
  check = (): boolean => true;
  async run(world: World, real: JournalSystem): Promise<void> {
    const { nodeId, flags, payload } = this.input;
    const streamId = this.input.streamId === 0 ? real.listenerStreams[0]! : this.input.streamId;
    world.model.append({ streamId, nodeId, flags: flags | EventFlags.FRAMED, payload });
    await real.receiveFramed(this.input);
    agree(world, real, this.toString());
  }
  toString = (): string =>
    `receive framed node ${this.input.nodeId} stream ${this.input.streamId} (${this.input.payload.length} B)`;
}

class CorruptCommand implements Command {
  constructor(
    readonly input: FramedInput,
    readonly bit: number,
  ) {}
  check = (): boolean => true;
  async run(world: World, real: JournalSystem): Promise<void> {
    world.rejected++;
    await real.receiveCorrupt(this.input, this.bit);
    agree(world, real, this.toString());
  }
  toString = (): string => `receive a frame with bit ${this.bit} flipped`;
}

class SubmitCommand implements Command {
  constructor(readonly events: { streamId: number; nodeId: number; flags: number; payload: Uint8Array }[]) {}
  check = (): boolean => true;
  async run(world: World, real: JournalSystem): Promise<void> {
    const appended = this.events.map((e) => ({ ...e, flags: (e.flags & 0xff) | EventFlags.SUBMITTED }));
    const expected = appended.map((e) => world.model.append(e));
    const sequences = await real.submit(this.events);
    if (sequences.length !== expected.length || sequences.some((s, i) => s !== expected[i])) {
      throw new Error(`submit acknowledged ${JSON.stringify(sequences)}, model ${JSON.stringify(expected)}`);
    }
    agree(world, real, this.toString());
  }
  toString = (): string => `submit ${this.events.length} events`;
}

class ClaimCursorCommand implements Command {
  constructor(readonly offset: number) {}
  check = (world: Readonly<World>): boolean => world.cursorIds.size < 3;
  async run(world: World, real: JournalSystem): Promise<void> {
    const m = world.model;
    const position = m.tail + (this.offset % (m.head - m.tail + 1));
    const id = world.nextCursor++;
    world.cursorIds.set(id, await real.claimCursor(position));
    m.cursors.set(id, position);
    agree(world, real, this.toString());
  }
  toString = (): string => `claim a cursor ${this.offset} after tail`;
}

class AdvanceCursorCommand implements Command {
  constructor(
    readonly which: number,
    readonly delta: number,
  ) {}
  check = (world: Readonly<World>): boolean => world.cursorIds.size > 0;
  async run(world: World, real: JournalSystem): Promise<void> {
    const ids = [...world.cursorIds.keys()];
    const id = ids[this.which % ids.length]!;
    const position = Math.min(world.model.head, world.model.cursors.get(id)! + this.delta);
    world.model.cursors.set(id, position);
    await real.advanceCursor(world.cursorIds.get(id)!, position);
    agree(world, real, this.toString());
  }
  toString = (): string => `advance cursor #${this.which} by ${this.delta}`;
}

class ReleaseCursorCommand implements Command {
  constructor(readonly which: number) {}
  check = (world: Readonly<World>): boolean => world.cursorIds.size > 0;
  async run(world: World, real: JournalSystem): Promise<void> {
    const ids = [...world.cursorIds.keys()];
    const id = ids[this.which % ids.length]!;
    await real.releaseCursor(world.cursorIds.get(id)!);
    world.cursorIds.delete(id);
    world.model.cursors.delete(id);
    agree(world, real, this.toString());
  }
  toString = (): string => `release cursor #${this.which}`;
}

class ReopenCommand implements Command {
  check = (): boolean => true;
  async run(world: World, real: JournalSystem): Promise<void> {
    await real.reopen();
    agree(world, real, this.toString());
  }
  toString = (): string => 'reopen';
}

function commands(maxPayload: number): fc.Arbitrary<Iterable<Command>> {
  const framed = fc.record({
    nodeId: fc.integer({ min: 0, max: 0xffff_ffff }),
    streamId: fc.integer({ min: 0, max: 40 }),
    flags: fc.integer({ min: 0, max: 0xff }),
    payload: fc.uint8Array({ maxLength: 200 }),
  });
  const submitted = fc.record({
    streamId: fc.integer({ min: 0, max: 40 }),
    nodeId: fc.integer({ min: 0, max: 0xffff_ffff }),
    flags: fc.integer({ min: 0, max: 0xff }),
    payload: fc.uint8Array({ maxLength: 300 }),
  });
  // Bursts are listed twice (fc.commands picks uniformly) so that runs regularly wrap the 1024-slot ring.
  const burst = fc
    .tuple(fc.noShrink(fc.array(payloadBytes(16), { minLength: 100, maxLength: 900 })), fc.nat(3))
    .map(([p, l]) => new RawCommand(p, l));
  return fc.commands(
    [
      fc
        .tuple(fc.array(payloadBytes(120), { minLength: 1, maxLength: 4 }), fc.nat(3))
        .map(([p, l]) => new RawCommand(p, l)),
      burst,
      burst,
      fc
        .tuple(fc.noShrink(fc.uint8Array({ minLength: maxPayload / 2, maxLength: maxPayload })), fc.nat(3))
        .filter(([p]) => !(p[0] === 0x43 && p[1] === 0x5a && p[2] === 0x46 && p[3] === 0x52))
        .map(([p, l]) => new RawCommand([p], l)),
      framed.map((f) => new FramedCommand(f)),
      fc
        .tuple(framed, fc.nat())
        .map(([f, bit]) => new CorruptCommand(f, 32 + (bit % ((32 + f.payload.length) * 8 - 32)))),
      fc.array(submitted, { minLength: 1, maxLength: 8 }).map((e) => new SubmitCommand(e)),
      fc.nat(2000).map((o) => new ClaimCursorCommand(o)),
      fc.nat(200).map((o) => new ClaimCursorCommand(o)),
      fc.tuple(fc.nat(2), fc.nat(600)).map(([w, d]) => new AdvanceCursorCommand(w, d)),
      fc.nat(2).map((w) => new ReleaseCursorCommand(w)),
      fc.constant(new ReopenCommand()),
    ],
    { maxCommands: 40, size: 'max' },
  );
}

export function journalContract(factory: JournalSystemFactory, numRuns = 150): ContractSuite {
  const maxPayload = factory.blobSize / 4;
  return {
    name: 'journal',
    description: `the ${factory.name} journal agrees with the reference model under receive, submit, eviction, cursors and reopen`,
    properties: [
      {
        name: `model-based: ${factory.name} and the reference model never diverge`,
        property: fc.asyncProperty(commands(maxPayload), async (cmds) => {
          const real = await factory.open();
          try {
            const model = new JournalModel(real.slotCount, real.blobSize, real.maxPayload);
            await fc.asyncModelRun(
              () => ({
                model: {
                  model,
                  cursorIds: new Map(),
                  nextCursor: 0,
                  rejected: 0,
                  lastLamport: -1n,
                  lastHead: 0,
                },
                real,
              }),
              cmds,
            );
          } finally {
            await real.close();
          }
        }),
        numRuns,
        // Shrinking replays whole command sequences against real processes; cap it so a failure reports
        // within minutes (with a partly shrunk counterexample) instead of hours.
        parameters: { interruptAfterTimeLimit: 240_000, markInterruptAsFailure: true },
      },
    ],
  };
}
