import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of the dashboard and of Swagger UI at /docs (ADR 010), measured in
 * Chromium: e2e/browser fails on any violation. Scripts come only from this origin (Vite emits no
 * inline script; Swagger UI's are files). `<style>` elements may be inline because Mantine writes
 * its theme's CSS variables into one at run time (and Swagger UI one of its own); style
 * *attributes* are refused: React sets the `style` prop through the CSSOM, which CSP does not
 * govern. Browsers without `style-src-attr` fall back to `style-src`.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  styleSrcAttr: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * Security headers on every answer (dashboard, API, docs) through @fastify/helmet, and
 * `Cache-Control: no-store` on everything under /v1 (answers to credentials must not be kept by
 * a browser or a proxy). HSTS only when the service says it is behind HTTPS (COOKIE_SECURE).
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }) {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/v1/') || request.url.startsWith('/api/'))
      reply.header('cache-control', 'no-store');
  });
}
