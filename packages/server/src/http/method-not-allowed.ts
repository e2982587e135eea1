import type { FastifyInstance } from 'fastify';
import { problem, sendProblem } from './errors.ts';

/** A route's path pattern (`/v1/accounts/:a`) as a regex over concrete paths. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * 405 Method Not Allowed, with `Allow`, for a request to an API path that exists under other
 * methods (RFC 9110 §15.5.6); fastify's router alone answers 404 there. Only `/v1` routes count:
 * the dashboard's catch-all does not make every path a resource.
 */
export function registerMethodNotAllowed(app: FastifyInstance): void {
  const routes: { pattern: RegExp; params: number; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const existing = routes.find((r) => r.pattern.source === patternOf(route.url).source);
    const entry = existing ?? {
      pattern: patternOf(route.url),
      params: route.url.split('/').filter((s) => s.startsWith(':')).length,
      methods: new Set<string>(),
    };
    for (const m of methods) entry.methods.add(m.toUpperCase());
    if (!existing) routes.push(entry);
  });
  app.addHook('onRequest', async (request, reply) => {
    // Not found, or found only by the dashboard's catch-all (`/*`).
    if (!request.is404 && !request.routeOptions.url?.endsWith('*')) return;
    const path = request.url.split('?')[0];
    if (!path.startsWith('/v1/')) return;
    // As the router does, a static segment wins over a parameter (`…/apply` is not `…/:id`).
    const matching = routes.filter((r) => r.pattern.test(path));
    const fewest = Math.min(...matching.map((r) => r.params));
    const allowed = new Set(matching.filter((r) => r.params === fewest).flatMap((r) => [...r.methods]));
    if (allowed.size === 0 || allowed.has(request.method)) return;
    reply.header('allow', [...allowed].sort().join(', '));
    await sendProblem(
      reply,
      problem(request, 405, 'method_not_allowed', `${request.method} is not a method of ${path}`),
    );
  });
}
