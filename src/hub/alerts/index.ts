/**
 * The alerts feature: rules over the query language evaluated incrementally on new journal events, alert
 * states (ok → pending → firing → resolved), incidents with a lifecycle and a timeline, notifications really
 * delivered to webhook and Slack channels with retries, silences, and a rule preview for the editor.
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { registerIncidentOpener } from './external.ts';
import { alertRoutes } from './routes.ts';
import { AlertService } from './service.ts';
import { alertMigrations } from './store.ts';

export const alertsFeature: FeatureModule = {
  name: 'alerts',
  migrations: alertMigrations,
  create(services) {
    const service = new AlertService(services);
    registerIncidentOpener(services, service.incidents);
    return {
      name: 'alerts',
      routes: alertRoutes(service, services.now),
      start: () => service.start(),
      stop: () => service.stop(),
    };
  },
};
