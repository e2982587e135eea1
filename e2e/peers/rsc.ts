/**
 * rsc, RightScale's own API client (v8.0.0), the API 1.5 peer of the e2e tier (ADR 019). It is
 * built from the Go module proxy (`gopkg.in/rightscale/rsc.v8`, which has no go.mod) in a
 * throw-away module whose go.mod pins its dependencies; module cache, build cache and binary stay
 * inside the clone (`.cache/go`, `.cache/bin/rsc`) and are reused between runs.
 *
 *   node --import tsx e2e/peers/rsc.ts install   # build or check the binary (.ci/run does this)
 *
 * In tests: `runRsc(target, ['cm15', 'index', '/api/clouds'])` → { code, stdout, stderr }.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../support/server.ts';

export const RSC_VERSION = 'v8.0.0';
const CACHE = join(REPO_ROOT, '.cache');
const BUILD_DIR = join(CACHE, 'rsc-build');
export const RSC_BINARY = join(CACHE, 'bin', 'rsc');
/** A build from the proxy reports itself as `dev`: the version built is written beside it. */
const VERSION_FILE = `${RSC_BINARY}.version`;

/**
 * rsc v8.0.0 predates modules: these are the versions its imports had then, all on the proxy.
 * `go mod tidy` would move go-isatty past what go-colorable of that day compiles with; do not run it.
 */
const PINS: Record<string, string> = {
  'gopkg.in/rightscale/rsc.v8': RSC_VERSION,
  'bitbucket.org/pkg/inflect': 'v0.0.0-20130829110746-8961c3750a47',
  'github.com/alecthomas/template': 'v0.0.0-20160405071501-a0175ee3bccc',
  'github.com/alecthomas/units': 'v0.0.0-20151022065526-2efee857e7cf',
  'github.com/coddingtonbear/go-simplejson': 'v0.4.4-0.20131204203750-a582018feafb',
  'github.com/go-stack/stack': 'v1.5.2',
  'github.com/inconshreveable/log15': 'v0.0.0-20170216225631-39bacc234bf1',
  'github.com/mattn/go-colorable': 'v0.0.8-0.20170327083344-ded68f7a9561',
  'github.com/mattn/go-isatty': 'v0.0.2',
  'github.com/rightscale/go-jsonselect': 'v0.0.0-20150427163236-d04eebe26072',
  'gopkg.in/alecthomas/kingpin.v2': 'v2.2.4',
};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const goEnv = () => ({
  ...process.env,
  GOPATH: join(CACHE, 'go'),
  GOMODCACHE: join(CACHE, 'go', 'mod'),
  GOCACHE: join(CACHE, 'go', 'build'),
  GOFLAGS: '-mod=mod',
  GOTOOLCHAIN: 'local',
});

/** The version of the built binary when it runs, or undefined when there is none. */
function builtVersion(): string | undefined {
  if (!existsSync(RSC_BINARY) || !existsSync(VERSION_FILE)) return undefined;
  if (spawnSync(RSC_BINARY, ['--version']).status !== 0) return undefined;
  return readFileSync(VERSION_FILE, 'utf8').trim();
}

/** The rsc binary: reused when it is the pinned version, built (about 40 s cold) otherwise. */
export async function ensureRsc(): Promise<string> {
  if (builtVersion() === RSC_VERSION) return RSC_BINARY;
  await mkdir(BUILD_DIR, { recursive: true });
  const requires = Object.entries(PINS)
    .map(([path, version]) => `\t${path} ${version}`)
    .join('\n');
  await writeFile(join(BUILD_DIR, 'go.mod'), `module rscbuild\n\ngo 1.20\n\nrequire (\n${requires}\n)\n`);
  log(`building rsc ${RSC_VERSION} from the Go module proxy into ${RSC_BINARY}`);
  const build = spawnSync('go', ['build', '-o', RSC_BINARY, 'gopkg.in/rightscale/rsc.v8'], {
    cwd: BUILD_DIR,
    env: goEnv(),
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error(`go build of rsc ${RSC_VERSION} failed (exit ${build.status})`);
  await writeFile(VERSION_FILE, `${RSC_VERSION}\n`);
  if (builtVersion() !== RSC_VERSION) throw new Error(`the rsc built into ${RSC_BINARY} does not run`);
  return RSC_BINARY;
}

/** The built binary, or a clear hint to build it. */
export function rscBinary(): string {
  if (!existsSync(RSC_BINARY))
    throw new Error(`rsc is not built: run node --import tsx e2e/peers/rsc.ts install (${RSC_BINARY})`);
  return RSC_BINARY;
}

export interface RscTarget {
  /** `127.0.0.1:PORT` of the HTTPS listener. */
  host: string;
  /** The API 1.5 account number (X-Account). */
  account: number;
  /** One of the user's API tokens: rsc trades it for an access token at POST /api/oauth2. */
  refreshToken: string;
  /** The self-signed certificate rsc must trust (SSL_CERT_FILE, as the README says). */
  certFile: string;
}

export interface RscResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `rsc -c /nonexistent --host … --account … --refreshToken … <args>` (no config file:
 * everything on the command line, as a CI job would) and collects what it prints.
 */
export function runRsc(target: RscTarget, args: readonly string[]): Promise<RscResult> {
  const argv = [
    '-c',
    '/nonexistent',
    '--host',
    target.host,
    '--account',
    String(target.account),
    '--refreshToken',
    target.refreshToken,
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(rscBinary(), argv, {
      env: { ...process.env, SSL_CERT_FILE: target.certFile, HOME: join(CACHE, 'rsc-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function cli(command: string | undefined): Promise<void> {
  if (command !== 'install') throw new Error('usage: node --import tsx e2e/peers/rsc.ts install');
  log(`rsc ${RSC_VERSION} ready: ${await ensureRsc()}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv[2]).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
