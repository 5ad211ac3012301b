/**
 * The feature registry: every feature folder under src/hub/ is listed here once (runtime and auth are built
 * into the hub itself). The hub's route table, migrations and background work all come from this list.
 *
 * @module
 */
import type { FeatureModule } from './hub.ts';
import { verifyFeature } from './verify/index.ts';

export const FEATURES: FeatureModule[] = [verifyFeature];
