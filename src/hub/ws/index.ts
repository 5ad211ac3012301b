/**
 * The `/ws` feature: live metric snapshots, live events of a stream and playback frames over one WebSocket per
 * client (protocol: docs/api.md). A plain GET of `/ws` answers 426.
 *
 * @module
 */
import { upgradeWebSocket } from '@hono/node-server';
import { HubError } from '../errors.ts';
import type { Feature, FeatureModule } from '../hub.ts';
import { type WsOptions, WsServer } from './server.ts';

export interface WsFeature extends Feature {
  /** The connections and feeds, for diagnostics, tests and the benchmark. */
  server: WsServer;
}

export function createWsFeature(options: WsOptions = {}): FeatureModule {
  return {
    name: 'ws',
    create(services): WsFeature {
      const server = new WsServer(services, options);
      return {
        name: 'ws',
        routes: [],
        server,
        start: () => server.start(),
        stop: () => server.stop(),
        websocket(app) {
          app.get(
            '/ws',
            upgradeWebSocket((c) => server.events(c)),
            () => {
              throw new HubError(
                426,
                'UPGRADE_REQUIRED',
                '/ws is a WebSocket endpoint: connect with a WebSocket client (see docs/api.md)',
                undefined,
                { Upgrade: 'websocket' },
              );
            },
          );
        },
      };
    },
  };
}

export const wsFeature: FeatureModule = createWsFeature();
