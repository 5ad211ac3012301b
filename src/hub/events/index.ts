/**
 * The events feature: reading the journal over HTTP (pages, single events, streamed exports) and the jobs
 * that write into it or out of it (simulate, replay). Routes in routes.ts; shared response and body schemas
 * in schema.ts, which the UI imports.
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { eventRoutes } from './routes.ts';

export const eventsFeature: FeatureModule = {
  name: 'events',
  create(services) {
    const { routes, simulations, replays } = eventRoutes(services);
    return {
      name: 'events',
      routes,
      // Jobs stop before the hub closes its sequencer link and journal.
      stop: async () => {
        await Promise.all([simulations.stopAll(), replays.stopAll()]);
      },
    };
  },
};
