import { mkdir } from 'node:fs/promises';
import { migrateDatabase, openDatabase } from '@mci/db';
import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap/bootstrap.ts';
import { parseConfig } from './config.ts';

/** `npm start`: parse the environment, open and migrate the database, bootstrap, serve. */
async function main(): Promise<void> {
  const config = parseConfig(process.env);
  if (!config.DATABASE_URL) await mkdir(config.DATA_DIR, { recursive: true });
  const database = await openDatabase(
    config.DATABASE_URL
      ? { kind: 'postgres', url: config.DATABASE_URL }
      : { kind: 'pglite', dataDir: config.DATA_DIR },
  );
  await migrateDatabase(database);
  const app = await buildApp({
    database,
    logLevel: config.LOG_LEVEL,
    cookieSecure: config.COOKIE_SECURE,
    dashboardDir: config.DASHBOARD_DIR,
  });
  const boot = await bootstrap(database.db, {
    adminEmail: config.ADMIN_EMAIL,
    adminToken: config.ADMIN_TOKEN,
    adminPassword: process.env.ADMIN_PASSWORD,
    seed: config.SEED,
  });
  if (boot.firstStart)
    app.log.info({ email: config.ADMIN_EMAIL, seeded: boot.seeded }, 'created the superuser');
  if (boot.generatedToken) {
    // Printed once, on purpose on stdout and not in the structured log: it is never shown again.
    process.stdout.write(
      `\nSuperuser ${config.ADMIN_EMAIL} API token (shown once, keep it safe):\n  ${boot.generatedToken}\n`,
    );
  }
  if (boot.generatedPassword) {
    process.stdout.write(
      `Dashboard sign-in (shown once): ${config.ADMIN_EMAIL} / ${boot.generatedPassword}\n` +
        `  at http://${config.HOST}:${config.PORT}/\n\n`,
    );
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info(
    { database: database.kind, dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR },
    'MultiCloud Images is serving',
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
