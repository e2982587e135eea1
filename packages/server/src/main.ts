import { mkdir, readFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { migrateDatabase, openDatabase } from '@mci/db';
import type { FastifyInstance } from 'fastify';
import { buildApp, contextOf } from './app.ts';
import { bootstrap, type BootstrapResult } from './bootstrap/bootstrap.ts';
import { problem, sendProblem } from './http/errors.ts';
import { parseConfig, type Config } from './config.ts';
import { configureReconcile } from './modules/deployment/reconcile.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { simulatedWorldFor } from './clouds/simulated-extra.ts';
import { startJobWorkers, type JobWorkers } from './jobs/runner.ts';
import { loadSecretKey } from './security/credential-crypto.ts';
import { authThrottlePolicy } from './security/throttle.ts';

/** Why listening on HOST:PORT failed, in a sentence that says what to do about it. */
function listenProblem(error: unknown, config: Config): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.HOST}:${config.PORT}`;
  const nothing = 'Nothing was created or printed; the database was not touched.';
  if (code === 'EADDRINUSE')
    return new Error(
      `Cannot start: port ${config.PORT} on ${config.HOST} is already in use (another process listens on ${where}).\n` +
        `${nothing} Stop that process, or start on another port, e.g. PORT=8081 npm start.`,
    );
  if (code === 'EACCES')
    return new Error(
      `Cannot start: no permission to listen on ${where} (ports below 1024 need privileges).\n` +
        `${nothing} Choose another port, e.g. PORT=8080 npm start.`,
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new Error(`Cannot start: HOST=${config.HOST} is not an address of this machine.\n${nothing}`);
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Fails before anything is created when the port is taken: binds it once and lets it go. The real
 * listen still happens before the bootstrap, so losing a race for the port after this check
 * cannot leave a superuser whose one-time secrets were never shown either.
 */
async function assertPortFree(config: Config): Promise<void> {
  if (config.PORT === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(listenProblem(error, config)));
    probe.listen({ port: config.PORT, host: config.HOST, exclusive: true }, () =>
      probe.close(() => resolve()),
    );
  });
}

/** Answers 503 until the bootstrap has finished, so no request sees a half set-up installation. */
function holdRequestsUntilReady(app: FastifyInstance): { ready(): void } {
  let ready = false;
  app.addHook('onRequest', async (request, reply) => {
    if (ready) return;
    reply.header('retry-after', '1');
    await sendProblem(
      reply,
      problem(request, 503, 'starting', 'The service is starting; try again in a moment.'),
    );
  });
  return { ready: () => void (ready = true) };
}

/** The one-time secrets of a first start, on stdout and not in the structured log: never shown again. */
function printSecrets(boot: BootstrapResult, config: Config, url: string): void {
  if (boot.generatedToken) {
    process.stdout.write(
      `\nSuperuser ${config.ADMIN_EMAIL} API token (shown once, keep it safe):\n  ${boot.generatedToken}\n`,
    );
  }
  if (boot.generatedPassword) {
    process.stdout.write(
      `Dashboard sign-in (shown once): ${config.ADMIN_EMAIL} / ${boot.generatedPassword}\n  at ${url}/\n` +
        `  Lost it? Restart with ADMIN_PASSWORD=… (sets it) or ADMIN_TOKEN=… (adds an API token).\n\n`,
    );
  }
}

/** The certificate and key of HTTPS_PORT, read before anything starts (a clear error if unreadable). */
async function readTls(config: Config): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) return undefined;
  const read = async (name: 'TLS_CERT_FILE' | 'TLS_KEY_FILE') => {
    try {
      return await readFile(config[name] as string);
    } catch (error) {
      throw new Error(`Cannot start: ${name}=${config[name]} cannot be read (${(error as Error).message}).`);
    }
  };
  return { cert: await read('TLS_CERT_FILE'), key: await read('TLS_KEY_FILE') };
}

/**
 * HTTPS on HTTPS_PORT beside HTTP: a TLS server handing every request to the app's own server,
 * so both ports run the same routes, hooks and limits (R-RS).
 */
async function listenHttps(
  app: FastifyInstance,
  config: Config,
  tls: { cert: Buffer; key: Buffer },
): Promise<{ server: HttpsServer; url: string }> {
  const server = createHttpsServer(tls, (req, res) => app.server.emit('request', req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenProblem(error, { ...config, PORT: config.HTTPS_PORT })));
    server.listen({ port: config.HTTPS_PORT, host: config.HOST }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.HTTPS_PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return { server, url: `https://${host}:${port}` };
}

/**
 * `npm start`: parse the environment, make sure the port is free, open and migrate the database,
 * listen, and only then bootstrap and print the first start's secrets.
 */
async function main(): Promise<void> {
  const config = parseConfig(process.env);
  configureReconcile({ intervalSeconds: config.RECONCILE_INTERVAL_SECONDS });
  await assertPortFree(config);
  if (config.TLS_CERT_FILE) await assertPortFree({ ...config, PORT: config.HTTPS_PORT });
  const tls = await readTls(config);
  if (!config.DATABASE_URL) {
    await mkdir(config.DATA_DIR, { recursive: true });
    // Held until this process ends (released on exit; a kill -9's lock is taken over next start).
    lockDataDir(config.DATA_DIR);
  }
  const database = await openDatabase(
    config.DATABASE_URL
      ? { kind: 'postgres', url: config.DATABASE_URL }
      : { kind: 'pglite', dataDir: config.DATA_DIR },
  );
  await migrateDatabase(database);
  const secretKey = await loadSecretKey(config.SECRET_KEY, config.DATA_DIR);
  const app = await buildApp({
    database,
    secretKey,
    simulatedWorld: await simulatedWorldFor(config),
    logLevel: config.LOG_LEVEL,
    cookieSecure: config.COOKIE_SECURE,
    dashboardDir: config.DASHBOARD_DIR,
    authThrottle: authThrottlePolicy({
      failuresPerEmail: config.AUTH_FAILURES_PER_EMAIL,
      failuresPerClient: config.AUTH_FAILURES_PER_CLIENT,
      windowSeconds: config.AUTH_THROTTLE_WINDOW_SECONDS,
    }),
  });
  const gate = holdRequestsUntilReady(app);
  let closing = false;
  let workers: JobWorkers | undefined;
  let https: HttpsServer | undefined;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // A running job ends after its current batch and goes back to the queue.
    await workers?.stop();
    https?.close();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let url: string;
  try {
    url = await app.listen({
      port: config.PORT,
      host: config.HOST,
      // "Server listening at" is logged once the bootstrap is done: it means ready.
      listenTextResolver: (address) => `bound ${address}; setting up`,
    });
  } catch (error) {
    await database.close();
    throw listenProblem(error, config);
  }
  let httpsUrl: string | undefined;
  if (tls) {
    try {
      ({ server: https, url: httpsUrl } = await listenHttps(app, config, tls));
    } catch (error) {
      await app.close();
      await database.close();
      throw error;
    }
  }

  const boot = await bootstrap(database.db, {
    adminEmail: config.ADMIN_EMAIL,
    adminToken: config.ADMIN_TOKEN,
    adminPassword: config.ADMIN_PASSWORD,
    seed: config.SEED,
  });
  if (boot.firstStart)
    app.log.info({ email: config.ADMIN_EMAIL, seeded: boot.seeded }, 'created the superuser');
  if (boot.passwordReset)
    app.log.info({ email: config.ADMIN_EMAIL }, 'set the superuser password from ADMIN_PASSWORD');
  printSecrets(boot, config, url);
  gate.ready();
  if (config.JOB_WORKERS > 0)
    workers = startJobWorkers(contextOf(app), {
      concurrency: config.JOB_WORKERS,
      pollMs: config.JOB_POLL_MS,
      leaseMs: config.JOB_LEASE_SECONDS * 1000,
      retentionMs: config.JOB_RETENTION_DAYS * 24 * 3600_000,
    });
  app.log.info(`Server listening at ${url}`);
  if (httpsUrl) app.log.info(`Server listening at ${httpsUrl}`);
  app.log.info(
    { database: database.kind, dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR },
    'MultiCloud Images is serving',
  );
  // Whatever the log level: where to go, on stdout beside the first start's secrets.
  const where = config.DATABASE_URL ? 'PostgreSQL' : `the embedded database in ${config.DATA_DIR}`;
  process.stdout.write(
    `MultiCloud Images is serving at ${url}${httpsUrl ? ` and ${httpsUrl}` : ''} ` +
      `(dashboard /, API /v1, API 1.5 /api, docs /docs) on ${where}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
