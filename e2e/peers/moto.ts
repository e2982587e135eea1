/**
 * moto, the EC2 (and STS) peer of the e2e tier (ADR 016): PyPI `moto[server,ec2]` in a venv inside
 * the clone (`.cache/venv-moto`, kept between runs, remade when the pinned version changes), run
 * as `moto_server` on a free loopback port.
 *
 *   node --import tsx e2e/peers/moto.ts install   # make or check the venv (.ci/run does this first)
 *   node --import tsx e2e/peers/moto.ts start     # run one until Ctrl-C, printing its endpoint
 *
 * In tests: `const moto = await startMoto(); … moto.endpoint … await moto.reset(); await moto.stop()`.
 * Accounts: STS AssumeRole into `arn:aws:iam::<12 digits>:role/any` (the role need not exist) or
 * the `x-moto-account-id` header. What moto cannot do is covered in process by
 * packages/server/src/clouds/aws-driver.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../support/server.ts';
import { findPython, makeVenv } from './python.ts';

/** moto 5.2.x works with @aws-sdk/client-ec2 3.1169.0 (measured); bump deliberately. */
export const MOTO_VERSION = '5.2.5';
const VENV = join(REPO_ROOT, '.cache', 'venv-moto');
const MOTO_SERVER = join(VENV, 'bin', 'moto_server');

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The moto version installed in the venv, or undefined when there is none. */
function installedVersion(): string | undefined {
  const python = join(VENV, 'bin', 'python');
  if (!existsSync(python) || !existsSync(MOTO_SERVER)) return undefined;
  const probe = spawnSync(python, ['-c', 'import importlib.metadata as m; print(m.version("moto"))'], {
    encoding: 'utf8',
  });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** The venv with the pinned moto: reused when it has that version, made (about 40 s) otherwise. */
export function ensureMoto(): string {
  const installed = installedVersion();
  if (installed === MOTO_VERSION) return MOTO_SERVER;
  const python = findPython(process.env.MOTO_PYTHON, 9);
  log(
    `making ${VENV} with ${python} and moto[server,ec2]==${MOTO_VERSION}${installed ? ` (had ${installed})` : ''}`,
  );
  makeVenv(python, VENV, `moto[server,ec2]==${MOTO_VERSION}`);
  if (installedVersion() !== MOTO_VERSION)
    throw new Error(`moto ${MOTO_VERSION} is not in ${VENV} after pip`);
  return MOTO_SERVER;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface MotoOptions {
  /**
   * Extra environment for moto (`MOTO_EC2_LOAD_DEFAULT_AMIS=false` empties the catalog;
   * validation switches count any non-empty value as on).
   */
  env?: Record<string, string>;
  /**
   * An own AMI catalog, written to a file moto loads through `MOTO_AMIS_PATH` (records as in
   * moto's `amis.json`: ami_id, name, description, owner_id, public, virtualization_type,
   * architecture, state, platform, root_device_type, …).
   */
  amis?: Record<string, unknown>[];
}

export interface RunningMoto {
  /** `http://127.0.0.1:<port>`: the endpoint override for the SDK (EC2 and STS alike). */
  endpoint: string;
  /** Wipes every account's state (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** What moto printed so far (its request log). */
  output(): string;
}

/** Starts `moto_server` on a free loopback port and resolves once it answers. */
export async function startMoto(options: MotoOptions = {}): Promise<RunningMoto> {
  const bin = ensureMoto();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let scratch: string | undefined;
  const env: Record<string, string> = { ...options.env };
  if (options.amis) {
    scratch = await mkdtemp(join(tmpdir(), 'mci-moto-'));
    const file = join(scratch, 'amis.json');
    await writeFile(file, JSON.stringify(options.amis));
    env.MOTO_AMIS_PATH = file;
  }
  const child: ChildProcess = spawn(bin, ['-p', String(port), '-H', '127.0.0.1'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test process that ends without stop() (a timeout, an interrupted run) takes moto with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (scratch) await rm(scratch, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`moto_server exited (${child.exitCode ?? child.signalCode}) before answering:\n${out}`);
    const up = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    endpoint,
    output: () => out,
    stop,
    reset: async () => {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!r.ok) throw new Error(`moto reset answered ${r.status}`);
    },
  };
}

async function cli(command: string | undefined): Promise<void> {
  switch (command) {
    case 'install': {
      const bin = ensureMoto();
      log(`moto ${MOTO_VERSION} ready: ${bin}`);
      return;
    }
    case 'start': {
      const moto = await startMoto();
      log(`moto ${MOTO_VERSION} on ${moto.endpoint} (Ctrl-C stops it)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await moto.stop();
      return;
    }
    default:
      throw new Error('usage: node --import tsx e2e/peers/moto.ts install|start');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv[2]).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
