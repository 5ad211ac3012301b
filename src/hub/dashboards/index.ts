/**
 * The dashboards feature: dashboards of query- and metric-backed widgets on a grid, kept in SQLite
 * (store.ts), their routes (routes.ts), the data each widget shows (widget-data.ts), and the default
 * dashboard of the sequencer's health, created once on a hub's first start (defaults.ts).
 *
 * Metric widgets read the same history the metrics feature keeps: this feature mirrors the sampler's samples
 * in memory for the last hour and reads the minute and hour rows that feature writes to SQLite, never writing
 * them itself (so nothing is counted twice).
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { MetricsHistory, RollupStore, sampleOf } from '../metrics/history.ts';
import { MetricsSampler } from '../metrics/sampler.ts';
import { DEFAULT_DASHBOARD, DEFAULT_DASHBOARD_FLAG } from './defaults.ts';
import { dashboardRoutes } from './routes.ts';
import { dashboardMigrations, DashboardStore } from './store.ts';

const HOUR_MS = 3_600_000;

/** The metrics feature's rollups, read-only: that feature alone writes and prunes them. */
class ReadOnlyRollups extends RollupStore {
  override merge(): void {}
  override prune(): number {
    return 0;
  }
}

export const dashboardsFeature: FeatureModule = {
  name: 'dashboards',
  migrations: dashboardMigrations,
  create(services) {
    const store = new DashboardStore(services.db, services.now);
    // Once per database: a user who deletes the default dashboard does not get it back on the next start.
    store.once(DEFAULT_DASHBOARD_FLAG, () => {
      if (store.list().length === 0) store.create(DEFAULT_DASHBOARD);
    });
    const intervalMs = services.metrics instanceof MetricsSampler ? services.metrics.intervalMs : 1000;
    const history = new MetricsHistory(new ReadOnlyRollups(services.db), {
      capacity: Math.ceil(HOUR_MS / intervalMs),
    });
    let unsubscribe: (() => void) | null = null;
    return {
      name: 'dashboards',
      routes: dashboardRoutes(services, store, history),
      start() {
        unsubscribe = services.metrics.onSample((snapshot) => {
          const sample = sampleOf(snapshot);
          if (sample !== null) history.record(sample);
        });
      },
      stop() {
        unsubscribe?.();
        unsubscribe = null;
      },
    };
  },
};
