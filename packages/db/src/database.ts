import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** A drizzle handle on either engine; repositories take this or a transaction of it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema>;
export type Executor = Db | Tx;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));

/** An open database: the drizzle handle plus what only some callers need (bulk COPY, closing). */
export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Present on PostgreSQL: the pool, for COPY and for tests. */
  pool?: pg.Pool;
  /** Present on PGlite: the embedded instance. */
  pglite?: PGlite;
  close(): Promise<void>;
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob };

/**
 * PostgreSQL settings PGlite starts with, beside its own defaults (ADR 014). PGlite's memory is
 * one WebAssembly heap in this process, and its shared memory is touched in full at start, so
 * every MB of `shared_buffers` is a MB of resident memory for the process's whole life:
 * PostgreSQL's 128 MB default made a third of the idle service's RSS. The embedded engine serves
 * one installation's catalog, which 16 MB of buffers hold; pages beyond it are read through the
 * kernel's page cache. Nothing here weakens durability.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

/**
 * V8 compiles PGlite's 9 MB WebAssembly module with its baseline compiler (Liftoff) and then
 * recompiles hot functions with its optimizing one (TurboFan) on background threads; that
 * second compilation's memory stays with those threads' malloc arenas (~80 MB of the idle
 * service's RSS, measured in ADR 014). Liftoff code alone served the service's short queries as
 * fast or faster (no recompilation competes for the two cores) and long scans ~25 % slower.
 * The flag applies to WebAssembly compiled after it is set; the service compiles no other.
 */
export const PGLITE_V8_FLAGS = ['--liftoff-only'] as const;

function useBaselineWasmCompiler(): void {
  for (const flag of PGLITE_V8_FLAGS) v8.setFlagsFromString(flag);
}

/** The options every PGlite instance is opened with: PGlite's start parameters plus {@link PGLITE_SETTINGS}. */
function pgliteOptions(): PGliteOptions {
  return {
    startParams: [
      ...PGlite.defaultStartParams,
      ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
  };
}

/**
 * Creates the cluster of a new on-disk data directory in a short-lived child process. PGlite's
 * initdb runs a second, temporary PostgreSQL instance beside the real one and passes the new
 * cluster between them as a tarball; in this process that left ~450 MB of RSS behind for its
 * whole life (peak ~900 MB). The child's memory goes back to the system when it exits; this
 * process then opens the existing directory as on any later start. The child opens it with the
 * same PGlite build and options and closes it cleanly, so the directory is the one this process
 * would have made.
 */
async function initPgliteDataDir(dataDir: string): Promise<void> {
  // Only plain directories (or file://): memory:// and the browser's stores keep PGlite's own way.
  const dir = dataDir.startsWith('file://') ? dataDir.slice('file://'.length) : dataDir;
  if (dir.includes('://') || existsSync(join(dir, 'PG_VERSION'))) return;
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script =
    'const { PGlite } = require(process.argv[1]);' +
    'const pg = new PGlite(process.argv[2], JSON.parse(process.argv[3]));' +
    'pg.waitReady.then(() => pg.close()).catch((e) => { console.error(e && e.message ? e.message : e); process.exit(1); });';
  try {
    await promisify(execFile)(
      process.execPath,
      [...PGLITE_V8_FLAGS, '-e', script, pgliteEntry, dir, JSON.stringify(pgliteOptions())],
      { env: { ...process.env, NODE_OPTIONS: '' } },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`could not create the PGlite database in ${dataDir}${stderr ? `: ${stderr}` : ''}`, {
      cause: error,
    });
  }
}

/** The extensions the migrations create (text search, ADR 013); PGlite loads them on demand. */
const PGLITE_EXTENSIONS = { pg_trgm, btree_gin };

/** Opens PGlite (embedded, in `dataDir` or in memory) or PostgreSQL through `pg`. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10 });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. Queries report their own errors.
    });
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return { kind: 'postgres', db, pool, close: () => pool.end() };
  }
  useBaselineWasmCompiler();
  if (config.dataDir && !config.loadDataDir) await initPgliteDataDir(config.dataDir);
  const pglite = config.loadDataDir
    ? new PGlite({ ...pgliteOptions(), extensions: PGLITE_EXTENSIONS, loadDataDir: config.loadDataDir })
    : // The options-object form: `new PGlite(undefined, options)` would ignore the options.
      new PGlite({ ...pgliteOptions(), extensions: PGLITE_EXTENSIONS, dataDir: config.dataDir });
  await pglite.waitReady;
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  return { kind: 'pglite', db, pglite, close: () => pglite.close() };
}

/**
 * Applies the committed migrations. On PostgreSQL an advisory lock keeps two starting
 * servers from migrating at once.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  const client = await database.pool!.connect();
  try {
    await client.query('select pg_advisory_lock(734201)');
    await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.query('select pg_advisory_unlock(734201)').catch(() => undefined);
    client.release();
  }
}

/** True once the database answers a trivial query. */
export async function ping(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/** Rows of a raw `db.execute` result: both drivers return them under `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
