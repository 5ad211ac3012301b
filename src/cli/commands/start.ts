/**
 * `cz start`: runs the sequencer in the foreground until SIGINT/SIGTERM — UDP ingest on a native thread into
 * the journal, and the IPC socket for observers.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_BLOB_SIZE, DEFAULT_SLOT_COUNT } from '../../journal/layout.ts';
import type { RunningSequencer } from '../../sequencer/sequencer.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { waitForSignal } from '../signals.ts';
import { parseListen, parseSize } from '../units.ts';

export const DEFAULT_IPC_PATH = '/tmp/cz-io.sock';

interface StartArgs {
  journal: string;
  listen: string[];
  ipc: string | false;
  slots?: number;
  'blob-size'?: string;
  'max-payload'?: string;
  fsync: 'none' | 'interval' | 'always';
  backend: 'auto' | 'uring' | 'recvmmsg';
  rcvbuf: string;
  'max-clock-drift': number;
  json: boolean;
}

function mib(bytes: number): string {
  return bytes >= 2 ** 30
    ? `${bytes / 2 ** 30} GiB`
    : bytes >= 2 ** 20
      ? `${bytes / 2 ** 20} MiB`
      : `${bytes / 1024} KiB`;
}

export const startCommand = (context: CommandContext): CommandModule<object, StartArgs> => ({
  command: 'start',
  describe: 'Run the sequencer: receive UDP datagrams and journal them (foreground; Ctrl-C stops it cleanly)',
  builder: (yargs: Argv) =>
    yargs
      .option('journal', {
        type: 'string',
        default: 'journal.db',
        describe: 'Journal file (created when missing)',
      })
      .option('listen', {
        type: 'string',
        array: true,
        default: ['9000=default'],
        describe: 'UDP listener [HOST:]PORT=STREAM, repeatable; no host = 127.0.0.1 and ::1',
      })
      .option('ipc', {
        type: 'string',
        default: '/tmp/cz-io.sock',
        describe: 'Unix socket for observers (--no-ipc for none)',
      })
      .option('slots', {
        type: 'number',
        describe: `Ring slots for a new journal, a power of two (default ${DEFAULT_SLOT_COUNT})`,
      })
      .option('blob-size', {
        type: 'string',
        describe: `Payload region of a new journal, a power of two (default ${mib(DEFAULT_BLOB_SIZE)})`,
      })
      .option('max-payload', {
        type: 'string',
        describe: 'Largest payload accepted (default min(1 MiB, blob/4))',
      })
      .option('fsync', {
        choices: ['none', 'interval', 'always'] as const,
        default: 'none' as const,
        describe:
          'Durability: none (survives process crashes), interval (msync every 100 ms), always (before each publication)',
      })
      .option('backend', {
        choices: ['auto', 'uring', 'recvmmsg'] as const,
        default: 'auto' as const,
        describe: 'Receive backend; auto uses io_uring and falls back to recvmmsg',
      })
      .option('rcvbuf', {
        type: 'string',
        default: '4MiB',
        describe: 'Kernel receive buffer per socket (SO_RCVBUF)',
      })
      .option('max-clock-drift', {
        type: 'number',
        default: 60_000,
        describe: 'Ignore sender clock hints further ahead than this (ms)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the ready and stopped lines as JSON',
      }) as unknown as Argv<StartArgs>,
  handler: async (args) => {
    const listens = args.listen.map(parseListen);
    const [{ isNativeError }, { RunningSequencer }] = await Promise.all([
      import('../../native/binding.ts'),
      import('../../sequencer/sequencer.ts'),
    ]);
    let sequencer: RunningSequencer;
    try {
      sequencer = await RunningSequencer.start({
        journal: resolve(args.journal),
        listens,
        ipcPath: args.ipc === false ? null : args.ipc,
        ...(args.slots === undefined ? {} : { slots: args.slots }),
        ...(args['blob-size'] === undefined ? {} : { blobSize: parseSize('blob-size', args['blob-size']) }),
        ...(args['max-payload'] === undefined
          ? {}
          : { maxPayload: parseSize('max-payload', args['max-payload']) }),
        fsync: args.fsync,
        backend: args.backend,
        receiveBufferBytes: parseSize('rcvbuf', args.rcvbuf),
        maxClockDriftMs: args['max-clock-drift'],
      });
    } catch (error) {
      if (isNativeError(error)) throw new UserError(`cannot start the sequencer: ${error.message}`);
      throw error;
    }
    // Handlers go in before the ready line: whoever reads it may signal at once.
    const stopSignal = waitForSignal();
    const { info } = sequencer;
    const listeners = sequencer.listeners();
    const out = context.output;
    if (args.json) {
      out.out(
        JSON.stringify({
          event: 'ready',
          pid: process.pid,
          backend: info.backend,
          backendFallbackReason: info.backendFallbackReason || null,
          listeners,
          journal: info.journal,
          open: info.open,
          ipc: args.ipc === false ? null : args.ipc,
        }),
      );
    } else {
      const opened = info.open.created
        ? 'created'
        : info.open.recovered
          ? `recovered after an unclean stop (${info.open.truncated} torn events cut)`
          : 'reopened';
      const first = listeners.find((l) => !l.ipv6) ?? listeners[0];
      out.out(
        [
          'lacrimosa sequencer ready',
          `  journal  ${info.journal.path} (${info.journal.slotCount} slots, ${mib(info.journal.blobSize)} blob, fsync ${args.fsync}) — ${opened}`,
          `  backend  ${info.backend}${info.backendFallbackReason ? ` (io_uring unavailable: ${info.backendFallbackReason})` : ''}`,
          `  udp      ${listeners.map((l) => `${l.ipv6 ? `[${l.host}]` : l.host}:${l.port} → ${l.stream}`).join(', ')}`,
          `  ipc      ${args.ipc === false ? 'off' : args.ipc}`,
          ...(first
            ? [`  try      echo hi | nc -u -w1 ${first.ipv6 ? `::1` : first.host} ${first.port}`]
            : []),
        ].join('\n'),
      );
    }
    const signal = await stopSignal;
    const counters = sequencer.reader.counters();
    const head = sequencer.reader.publication().head;
    await sequencer.stop(`sequencer stopped by ${signal}`);
    if (args.json) out.out(JSON.stringify({ event: 'stopped', signal, head, counters }));
    else out.out(`stopped (${signal}): ${counters.EVENTS_JOURNALED} events journaled this far, head ${head}`);
  },
});
