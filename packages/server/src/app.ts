import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { LIMITS } from '@mci/core';
import { ping, type Database } from '@mci/db';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { AppContext } from './context.ts';
import type { AuthThrottlePolicy } from './security/throttle.ts';
import { frameworkErrors, registerErrorHandler } from './http/errors.ts';
import { registerInputGuards, requestIdOf } from './http/input-guards.ts';
import { v1Plugin } from './http/v1/index.ts';

export const API_VERSION = '0.1.0';

export interface AppOptions {
  database: Database;
  clock?: () => Date;
  logLevel?: string;
  cookieSecure?: boolean;
  /** The built dashboard to serve at `/` (default: packages/web/dist). */
  dashboardDir?: string;
  /** Limits of failed sign-ins and unknown API tokens (default: DEFAULT_AUTH_THROTTLE). */
  authThrottle?: AuthThrottlePolicy;
}

/** Where `npm run build:web` puts the dashboard. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Serves the built dashboard at `/` (SPA: unknown pages get index.html), or says how to build it. */
async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  if (existsSync(join(dir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: true,
      index: 'index.html',
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

/** Builds the HTTP application on an open, migrated database. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info' },
    bodyLimit: LIMITS.bodyBytes,
    // The client's X-Request-Id is checked before it is trusted (it goes into every log line).
    requestIdHeader: false,
    genReqId: requestIdOf,
    frameworkErrors,
    ajv: undefined,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const ctx: AppContext = {
    database: options.database,
    db: options.database.db,
    clock: options.clock ?? (() => new Date()),
    log: app.log,
    cookieSecure: options.cookieSecure ?? false,
    authThrottle: options.authThrottle,
  };

  registerErrorHandler(app);
  registerInputGuards(app);
  app.addHook('onRequest', async (request, reply) => void reply.header('x-request-id', request.id));
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'MultiCloud Images API',
        version: API_VERSION,
        description:
          'Named, version-controlled maps cloud → image, ServerTemplates, deployments and a marketplace. ' +
          'Errors are application/problem+json with a stable `code`. Lists take `limit` and `cursor`.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token from POST /v1/users/{id}/tokens',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'mci_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { url: '/v1/openapi.json' } });
  app.decorateRequest('principal', null);

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const ok = await ping(ctx.db);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'database unreachable' });
  });
  app.get('/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await registerDashboard(app, options.dashboardDir);
  await app.register(v1Plugin, { ctx });
  return app;
}
