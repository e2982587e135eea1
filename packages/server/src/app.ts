import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { LIMITS } from '@mci/core';
import { ping, type Database } from '@mci/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { AppContext } from './context.ts';
import type { AuthThrottlePolicy } from './security/throttle.ts';
import { readDemoCatalog } from './bootstrap/bootstrap.ts';
import { builtInDrivers, type DriverFactory } from './clouds/drivers.ts';
import { SimulatedWorld } from './clouds/simulated-driver.ts';
import { testSecretKey, type SecretKey } from './security/credential-crypto.ts';
import { registerDashboard } from './dashboard.ts';
import { frameworkErrors, registerErrorHandler } from './http/errors.ts';
import { registerInputGuards, requestIdOf } from './http/input-guards.ts';
import { registerMethodNotAllowed } from './http/method-not-allowed.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { rs15Plugin } from './http/rs15/index.ts';
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
  /** The key of cloud credentials at rest (default: a fixed test key; `main` loads SECRET_KEY). */
  secretKey?: SecretKey;
  /** The simulated clouds (default: a fresh world over the demo catalog). */
  simulatedWorld?: SimulatedWorld;
  /** Drivers of connected clouds (default: the built-in `simulated` and `aws`). */
  drivers?: DriverFactory;
}

/** What services run with: the database, clock, log, keys and cloud drivers (defaults for tests). */
export async function createContext(
  options: Omit<AppOptions, 'logLevel' | 'dashboardDir'>,
  log: FastifyBaseLogger,
): Promise<AppContext> {
  const simulatedWorld = options.simulatedWorld ?? new SimulatedWorld(await readDemoCatalog());
  return {
    database: options.database,
    db: options.database.db,
    clock: options.clock ?? (() => new Date()),
    log,
    cookieSecure: options.cookieSecure ?? false,
    authThrottle: options.authThrottle,
    secretKey: options.secretKey ?? testSecretKey(),
    simulatedWorld,
    drivers: options.drivers ?? builtInDrivers(simulatedWorld),
  };
}

const contexts = new WeakMap<FastifyInstance, AppContext>();

/** The context an app's services run with (main.ts starts the job workers on it; tests run jobs). */
export function contextOf(app: FastifyInstance): AppContext {
  const ctx = contexts.get(app);
  if (!ctx) throw new Error('not an app made by buildApp');
  return ctx;
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

  const ctx = await createContext(options, app.log);
  contexts.set(app, ctx);

  // First, so that every answer has them, those of the hooks below that answer early included.
  await registerSecurityHeaders(app, { https: ctx.cookieSecure });
  registerErrorHandler(app);
  registerInputGuards(app);
  registerMethodNotAllowed(app);
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
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    // No badge from the public validator: the CSP allows images from this origin only.
    uiConfig: { url: '/v1/openapi.json', validatorUrl: null },
  });
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
  await app.register(rs15Plugin, { ctx, prefix: '/api' });
  return app;
}
