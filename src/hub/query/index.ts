/**
 * The query feature: the query language (lexer.ts, parser.ts, printer.ts; grammar in docs/query.md), its
 * executor over the journal (evaluate.ts, executor.ts) and `POST /api/query` (routes.ts). Wire shapes in
 * schema.ts, which the UI imports.
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { queryRoutes } from './routes.ts';

export const queryFeature: FeatureModule = {
  name: 'query',
  create(services) {
    return { name: 'query', routes: queryRoutes(services) };
  },
};
