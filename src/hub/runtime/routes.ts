/**
 * Runtime state: `/api/status` (public: is the hub up, is the sequencer connected, where is the journal).
 *
 * @module
 */
import type { HubServices } from '../hub.ts';
import { VERSION } from '../version.ts';
import { defineRoute, type AnyRoute } from '../routes.ts';

export function runtimeRoutes(services: HubServices): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/status',
      summary: 'Hub liveness, sequencer connection and journal position (no key needed)',
      handler: (c) => {
        const reader = services.journal.reader();
        const publication = reader?.publication() ?? null;
        const hello = services.sequencer.hello;
        return c.json({
          status: 'ok',
          version: VERSION,
          uptimeMs: services.now() - services.startedAt,
          sequencer: {
            state: services.sequencer.state,
            ...(hello ? { pid: hello.pid, backend: hello.backend } : {}),
          },
          journal: {
            path: services.journal.path,
            available: reader !== null,
            ...(publication ? { head: publication.head, tail: publication.tail } : {}),
          },
        });
      },
    }),
  ];
}
