import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, apiOf as apiOfServer, type Api } from './support/server.ts';

/**
 * R-JOB-2 on the embedded PGlite: a real server process syncing a big, slow simulated catalog is
 * killed with SIGKILL in the middle; the database holds whole pages (batches) only, and the job
 * resumes after the restart where the last committed page ended and succeeds.
 */

const ADMIN_TOKEN = 'jobs-crash-admin-token-0123456789';
const PAGE = 50;
const EXTRA = 1500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const apiOf = (server: RunningServer): Api => apiOfServer(server, ADMIN_TOKEN);

async function countImages(api: Api, cloudId: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const page: { items: unknown[]; nextCursor: string | null } = await api(
      'GET',
      `/v1/clouds/${cloudId}/images?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

let dataDir: string;
let server: RunningServer | undefined;

const env = (workers: number) => ({
  DATA_DIR: dataDir,
  // The embedded database, whatever the run's DATABASE_URL (jobs-shared covers PostgreSQL).
  DATABASE_URL: '',
  ADMIN_TOKEN,
  SEED: 'none',
  JOB_WORKERS: String(workers),
  JOB_POLL_MS: '100',
  SIMULATED_CLOUD_LATENCY_MS: '40',
  SIMULATED_CLOUD_PAGE_SIZE: String(PAGE),
  SIMULATED_CLOUD_EXTRA_IMAGES: String(EXTRA),
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mci-jobs-crash-'));
});
afterAll(async () => {
  await server?.kill();
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
});

describe('a sync killed with -9 (R-JOB-2, PGlite)', () => {
  it(
    'R-JOB-2: leaves whole batches only, and the job resumes after the restart and succeeds',
    { timeout: 180_000 },
    async () => {
      server = await startServer(env(1));
      let api = apiOf(server);
      const cloud = await api<{ id: string }>('POST', '/v1/clouds', {
        name: 'Simulated us-east-1',
        cloudType: 'simulated',
        region: 'us-east-1',
        driver: 'simulated',
        sync: { owners: ['amazon'] },
      });
      const job = await api<{ id: string }>('POST', `/v1/clouds/${cloud.id}/sync`);

      // Kill once a good part is committed, well before the end.
      let seen: any;
      for (let i = 0; i < 600; i++) {
        seen = await api('GET', `/v1/jobs/${job.id}`);
        if (seen.progress.done >= 8 * PAGE || (seen.state !== 'running' && seen.state !== 'queued')) break;
        await sleep(25);
      }
      expect(seen.state).toBe('running');
      await server.kill('SIGKILL');

      // Looked at without workers: what is committed is whole pages, as the job's progress says.
      server = await startServer(env(0));
      api = apiOf(server);
      const interrupted = await api('GET', `/v1/jobs/${job.id}`);
      expect(interrupted.state).toBe('running');
      const committed = await countImages(api, cloud.id);
      expect(committed).toBe(interrupted.progress.done);
      expect(committed % PAGE).toBe(0);
      expect(committed).toBeGreaterThanOrEqual(8 * PAGE);
      expect(committed).toBeLessThan(EXTRA);
      expect(await server.stop()).toBe(0);

      // Restarted with a worker: the job is taken up at once (one process on the data directory).
      server = await startServer(env(1));
      api = apiOf(server);
      let done: any;
      for (let i = 0; i < 1200; i++) {
        done = await api('GET', `/v1/jobs/${job.id}`);
        if (done.state === 'succeeded' || done.state === 'failed') break;
        await sleep(50);
      }
      const demoImages = 26; // the demo catalog's us-east-1 images, beside the generated ones
      expect(done).toMatchObject({
        state: 'succeeded',
        attempts: 2,
        error: null,
        progress: { done: EXTRA + demoImages, total: EXTRA + demoImages },
        result: { added: EXTRA + demoImages, retired: 0 },
      });
      expect(await countImages(api, cloud.id)).toBe(EXTRA + demoImages);
      const after = await api('GET', `/v1/clouds/${cloud.id}`);
      expect(after.lastSyncedAt).not.toBeNull();
    },
  );
});
