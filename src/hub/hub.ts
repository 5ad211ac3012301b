/**
 * The hub: one SQLite database, the journal (read-only), the link to the sequencer, authentication, and the
 * features — each a folder under src/hub/ contributing routes, migrations and optional background work. This
 * module assembles them into a hono app and runs it on @hono/node-server with WebSockets from `ws`.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { WebSocketServer } from 'ws';
import { authRoutes } from './auth/routes.ts';
import { AuthService } from './auth/service.ts';
import { AuditLog, authMigrations, KeyStore } from './auth/store.ts';
import { type Db, type Migration, migrate, openDatabase } from './db.ts';
import { HubError, otlpStatusBody } from './errors.ts';
import { JournalSource } from './journal-source.ts';
import { MetricsSampler, type MetricsSource } from './metrics/sampler.ts';
import { type AnyRoute, type HubEnv, mountRoutes } from './routes.ts';
import { runtimeRoutes } from './runtime/routes.ts';
import { SequencerLink } from './sequencer-link.ts';
import { mountUi } from './ui.ts';

export interface HubConfig {
  host: string;
  port: number;
  allowRemote: boolean;
  journalPath: string;
  ipcPath: string;
  dataDir: string;
  /** Built UI to serve at `/` (ui/dist; looked at per request, so it may be built after the hub starts), or null. */
  uiDir: string | null;
  /** Largest request body accepted under /api (bytes). */
  maxBodyBytes: number;
  /** Failed authentications from one address per minute before 429s (default 20). */
  authFailureLimit?: number;
  /** The span ingestion budget of the traces feature (default 50 000 spans/s, a burst of one second's worth). */
  traceIngest?: { spansPerSecond?: number; burstSpans?: number };
  now?: () => number;
}

/** Everything a feature may use. */
export interface HubServices {
  config: HubConfig;
  db: Db;
  journal: JournalSource;
  sequencer: SequencerLink;
  auth: AuthService;
  /** Live numbers sampled from the journal header once a second. */
  metrics: MetricsSource;
  now: () => number;
  startedAt: number;
}

/** A feature: its routes, and optional background work started with the server and stopped before it. */
export interface Feature {
  name: string;
  routes: AnyRoute[];
  start?(): void;
  stop?(): void | Promise<void>;
  /** Wires WebSocket endpoints onto the app, given the upgrade helper of @hono/node-server. */
  websocket?(app: Hono<HubEnv>): void;
}

/** A feature folder's entry in the registry (src/hub/features.ts). */
export interface FeatureModule {
  name: string;
  /** Its SQLite migrations (ids `<feature>-NNN`), applied before `create` runs. */
  migrations?: Migration[];
  create(services: HubServices): Feature;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class Hub {
  readonly app: Hono<HubEnv>;
  readonly services: HubServices;
  readonly features: Feature[];
  readonly routes: AnyRoute[];
  /** Set when the root key was created at this start, to be printed once. */
  readonly createdRootKey: { key: string; path: string } | null;
  #server: ReturnType<typeof serve> | null = null;
  #wss: WebSocketServer | null = null;
  #allowedHosts = new Set<string>();

  /**
   * Opens the database (running migrations) and builds the app; nothing listens until `listen()`.
   * @throws HubError REMOTE_BIND_REFUSED for a non-loopback address without allowRemote.
   */
  constructor(config: HubConfig, modules: FeatureModule[] = []) {
    if (!isLoopback(config.host) && !config.allowRemote) {
      throw new HubError(
        400,
        'REMOTE_BIND_REFUSED',
        `refusing to listen on ${config.host}: the hub binds loopback addresses only unless --allow-remote is given`,
      );
    }
    const now = config.now ?? Date.now;
    const db = openDatabase(config.dataDir);
    migrate(db, [...authMigrations, ...modules.flatMap((m) => m.migrations ?? [])]);
    const auth = new AuthService(new KeyStore(db), new AuditLog(db), {
      now,
      ...(config.authFailureLimit === undefined ? {} : { failureLimit: config.authFailureLimit }),
    });
    this.createdRootKey = auth.ensureRootKey(config.dataDir);
    const journal = new JournalSource(config.journalPath);
    const sequencer = new SequencerLink(config.ipcPath);
    this.services = {
      config,
      db,
      journal,
      sequencer,
      auth,
      metrics: new MetricsSampler(journal, sequencer, { now }),
      now,
      startedAt: now(),
    };
    this.features = [
      { name: 'runtime', routes: runtimeRoutes(this.services) },
      { name: 'auth', routes: authRoutes(auth, now) },
      ...modules.map((m) => m.create(this.services)),
    ];
    this.routes = this.features.flatMap((f) => f.routes);
    this.app = this.#buildApp();
  }

  #buildApp(): Hono<HubEnv> {
    const { config } = this.services;
    const app = new Hono<HubEnv>();
    app.use('*', async (c, next) => {
      // DNS-rebinding guard: a page served from another name must not be able to talk to a loopback hub.
      if (!config.allowRemote && this.#allowedHosts.size > 0) {
        const host = c.req.header('host') ?? '';
        if (!this.#allowedHosts.has(host.toLowerCase())) {
          throw new HubError(403, 'HOST_NOT_ALLOWED', `the Host header "${host}" is not this hub's address`);
        }
      }
      await next();
    });
    const limit = bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw new HubError(
          413,
          'PAYLOAD_TOO_LARGE',
          `request bodies are limited to ${config.maxBodyBytes} bytes`,
        );
      },
    });
    app.use('/api/*', limit);
    app.use('/v1/*', limit);
    mountRoutes(app, this.routes, { auth: this.services.auth, now: this.services.now });
    for (const feature of this.features) feature.websocket?.(app);
    for (const prefix of ['/api/*', '/v1/*']) {
      app.all(prefix, (c) => {
        throw new HubError(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}; see docs/api.md`);
      });
    }
    if (config.uiDir !== null) mountUi(app, config.uiDir);
    app.notFound(() => {
      throw new HubError(404, 'NOT_FOUND', 'not found');
    });
    app.onError((error, c) => {
      // /v1/* is OTLP/HTTP, whose clients expect a google.rpc.Status body on every 4xx and 5xx.
      const otlp = c.req.path.startsWith('/v1/');
      if (error instanceof HubError) {
        for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
        return c.json(otlp ? otlpStatusBody(error) : error.body(), error.status as 400);
      }
      process.stderr.write(
        `hub: unexpected error on ${c.req.method} ${c.req.path}: ${error.stack ?? String(error)}\n`,
      );
      const internal = new HubError(500, 'INTERNAL', 'internal error; the hub log has the details');
      return c.json(otlp ? otlpStatusBody(internal) : internal.body(), 500);
    });
    return app;
  }

  /** Starts background work and listens. Resolves with the bound address. */
  async listen(): Promise<{ host: string; port: number }> {
    const { config } = this.services;
    this.services.sequencer.start();
    this.services.metrics.start();
    for (const f of this.features) f.start?.();
    this.#wss = new WebSocketServer({ noServer: true });
    const address = await new Promise<AddressInfo>((resolvePromise, reject) => {
      const server = serve(
        {
          fetch: this.app.fetch,
          port: config.port,
          hostname: config.host,
          websocket: { server: this.#wss! },
        },
        (info) => resolvePromise(info),
      );
      server.once('error', reject);
      this.#server = server;
    });
    const port = address.port;
    const names = isLoopback(config.host) ? ['127.0.0.1', 'localhost', '[::1]', config.host] : [config.host];
    this.#allowedHosts = new Set(
      names.flatMap((n) => [`${n}:${port}`.toLowerCase(), ...(port === 80 ? [n] : [])]),
    );
    return { host: config.host, port };
  }

  /** Graceful shutdown: stop accepting, finish in-flight requests (5 s at most), stop features, close stores. */
  async close(): Promise<void> {
    for (const client of this.#wss?.clients ?? []) client.close(1001, 'hub shutting down');
    this.#wss?.close();
    const server = this.#server;
    this.#server = null;
    if (server) {
      await new Promise<void>((resolvePromise) => {
        const force = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections();
        }, 5000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolvePromise();
        });
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
    }
    for (const f of [...this.features].reverse()) await f.stop?.();
    this.services.metrics.stop();
    this.services.sequencer.close();
    this.services.journal.close();
    this.services.db.close();
  }
}
