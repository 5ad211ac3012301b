/**
 * The connectors feature: sources of events other than the sequencer's UDP listeners — webhook pushes, HTTP
 * polling and NATS subscriptions — kept in a SQLite registry, each journaling through the sequencer's submit
 * path into its own stream. The UDP listeners are listed beside them, read-only.
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { NatsSubscriber } from './nats.ts';
import { HttpPoller } from './poll.ts';
import { connectorRoutes } from './routes.ts';
import { httpPollConfigSchema, natsConfigSchema } from './schema.ts';
import { ConnectorService } from './service.ts';
import { connectorMigrations, ConnectorStore } from './store.ts';

export const connectorsFeature: FeatureModule = {
  name: 'connectors',
  migrations: connectorMigrations,
  create(services) {
    const service = new ConnectorService(new ConnectorStore(services.db), services.sequencer, {
      now: services.now,
      runners: {
        'http-poll': (handle) => new HttpPoller(handle, httpPollConfigSchema.parse(handle.record.config)),
        nats: (handle) => new NatsSubscriber(handle, natsConfigSchema.parse(handle.record.config)),
      },
    });
    return {
      name: 'connectors',
      routes: connectorRoutes(service, services.sequencer),
      start: () => service.start(),
      stop: () => service.stop(),
    };
  },
};
