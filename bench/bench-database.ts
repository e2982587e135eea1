/** A throw-away PostgreSQL database for one bench run, on a given server or on a cluster of its own. */
import { randomBytes } from 'node:crypto';
import { migrateDatabase, openDatabase, type Database } from '@mci/db';
import pg from 'pg';
import { startThrowawayPostgres } from './throwaway-postgres.ts';

export interface BenchDatabase {
  /** Connection string of the fresh database. */
  url: string;
  name: string;
  database: Database;
  /** Closes the pool and drops the database; safe to call twice. */
  drop(): Promise<void>;
}

const HOW_TO_START =
  'Give the bench a PostgreSQL server it may create databases on, e.g.\n' +
  '  BENCH_DATABASE_URL=postgres://user:password@127.0.0.1:5432/postgres npm run bench\n' +
  'or leave BENCH_DATABASE_URL and DATABASE_URL unset: the bench then starts a throw-away cluster itself.';

/** Where the bench runs: a given server, or a throw-away cluster it started (and stops at the end). */
export interface BenchServer {
  url: string;
  /** How the server came to be, for the first line of the report. */
  origin: string;
  /** The server's log file when the bench started the server itself (statement counts need it). */
  logFile?: string;
  stop(): Promise<void>;
}

/**
 * The server to run on: BENCH_DATABASE_URL, else DATABASE_URL, else a throw-away cluster of the
 * bench's own (initdb on a free port), or a message on how to install PostgreSQL.
 */
export async function benchServer(env: NodeJS.ProcessEnv): Promise<BenchServer> {
  const url = env.BENCH_DATABASE_URL || env.DATABASE_URL;
  if (url) return { url, origin: 'given', stop: async () => {} };
  console.log('bench: no BENCH_DATABASE_URL or DATABASE_URL: starting a throw-away PostgreSQL cluster');
  const cluster = await startThrowawayPostgres(env);
  return {
    url: cluster.url,
    origin: 'a throw-away cluster of its own',
    logFile: cluster.logFile,
    stop: cluster.stop,
  };
}

/** `url` pointing at database `name` on the same server. */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE cannot run inside the target). */
async function onMaintenanceDb(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabaseName(serverUrl, 'postgres') });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `bench: cannot connect to ${redact(serverUrl)}: ${(error as Error).message}\n${HOW_TO_START}`,
      {
        cause: error,
      },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Creates `mci_bench_<random>`, opens and migrates it. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `mci_bench_${randomBytes(5).toString('hex')}`;
  await onMaintenanceDb(serverUrl, `create database ${name}`);
  const url = withDatabaseName(serverUrl, name);
  let database: Database | undefined;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await database?.close().catch(() => undefined);
    await onMaintenanceDb(serverUrl, `drop database if exists ${name} with (force)`);
  };
  try {
    database = await openDatabase({ kind: 'postgres', url });
    await migrateDatabase(database);
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, name, database, drop };
}
