/**
 * Load from outside over HTTP on PostgreSQL (issue 11, "Under load"): the service as `npm start`
 * runs it, driven by autocannon at concurrency 8 and 32, beside a bare fastify route on a bare
 * `pg` pool (bench/bare-server.js) measured in the same run, on the same database:
 *
 *   (a) create a server      vs the essential work in one transaction (links + chosen setting,
 *                               insert server, insert audit entry): req/s ≥ 0.5 ×, p99 ≤ 2 ×
 *   (b) read an MCI of 30 settings   ┐
 *   (c) a template's supported clouds ├ vs the very statements the service ran for one such
 *   (d) images usableBy, limit 50     ┘  request (read from PostgreSQL's log), replayed: ≥ 0.5 ×
 *   (e) the service's RSS sampled each second over 30 s of mixed load: flat
 *
 * plus the number of statements the service issues per request, from PostgreSQL's log.
 */
import { mkdtemp, rm, writeFile, readdir, readFile } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { BenchDatabase, BenchServer } from './bench-database.ts';
import { withDatabaseName } from './bench-database.ts';
import { rssKb, startBare, startService, startServiceLike, type Running } from './processes.ts';
import { passFail, table } from './report.ts';
import { captureStatements, verbOf, type Statement } from './statements.ts';
import { summarizeProfile, type CpuProfile } from './cpu-profile.ts';

const TOKEN = 'mci_bench-load-admin-token-0123456789abcdef';
const CONCURRENCIES = [8, 32] as const;
const CLOUDS = 30;
const RATIO_TARGET = 0.5;
const P99_RATIO_TARGET = 2;
const RSS_SECONDS = 30;
/** Growth over the RSS run that still counts as flat: the larger of these. */
const FLAT_MB = 16;
const FLAT_FRACTION = 0.05;

const seconds = () => Number(process.env.BENCH_LOAD_SECONDS ?? 6);
const warmupSeconds = () => Math.max(1, Math.round(seconds() / 3));

interface Fixtures {
  accountId: string;
  memberToken: string;
  /** Who the requests run as, for the report. */
  actor: string;
  clouds: string[];
  mciId: string;
  templateId: string;
  deploymentId: string;
  listCloudId: string;
}

/** One JSON call to the service as the superuser (set-up only); throws on an unexpected status. */
async function call(baseUrl: string, method: string, path: string, body?: unknown, token = TOKEN) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`bench: ${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Through the public API, as an operator would: 30 clouds with an instance type and an image
 * each, 300 more images in the first cloud (public, the account's private ones, another
 * account's private ones), an MCI with 30 settings, two smaller MCIs, a template linking all
 * three (the 30-cloud one the default), a deployment, and a designer+actor member with a token.
 */
async function createFixtures(baseUrl: string): Promise<Fixtures> {
  const account = await call(baseUrl, 'POST', '/v1/accounts', { name: 'bench-load' });
  const other = await call(baseUrl, 'POST', '/v1/accounts', { name: 'bench-load-other' });
  const clouds: string[] = [];
  const settings: { cloudId: string; imageId: string; instanceTypeId: string }[] = [];
  for (let k = 0; k < CLOUDS; k++) {
    const cloud = await call(baseUrl, 'POST', '/v1/clouds', {
      name: `Load cloud ${String(k).padStart(2, '0')}`,
      cloudType: 'aws',
      region: `load-${k}`,
    });
    const type = await call(baseUrl, 'POST', `/v1/clouds/${cloud.id}/instance-types`, {
      resourceUid: `m5.large-${k}`,
      name: 'm5.large',
      cpuCount: 2,
      memoryMb: 8192,
      cpuArchitectures: ['x86_64'],
    });
    const image = await call(baseUrl, 'POST', `/v1/clouds/${cloud.id}/images`, {
      resourceUid: `ami-load-${k}`,
      name: `Ubuntu 22.04 load ${k}`,
      osFamily: 'ubuntu',
      osVersion: '22.04',
      cpuArchitecture: 'x86_64',
      visibility: 'public',
    });
    clouds.push(cloud.id);
    settings.push({ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id });
  }
  const images = Array.from({ length: 300 }, (_, i) => {
    const kind = i % 3; // 0 public, 1 private of the account, 2 private of another account
    return {
      resourceUid: `ami-list-${i}`,
      name: `Image ${String(i).padStart(3, '0')} ${['public', 'own', 'foreign'][kind]}`,
      osFamily: 'ubuntu',
      osVersion: '22.04',
      cpuArchitecture: 'x86_64',
      visibility: kind === 0 ? 'public' : 'private',
      ...(kind === 0 ? {} : { ownerAccountId: kind === 1 ? account.id : other.id }),
    };
  });
  await call(baseUrl, 'POST', `/v1/clouds/${clouds[0]}/images/bulk`, { images });

  const a = `/v1/accounts/${account.id}`;
  const mci = await call(baseUrl, 'POST', `${a}/mcis`, { name: 'Thirty clouds', settings });
  const small1 = await call(baseUrl, 'POST', `${a}/mcis`, {
    name: 'Ten clouds A',
    settings: settings.slice(0, 10),
  });
  const small2 = await call(baseUrl, 'POST', `${a}/mcis`, {
    name: 'Ten clouds B',
    settings: settings.slice(20),
  });
  const template = await call(baseUrl, 'POST', `${a}/server-templates`, {
    name: 'Load template',
    mciIds: [mci.id, small1.id, small2.id],
  });
  const deployment = await call(baseUrl, 'POST', `${a}/deployments`, { name: 'Load deployment' });

  // A member rather than the superuser, as most requests are; the superuser if membership by user id is refused.
  let memberToken = TOKEN;
  let actor = 'the superuser (adding a member by user id was refused)';
  try {
    const user = await call(baseUrl, 'POST', '/v1/users', { email: 'load@bench.example', name: 'Load' });
    const token = await call(baseUrl, 'POST', `/v1/users/${user.id}/tokens`, { name: 'bench' });
    await call(baseUrl, 'PUT', `${a}/members/${user.id}`, { roles: ['designer', 'actor'] });
    memberToken = token.token;
    actor = 'a member of the account (designer, actor) with an API token';
  } catch (error) {
    console.log(`  (member set-up failed, requests run as the superuser: ${(error as Error).message})`);
  }
  return {
    accountId: account.id,
    memberToken,
    actor,
    clouds,
    mciId: mci.id,
    templateId: template.id,
    deploymentId: deployment.id,
    listCloudId: clouds[0],
  };
}

interface Target {
  key: string;
  label: string;
  method: 'GET' | 'POST';
  path: string;
  /** A body per request (creation), so that every server has its own name. */
  body?: () => string;
}

let serial = 0;
function targets(f: Fixtures): Target[] {
  const a = `/v1/accounts/${f.accountId}`;
  return [
    {
      key: 'create',
      label: '(a) create a server',
      method: 'POST',
      path: `${a}/deployments/${f.deploymentId}/servers`,
      body: () =>
        JSON.stringify({
          name: `srv-${++serial}`,
          serverTemplateId: f.templateId,
          cloudId: f.clouds[serial % CLOUDS],
        }),
    },
    { key: 'mci', label: '(b) read an MCI of 30 settings', method: 'GET', path: `${a}/mcis/${f.mciId}` },
    {
      key: 'clouds',
      label: "(c) a template's supported clouds",
      method: 'GET',
      path: `${a}/server-templates/${f.templateId}/clouds`,
    },
    {
      key: 'images',
      label: '(d) images usableBy, limit 50',
      method: 'GET',
      path: `/v1/clouds/${f.listCloudId}/images?usableBy=${f.accountId}&limit=50`,
    },
  ];
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  bad: number;
}

/** autocannon against `baseUrl` + `path` (or a list of targets, cycled per connection). */
async function cannon(
  baseUrl: string,
  token: string,
  list: { method: string; path: string; body?: () => string }[],
  connections: number,
  duration: number,
): Promise<LoadResult> {
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: list.map((t) => ({
      method: t.method as 'GET' | 'POST',
      path: t.path,
      ...(t.body
        ? {
            setupRequest: (req: autocannon.Request) => ({ ...req, body: t.body!() }),
          }
        : {}),
    })),
  });
  return {
    rps: result.requests.total / (result.duration || duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

/** One request through fetch: its status and body size, to check both sides answer alike. */
async function probe(
  baseUrl: string,
  token: string,
  t: { method: string; path: string; body?: () => string },
) {
  const res = await fetch(`${baseUrl}${t.path}`, {
    method: t.method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: t.body?.(),
  });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), text };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const mb = (kb: number) => (kb / 1024).toFixed(0);

export interface LoadOptions {
  server: BenchServer;
  bench: BenchDatabase;
  /** Write a CPU profile of the service during creations and summarize it. */
  profile: boolean;
  /** Run the load tables and the RSS run (false: set up and profile only). */
  measure: boolean;
}

/** The load section; returns its failures. */
export async function runHttpLoad({ server, bench, profile, measure }: LoadOptions): Promise<string[]> {
  const failures: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'mci-bench-load-'));
  const [l1, l5] = loadavg();
  console.log(
    `\nLOAD over HTTP on PostgreSQL (${bench.name}); autocannon; per request and concurrency ${warmupSeconds()} s` +
      ` warm-up each, then baseline, service, baseline, service for ${Math.max(1, Math.round(seconds() / 2))} s each, the` +
      ` better run of each side shown;` +
      ` load average before: ${l1.toFixed(1)} / ${l5.toFixed(1)}`,
  );
  let service: Running | undefined;
  let bare: Running | undefined;
  try {
    service = await startService(
      { DATABASE_URL: bench.url, ADMIN_TOKEN: TOKEN, SEED: 'none' },
      join(dir, 'service.log'),
    );
    bare = await startBare(service, { DATABASE_URL: bench.url }, join(dir, 'bare.log'));
    console.log(`  service: pid ${service.pid}: ${service.command}`);
    console.log(`  baseline: pid ${bare.pid}: ${bare.command}`);
    const fixtures = await createFixtures(service.baseUrl);
    console.log(`  requests run as ${fixtures.actor}`);
    const list = targets(fixtures);
    const token = fixtures.memberToken;

    if (!measure) {
      if (profile) await profileCreation(dir, bench, service, list[0], token);
      return failures;
    }
    // What each request makes the service issue, and the same statements registered for the replays.
    const counts = new Map<string, Statement[]>();
    for (const t of list) {
      await probe(service.baseUrl, token, t); // warm: the counted request is not the first
      let answer: Awaited<ReturnType<typeof probe>> | undefined;
      const statements = server.logFile
        ? await captureStatements(
            withDatabaseName(server.url, 'postgres'),
            server.logFile,
            bench.name,
            async () => {
              answer = await probe(service!.baseUrl, token, t);
            },
          )
        : [];
      answer ??= await probe(service.baseUrl, token, t);
      if (answer.status >= 300)
        throw new Error(`bench: ${t.label}: service answered ${answer.status}: ${answer.text}`);
      counts.set(t.key, statements);
      if (t.key !== 'create') {
        if (statements.length === 0)
          throw new Error('bench: the replay baselines need the statements; run on the bench’s own cluster');
        await call(bare.baseUrl, 'PUT', `/replay/${t.key}`, statements);
      }
    }
    printStatements(list, counts, Boolean(server.logFile));

    // Both sides answer before any clock runs.
    const baselineOf = (t: Target): Target =>
      t.key === 'create' ? t : { ...t, method: 'GET', path: `/replay/${t.key}` };
    const sizes = new Map<string, { service: number; baseline: number }>();
    for (const t of list) {
      const s = await probe(service.baseUrl, token, t);
      const b = await probe(bare.baseUrl, token, baselineOf(t));
      if (s.status >= 300 || b.status >= 300)
        throw new Error(
          `bench: ${t.label}: service ${s.status}, baseline ${b.status}: ${b.text.slice(0, 300)}`,
        );
      sizes.set(t.key, { service: s.bytes, baseline: b.bytes });
    }

    const rows: string[][] = [];
    const startRss = rssKb(service.pid);
    for (const t of list) {
      for (const c of CONCURRENCIES) {
        // Interleaved (baseline, service, baseline, service) against drift, the better run of each
        // kept against a moment's interference from other work on the machine.
        const half = Math.max(1, Math.round(seconds() / 2));
        await cannon(bare.baseUrl, token, [baselineOf(t)], c, warmupSeconds());
        await cannon(service.baseUrl, token, [t], c, warmupSeconds());
        const runs = { base: [] as LoadResult[], svc: [] as LoadResult[] };
        for (let round = 0; round < 2; round++) {
          runs.base.push(await cannon(bare.baseUrl, token, [baselineOf(t)], c, half));
          runs.svc.push(await cannon(service.baseUrl, token, [t], c, half));
        }
        const better = (xs: LoadResult[]) => {
          const best = xs.reduce((x, y) => (y.rps > x.rps ? y : x));
          return { ...best, bad: xs.reduce((n, x) => n + x.bad, 0) };
        };
        const base = better(runs.base);
        const svc = better(runs.svc);
        const ratio = svc.rps / base.rps;
        const p99Ratio = svc.p99 / Math.max(1, base.p99);
        const okRatio = ratio >= RATIO_TARGET;
        const okP99 = t.key !== 'create' || p99Ratio <= P99_RATIO_TARGET;
        if (svc.bad || base.bad)
          failures.push(
            `${t.label} at ${c}: ${svc.bad} bad service answers, ${base.bad} bad baseline answers`,
          );
        if (!okRatio) failures.push(`${t.label} at ${c}: ratio ${ratio.toFixed(2)} < ${RATIO_TARGET}`);
        if (!okP99)
          failures.push(`${t.label} at ${c}: p99 ratio ${p99Ratio.toFixed(1)} > ${P99_RATIO_TARGET}`);
        rows.push([
          t.label,
          String(c),
          fmt(svc.rps),
          fmt(svc.p50),
          fmt(svc.p99),
          fmt(base.rps),
          fmt(base.p99),
          ratio.toFixed(3),
          t.key === 'create' ? `${p99Ratio.toFixed(1)}×` : '',
          String(svc.bad + base.bad),
          t.key === 'create' ? `${passFail(okRatio)} / ${passFail(okP99)}` : passFail(okRatio),
        ]);
      }
    }
    console.log(
      '\n  requests/s and latency (ms) of the service beside its baseline; targets: ratio ≥ 0.5 everywhere,' +
        '\n  creation p99 ≤ 2 × the baseline’s p99. baseline (a) = bare route, the essential work in one' +
        '\n  transaction; (b)–(d) = bare route replaying the service’s own statements for that request',
    );
    console.log(
      table(
        [
          'request',
          'conc',
          'req/s',
          'p50',
          'p99',
          'base req/s',
          'base p99',
          'ratio',
          'p99 ratio',
          'errors',
          'result',
        ],
        rows,
      ),
    );
    console.log(
      `  answer sizes (bytes, service / baseline): ${list
        .map((t) => `${t.key} ${sizes.get(t.key)!.service} / ${sizes.get(t.key)!.baseline}`)
        .join(', ')}`,
    );

    failures.push(...(await rssUnderLoad(service, token, list, startRss)));
    if (profile) await profileCreation(dir, bench, service, list[0], token);
  } finally {
    await bare?.stop();
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return failures;
}

function printStatements(list: Target[], counts: Map<string, Statement[]>, available: boolean): void {
  console.log('\n  SQL statements the service issues per request (PostgreSQL log, log_statement = all):');
  if (!available) {
    console.log('    n/a: needs the bench’s own throw-away cluster (BENCH_DATABASE_URL was given)');
    return;
  }
  const rows = list.map((t) => {
    const statements = counts.get(t.key)!;
    const verbs = new Map<string, number>();
    for (const s of statements) verbs.set(verbOf(s), (verbs.get(verbOf(s)) ?? 0) + 1);
    return [t.label, String(statements.length), [...verbs].map(([v, n]) => `${n} ${v}`).join(', ')];
  });
  console.log(table(['request', 'statements', 'of which'], rows));
  if (process.env.BENCH_SHOW_SQL)
    for (const t of list) {
      console.log(`\n  ${t.label}:`);
      for (const s of counts.get(t.key)!) console.log(`    ${s.text.replace(/\s+/g, ' ').slice(0, 220)}`);
    }
}

/** (e): RSS each second over 30 s of all four requests mixed, at concurrency 32. */
async function rssUnderLoad(
  service: Running,
  token: string,
  list: Target[],
  startRss: number,
): Promise<string[]> {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssKb(service.pid)), 1000);
  const before = rssKb(service.pid);
  const result = await cannon(service.baseUrl, token, list, 32, RSS_SECONDS);
  clearInterval(timer);
  const after = rssKb(service.pid);
  const max = Math.max(before, ...samples, after);
  const firstQuarter = samples.slice(0, Math.max(1, Math.floor(samples.length / 4)));
  const lastQuarter = samples.slice(-Math.max(1, Math.floor(samples.length / 4)));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const growthKb = mean(lastQuarter) - mean(firstQuarter);
  const allowedKb = Math.max(FLAT_MB * 1024, FLAT_FRACTION * mean(firstQuarter));
  const flat = growthKb <= allowedKb;
  console.log(
    `\n  (e) RSS of the service (MB) over ${RSS_SECONDS} s of the four requests mixed at concurrency 32` +
      ` (${fmt(result.rps)} req/s, ${result.bad} errors):`,
  );
  console.log(
    table(
      [
        'idle before the load runs',
        'start',
        'end',
        'max',
        'growth (last ¼ − first ¼)',
        'flat (≤ max(16 MB, 5 %))',
      ],
      [[mb(startRss), mb(before), mb(after), mb(max), mb(growthKb), flat ? 'yes: PASS' : 'no: FAIL']],
    ),
  );
  console.log(`  samples: ${samples.map(mb).join(' ')}`);
  const failures: string[] = [];
  if (!flat) failures.push(`RSS grew ${mb(growthKb)} MB over ${RSS_SECONDS} s of load`);
  if (result.bad) failures.push(`${result.bad} bad answers during the RSS run`);
  return failures;
}

/** Runs `load` against a process started with --cpu-prof in `profDir`, stops it, returns its profile. */
async function profiled(
  profDir: string,
  start: (flags: string[]) => Promise<Running>,
  load: (baseUrl: string, seconds: number) => Promise<LoadResult>,
): Promise<
  { profile: CpuProfile; result: LoadResult; window: { fromEndMs: number; toEndMs: number } } | undefined
> {
  const running = await start(['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  let result: LoadResult;
  let startedAt = 0;
  let endedAt = 0;
  try {
    await load(running.baseUrl, 2); // warm-up, not in the window
    startedAt = Date.now();
    result = await load(running.baseUrl, 10);
    endedAt = Date.now();
  } finally {
    await running.stop();
  }
  const stoppedAt = Date.now();
  const files = (await readdir(profDir).catch(() => [] as string[])).filter((f) =>
    f.includes(`.${running.pid}.`),
  );
  if (files.length === 0) return undefined;
  const profile = JSON.parse(await readFile(join(profDir, files[0]), 'utf8')) as CpuProfile;
  return { profile, result, window: { fromEndMs: stoppedAt - startedAt, toEndMs: stoppedAt - endedAt } };
}

/**
 * CPU profiles of the service and of the bare baseline while they create servers (concurrency
 * 8, 10 s each): copies of both processes started with --cpu-prof, stopped to write the
 * profiles, summarized over the measured run only.
 */
async function profileCreation(
  dir: string,
  bench: BenchDatabase,
  like: Running,
  create: Target,
  token: string,
): Promise<void> {
  const both = (baseUrl: string, seconds: number) => cannon(baseUrl, token, [create], 8, seconds);
  const service = await profiled(
    join(dir, 'prof-service'),
    (flags) =>
      startServiceLike(
        like,
        flags,
        { DATABASE_URL: bench.url, ADMIN_TOKEN: TOKEN, SEED: 'none' },
        join(dir, 'sp.log'),
      ),
    both,
  );
  const bare = await profiled(
    join(dir, 'prof-bare'),
    (flags) => startBare(like, { DATABASE_URL: bench.url }, join(dir, 'bp.log'), flags),
    both,
  );
  for (const [what, p] of [
    ['the service', service],
    ['the bare baseline', bare],
  ] as const) {
    if (!p) {
      console.log(`\n  CPU profile of ${what}: none written`);
      continue;
    }
    const kept = join(tmpdir(), `mci-bench-create-${what === 'the service' ? 'service' : 'bare'}.cpuprofile`);
    await writeFile(kept, JSON.stringify(p.profile));
    console.log(
      `\n  CPU profile of ${what} creating servers (concurrency 8, 10 s, ${fmt(p.result.rps)} req/s; main thread,` +
        ` measured run only; ${kept}):`,
    );
    console.log(summarizeProfile(p.profile, p.result.requests, p.window, what === 'the service' ? 16 : 8));
  }
}
