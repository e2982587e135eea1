import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mci as run } from './support/cli.ts';
import { startServer, type RunningServer } from './support/server.ts';

/** `mci cloud sync` (R-CLD-3, R-JOB-1 in the CLI) against a real server on the demo catalog. */

const ADMIN_TOKEN = 'cli-sync-admin-token-0123456789';
let server: RunningServer;
let dir: string;
let config: string;
const mci = (...args: string[]) => run(config, [...args, '--server', server.baseUrl, '--token', ADMIN_TOKEN]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-cli-sync-'));
  config = join(dir, 'config', 'mci.json');
  server = await startServer({
    DATA_DIR: join(dir, 'data'),
    DATABASE_URL: '',
    SEED: 'demo',
    ADMIN_TOKEN,
    JOB_POLL_MS: '100',
    SIMULATED_CLOUD_PAGE_SIZE: '5',
    SIMULATED_CLOUD_LATENCY_MS: '150',
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

describe('mci cloud sync', () => {
  it('R-CLD-3: `mci cloud sync "AWS us-east-1" --wait` follows the job to its end (plain lines off a terminal)', async () => {
    const res = await mci('cloud', 'sync', 'AWS us-east-1', '--wait');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/sync of AWS us-east-1: job job_/);
    expect(res.stdout).toMatch(/running: (instance types|images \(cloud\)), page \d+/);
    expect(res.stdout).toMatch(/STATE:\s+succeeded/);
    const id = /job (job_[0-9a-z]+)/.exec(res.stdout)![1];

    const shown = await mci('job', 'show', id, '--json');
    expect(shown.code).toBe(0);
    // The demo seed already holds the catalog: the sync finds nothing to change.
    expect(shown.json()).toMatchObject({
      id,
      kind: 'cloud_sync',
      state: 'succeeded',
      result: { added: 0, updated: 0 },
    });

    const listed = await mci('job', 'list', '--cloud', 'AWS us-east-1', '--json');
    expect(listed.json().items.map((j: { id: string }) => j.id)).toContain(id);
    const table = await mci('job', 'list');
    expect(table.stdout).toContain(id);
  });

  it('R-JOB-1: without --wait it prints the queued job; a failed job exits non-zero with its error', async () => {
    const queued = await mci('cloud', 'sync', 'AWS eu-west-1', '--json');
    expect(queued.code).toBe(0);
    expect(queued.json()).toMatchObject({ kind: 'cloud_sync', state: 'queued' });

    // A cloud whose credentials-less listing the aws driver refuses: the job fails.
    const created = await fetch(`${server.baseUrl}/v1/clouds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Real AWS',
        cloudType: 'aws',
        region: 'us-east-1',
        driver: 'aws',
        sync: { owners: ['amazon'] },
      }),
    });
    expect(created.status).toBe(201);
    const failed = await mci('cloud', 'sync', 'Real AWS', '--wait');
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/job job_\w+ failed: .*credentials/);
    expect(failed.stderr).toContain('(job_failed)');
  });
});
