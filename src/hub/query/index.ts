/**
 * The query feature: the query language (lexer.ts, parser.ts, printer.ts; grammar in docs/query.md), its
 * executor over the journal (evaluate.ts, executor.ts), `POST /api/query` and its check, saved queries and
 * history (routes.ts, saved.ts: SQLite). Wire shapes in schema.ts, which the UI imports.
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { queryRoutes } from './routes.ts';
import { queryMigrations, QueryStore } from './saved.ts';

export const queryFeature: FeatureModule = {
  name: 'query',
  migrations: queryMigrations,
  create(services) {
    return { name: 'query', routes: queryRoutes(services, new QueryStore(services.db)) };
  },
};
