/**
 * Catalog sync benchmark (issue 12), against a real moto holding a 10,000-image catalog:
 *
 *   (a) sync of the 10,000 images into an empty catalog, on PostgreSQL, by the service process
 *       (`npm start`, its own job worker), vs the baseline measured in the same run: paging the
 *       same images out of moto through the same AWS SDK driver and nothing else.
 *       Target: sync time ≤ 1.25 × baseline; rows/s printed. A second sync (nothing changed) is
 *       printed too.
 *   (b) API p99 of reading an MCI and of creating a server while syncs run, vs the same load idle:
 *       ≤ 2 × on PostgreSQL (judged); on PGlite printed, not judged.
 *
 * The service runs as operators run it (`npm start`, JOB_WORKERS=1); moto from `.cache/venv-moto`
 * (e2e/peers/moto.ts installs it on first use).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto, type RunningMoto } from '../e2e/peers/moto.ts';
import { createAwsDriver } from '../packages/server/src/clouds/aws-driver.ts';
import type { BenchDatabase, BenchServer } from './bench-database.ts';
import { startService, type Running } from './processes.ts';
import { latencyOf, ms, passFail, table, type Latency } from './report.ts';

const TOKEN = 'mci_bench-sync-admin-token-0123456789abcdef';
const IMAGES = Number(process.env.BENCH_SYNC_IMAGES ?? 10_000);
const OWNER = '137112412989';
const REGION = 'us-east-1';
const SYNC_RATIO_TARGET = 1.25;
const P99_RATIO_TARGET = 2;
const LOAD_CONCURRENCY = 4;
const ROUNDS = 3;
const loadSeconds = () => Number(process.env.BENCH_SYNC_LOAD_SECONDS ?? 8);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The moto catalog: IMAGES public AMIs of one owner, half x86_64 and half arm64. */
function motoAmis(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, n) => ({
    ami_id: `ami-${(0x10000000000 + n).toString(16).padStart(17, '0')}`,
    name: `bench-al2023-ami-2026.${Math.floor(n / 100)}.${n % 100}-${n % 2 ? 'arm64' : 'x86_64'}`,
    description: `Bench image ${n}`,
    owner_id: OWNER,
    public: true,
    virtualization_type: 'hvm',
    architecture: n % 2 ? 'arm64' : 'x86_64',
    state: 'available',
    platform: null,
    root_device_type: 'ebs',
    root_device_name: '/dev/xvda',
    sriov: 'simple',
    hypervisor: 'xen',
  }));
}

async function call(baseUrl: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`bench: ${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/** The baseline: every page of the owner's images out of moto through the driver, nothing else. */
async function pageThroughSdk(endpoint: string): Promise<{ seconds: number; images: number }> {
  const driver = createAwsDriver({
    region: REGION,
    credentials: { accessKeyId: 'AKIABENCHBASELINE000', secretAccessKey: 'bench' },
    endpoint,
    maxAttempts: 1,
  });
  const started = performance.now();
  let images = 0;
  let nextToken: string | undefined;
  do {
    const page = await driver.listImages({ owners: [OWNER], nameFilters: [], nextToken, pageSize: 1000 });
    images += page.items.length;
    nextToken = page.nextToken;
  } while (nextToken);
  await driver.listInstanceTypes();
  return { seconds: (performance.now() - started) / 1000, images };
}

interface SyncFixtures {
  accountId: string;
  mciId: string;
  templateId: string;
  deploymentId: string;
  manualCloudId: string;
}

/** An account with moto credentials, and a hand-kept cloud with an MCI, a template and a deployment. */
async function createFixtures(baseUrl: string, endpoint: string): Promise<SyncFixtures> {
  const account = await call(baseUrl, 'POST', '/v1/accounts', { name: 'bench-sync' });
  await call(baseUrl, 'POST', `/v1/accounts/${account.id}/cloud-credentials`, {
    cloudType: 'aws',
    accessKeyId: 'AKIABENCHSYNC0000000',
    secretAccessKey: 'bench-secret',
    endpoint,
  });
  const cloud = await call(baseUrl, 'POST', '/v1/clouds', {
    name: 'Bench manual cloud',
    cloudType: 'aws',
    region: 'bench-1',
    driver: 'none',
  });
  const type = await call(baseUrl, 'POST', `/v1/clouds/${cloud.id}/instance-types`, {
    resourceUid: 'm5.large',
    name: 'm5.large',
    cpuCount: 2,
    memoryMb: 8192,
    cpuArchitectures: ['x86_64'],
  });
  const image = await call(baseUrl, 'POST', `/v1/clouds/${cloud.id}/images`, {
    resourceUid: 'ami-bench-manual',
    name: 'Bench manual image',
    cpuArchitecture: 'x86_64',
    visibility: 'public',
  });
  const mci = await call(baseUrl, 'POST', `/v1/accounts/${account.id}/mcis`, { name: 'bench-sync-mci' });
  await call(baseUrl, 'POST', `/v1/accounts/${account.id}/mcis/${mci.id}/settings`, {
    cloudId: cloud.id,
    imageId: image.id,
    instanceTypeId: type.id,
  });
  const template = await call(baseUrl, 'POST', `/v1/accounts/${account.id}/server-templates`, {
    name: 'bench-sync-template',
  });
  await call(baseUrl, 'POST', `/v1/accounts/${account.id}/server-templates/${template.id}/mcis`, {
    mciId: mci.id,
  });
  const deployment = await call(baseUrl, 'POST', `/v1/accounts/${account.id}/deployments`, {
    name: 'bench-sync-deployment',
  });
  return {
    accountId: account.id,
    mciId: mci.id,
    templateId: template.id,
    deploymentId: deployment.id,
    manualCloudId: cloud.id,
  };
}

let cloudCounter = 0;

/** A new connected cloud in moto's region, listing the bench owner's images. */
async function newSyncedCloud(baseUrl: string): Promise<string> {
  cloudCounter += 1;
  const cloud = await call(baseUrl, 'POST', '/v1/clouds', {
    name: `Bench AWS ${REGION} #${cloudCounter}`,
    cloudType: 'aws',
    region: REGION,
    driver: 'aws',
    sync: { owners: [OWNER], nameFilters: [], intervalSeconds: null },
  });
  return cloud.id;
}

interface SyncTiming {
  /** The job's own run: started → finished, as the service recorded it. */
  seconds: number;
  /** From the POST to the finished job as the bench saw it (includes the worker's pick-up). */
  wallSeconds: number;
  images: number;
}

async function syncOnce(baseUrl: string, cloudId: string): Promise<SyncTiming> {
  const started = performance.now();
  const job = await call(baseUrl, 'POST', `/v1/clouds/${cloudId}/sync`);
  for (;;) {
    const now = await call(baseUrl, 'GET', `/v1/jobs/${job.id}`);
    if (now.state === 'succeeded') {
      const seconds = (Date.parse(now.finishedAt) - Date.parse(now.startedAt)) / 1000;
      return { seconds, wallSeconds: (performance.now() - started) / 1000, images: now.progress.done };
    }
    if (now.state === 'failed' || now.state === 'cancelled')
      throw new Error(`bench: sync job ${job.id} ${now.state}: ${now.error}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Closed-loop load at LOAD_CONCURRENCY: MCI reads and server creations alternating, until `until()`. */
async function apiLoad(
  baseUrl: string,
  f: SyncFixtures,
  until: () => boolean,
): Promise<{ read: Latency; create: Latency }> {
  const read: number[] = [];
  const create: number[] = [];
  let n = 0;
  const worker = async (w: number) => {
    while (!until()) {
      const i = n++;
      const started = performance.now();
      if (i % 2 === 0) {
        await call(baseUrl, 'GET', `/v1/accounts/${f.accountId}/mcis/${f.mciId}`);
        read.push(performance.now() - started);
      } else {
        await call(baseUrl, 'POST', `/v1/accounts/${f.accountId}/deployments/${f.deploymentId}/servers`, {
          name: `bench-${w}-${i}`,
          serverTemplateId: f.templateId,
          cloudId: f.manualCloudId,
        });
        create.push(performance.now() - started);
      }
    }
  };
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, (_, w) => worker(w)));
  return { read: latencyOf(read), create: latencyOf(create) };
}

/** Load for a while with nothing else running, then for as long while syncs of new clouds run back to back. */
async function p99UnderSync(baseUrl: string, f: SyncFixtures) {
  // Warm-up: the first requests compile the routes and fill the statement caches.
  let end = performance.now() + 2000;
  await apiLoad(baseUrl, f, () => performance.now() > end);
  end = performance.now() + loadSeconds() * 1000;
  const idle = await apiLoad(baseUrl, f, () => performance.now() > end);
  let syncing = true;
  let syncs = 0;
  const background = (async () => {
    const stopAt = performance.now() + loadSeconds() * 1000;
    while (performance.now() < stopAt) {
      await syncOnce(baseUrl, await newSyncedCloud(baseUrl));
      syncs += 1;
    }
    syncing = false;
  })();
  const busy = await apiLoad(baseUrl, f, () => !syncing);
  await background;
  return { idle, busy, syncs };
}

function latencyRows(label: string, idle: Latency, busy: Latency): string[] {
  return [
    label,
    String(idle.n),
    ms(idle.p99),
    String(busy.n),
    ms(busy.p99),
    (busy.p99 / idle.p99).toFixed(2),
    ms(busy.max),
  ];
}

async function withService<T>(env: Record<string, string>, work: (svc: Running) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mci-bench-sync-'));
  const svc = await startService(
    {
      SEED: 'none',
      ADMIN_TOKEN: TOKEN,
      AWS_MAX_ATTEMPTS: '1',
      JOB_WORKERS: '1',
      DATA_DIR: join(dir, 'data'),
      SECRET_KEY: 'bench-secret-key-0123456789abcdef0123456789',
      ...env,
    },
    join(dir, 'service.log'),
  );
  try {
    return await work(svc);
  } finally {
    await svc.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs (a) and (b); returns the failed targets. */
export async function runSyncBench(input: { server: BenchServer; bench: BenchDatabase }): Promise<string[]> {
  const failures: string[] = [];
  console.log(`\nsync bench: moto with ${IMAGES.toLocaleString('en')} images of owner ${OWNER} in ${REGION}`);
  const moto: RunningMoto = await startMoto({ amis: motoAmis(IMAGES) });
  try {
    // Baseline and sync taken in turns, three times each (a fresh cloud per sync, so each is a
    // first sync into an empty catalog); medians compared, so that neither side profits from a
    // warm moto or a quiet moment alone.
    const baselines: number[] = [];
    const pg = await withService({ DATABASE_URL: input.bench.url }, async (svc) => {
      const f = await createFixtures(svc.baseUrl, moto.endpoint);
      const firsts: SyncTiming[] = [];
      let cloudId = '';
      for (let round = 0; round < ROUNDS; round++) {
        const listed = await pageThroughSdk(moto.endpoint);
        if (listed.images !== IMAGES)
          throw new Error(`bench: moto listed ${listed.images} images, expected ${IMAGES}`);
        baselines.push(listed.seconds);
        cloudId = await newSyncedCloud(svc.baseUrl);
        firsts.push(await syncOnce(svc.baseUrl, cloudId));
      }
      const second = await syncOnce(svc.baseUrl, cloudId);
      const load = await p99UnderSync(svc.baseUrl, f);
      const first = [...firsts].sort((a, b) => a.seconds - b.seconds)[Math.floor(ROUNDS / 2)];
      return { first, firsts, second, load };
    });
    const baseline = median(baselines);
    const ratio = pg.first.seconds / baseline;
    const syncOk = ratio <= SYNC_RATIO_TARGET && pg.first.images === IMAGES;
    console.log(
      `\n(a) sync of ${IMAGES.toLocaleString('en')} images on PostgreSQL vs paging them through the SDK\n` +
        table(
          ['run', 'seconds', 'images', 'rows/s', '× baseline', 'target', 'verdict'],
          [
            [
              `baseline: SDK paging only (median of ${ROUNDS})`,
              baseline.toFixed(2),
              String(IMAGES),
              '',
              '1.00',
              '',
              '',
            ],
            [
              `first sync, empty catalog (median of ${ROUNDS})`,
              pg.first.seconds.toFixed(2),
              String(pg.first.images),
              Math.round(pg.first.images / pg.first.seconds).toLocaleString('en'),
              ratio.toFixed(2),
              `≤ ${SYNC_RATIO_TARGET}`,
              passFail(syncOk),
            ],
            [
              'second sync (nothing changed)',
              pg.second.seconds.toFixed(2),
              String(pg.second.images),
              Math.round(pg.second.images / pg.second.seconds).toLocaleString('en'),
              (pg.second.seconds / baseline).toFixed(2),
              '',
              '',
            ],
          ],
        ) +
        `\n  (job run times as the service recorded them; baselines ${baselines.map((b) => b.toFixed(2)).join(', ')} s; ` +
        `first syncs ${pg.firsts.map((t) => t.seconds.toFixed(2)).join(', ')} s; from the POST: ${pg.first.wallSeconds.toFixed(2)} s)`,
    );
    if (!syncOk) failures.push(`sync ${ratio.toFixed(2)} × SDK paging`);

    const pglite = await withService({ DATABASE_URL: '' }, async (svc) => {
      const f = await createFixtures(svc.baseUrl, moto.endpoint);
      return p99UnderSync(svc.baseUrl, f);
    });
    const readOk = pg.load.busy.read.p99 / pg.load.idle.read.p99 <= P99_RATIO_TARGET;
    const createOk = pg.load.busy.create.p99 / pg.load.idle.create.p99 <= P99_RATIO_TARGET;
    console.log(
      `\n(b) API p99 while syncs run (${LOAD_CONCURRENCY} clients, ${loadSeconds()} s idle then as long under syncs; ` +
        `PostgreSQL ${pg.load.syncs} syncs, PGlite ${pglite.syncs})\n` +
        table(
          [
            'request',
            'idle n',
            'idle p99 ms',
            'sync n',
            'sync p99 ms',
            '× idle',
            'sync max ms',
            'target',
            'verdict',
          ],
          [
            [
              ...latencyRows('PostgreSQL: read an MCI', pg.load.idle.read, pg.load.busy.read),
              `≤ ${P99_RATIO_TARGET}`,
              passFail(readOk),
            ],
            [
              ...latencyRows('PostgreSQL: create a server', pg.load.idle.create, pg.load.busy.create),
              `≤ ${P99_RATIO_TARGET}`,
              passFail(createOk),
            ],
            [...latencyRows('PGlite: read an MCI', pglite.idle.read, pglite.busy.read), 'printed', ''],
            [
              ...latencyRows('PGlite: create a server', pglite.idle.create, pglite.busy.create),
              'printed',
              '',
            ],
          ],
        ),
    );
    if (!readOk) failures.push('MCI read p99 under sync > 2 × idle');
    if (!createOk) failures.push('server creation p99 under sync > 2 × idle');
  } finally {
    await moto.stop();
  }
  return failures;
}
