/**
 * A throw-away PostgreSQL cluster for one bench run, so `npm run bench` needs no set-up where
 * PostgreSQL's binaries are installed: `initdb` into a temp dir, `pg_ctl start` on a free
 * loopback port, and at the end `pg_ctl stop` and the dir removed.
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const HOW_TO_INSTALL =
  'PostgreSQL is not installed, and no server was given. Either install it, e.g.\n' +
  '  sudo apt-get install postgresql        # Debian/Ubuntu (initdb and pg_ctl; no service needs to run)\n' +
  '  sudo dnf install postgresql-server     # Fedora/RHEL\n' +
  '  brew install postgresql                # macOS\n' +
  'and run `npm run bench` again (it starts a cluster of its own), or point it at a server it may\n' +
  'create databases on: BENCH_DATABASE_URL=postgres://user:password@host:5432/postgres npm run bench';

export interface ThrowawayPostgres {
  /** Connection string of the cluster's `postgres` database (trust authentication, loopback only). */
  url: string;
  /** The server's log (stderr), where `log_statement` output lands: the bench counts statements there. */
  logFile: string;
  /** Stops the cluster and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** The directory holding initdb and pg_ctl: PG_BIN, else `pg_config --bindir`, else Debian's newest. */
async function findBinDir(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const candidates: string[] = [];
  if (env.PG_BIN) candidates.push(env.PG_BIN);
  try {
    candidates.push((await run('pg_config', ['--bindir'])).stdout.trim());
  } catch {
    // pg_config is in the -dev package; the server package alone is enough.
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  for (const dir of (env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user. */
async function runAs(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'bench: running as root, and PostgreSQL will not run as root; there is no `postgres` user to run it as.\n' +
        'Create one (`useradd --system postgres`), run the bench as another user, or set BENCH_DATABASE_URL.',
    );
  }
}

/** Whether nothing listens on 127.0.0.1:port. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A free port from 55432 up, away from a system server's 5432. */
async function freePort(): Promise<number> {
  const start = 55432 + Math.floor(Math.random() * 1000);
  for (let port = start; port < start + 200; port++) if (await isFree(port)) return port;
  throw new Error('bench: no free port found for the throw-away PostgreSQL cluster');
}

/** Starts a fresh cluster, or explains how to install PostgreSQL when its binaries are missing. */
export async function startThrowawayPostgres(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ThrowawayPostgres> {
  const binDir = await findBinDir(env);
  if (!binDir) throw new Error(`bench: ${HOW_TO_INSTALL}`);
  const owner = await runAs();
  const dir = await mkdtemp(join(tmpdir(), 'mci-bench-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const options: ExecFileOptions = { cwd: dir, ...(owner ?? {}), env: { ...env, LC_ALL: 'C' } };
  let started = false;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (started)
      await run(join(binDir, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], options).catch(
        () => undefined,
      );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (owner) await chown(dir, owner.uid, owner.gid);
    await run(
      join(binDir, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions'],
      options,
    );
    const port = await freePort();
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
    await run(
      join(binDir, 'pg_ctl'),
      ['-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start'],
      options,
    );
    started = true;
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, logFile: log, stop };
  } catch (error) {
    const serverLog = await readFile(log, 'utf8').catch(() => '');
    await stop();
    const detail = (error as { stderr?: string }).stderr || (error as Error).message;
    throw new Error(
      `bench: could not start a throw-away PostgreSQL cluster with ${binDir}:\n${detail}${serverLog ? `\n${serverLog}` : ''}`,
      { cause: error },
    );
  }
}
