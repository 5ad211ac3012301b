/**
 * The feature registry: every feature folder under src/hub/ is listed here once (runtime and auth are built
 * into the hub itself). The hub's route table, migrations and background work all come from this list.
 *
 * @module
 */
import { alertsFeature } from './alerts/index.ts';
import { connectorsFeature } from './connectors/index.ts';
import { dashboardsFeature } from './dashboards/index.ts';
import { eventsFeature } from './events/index.ts';
import type { FeatureModule } from './hub.ts';
import { metricsFeature } from './metrics/index.ts';
import { pipelinesFeature } from './pipelines/index.ts';
import { playbackFeature } from './playback/index.ts';
import { queryFeature } from './query/index.ts';
import { tracesFeature } from './traces/index.ts';
import { verifyFeature } from './verify/index.ts';
import { wsFeature } from './ws/index.ts';

export const FEATURES: FeatureModule[] = [
  eventsFeature,
  verifyFeature,
  wsFeature,
  playbackFeature,
  metricsFeature,
  connectorsFeature,
  queryFeature,
  tracesFeature,
  pipelinesFeature,
  dashboardsFeature,
  alertsFeature,
];
