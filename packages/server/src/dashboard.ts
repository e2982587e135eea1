import { existsSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:web` puts the dashboard. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Vite names every file under assets/ by its content's hash: a new build is a new URL. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html (and anything not content-hashed) is revalidated on every load (ETag / Last-Modified). */
export const REVALIDATE = 'no-cache';

/**
 * Serves the built dashboard at `/` (SPA: unknown pages get index.html, see http/errors.ts), or
 * says how to build it. The build leaves a `.br` and a `.gz` beside each text file (vite.config.ts),
 * sent to browsers that accept them; content-hashed assets are cached for a year, index.html is not.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  if (existsSync(join(dir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      // A route per file of the build (not a `/*` catch-all): an unknown path falls to the not-found
      // handler (index.html for pages, problem+json for the API), and the router's own checks
      // (an over-long path id is a 414) stay in force under /v1.
      wildcard: false,
      // An array: with preCompressed, @fastify/static finds a directory's index only in an array.
      index: ['index.html'],
      preCompressed: true,
      cacheControl: false,
      setHeaders(reply, path) {
        const hashed = path.includes(`${sep}assets${sep}`) && basename(path) !== 'index.html';
        reply.header('cache-control', hashed ? IMMUTABLE : REVALIDATE);
      },
    });
    return;
  }
  app.get('/', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .type('text/plain')
      .send(
        'The dashboard is not built: run `npm run build:web` (npm start does it). The API is at /v1, its docs at /docs.\n',
      ),
  );
}
