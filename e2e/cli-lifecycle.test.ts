import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mci as run } from './support/cli.ts';
import { apiOf, startServer, type Api, type RunningServer } from './support/server.ts';

/**
 * `mci server launch|terminate` against a real server with the demo catalog (its clouds run on
 * the simulated driver) and the server's own job workers reconciling in the background.
 */
const ADMIN_TOKEN = 'cli-lifecycle-admin-token-0123456789';
let server: RunningServer;
let dir: string;
let config: string;
const mci = (...args: string[]) => run(config, args);
let deploymentId: string;
let serverId: string;

let api: Api;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-cli-lch-'));
  config = join(dir, 'config', 'mci.json');
  server = await startServer({ DATA_DIR: join(dir, 'data'), SEED: 'demo', ADMIN_TOKEN, DATABASE_URL: '' });
  api = apiOf(server, ADMIN_TOKEN);
  const account = await api('POST', '/v1/accounts', { name: 'Lifecycle team' });
  const a = (p: string) => `/v1/accounts/${account.id}${p}`;
  await api('POST', a('/cloud-credentials'), {
    cloudType: 'simulated',
    accessKeyId: '123456789012',
    secretAccessKey: 'simulated-secret',
  });
  const clouds = (await api('GET', '/v1/clouds?limit=500')).items;
  const east = clouds.find((c: { name: string }) => c.name === 'AWS us-east-1');
  const image = (
    await api('GET', `/v1/clouds/${east.id}/images?q=al2023-ami-2023&cpuArchitecture=x86_64&limit=1`)
  ).items[0];
  const type = (await api('GET', `/v1/clouds/${east.id}/instance-types?q=t3.micro`)).items[0];
  const m = await api('POST', a('/mcis'), {
    name: 'AL2023',
    settings: [{ cloudId: east.id, imageId: image.id, instanceTypeId: type.id }],
  });
  const t = await api('POST', a('/server-templates'), { name: 'Web', mciIds: [m.id] });
  deploymentId = (await api('POST', a('/deployments'), { name: 'prod' })).id;
  serverId = (
    await api('POST', a(`/deployments/${deploymentId}/servers`), {
      name: 'web-1',
      serverTemplateId: t.id,
      cloudId: east.id,
    })
  ).id;
  expect((await mci('login', server.baseUrl, '--token', ADMIN_TOKEN, '--json')).code).toBe(0);
  expect((await mci('use', account.id)).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('mci server launch / terminate', () => {
  it('R-LCH-1: launch --wait follows the server to operational', async () => {
    const res = await mci('server', 'launch', deploymentId, serverId, '--wait', '--timeout', '60', '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({
      state: 'operational',
      providerInstanceId: expect.stringMatching(/^i-/),
    });
    const again = await mci('server', 'launch', deploymentId, serverId);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('(invalid_state)');
  });

  it('R-LCH-2: terminate asks for confirmation (refused off a terminal without --yes), then --yes --wait → inactive', async () => {
    const refused = await mci('server', 'terminate', deploymentId, serverId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pass --yes');
    const shown = (await mci('server', 'show', deploymentId, serverId, '--json')).json();
    expect(shown.state).toBe('operational');
    const res = await mci(
      'server',
      'terminate',
      deploymentId,
      serverId,
      '--yes',
      '--wait',
      '--timeout',
      '60',
      '--json',
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ state: 'inactive', current: null });
  });
});
