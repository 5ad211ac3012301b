/**
 * The pipelines feature: graphs of source, filter, transform, join, aggregate and sink nodes that run over
 * live journal events on their own consumer cursors, resume after a restart, and can be dry-run on a
 * recorded journal range.
 *
 * @module
 */
import { incidentOpenerOf } from '../alerts/external.ts';
import type { FeatureModule } from '../hub.ts';
import { pipelineRoutes } from './routes.ts';
import { PipelineService } from './service.ts';
import { pipelineMigrations, PipelineStore } from './store.ts';

export const pipelinesFeature: FeatureModule = {
  name: 'pipelines',
  migrations: pipelineMigrations,
  create(services) {
    const service = new PipelineService(new PipelineStore(services.db), {
      journal: services.journal,
      sequencer: services.sequencer,
      now: services.now,
      // One-way: pipelines open incidents through the alerts feature's opener; alerts never import pipelines.
      incidents: () => incidentOpenerOf(services),
    });
    return {
      name: 'pipelines',
      routes: pipelineRoutes(service),
      start: () => service.start(),
      stop: () => service.stop(),
    };
  },
};
