/**
 * `cz status --journal PATH`: the journal's header as it is now — writer, head/tail, utilization, counters,
 * streams and consumer cursors. Reads the file directly, so it works whether or not a sequencer runs.
 *
 * @module
 */
import { realpathSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import type { Hello } from '../../ipc/protocol.ts';
import type { CounterName } from '../../journal/layout.ts';
import type {
  CursorInfo,
  JournalIdentity,
  JournalReader,
  Publication,
  WriterSession,
} from '../../journal/reader.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { type HubClientArgs, hubRequest, hubTarget } from '../hub-client.ts';
import { formatTable } from '../output.ts';

interface StatusArgs extends HubClientArgs {
  journal: string;
  ipc: string;
  json: boolean;
}

interface HubStatus {
  status: string;
  version: string;
  uptimeMs: number;
  sequencer: { state: string; pid?: number; backend?: string };
  journal: { path: string; available: boolean; head?: number; tail?: number };
}

/** `cz status --hub`: the hub's own view (public endpoint, no key needed). */
async function hubStatus(args: StatusArgs, context: CommandContext): Promise<void> {
  const target = hubTarget(args);
  const s = await hubRequest<HubStatus>(target, 'GET', '/api/status');
  if (args.json) return context.output.out(JSON.stringify({ hub: target.url, ...s }, null, 2));
  context.output.out(
    [
      `hub       ${target.url} (version ${s.version}, up ${Math.round(s.uptimeMs / 1000)} s)`,
      `sequencer ${s.sequencer.state}${s.sequencer.pid ? `, pid ${s.sequencer.pid}, backend ${s.sequencer.backend}` : ''}`,
      `journal   ${s.journal.path}${s.journal.available ? `, head ${s.journal.head}, tail ${s.journal.tail}` : ' (not readable yet)'}`,
    ].join('\n'),
  );
}

export interface SequencerSummary {
  pid: number;
  backend: string;
  listeners: Hello['listeners'];
}

/** Asks the sequencer listening on `ipcPath` about itself, if it is the writer of `journal`; null otherwise. */
async function sequencerOf(journal: string, ipcPath: string): Promise<SequencerSummary | null> {
  const { connectIpc } = await import('../../ipc/client.ts');
  try {
    const client = await connectIpc(ipcPath, { timeoutMs: 1000 });
    client.close();
    const same = realpathSync(client.hello.journal.path) === realpathSync(journal);
    return same
      ? { pid: client.hello.pid, backend: client.hello.backend, listeners: client.hello.listeners }
      : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  if (pid === 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface JournalStatus {
  path: string;
  identity: JournalIdentity;
  writer: WriterSession & { running: boolean };
  publication: Publication & { clockIso: string | null };
  retained: number;
  ringUtilization: number;
  blobUtilization: number;
  counters: Record<CounterName, number>;
  streams: { id: number; name: string }[];
  cursors: CursorInfo[];
}

export function journalStatus(reader: JournalReader): JournalStatus {
  const identity = reader.identity();
  const writer = reader.writer();
  const p = reader.publication();
  const retained = p.head - p.tail;
  return {
    path: reader.path,
    identity,
    writer: { ...writer, running: writer.open && processAlive(writer.pid) },
    publication: { ...p, clockIso: p.clock.wallMs > 0 ? new Date(p.clock.wallMs).toISOString() : null },
    retained,
    ringUtilization: retained / identity.slotCount,
    blobUtilization: Math.min(1, (p.blobHead - p.blobTail) / identity.blobSize),
    counters: reader.counters(),
    streams: reader.streams(),
    cursors: reader.cursors(),
  };
}

export const statusCommand = (context: CommandContext): CommandModule<object, StatusArgs> => ({
  command: 'status',
  describe:
    'Show a journal (writer, head/tail, utilization, counters, streams, cursors) or, with --hub, a hub',
  builder: (yargs: Argv) =>
    yargs
      .option('journal', { type: 'string', default: 'journal.db', describe: 'Journal file' })
      .option('hub', {
        type: 'string',
        describe:
          'Ask a hub instead of reading a journal (URL; bare --hub uses CZ_HUB_URL or http://127.0.0.1:3000)',
        coerce: (v: string | true) =>
          v === '' || v === (true as unknown) ? (process.env.CZ_HUB_URL ?? 'http://127.0.0.1:3000') : v,
      })
      .option('key', { type: 'string', describe: 'API key for --hub (env CZ_API_KEY)' })
      .option('data-dir', {
        type: 'string',
        default: '.lacrimosa',
        describe: "The hub's data directory, for its root.key",
      })
      .option('ipc', {
        type: 'string',
        default: '/tmp/cz-io.sock',
        describe: "The sequencer's IPC socket, asked for its backend and listeners",
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }) as Argv<StatusArgs>,
  handler: async (args) => {
    if (args.hub !== undefined) return hubStatus(args, context);
    const [{ JournalReader }, { isNativeError }] = await Promise.all([
      import('../../journal/reader.ts'),
      import('../../native/binding.ts'),
    ]);
    let reader: JournalReader;
    try {
      reader = JournalReader.open(args.journal);
    } catch (error) {
      if (isNativeError(error)) throw new UserError(error.message);
      throw error;
    }
    try {
      const s = { ...journalStatus(reader), sequencer: await sequencerOf(args.journal, args.ipc) };
      if (args.json) {
        context.output.out(JSON.stringify(s, null, 2));
        return;
      }
      const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
      const w = s.writer;
      context.output.out(
        [
          ...(s.sequencer
            ? [
                `sequencer pid ${s.sequencer.pid}, backend ${s.sequencer.backend}, udp ${s.sequencer.listeners.map((l) => `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port} → ${l.stream}`).join(', ')}`,
              ]
            : []),
          `journal   ${s.path} (format ${s.identity.version}, ${s.identity.slotCount} slots, ${s.identity.blobSize} blob bytes)`,
          `writer    ${w.running ? `running, pid ${w.pid}` : w.open ? `not closed cleanly (pid ${w.pid} is gone); the next start recovers it` : 'none (closed cleanly)'}, fsync ${w.fsync}, ${w.openCount} sessions`,
          `events    head ${s.publication.head}, tail ${s.publication.tail}, ${s.retained} retained`,
          `ring      ${pct(s.ringUtilization)} used   blob ${pct(s.blobUtilization)} used`,
          `clock     ${s.publication.clockIso ?? '(no events yet)'} (+${s.publication.clock.logical})`,
          '',
          formatTable(
            ['COUNTER', 'VALUE'],
            Object.entries(s.counters).map(([k, v]) => [k, String(v)]),
            [1],
          ),
          '',
          formatTable(
            ['STREAM ID', 'NAME'],
            s.streams.map((x) => [String(x.id), x.name]),
            [0],
          ),
          ...(s.cursors.length > 0
            ? [
                '',
                formatTable(
                  ['CURSOR', 'NAME', 'PID', 'POSITION', 'LIVE'],
                  s.cursors.map((c) => [
                    String(c.index),
                    c.name,
                    String(c.pid),
                    String(c.position),
                    c.live ? 'yes' : 'no',
                  ]),
                  [0, 2, 3],
                ),
              ]
            : []),
        ].join('\n'),
      );
    } finally {
      reader.close();
    }
  },
});
