/**
 * Catalog benchmark (issue 2): load 1,000,000 images over 30 clouds in bulk at no less than half
 * the rows/s of a raw COPY of the same rows, then time filtered, paginated searches through the
 * HTTP service (target p95 < 20 ms) beside the same SQL run on a plain pg client. A third load,
 * the repository's insertImagesBulk alone, is printed (not judged) to tell its cost from the service's.
 *
 * Sections (all by default; name some to run only those): `npm run bench -- load rss`; see
 * `npm run bench -- --help`. vc, load and rss are issue 4's and issue 11's (bench/vc.ts,
 * bench/http-load.ts, bench/idle-rss.ts).
 *
 * Usage: `npm run bench` starts a throw-away PostgreSQL cluster of its own (initdb in a temp dir,
 * removed at the end) unless `BENCH_DATABASE_URL` (or DATABASE_URL) names a server; `BENCH_ROWS=100000`
 * for a quicker run. Works in a fresh `mci_bench_*` database it drops afterwards. Exits 1 on FAIL.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../packages/server/src/app.ts';
import {
  benchServer,
  createBenchDatabase,
  redact,
  type BenchDatabase,
  type BenchServer,
} from './bench-database.ts';
import { runHttpLoad } from './http-load.ts';
import { runIdleRss } from './idle-rss.ts';
import { BENCH_ADMIN_TOKEN, createFixtures, type BenchFixtures } from './fixtures.ts';
import {
  BATCH_SIZE,
  checkpoint,
  copyLoad,
  fmtInt,
  encodeCopyData,
  repositoryLoad,
  serviceLoad,
  tableDigest,
  truncateImages,
  type LoadPlan,
  type LoadResult,
} from './load.ts';
import { latencyByKind, ms, passFail, table, type Latency } from './report.ts';
import { runVcBench } from './vc.ts';
import { runSyncBench } from './sync.ts';
import { explainAnalyze, PAGE_LIMIT, replaySql, runHttpSearches, type Sample } from './search.ts';

const DEFAULT_ROWS = 1_000_000;
const LOAD_RATIO_TARGET = 0.5;
const P95_TARGET_MS = 20;
const KEYSET_INDEX = 'images_cloud_name_id_idx';

/** Row count from BENCH_ROWS (default one million). */
function rowsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.BENCH_ROWS ?? String(DEFAULT_ROWS);
  const rows = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(rows) || rows < 1000)
    throw new Error(`bench: BENCH_ROWS must be an integer ≥ 1000, got "${raw}"`);
  return rows;
}

interface LoadOutcome {
  copy: LoadResult;
  /** insertImagesBulk alone: shown to locate the cost, not judged. */
  repository: LoadResult;
  service: LoadResult;
  ratio: number;
  sameRows: boolean;
}

/**
 * Loads the rows by raw COPY, then (after emptying the table each time) through the repository
 * alone and through the service, and checks all three stored the same rows. Making the rows is
 * the bench's own cost, so no clock counts it.
 */
async function runLoads(bench: BenchDatabase, fixtures: BenchFixtures, plan: LoadPlan): Promise<LoadOutcome> {
  const encoded = encodeCopyData(plan);
  console.log(`\nrows generated and COPY-encoded in ${encoded.seconds.toFixed(1)} s (not timed)`);

  console.log(
    `\nload 1 (baseline): one raw COPY images FROM STDIN (pg-copy-streams) into the empty, indexed table`,
  );
  await checkpoint(bench.database);
  const copy = await copyLoad(bench.url, encoded.chunks);
  encoded.chunks.length = 0; // frees the COPY text (~350 MB at a million rows) before the next loads
  const digests = [await tableDigest(bench.database)];

  console.log(
    `\nload 2 (diagnostic): catalogRepository.insertImagesBulk alone, ${fmtInt(BATCH_SIZE)} rows per transaction`,
  );
  await truncateImages(bench.database);
  await checkpoint(bench.database);
  const repository = await repositoryLoad(bench.database, plan);
  digests.push(await tableDigest(bench.database));

  console.log(
    `\nload 3: createImagesBulk (service, as superuser), ${fmtInt(BATCH_SIZE)} rows per call and transaction;` +
      ' only the calls are timed',
  );
  await truncateImages(bench.database);
  await checkpoint(bench.database);
  const service = await serviceLoad(fixtures.ctx, fixtures.superuser, plan);
  digests.push(await tableDigest(bench.database));

  const sameRows = digests.every((d) => d.rows === plan.total && d.digest === digests[0].digest);
  console.log(
    `\nsame rows stored by all three loads (every column but id and timestamps): ${sameRows ? 'yes' : 'NO'}` +
      ` (${digests.map((d) => `${fmtInt(d.rows)} rows #${d.digest}`).join(', ')})`,
  );
  return { copy, repository, service, ratio: service.rowsPerSecond / copy.rowsPerSecond, sameRows };
}

/** The load table: each bulk figure beside the COPY baseline; only the service's is judged. */
function printLoadTable(load: LoadOutcome): void {
  const row = (path: string, r: LoadResult, target: string, result: string) => [
    path,
    fmtInt(r.rows),
    r.seconds.toFixed(1),
    fmtInt(r.rowsPerSecond),
    fmtInt(load.copy.rowsPerSecond),
    (r.rowsPerSecond / load.copy.rowsPerSecond).toFixed(2),
    target,
    result,
  ];
  console.log('\nLOAD  (rows/s of each path; baseline = the raw COPY of the same rows in this run)');
  console.log(
    table(
      ['path', 'rows', 'seconds', 'rows/s', 'baseline rows/s (COPY)', 'ratio', 'target', 'result'],
      [
        row('COPY FROM STDIN (baseline)', load.copy, '', ''),
        row('insertImagesBulk (repository)', load.repository, '', 'info'),
        row(
          'createImagesBulk (service)',
          load.service,
          `>= ${LOAD_RATIO_TARGET.toFixed(2)}`,
          passFail(load.ratio >= LOAD_RATIO_TARGET),
        ),
      ],
    ),
  );
}

/** Per-kind HTTP latencies beside the SQL-only baseline of the same statements. */
function printSearchTable(http: Map<string, Latency>, sql: Map<string, Latency>): void {
  console.log(
    `\nSEARCH  GET /v1/clouds/{c}/images, limit ${PAGE_LIMIT}, up to 4 pages per walk via nextCursor; ms.` +
      '\n        baseline = the same SQL statement (captured from listImages) run on a plain pg client',
  );
  const rows = [...http.entries()].map(([kind, h]) => {
    const s = sql.get(kind)!;
    return [
      kind,
      String(h.n),
      ms(h.p50),
      ms(h.p95),
      ms(h.p99),
      ms(h.max),
      ms(s.p50),
      ms(s.p95),
      ms(s.p99),
      ms(h.p50 - s.p50),
    ];
  });
  console.log(
    table(['kind', 'n', 'p50', 'p95', 'p99', 'max', 'SQL p50', 'SQL p95', 'SQL p99', 'overhead p50'], rows),
  );
  const overall = http.get('overall')!;
  console.log(
    `  target: overall p95 < ${P95_TARGET_MS} ms: ${ms(overall.p95)} ms → ${passFail(overall.p95 < P95_TARGET_MS)}`,
  );
}

/** One-line description of a sample's filter, for the plan headings. */
function describe(sample: Sample): string {
  const { cloudId: _c, limit: _l, visibleTo, after, ...filters } = sample.filter;
  const parts = Object.entries(filters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`);
  if (visibleTo) parts.push('as member');
  parts.push(after ? 'page ≥ 2' : 'page 1');
  return `${sample.kind}: ${parts.join(', ')}`;
}

/** Prints EXPLAIN ANALYZE of the typical list query and says whether it walks the keyset index. */
async function explainTypical(url: string, samples: readonly Sample[]): Promise<boolean> {
  const typical =
    samples.find((s) => s.kind === 'none' && s.filter.after) ?? samples.find((s) => s.kind === 'none')!;
  const plan = await explainAnalyze(url, typical.filter);
  const usesIndex = plan.some((line) => line.includes(KEYSET_INDEX));
  console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of the typical list query (${describe(typical)}):`);
  console.log(plan.map((line) => `  ${line}`).join('\n'));
  console.log(`  uses ${KEYSET_INDEX}: ${usesIndex ? 'yes' : 'NO'}`);
  return usesIndex;
}

/** Prints EXPLAIN ANALYZE of the slowest SQL-baseline statement, the first place to look when p95 slips. */
async function explainSlowest(url: string, sql: readonly Sample[]): Promise<void> {
  const slowest = sql.reduce((a, b) => (b.ms > a.ms ? b : a));
  console.log(`\nslowest SQL statement (${ms(slowest.ms)} ms, ${describe(slowest)}):`);
  console.log((await explainAnalyze(url, slowest.filter)).map((line) => `  ${line}`).join('\n'));
}

/** Starts the app on a free port and runs the searches and their SQL baseline. */
async function runSearches(
  app: FastifyInstance,
  bench: BenchDatabase,
  fixtures: BenchFixtures,
  plan: LoadPlan,
): Promise<{ http: Sample[]; sql: Sample[] }> {
  const started = performance.now();
  // Done here, as autovacuum would after a bulk load, so that no autovacuum worker runs during the timings.
  await bench.database.pool!.query('vacuum (analyze) images');
  console.log(`\nVACUUM (ANALYZE) images: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const http = await runHttpSearches({
    baseUrl,
    adminToken: BENCH_ADMIN_TOKEN,
    member: fixtures.member,
    clouds: fixtures.clouds,
    total: plan.total,
    accounts: fixtures.accounts,
  });
  const sql = await replaySql(bench.url, http);
  return { http, sql };
}

/** The whole run; returns the reasons it failed (empty when it passed). */
async function runBench(bench: BenchDatabase, total: number): Promise<string[]> {
  const app = await buildApp({ database: bench.database, logLevel: 'silent' });
  try {
    const fixtures = await createFixtures(bench.database, app.log);
    const plan: LoadPlan = { total, clouds: fixtures.clouds, accounts: fixtures.accounts };
    console.log(
      `setup through the services: ${fixtures.accounts.owners.length + fixtures.accounts.sharees.length} accounts, ` +
        `1 member user (observer of one account), ${fixtures.clouds.length} clouds`,
    );

    const load = await runLoads(bench, fixtures, plan);
    printLoadTable(load);

    const { http, sql } = await runSearches(app, bench, fixtures, plan);
    const httpLatency = latencyByKind(http);
    printSearchTable(httpLatency, latencyByKind(sql));
    const usesIndex = await explainTypical(bench.url, http);
    await explainSlowest(bench.url, sql);

    const failures: string[] = [];
    if (load.ratio < LOAD_RATIO_TARGET)
      failures.push(`load ratio ${load.ratio.toFixed(2)} < ${LOAD_RATIO_TARGET}`);
    if (!load.sameRows) failures.push('the two loads stored different rows');
    const p95 = httpLatency.get('overall')!.p95;
    if (!(p95 < P95_TARGET_MS)) failures.push(`search p95 ${ms(p95)} ms >= ${P95_TARGET_MS} ms`);
    if (!usesIndex) failures.push(`the typical list query does not use ${KEYSET_INDEX}`);
    return failures;
  } finally {
    await app.close();
  }
}

const SECTIONS = {
  vc: 'diff/merge of 1,000-cloud MCIs (in process)',
  catalog: 'bulk load and search of BENCH_ROWS images (PostgreSQL)',
  load: 'HTTP load on PostgreSQL: create a server, MCI, template clouds, image page; RSS under load',
  profile: 'CPU profile of the service creating servers (PostgreSQL)',
  rss: 'idle RSS of `npm start` on PGlite beside a bare fastify process',
  sync: 'catalog sync of 10,000 moto images vs SDK paging; API p99 while syncs run (PostgreSQL, PGlite)',
} as const;
type Section = keyof typeof SECTIONS;

/** Sections named on the command line (`npm run bench -- load rss`), or all of them. */
function sectionsFrom(argv: readonly string[]): Set<Section> {
  const names = argv.filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !(n in SECTIONS));
  if (unknown.length > 0 || argv.includes('--help')) {
    const list = Object.entries(SECTIONS)
      .map(([k, v]) => `  ${k.padEnd(8)} ${v}`)
      .join('\n');
    throw new Error(
      `bench: ${unknown.length ? `unknown section ${unknown.join(', ')}` : 'usage'}: npm run bench [-- section …]\n${list}`,
    );
  }
  return new Set((names.length > 0 ? names : Object.keys(SECTIONS)) as Section[]);
}

/** Runs the catalog section on a database of its own. */
async function catalogSection(server: BenchServer, total: number, register: (db: BenchDatabase) => void) {
  const benchDb = await createBenchDatabase(server.url);
  register(benchDb);
  try {
    const { rows } = await benchDb.database.pool!.query<{ server_version: string }>('show server_version');
    console.log(
      `\ncatalog bench: ${fmtInt(total)} images over 30 clouds, PostgreSQL ${rows[0].server_version} ` +
        `(${redact(benchDb.url)}, ${server.origin}; dropped at the end)`,
    );
    return await runBench(benchDb, total);
  } finally {
    await benchDb.drop();
  }
}

/** Runs the load (and profile) sections on a database of their own. */
async function loadSection(
  server: BenchServer,
  profile: boolean,
  only: boolean,
  register: (db: BenchDatabase) => void,
) {
  const benchDb = await createBenchDatabase(server.url);
  register(benchDb);
  try {
    return await runHttpLoad({ server, bench: benchDb, profile, measure: !only });
  } finally {
    await benchDb.drop();
  }
}

/** Runs the sync section on a database of its own. */
async function syncSection(server: BenchServer, register: (db: BenchDatabase) => void) {
  const benchDb = await createBenchDatabase(server.url);
  register(benchDb);
  try {
    return await runSyncBench({ server, bench: benchDb });
  } finally {
    await benchDb.drop();
  }
}

/** Runs the chosen sections, always cleans up, sets the exit code. */
async function main(): Promise<void> {
  const sections = sectionsFrom(process.argv.slice(2));
  const started = performance.now();
  const failures: string[] = [];
  if (sections.has('vc') && !runVcBench()) failures.push('diff/merge p95 ≥ 5 ms');
  const needsPostgres =
    sections.has('catalog') || sections.has('load') || sections.has('profile') || sections.has('sync');
  const total = sections.has('catalog') ? rowsFromEnv(process.env) : 0;
  const server = needsPostgres ? await benchServer(process.env) : undefined;
  const open = new Set<BenchDatabase>();
  const register = (db: BenchDatabase) => open.add(db);
  const cleanUp = async () => {
    for (const db of open) await db.drop().catch(() => undefined);
    await server?.stop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nbench: ${signal}, dropping ${[...open].map((d) => d.name).join(', ') || 'nothing'}`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (sections.has('catalog')) failures.push(...(await catalogSection(server!, total, register)));
    if (sections.has('load') || sections.has('profile'))
      failures.push(
        ...(await loadSection(server!, sections.has('profile'), !sections.has('load'), register)),
      );
    if (sections.has('rss')) failures.push(...(await runIdleRss()));
    if (sections.has('sync')) failures.push(...(await syncSection(server!, register)));
    console.log(
      `\nbench: ${[...sections].join(', ')} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    console.log(failures.length === 0 ? 'bench: PASS' : `bench: FAIL (${failures.join('; ')})`);
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof Error && error.stack && !error.message.startsWith('bench:'))
    console.error(error.stack);
  process.exitCode = 2;
});
