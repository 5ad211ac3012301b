/**
 * `cz send`: sends datagrams to a sequencer, raw (what `nc -u` sends) or framed (docs/wire-format.md), for
 * demos and tests. `{i}` in the message is replaced by the datagram's index.
 *
 * @module
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import type { Argv, CommandModule } from 'yargs';
import { encodeFrame } from '../../core/frame.ts';
import { hlcFromBigInt, type HlcTimestamp } from '../../core/hlc.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';

interface SendArgs {
  message?: string[];
  to: string;
  framed: boolean;
  node: number;
  stream: number;
  flags: number;
  hint?: string;
  count: number;
  interval: number;
  file?: string;
}

function parseTarget(to: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(to);
  const colon = to.lastIndexOf(':');
  const host = bracketed ? bracketed[1]! : colon > 0 ? to.slice(0, colon) : '127.0.0.1';
  const portText = bracketed ? bracketed[2]! : colon >= 0 ? to.slice(colon + 1) : to;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65_535) {
    throw new UserError(`--to must be HOST:PORT or PORT (1..65535), got "${to}"`);
  }
  return { host, port };
}

function parseHint(hint: string | undefined): HlcTimestamp | null {
  if (hint === undefined) return null;
  if (hint === 'now') return { wallMs: Date.now(), logical: 0 };
  if (!/^\d+$/.test(hint)) throw new UserError(`--hint must be "now" or a u64 clock value, got "${hint}"`);
  try {
    return hlcFromBigInt(BigInt(hint));
  } catch {
    throw new UserError(`--hint ${hint} does not fit in 64 bits`);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const sendCommand = (context: CommandContext): CommandModule<object, SendArgs> => ({
  command: 'send [message..]',
  describe: 'Send UDP datagrams to a sequencer, raw or framed (message, --file, or stdin)',
  builder: (yargs: Argv) =>
    yargs
      .positional('message', {
        type: 'string',
        array: true,
        describe: 'Payload text; {i} becomes the datagram index',
      })
      .option('to', { type: 'string', default: '127.0.0.1:9000', describe: 'Destination HOST:PORT' })
      .option('framed', { type: 'boolean', default: false, describe: 'Wrap each payload in a checked frame' })
      .option('node', { type: 'number', default: 1, describe: 'Node id (framed)' })
      .option('stream', { type: 'number', default: 0, describe: "Stream id (framed; 0 = the port's stream)" })
      .option('flags', { type: 'number', default: 0, describe: 'Application flags, 0..255 (framed)' })
      .option('hint', { type: 'string', describe: 'Clock hint (framed): "now" or a u64 clock value' })
      .option('count', { type: 'number', default: 1, describe: 'How many datagrams' })
      .option('interval', { type: 'number', default: 0, describe: 'Milliseconds between datagrams' })
      .option('file', {
        type: 'string',
        describe: 'Send this file as the payload',
      }) as unknown as Argv<SendArgs>,
  handler: async (args) => {
    const { host, port } = parseTarget(args.to);
    if (!Number.isInteger(args.count) || args.count < 1)
      throw new UserError(`--count must be a positive integer`);
    if (args.framed && (!Number.isInteger(args.flags) || args.flags < 0 || args.flags > 255)) {
      throw new UserError(`--flags must be an integer in 0..255, got ${args.flags}`);
    }
    const template: Buffer =
      args.file !== undefined
        ? readFileSync(args.file)
        : args.message && args.message.length > 0
          ? Buffer.from(args.message.join(' '))
          : process.stdin.isTTY
            ? Buffer.alloc(0)
            : await readStdin();
    const hint = parseHint(args.hint);
    const text = template.toString('utf8');
    const templated = args.file === undefined && text.includes('{i}');
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    try {
      for (let i = 0; i < args.count; i++) {
        const payload = templated ? Buffer.from(text.replaceAll('{i}', String(i))) : template;
        let datagram: Uint8Array = payload;
        if (args.framed) {
          try {
            datagram = encodeFrame({
              nodeId: args.node,
              streamId: args.stream,
              flags: args.flags,
              clockHint: hint,
              payload,
            });
          } catch (error) {
            throw new UserError((error as Error).message);
          }
        }
        await new Promise<void>((resolve, reject) =>
          socket.send(datagram, port, host, (e) => (e ? reject(e) : resolve())),
        );
        if (args.interval > 0 && i + 1 < args.count) await new Promise((r) => setTimeout(r, args.interval));
      }
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot send to ${host}:${port}: ${(error as Error).message}`);
    } finally {
      socket.close();
    }
    context.output.out(
      `sent ${args.count} ${args.framed ? 'framed' : 'raw'} datagram${args.count === 1 ? '' : 's'} to ${host}:${port}`,
    );
  },
});
