/**
 * The traces feature: spans from OpenTelemetry exporters (OTLP/HTTP JSON at `/v1/traces`) or the simple span
 * shape, kept in SQLite within a retention bound, and queried as traces, timelines and a service graph.
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { IngestBudget } from './budget.ts';
import { traceRoutes } from './routes.ts';
import { traceMigrations, TraceStore } from './store.ts';

export const tracesFeature: FeatureModule = {
  name: 'traces',
  migrations: traceMigrations,
  create(services) {
    const store = new TraceStore(services.db);
    return {
      name: 'traces',
      routes: traceRoutes(store, {
        now: services.now,
        maxBodyBytes: services.config.maxBodyBytes,
        budget: new IngestBudget(services.config.traceIngest),
      }),
    };
  },
};
