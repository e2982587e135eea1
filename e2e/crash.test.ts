import { spawn } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  startServer,
  type RunningServer,
  apiOf as apiOfServer,
  type Api,
} from './support/server.ts';

/**
 * The crash tier (issue 11): a real server process is killed with SIGKILL in the middle of work,
 * restarted on the same data, and what it had acknowledged is checked to be all there and what
 * it had not to be all or nothing. Runs on the embedded PGlite always, and on PostgreSQL too
 * when DATABASE_URL is set. The servers run compiled, as `npm start` runs them (fast restarts).
 */

const ADMIN_TOKEN = 'crash-admin-token-0123456789';
const RUN = Date.now().toString(36);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const apiOf = (server: RunningServer): Api => apiOfServer(server, ADMIN_TOKEN);

/** Every item of a paged list. */
/**
 * How long one warm request takes: the faster of two different ones (`request(0)`, `request(99)`;
 * the first also pays for warming up).
 */
async function timed(request: (n: number) => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (const n of [0, 99]) {
    const started = Date.now();
    await request(n);
    fastest = Math.min(fastest, Date.now() - started);
  }
  return fastest;
}

async function all<T = any>(api: Api, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { items: T[]; nextCursor: string | null } = await api(
      'GET',
      `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Settles each of `requests`: its answer, or the error of a connection the kill cut. */
function settle<T>(requests: Promise<T>[]): Promise<({ ok: true; value: T } | { ok: false })[]> {
  return Promise.all(
    requests.map((r) =>
      r.then(
        (value) => ({ ok: true as const, value }),
        () => ({ ok: false as const }),
      ),
    ),
  );
}

const engines = [
  { name: 'PGlite', pg: false },
  ...(process.env.DATABASE_URL ? [{ name: 'PostgreSQL', pg: true }] : []),
];

describe.each(engines)('kill -9 and restart on $name (crash tier)', ({ pg }) => {
  let dir: string;
  let env: Record<string, string>;
  let server: RunningServer;
  let api: Api;
  let accountId: string;
  let cloudId: string;
  let instanceTypeId: string;

  const start = async () => {
    server = await startServer(env, { compiled: true });
    api = apiOf(server);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mci-crash-'));
    env = {
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: pg ? process.env.DATABASE_URL! : '',
      ADMIN_TOKEN,
      SEED: 'none',
      // No dashboard: nothing to build or serve here.
      DASHBOARD_DIR: join(dir, 'no-dashboard'),
    };
    await start();
    accountId = (await api('POST', '/v1/accounts', { name: `crash ${RUN} ${pg ? 'pg' : 'pglite'}` })).id;
    cloudId = (
      await api('POST', '/v1/clouds', { name: `crash ${RUN} ${pg}`, cloudType: 'simulated', region: 'r1' })
    ).id;
    instanceTypeId = (
      await api('POST', `/v1/clouds/${cloudId}/instance-types`, {
        resourceUid: 'small',
        name: 'small',
        cpuCount: 1,
        memoryMb: 512,
        cpuArchitectures: ['x86_64'],
      })
    ).id;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const images = (batch: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      resourceUid: `img-${batch}-${i}`,
      name: `batch ${batch} image ${i}`,
      cpuArchitecture: 'x86_64',
      visibility: 'public',
    }));

  it('bulk image registration: each request is all of its images or none; acknowledged ones all', async () => {
    const size = 1_000;
    const oneTook = await timed((n) =>
      api('POST', `/v1/clouds/${cloudId}/images/bulk`, { images: images(n, size) }),
    );

    // Six at once take at least one request's time (more where the work is CPU-bound): the kill
    // at a third of it lands while they run, however fast the machine is.
    const batches = [1, 2, 3, 4, 5, 6];
    const inFlight = batches.map((b) =>
      api('POST', `/v1/clouds/${cloudId}/images/bulk`, { images: images(b, size) }),
    );
    await sleep(Math.max(10, oneTook / 3));
    const killed = server.kill('SIGKILL');
    const answers = await settle(inFlight);
    await killed;
    await start();
    expect(answers.filter((a) => !a.ok).length, 'the kill landed while work was in flight').toBeGreaterThan(
      0,
    );

    const stored = await all<{ name: string }>(api, `/v1/clouds/${cloudId}/images`);
    const perBatch = [0, ...batches].map(
      (b) => stored.filter((i) => i.name.startsWith(`batch ${b} `)).length,
    );
    expect(perBatch[0]).toBe(size);
    perBatch.slice(1).forEach((n, k) => {
      expect([0, size], `batch ${k + 1}`).toContain(n);
      if (answers[k].ok) expect(n, `acknowledged batch ${k + 1}`).toBe(size);
    });
  });

  it('template apply: a template and all the MCIs it created, or none of them', async () => {
    const imageId = (await all<{ id: string }>(api, `/v1/clouds/${cloudId}/images`))[0].id;
    const doc = (t: number) => ({
      name: `crash ${RUN} t${t}`,
      mcis: Array.from({ length: 20 }, (_, m) => ({
        name: `crash ${RUN} t${t} mci ${m}`,
        settings: [{ cloudId, imageId, instanceTypeId }],
      })),
    });
    const base = `/v1/accounts/${accountId}/server-templates/apply`;
    const oneTook = await timed((n) => api('POST', base, doc(n)));

    const applies = [1, 2, 3, 4, 5, 6, 7, 8];
    const inFlight = applies.map((t) => api('POST', base, doc(t)));
    await sleep(Math.max(10, oneTook / 3));
    const killed = server.kill('SIGKILL');
    const answers = await settle(inFlight);
    await killed;
    await start();
    expect(answers.filter((a) => !a.ok).length, 'the kill landed while work was in flight').toBeGreaterThan(
      0,
    );

    for (const t of [0, ...applies]) {
      const templates = await all<{ id: string; links: unknown[] }>(
        api,
        `/v1/accounts/${accountId}/server-templates?q=${encodeURIComponent(`crash ${RUN} t${t}`)}&revision=0`,
      );
      const mcis = await all(
        api,
        `/v1/accounts/${accountId}/mcis?q=${encodeURIComponent(`crash ${RUN} t${t} mci `)}&revision=0`,
      );
      const acknowledged = t === 0 || answers[t - 1].ok;
      if (acknowledged || templates.length > 0) {
        expect(templates, `template ${t}`).toHaveLength(1);
        const template = await api<{ links: unknown[] }>(
          'GET',
          `/v1/accounts/${accountId}/server-templates/${templates[0].id}`,
        );
        expect(template.links, `template ${t}`).toHaveLength(20);
        expect(mcis, `MCIs of template ${t}`).toHaveLength(20);
      } else {
        expect(mcis, `MCIs of template ${t}, which did not survive`).toHaveLength(0);
      }
    }
  });

  it('a run of commits on one lineage: numbers 1..n without a gap, every acknowledged one there', async () => {
    const imageId = (await all<{ id: string }>(api, `/v1/clouds/${cloudId}/images`))[0].id;
    const mci = await api<{ id: string }>('POST', `/v1/accounts/${accountId}/mcis`, {
      name: `crash ${RUN} commits`,
      settings: [{ cloudId, imageId, instanceTypeId }],
    });
    const acknowledged: number[] = [];
    let stop = false;
    // Two committers on the one lineage, until the kill cuts them off.
    const committer = async (who: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await api<{ revision: number }>(
            'POST',
            `/v1/accounts/${accountId}/mcis/${mci.id}/commit`,
            { message: `committer ${who} commit ${i}` },
          );
          acknowledged.push(r.revision);
        } catch {
          return;
        }
      }
    };
    const running = [committer(1), committer(2)];
    while (acknowledged.length < 10) await sleep(10);
    await sleep(50 + Math.random() * 100);
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(running);
    await start();

    const revisions = await all<{ revision: number; lineageId?: string }>(
      api,
      `/v1/accounts/${accountId}/mcis/${mci.id}/revisions`,
    );
    const numbers = revisions
      .map((r) => r.revision)
      .filter((n) => n > 0)
      .sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    for (const n of acknowledged) expect(numbers, `acknowledged revision ${n}`).toContain(n);
    expect(numbers.length).toBeLessThanOrEqual(acknowledged.length + 2);

    // The lineage goes on where it stopped.
    const next = await api<{ revision: number }>('POST', `/v1/accounts/${accountId}/mcis/${mci.id}/commit`, {
      message: 'after the restart',
    });
    expect(next.revision).toBe(numbers.length + 1);
  });

  it.skipIf(pg)(
    'a second server on the same PGlite directory is refused; after kill -9 the directory starts again',
    async () => {
      const second = await runToExit({ ...env, PORT: '0' });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`the data directory ${await realpath(env.DATA_DIR)} is in use`);
      expect(second.stderr).toContain(`pid ${server.pid}`);

      // kill -9 leaves the lock file behind; two servers starting at once on it: exactly one wins.
      await server.kill('SIGKILL');
      const [a, b] = await settle([
        startServer(env, { compiled: true }),
        startServer(env, { compiled: true }),
      ]);
      const winners = [a, b].filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      server = (winners[0] as { ok: true; value: RunningServer }).value;
      api = apiOf(server);
      expect((await api<{ items: unknown[] }>('GET', `/v1/clouds?limit=1`)).items.length).toBe(1);
      const lock = JSON.parse(await readFile(join(env.DATA_DIR, 'mci-server.lock'), 'utf8'));
      expect(lock.pid).toBe(server.pid);
    },
  );
});

/** Runs the compiled server with `env` until it exits (a refused start exits at once). */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: REPO_ROOT,
      env: { ...process.env, HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
