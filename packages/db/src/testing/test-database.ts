import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { openDatabase, type Database } from '../database.ts';

export const TEMPLATE_DATABASE = 'mci_test_template';

/** Runs `work` on a client connected to the server's maintenance database. */
export async function withAdminClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const u = new URL(url);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The engines a database test runs on. */
export type TestEngine = 'pglite' | 'postgres';

/** Every engine this run can test: PGlite always, PostgreSQL too when DATABASE_URL is set. */
export function testEngines(env: NodeJS.ProcessEnv = process.env): TestEngine[] {
  return env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * A fresh, migrated database for one test file: by default PostgreSQL when DATABASE_URL is set,
 * else an in-memory PGlite loaded from the run's template dump; `engine` picks one explicitly
 * (see {@link testEngines}). Closing drops it.
 */
export async function openTestDatabase(
  pgliteDump: string,
  options: { engine?: TestEngine } = {},
): Promise<Database> {
  const url = process.env.DATABASE_URL;
  const engine = options.engine ?? (url ? 'postgres' : 'pglite');
  if (engine === 'postgres') {
    if (!url) throw new Error('openTestDatabase: the postgres engine needs DATABASE_URL');
    const name = `mci_test_${randomBytes(6).toString('hex')}`;
    await withAdminClient(url, (c) => c.query(`create database ${name} template ${TEMPLATE_DATABASE}`));
    const u = new URL(url);
    u.pathname = `/${name}`;
    const database = await openDatabase({ kind: 'postgres', url: u.toString() });
    return {
      ...database,
      close: async () => {
        await database.close();
        await withAdminClient(url, (c) => c.query(`drop database if exists ${name} with (force)`));
      },
    };
  }
  if (!pgliteDump) throw new Error('openTestDatabase: no PGlite template (is the global set-up configured?)');
  const dump = new Blob([await readFile(pgliteDump)]);
  return openDatabase({ kind: 'pglite', loadDataDir: dump });
}
