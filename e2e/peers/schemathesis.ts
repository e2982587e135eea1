/**
 * The outside-tester tier (docs/adr/012-outside-testers.md): schemathesis 4.x, from PyPI in a
 * venv inside the clone, against a real server process on PGlite and then on PostgreSQL, with every
 * check, positive and negative data and all four phases, authenticated as the superuser, over a
 * small connected data set whose ids the generator is given.
 *
 *   node --import tsx e2e/peers/schemathesis.ts            # PGlite, and PostgreSQL if DATABASE_URL
 *   SCHEMATHESIS_ENGINES=pglite SCHEMATHESIS_MAX_TIME=60 node --import tsx e2e/peers/schemathesis.ts
 *
 * Environment: DATABASE_URL (an admin URL; a fresh database is made in that cluster),
 * SCHEMATHESIS_RESULTS (a folder: one vitest-shaped JSON per engine is written there for CI's
 * final count), SCHEMATHESIS_MAX_TIME (seconds per engine, default 110), SCHEMATHESIS_SEED,
 * SCHEMATHESIS_MIN_CASES (across the engines, default 2000). Exit status 0 only when every
 * operation passed every check, no request made the server fail, and enough cases ran.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withAdminClient } from '@mci/db/testing';
import { REPO_ROOT, startServer, type RunningServer } from '../support/server.ts';
import { createFixtures, type Fixtures } from './fixtures.ts';
import { findPython, makeVenv } from './python.ts';

/** The newest 4.x that installs on Python 3.13; bump deliberately. */
const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = join(REPO_ROOT, '.cache', 'venv-schemathesis');
const CONFIG = join(REPO_ROOT, 'e2e', 'peers', 'schemathesis.toml');

type Engine = 'pglite' | 'postgres';

interface RunResult {
  engine: Engine;
  operations: number;
  failedOperations: number;
  errors: number;
  cases: number;
  serverErrorLines: string[];
  serverAlive: boolean;
  exitCode: number | null;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

// Python 3.12+ (3.13 preferred: older ones crashed schemathesis' coverage phase).

/** The venv with the pinned schemathesis, made once and kept in .cache/ between runs. */
function ensureSchemathesis(): string {
  const bin = join(VENV, 'bin', 'schemathesis');
  const installed = existsSync(bin) ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (installed.includes(`version ${SCHEMATHESIS_VERSION}`)) return bin;
  const python = findPython(process.env.SCHEMATHESIS_PYTHON, 12);
  log(`making ${VENV} with ${python} and schemathesis==${SCHEMATHESIS_VERSION}`);
  makeVenv(python, VENV, `schemathesis==${SCHEMATHESIS_VERSION}`);
  return bin;
}

function tomlString(value: string): string {
  return JSON.stringify(value);
}

/**
 * The run's configuration: the static file plus dictionaries of the fixture ids and where they go.
 * Each binding uses a fixture id most of the time and generated data otherwise.
 */
function configFor(fixtures: Fixtures): string {
  const dictionaries: Record<string, string[]> = {
    accounts: fixtures.accounts,
    users: fixtures.users,
    clouds: fixtures.clouds,
    images: fixtures.images,
    instance_types: fixtures.instanceTypes,
    mcis: fixtures.mcis,
    templates: fixtures.templates,
    sources: [...fixtures.mcis, ...fixtures.templates],
    links: fixtures.links,
    deployments: fixtures.deployments,
    servers: fixtures.servers,
    publications: fixtures.publications,
    groups: fixtures.groups,
    invitations: fixtures.invitations,
  };
  const bind = (dictionary: string, probability = 0.8) =>
    `{ dictionary = ${tomlString(dictionary)}, probability = ${probability} }`;
  const lines = ['', '# ---- written by e2e/peers/schemathesis.ts for this run ----'];
  for (const [name, values] of Object.entries(dictionaries)) {
    lines.push(`[dictionaries.${name}]`, `values = [${values.map(tomlString).join(', ')}]`, '');
  }
  lines.push(
    '[parameters]',
    `"path.a" = ${bind('accounts', 0.9)}`,
    `"path.b" = ${bind('accounts')}`,
    `"path.c" = ${bind('clouds', 0.9)}`,
    `"path.d" = ${bind('deployments')}`,
    `"path.s" = ${bind('servers')}`,
    `"path.p" = ${bind('publications')}`,
    `"path.g" = ${bind('groups')}`,
    `"path.linkId" = ${bind('links')}`,
    `"path.cloudId" = ${bind('clouds')}`,
    `"path.userId" = ${bind('users')}`,
    `"path.accountId" = ${bind('accounts')}`,
    `"path.invitationId" = ${bind('invitations')}`,
    `"query.cloudId" = ${bind('clouds', 0.5)}`,
    `"query.usableBy" = ${bind('accounts', 0.5)}`,
    `"query.against" = ${bind('sources', 0.5)}`,
    `"body.cloudId" = ${bind('clouds')}`,
    `"body.imageId" = ${bind('images')}`,
    `"body.instanceTypeId" = ${bind('instance_types')}`,
    `"body.settings[*].cloudId" = ${bind('clouds')}`,
    `"body.settings[*].imageId" = ${bind('images')}`,
    `"body.settings[*].instanceTypeId" = ${bind('instance_types')}`,
    `"body.mciId" = ${bind('mcis')}`,
    `"body.mciIds[*]" = ${bind('mcis')}`,
    `"body.serverTemplateId" = ${bind('templates')}`,
    `"body.sourceId" = ${bind('sources')}`,
    `"body.from" = ${bind('sources')}`,
    `"body.publicationId" = ${bind('publications')}`,
    `"body.accountId" = ${bind('accounts')}`,
    `"body.ownerAccountId" = ${bind('accounts')}`,
    `"body.groupIds[*]" = ${bind('groups')}`,
    '',
  );
  // `{id}` names a different kind of thing per path.
  const idOf: [string, string][] = [
    ['^/v1/users/\\{id\\}', 'users'],
    ['^/v1/clouds/\\{c\\}/images/\\{id\\}', 'images'],
    ['^/v1/clouds/\\{c\\}/instance-types/\\{id\\}', 'instance_types'],
    ['/mcis/\\{id\\}', 'mcis'],
    ['/server-templates/\\{id\\}', 'templates'],
  ];
  for (const [regex, dictionary] of idOf) {
    lines.push(
      '[[operations]]',
      `include-path-regex = ${tomlString(regex)}`,
      `parameters = { "path.id" = ${bind(dictionary)} }`,
      '',
    );
  }
  // Revoking the token the run authenticates with ends the run's authentication, and every
  // phase finds its id (GET …/tokens lists it): the one operation left out, tested in identity's
  // integration tests. The spare token is there for a run that enables it.
  lines.push(
    '[[operations]]',
    'include-name = "DELETE /v1/users/{id}/tokens/{tokenId}"',
    'enabled = false',
    `parameters = { "path.tokenId" = ${tomlString(fixtures.spareTokenId)} }`,
    '',
  );
  // A list's `cursor` is opaque: only a nextCursor this service returned is one (else 400
  // invalid_cursor), which no schema can say.
  lines.push(
    '[[operations]]',
    'include-method = "GET"',
    'checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404, 409, 412, 422, 429]',
    '',
  );
  return lines.join('\n');
}

/** The fresh database of one PostgreSQL run, in the cluster of DATABASE_URL. */
async function freshPostgres(adminUrl: string, name: string): Promise<string> {
  await withAdminClient(adminUrl, async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

function runSchemathesis(bin: string, args: string[], env: NodeJS.ProcessEnv, logFile: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', async (code) => {
      await writeFile(logFile, output);
      resolve({ code, output });
    });
  });
}

/** Counts from schemathesis' JUnit report: one test case per operation, plus the stateful run. */
async function junitCounts(dir: string): Promise<{ tests: number; failures: number; errors: number }> {
  const file = (await readdir(dir)).find((f) => f.startsWith('junit') && f.endsWith('.xml'));
  if (!file) return { tests: 0, failures: 0, errors: 1 };
  const xml = await readFile(join(dir, file), 'utf8');
  const suite = /<testsuites[^>]*>/.exec(xml)?.[0] ?? '';
  const attr = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  // A test case with several failure elements is still one failed operation.
  const failedCases = xml
    .split('<testcase')
    .slice(1)
    .filter((c) => /<(failure|error)\b/.test(c.split('</testcase>')[0]));
  return { tests: attr('tests'), failures: failedCases.length, errors: attr('errors') };
}

/** The part of schemathesis' output that goes into CI's log when nothing failed. */
function summaryOf(output: string): string {
  const at = output.indexOf('=== SUMMARY ===');
  const start = at >= 0 ? output.lastIndexOf('\n', at) : -1;
  return start >= 0 ? output.slice(start + 1) : output.slice(-4000);
}

async function runEngine(bin: string, engine: Engine, workDir: string): Promise<RunResult> {
  const token = `st-${randomBytes(18).toString('hex')}`;
  const reportDir = join(workDir, engine);
  await mkdir(reportDir, { recursive: true });
  const env: Record<string, string> = {
    ADMIN_TOKEN: token,
    SEED: 'demo',
    LOG_LEVEL: 'info',
    // The generator sends thousands of bad tokens and passwords from one address on purpose; the
    // sign-in throttle (tested on its own) would otherwise answer most of the run with 429.
    AUTH_FAILURES_PER_CLIENT: '1000000',
    AUTH_FAILURES_PER_EMAIL: '10000',
  };
  if (engine === 'postgres') {
    env.DATABASE_URL = await freshPostgres(process.env.DATABASE_URL!, 'mci_schemathesis');
  } else {
    env.DATABASE_URL = '';
    env.DATA_DIR = join(workDir, 'pglite-data');
  }
  log(`\n--- schemathesis on ${engine} ---`);
  const server: RunningServer = await startServer(env);
  let exitCode: number | null = null;
  let output = '';
  let serverAlive = false;
  try {
    const fixtures = await createFixtures(server.baseUrl, token);
    const configFile = join(reportDir, 'schemathesis.toml');
    await writeFile(configFile, (await readFile(CONFIG, 'utf8')) + configFor(fixtures));
    const maxTime = process.env.SCHEMATHESIS_MAX_TIME ?? '110';
    const args = [
      '--config-file',
      configFile,
      'run',
      `${server.baseUrl}/v1/openapi.json`,
      '--url',
      server.baseUrl,
      '--max-time',
      maxTime,
      '--no-color',
      '--report',
      'junit,ndjson',
      '--report-dir',
      reportDir,
      ...(process.env.SCHEMATHESIS_SEED ? ['--seed', process.env.SCHEMATHESIS_SEED] : []),
    ];
    const started = Date.now();
    const run = await runSchemathesis(
      bin,
      args,
      { ...process.env, MCI_TOKEN: token },
      join(reportDir, 'output.txt'),
    );
    exitCode = run.code;
    output = run.output;
    log(`schemathesis exited with ${exitCode} after ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    serverAlive = await fetch(`${server.baseUrl}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    await server.stop();
  }
  const counts = await junitCounts(reportDir);
  const cases = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
  // Lines the server logged at error level or above (pino: level 50+): unhandled errors, 500s.
  const serverErrorLines = server
    .output()
    .split('\n')
    .filter((l) => /"level":(5\d|60)\b/.test(l));
  const failed = counts.failures + counts.errors > 0 || exitCode !== 0 || !serverAlive;
  log(failed ? output : summaryOf(output));
  if (serverErrorLines.length > 0) {
    log(`the server logged ${serverErrorLines.length} error line(s); the first ones:`);
    for (const l of serverErrorLines.slice(0, 10)) log(`  ${l.slice(0, 1500)}`);
  }
  if (!serverAlive) log('the server did not answer /healthz after the run');
  log(`reports: ${reportDir}`);
  return {
    engine,
    operations: counts.tests,
    failedOperations: counts.failures,
    errors: counts.errors,
    cases,
    serverErrorLines,
    serverAlive,
    exitCode,
  };
}

async function main(): Promise<void> {
  const engines = (
    process.env.SCHEMATHESIS_ENGINES ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite')
  )
    .split(',')
    .map((e) => e.trim()) as Engine[];
  if (engines.includes('postgres') && !process.env.DATABASE_URL)
    throw new Error('postgres needs DATABASE_URL');
  const bin = ensureSchemathesis();
  const workDir = await mkdtemp(join(tmpdir(), 'mci-schemathesis-'));
  const results: RunResult[] = [];
  for (const engine of engines) results.push(await runEngine(bin, engine, workDir));

  const minCases = Number(process.env.SCHEMATHESIS_MIN_CASES ?? 2000);
  const totalCases = results.reduce((n, r) => n + r.cases, 0);
  log('\n--- schemathesis summary ---');
  for (const r of results) {
    log(
      `${r.engine}: ${r.cases} cases, ${r.operations} operations + stateful, ${r.failedOperations} failed, ` +
        `${r.errors} errors, ${r.serverErrorLines.length} server error log lines${r.serverAlive ? '' : ', server died'}`,
    );
  }
  const enough = totalCases >= minCases;
  log(`${totalCases} cases in total (at least ${minCases} wanted): ${enough ? 'ok' : 'TOO FEW'}`);

  const out = process.env.SCHEMATHESIS_RESULTS;
  if (out) {
    await mkdir(out, { recursive: true });
    for (const r of results) {
      // One test per operation (and the stateful run); the server's own health and error log, and
      // the case count, are one test each.
      const extraFailed = (r.serverAlive ? 0 : 1) + (r.serverErrorLines.length > 0 ? 1 : 0);
      const failed =
        r.failedOperations +
        r.errors +
        extraFailed +
        (r.exitCode !== 0 && r.failedOperations + r.errors === 0 ? 1 : 0);
      await writeFile(
        join(out, `schemathesis-${r.engine}.json`),
        JSON.stringify({
          numPassedTests: Math.max(0, r.operations + 2 - failed),
          numFailedTests: failed,
          numPendingTests: 0,
          numTodoTests: 0,
        }),
      );
    }
    await writeFile(
      join(out, 'schemathesis-cases.json'),
      JSON.stringify({
        numPassedTests: enough ? 1 : 0,
        numFailedTests: enough ? 0 : 1,
        numPendingTests: 0,
        numTodoTests: 0,
      }),
    );
  }
  const ok =
    enough &&
    results.every(
      (r) =>
        r.exitCode === 0 &&
        r.failedOperations + r.errors === 0 &&
        r.serverAlive &&
        r.serverErrorLines.length === 0,
    );
  if (!process.env.SCHEMATHESIS_KEEP)
    await rm(join(workDir, 'pglite-data'), { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
}

await main();
