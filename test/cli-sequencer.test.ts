/**
 * `cz send` and `cz status` against a real sequencer process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventFlags } from '../src/core/causal-event.ts';
import { JournalReader } from '../src/journal/reader.ts';
import { killAll, runCz as cz, until } from './helpers/processes.ts';
import { counters, startSequencer } from './helpers/sequencer.ts';

afterEach(killAll);

describe('cz send and cz status', () => {
  it('sends raw and framed datagrams that the sequencer journals as such', async () => {
    const s = await startSequencer({ backend: 'uring' });
    const raw = await cz('send', '--to', `127.0.0.1:${s.port()}`, '--count', '3', 'tick {i}');
    expect(raw).toMatchObject({ code: 0, stdout: expect.stringMatching(/sent 3 raw datagrams/) });
    const framed = await cz(
      'send',
      '--to',
      `${s.port()}`,
      '--framed',
      '--node',
      '42',
      '--stream',
      '7',
      '--flags',
      '5',
      '--hint',
      'now',
      'framed!',
    );
    expect(framed.code).toBe(0);
    await until(() => counters(s.journal).EVENTS_JOURNALED === 4, '4 events');
    const reader = JournalReader.open(s.journal);
    const events = [0, 1, 2, 3].map((i) => reader.readEvent(i)!);
    expect(events.slice(0, 3).map((e) => Buffer.from(reader.payloadView(e)).toString())).toEqual([
      'tick 0',
      'tick 1',
      'tick 2',
    ]);
    expect(events[3]).toMatchObject({ nodeId: 42, streamId: 7 });
    expect(events[3]!.flags & 0x0fff & ~EventFlags.CLOCK_HINT_APPLIED).toBe(5 | EventFlags.FRAMED);
    reader.close();
    await s.stop();
  });

  it('rejects a bad target or flag value with a one-line message', async () => {
    expect(await cz('send', '--to', 'nowhere:99999', 'x')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--to must be HOST:PORT/),
    });
    expect(await cz('send', '--framed', '--flags', '300', 'x')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--flags must be an integer in 0..255/),
    });
    expect(await cz('send', '--framed', '--hint', 'soon', 'x')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--hint must be "now"/),
    });
  });

  it('prints the journal state, as text and as JSON, while running and after a clean stop', async () => {
    const s = await startSequencer({ backend: 'recvmmsg', listens: ['0=default', '0=orders'] });
    await cz('send', '--to', `127.0.0.1:${s.port('orders')}`, '--count', '10', 'order {i}');
    await until(() => counters(s.journal).EVENTS_JOURNALED === 10, '10 events');
    const text = await cz('status', '--journal', s.journal, '--ipc', s.ipcPath);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`sequencer pid ${s.ready.pid}, backend recvmmsg, udp 127\\.0\\.0\\.1:\\d+ → default`),
    );
    expect(text.stdout).toMatch(new RegExp(`writer\\s+running, pid ${s.ready.pid}`));
    expect(text.stdout).toMatch(/events\s+head 10, tail 0, 10 retained/);
    expect(text.stdout).toMatch(/EVENTS_JOURNALED\s+10/);
    expect(text.stdout).toMatch(/\d+\s+orders/);
    await s.stop();
    const json = JSON.parse(
      (await cz('status', '--journal', s.journal, '--ipc', s.ipcPath, '--json')).stdout,
    ) as {
      sequencer: unknown;
      writer: { running: boolean; open: boolean };
      publication: { head: number };
      counters: Record<string, number>;
      streams: { name: string }[];
    };
    expect(json.writer).toMatchObject({ running: false, open: false });
    expect(json.sequencer).toBeNull();
    expect(json.publication.head).toBe(10);
    expect(json.counters.DATAGRAMS_RECEIVED).toBe(10);
    expect(json.streams.map((x) => x.name)).toEqual(['default', 'orders']);
  });

  it('verifies a live journal with cz verify --journal, and reports a corrupted payload', async () => {
    const s = await startSequencer({ backend: 'uring', args: ['--slots', '1024', '--blob-size', '64KiB'] });
    await cz('send', '--to', `127.0.0.1:${s.port()}`, '--count', '1500', 'payload number {i}');
    await until(() => counters(s.journal).DATAGRAMS_RECEIVED === 1500, '1500 datagrams');
    const live = await cz('verify', '--journal', s.journal, '--journal-only');
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(/every retained payload matches its CRC32C\s+1024\s+ok/);
    expect(live.stdout).toMatch(/journal: all checks passed/);
    await s.stop();
    const reader = JournalReader.open(s.journal);
    const event = reader.readEvent(1400)!;
    reader.close();
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const { payloadFileOffset, journalGeometry } = await import('../src/journal/layout.ts');
    const fd = openSync(s.journal, 'r+');
    writeSync(
      fd,
      Buffer.from('X'),
      0,
      1,
      payloadFileOffset(journalGeometry(1024, 65_536), event.payloadOffset),
    );
    closeSync(fd);
    const corrupted = await cz('verify', '--journal', s.journal, '--journal-only');
    expect(corrupted.code).toBe(1);
    expect(corrupted.stdout).toMatch(
      /FAIL journal \/ every retained payload matches its CRC32C\n\s+sequence 1400: checksum mismatch/,
    );
    expect(corrupted.stdout).toMatch(
      /head equals events journaled minus torn events cut at recovery\s+1\s+ok/,
    );
  });

  it('says clearly when the journal does not exist', async () => {
    const result = await cz('status', '--journal', '/nonexistent/journal.db');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cz: cannot open \/nonexistent\/journal.db: No such file or directory/);
  });
});
