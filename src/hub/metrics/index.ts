/**
 * The metrics feature: `/api/metrics/history` and `/metrics`, and the history that records every sample of
 * the hub's sampler (memory for an hour, SQLite rollups for 7 and 90 days; see history.ts). The sampler itself
 * belongs to the hub core (`services.metrics`), since `/api/status`, `/ws` and the runtime routes read it too.
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { MetricsHistory, metricsMigrations, RollupStore, sampleOf } from './history.ts';
import { metricsRoutes } from './routes.ts';
import { MetricsSampler } from './sampler.ts';

const HOUR_MS = 3_600_000;

export const metricsFeature: FeatureModule = {
  name: 'metrics',
  migrations: metricsMigrations,
  create(services) {
    const intervalMs = services.metrics instanceof MetricsSampler ? services.metrics.intervalMs : 1000;
    const history = new MetricsHistory(new RollupStore(services.db), {
      capacity: Math.ceil(HOUR_MS / intervalMs),
    });
    let unsubscribe: (() => void) | null = null;
    return {
      name: 'metrics',
      routes: metricsRoutes(services, history),
      start() {
        unsubscribe = services.metrics.onSample((snapshot) => {
          const sample = sampleOf(snapshot);
          if (sample !== null) history.record(sample);
        });
      },
      stop() {
        unsubscribe?.();
        unsubscribe = null;
        // The open minute is written now, so a restarted hub charts it.
        history.flush();
      },
    };
  },
};
