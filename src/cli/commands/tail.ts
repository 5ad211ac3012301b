/**
 * `cz tail`: follows the live events of one stream through a running hub's `/ws` endpoint and prints one line
 * per event (or NDJSON with `--json`) until Ctrl-C.
 *
 * @module
 */
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { EventFlags } from '../../core/causal-event.ts';
import type { CausalEvent } from '../../core/causal-event.ts';
import type { Expr } from '../../hub/query/ast.ts';
import { EventContext, evaluate } from '../../hub/query/evaluate.ts';
import { parseCondition } from '../../hub/query/condition.ts';
import { PAYLOAD_MODES, WS_LIMITS } from '../../hub/ws/limits.ts';
import type * as WsSchemas from '../../hub/ws/schema.ts';
import type { EventView, PayloadMode } from '../../hub/ws/schema.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { readRootKey } from '../hub-client.ts';
import { waitForSignal } from '../signals.ts';

interface TailArgs {
  stream: string;
  node?: number;
  hub?: string;
  key?: string;
  'data-dir': string;
  payload: PayloadMode;
  'max-per-second': number;
  json: boolean;
  where?: string;
}

/** Parses `--where` as the WHERE clause of a query (docs/query.md); errors point into the condition itself. */
export function parseWhere(condition: string): Expr {
  const parsed = parseCondition(condition);
  if (parsed.ok) return parsed.expr;
  if (parsed.kind === 'syntax') {
    throw new UserError(`--where: line ${parsed.line}, column ${parsed.column}: ${parsed.message}`);
  }
  throw new UserError(
    '--where takes a condition only (like amount > 100 AND status = "ok"), no other clauses',
  );
}

/** An event from /ws as the query evaluator sees it: its bytes come from the byte-exact text or hex payload. */
class LiveEventContext extends EventContext {
  timeMs = 0;
  override time(): number {
    return this.timeMs;
  }
}

function payloadBytes(event: EventView): Uint8Array {
  if (event.encoding === 'hex') return Buffer.from(event.payload as string, 'hex');
  if (event.encoding === 'text') return Buffer.from(event.payload as string, 'utf8');
  return new Uint8Array(0);
}

/** Re-renders an event fetched as byte-exact text/hex in the payload mode the user asked for. */
function asShown(event: EventView, mode: PayloadMode): EventView {
  if (mode === 'text' || event.encoding === 'none') return event;
  if (mode === 'none') return { ...event, encoding: 'none', payload: undefined };
  const bytes = payloadBytes(event);
  if (mode === 'hex') return { ...event, encoding: 'hex', payload: Buffer.from(bytes).toString('hex') };
  if (event.encoding === 'text') {
    try {
      return { ...event, encoding: 'json', payload: JSON.parse(event.payload as string) as unknown };
    } catch {
      return event;
    }
  }
  return event;
}

const DEFAULT_HUB = 'http://127.0.0.1:3000';
const PREVIEW_CHARS = 160;

function websocketUrl(hub: string): URL {
  let url: URL;
  try {
    url = new URL(hub);
  } catch {
    throw new UserError(`--hub must be a URL such as ${DEFAULT_HUB}, got "${hub}"`);
  }
  if (
    url.protocol !== 'http:' &&
    url.protocol !== 'https:' &&
    url.protocol !== 'ws:' &&
    url.protocol !== 'wss:'
  )
    throw new UserError(`--hub must be an http(s) URL, got "${hub}"`);
  const ws = new URL('/ws', url);
  ws.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  return ws;
}

function nodeText(event: EventView): string {
  // Raw datagrams carry the sender's IPv4 address as node id; framed ones their own id; IPv6 senders a hash.
  if (event.flags & EventFlags.FRAMED) return String(event.node);
  if (event.flags & EventFlags.SOURCE_IPV6) return `0x${event.node.toString(16).padStart(8, '0')}`;
  return [24, 16, 8, 0].map((shift) => (event.node >>> shift) & 0xff).join('.');
}

/** Control characters as escapes (`\n`, `\u001b`) so a payload cannot move the cursor or recolour the
 * terminal; everything else, quotes included, as sent. */
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\u007f' ? '\\u007f' : JSON.stringify(c).slice(1, -1),
  );
}

function preview(event: EventView): string {
  let text: string;
  if (event.encoding === 'none') return `(${event.size} B)`;
  if (event.encoding === 'hex') text = `0x${event.payload as string}`;
  else if (event.encoding === 'json') text = JSON.stringify(event.payload);
  else text = escapeControls(event.payload as string);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

/** The hub's WebSocket wire schemas, loaded by the handler. */
let wire: typeof WsSchemas;

function refusal(code: number, reason: string, hub: string): UserError {
  const why = reason || `close code ${code}`;
  switch (code) {
    case wire.CloseCode.UNAUTHORIZED:
    case wire.CloseCode.FORBIDDEN:
      return new UserError(`the hub at ${hub} refused the API key: ${why}`);
    case wire.CloseCode.RATE_LIMITED:
      return new UserError(`the hub at ${hub} is refusing this address for now: ${why}`);
    case wire.CloseCode.SLOW_CONSUMER:
      return new UserError(`the hub dropped this client for reading too slowly: ${why}`);
    case wire.CloseCode.GOING_AWAY:
      return new UserError(`the hub at ${hub} shut down`);
    default:
      return new UserError(`the hub at ${hub} closed the connection (${code}): ${why}`);
  }
}

export const tailCommand = (context: CommandContext): CommandModule<object, TailArgs> => ({
  command: 'tail',
  describe: "Follow a stream's live events through the hub (Ctrl-C to stop)",
  builder: (yargs: Argv) =>
    yargs
      .option('stream', { type: 'string', demandOption: true, describe: 'Stream name or id' })
      .option('node', { type: 'number', describe: 'Only events from this node id' })
      .option('hub', { type: 'string', describe: `Hub URL (env CZ_HUB_URL; default ${DEFAULT_HUB})` })
      .option('key', {
        type: 'string',
        describe: 'API key (env CZ_API_KEY; default: <data-dir>/root.key)',
      })
      .option('data-dir', {
        type: 'string',
        default: '.lacrimosa',
        describe: "The hub's data directory, for its root.key",
      })
      .option('payload', {
        choices: PAYLOAD_MODES,
        default: 'text' as PayloadMode,
        describe: 'How payloads are shown (binary falls back to hex)',
      })
      .option('max-per-second', {
        type: 'number',
        default: WS_LIMITS.maxPerSecond.default,
        describe: `Events per second at most (${WS_LIMITS.maxPerSecond.min}..${WS_LIMITS.maxPerSecond.max}); the rest are counted as dropped`,
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'One JSON event per line',
      })
      .option('where', {
        type: 'string',
        describe:
          'Only events matching this query condition (docs/query.md), e.g. \'amount > 100 AND status = "ok"\'; applied after --max-per-second',
      }) as unknown as Argv<TailArgs>,
  handler: async (args) => {
    const [{ default: WebSocket }, wireSchemas] = await Promise.all([
      import('ws'),
      import('../../hub/ws/schema.ts'),
    ]);
    wire = wireSchemas;
    const hub = args.hub ?? process.env.CZ_HUB_URL ?? DEFAULT_HUB;
    const url = websocketUrl(hub);
    const dataDir = resolve(args['data-dir']);
    const key = args.key ?? process.env.CZ_API_KEY ?? readRootKey(dataDir);
    if (!key) {
      throw new UserError(
        `no API key: pass --key, set CZ_API_KEY, or point --data-dir at the hub's data directory (no ${join(dataDir, 'root.key')})`,
      );
    }
    const { min, max } = wire.WS_LIMITS.maxPerSecond;
    const maxPerSecond = args['max-per-second'];
    if (!Number.isInteger(maxPerSecond) || maxPerSecond < min || maxPerSecond > max)
      throw new UserError(`--max-per-second must be an integer in ${min}..${max}, got ${maxPerSecond}`);
    if (args.node !== undefined && (!Number.isInteger(args.node) || args.node < 0 || args.node > 0xffff_ffff))
      throw new UserError(`--node must be a u32 node id, got ${args.node}`);
    const stream = /^\d+$/.test(args.stream) ? Number(args.stream) : args.stream;
    const where = args.where === undefined ? null : parseWhere(args.where);
    let streamName: string | null = null;
    let current: EventView | null = null;
    const live = new LiveEventContext(
      () => payloadBytes(current!),
      () => streamName,
    );
    const matches = (event: EventView): boolean => {
      if (where === null) return true;
      current = event;
      live.timeMs = event.time;
      const slot = {
        streamId: event.stream,
        nodeId: event.node,
        flags: event.flags,
        payloadLength: event.size,
      };
      return evaluate(where, live.reset(event.seq, slot as unknown as CausalEvent));
    };

    const signal = waitForSignal();
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${key}` },
      handshakeTimeout: 10_000,
    });
    let authenticated = false;
    let subscribed = false;
    const failed = new Promise<never>((_, reject) => {
      socket.on('unexpected-response', (_request, response) => {
        reject(
          new UserError(
            `the hub at ${hub} refused the WebSocket upgrade (HTTP ${response.statusCode}); is it a lacrimosa hub?`,
          ),
        );
        socket.terminate();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        reject(new UserError(`cannot reach the hub at ${hub}: ${error.code ?? error.message}`));
      });
      socket.on('close', (code, reason) => reject(refusal(code, reason.toString(), hub)));
      socket.on('message', (data) => {
        let json: unknown;
        try {
          json = JSON.parse(String(data));
        } catch {
          return;
        }
        const parsed = wire.serverMessage.safeParse(json);
        if (!parsed.success) return;
        const message = parsed.data;
        if (message.type === 'authenticated') {
          authenticated = true;
          socket.send(
            JSON.stringify({
              type: 'subscribe',
              topic: 'events',
              stream,
              // A condition needs the bytes: text and hex are byte-exact; the asked mode is applied locally.
              payload: where === null ? args.payload : 'text',
              maxPerSecond,
              ...(args.node === undefined ? {} : { where: { node: args.node } }),
            }),
          );
        } else if (message.type === 'subscribed' && message.topic === 'events') {
          subscribed = true;
          const name = message.streamName === null ? '' : ` "${message.streamName}"`;
          context.output.err(
            `following stream${name} (id ${message.stream}) on ${hub} from #${message.from}; Ctrl-C to stop`,
          );
        } else if (message.type === 'events') {
          const streamText = message.streamName ?? String(message.stream);
          streamName = message.streamName;
          for (const received of message.events) {
            if (!matches(received)) continue;
            const event = where === null ? received : asShown(received, args.payload);
            context.output.out(
              args.json
                ? JSON.stringify({ ...event, streamName: message.streamName })
                : `${new Date(event.time).toISOString()}  #${event.seq}  ${streamText}  ${nodeText(event)}  ${preview(event)}`,
            );
          }
          if (message.dropped > 0 || message.gap > 0)
            context.output.err(`(${message.dropped} events dropped, ${message.gap} lost to eviction)`);
        } else if (message.type === 'error') {
          // Before authentication an error precedes the close, whose code tells what happened.
          if (!authenticated) return;
          if (!subscribed) {
            reject(new UserError(`the hub refused the subscription: ${message.message}`));
            socket.close();
          } else {
            context.output.err(`hub error ${message.code}: ${message.message}`);
          }
        }
      });
    });
    try {
      await Promise.race([signal, failed]);
    } finally {
      socket.removeAllListeners('close');
      socket.on('error', () => undefined);
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'cz tail stopped');
      else socket.terminate();
    }
  },
});
