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

/**
 * A fresh, migrated database for one test file: PostgreSQL when DATABASE_URL is set, else an
 * in-memory PGlite loaded from the run's template dump. Closing drops it.
 */
export async function openTestDatabase(pgliteDump: string): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) {
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
  const dump = new Blob([await readFile(pgliteDump)]);
  return openDatabase({ kind: 'pglite', loadDataDir: dump });
}
