/**
 * Serving the built control center (ui/dist) next to the API. Files are served as they are; any other GET of a
 * path that looks like a page (no file extension: `/explorer`, `/settings`) answers `index.html`, so the UI's
 * client-side routes survive a reload or a bookmark. Hashed bundles under `/assets/` are cached for good;
 * `index.html` is revalidated every time, so a rebuilt UI is picked up at the next load — also by a hub that
 * was started before the build (the directory is looked at per request, not once).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';
import { HubError } from './errors.ts';
import type { HubEnv } from './routes.ts';

/** Paths the UI never owns: a miss under them is the API's 404, not a page. */
const NOT_PAGES = /^\/(api|ws|metrics|v1)(\/|$)/;
const HAS_EXTENSION = /\/[^/]*\.[^/]*$/;

/** Adds the UI's static files and page fallback to `app`; call it after every API route is mounted. */
export function mountUi(app: Hono<HubEnv>, dir: string): void {
  const index = join(dir, 'index.html');
  let files: MiddlewareHandler | null = null;
  app.use('/*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    if (NOT_PAGES.test(c.req.path) || !existsSync(index)) return next();
    files ??= serveStatic({
      root: dir,
      onFound: (path, ctx) => {
        ctx.header(
          'Cache-Control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    return files(c, next);
  });
  app.get('*', (c, next) => {
    if (NOT_PAGES.test(c.req.path) || HAS_EXTENSION.test(c.req.path)) return next();
    if (!existsSync(index)) {
      throw new HubError(
        404,
        'UI_NOT_BUILT',
        `the control center is not built (no ${index}); run \`npm run build:ui\` (./lacrimosa does it for you)`,
      );
    }
    c.header('Cache-Control', 'no-cache');
    return c.html(readFileSync(index, 'utf8'));
  });
}
