import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mci as run } from './support/cli.ts';
import { apiOf, startServer, type Api, type RunningServer } from './support/server.ts';

/**
 * `mci import-catalog` against a real server with the demo catalog (R-FMT-1): the preview as a
 * table, then --apply --commit, then the same file again changing nothing.
 */
const ADMIN_TOKEN = 'cli-import-admin-token-0123456789';
let server: RunningServer;
let dir: string;
let config: string;
let file: string;
let api: Api;
let accountId: string;
const mci = (...args: string[]) => run(config, args);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-cli-import-'));
  config = join(dir, 'config', 'mci.json');
  server = await startServer({ DATA_DIR: join(dir, 'data'), SEED: 'demo', ADMIN_TOKEN, DATABASE_URL: '' });
  api = apiOf(server, ADMIN_TOKEN);
  accountId = (await api('POST', '/v1/accounts', { name: 'Import team' })).id;
  const clouds = (await api('GET', '/v1/clouds?limit=500')).items as {
    id: string;
    name: string;
    region: string;
  }[];
  const rows: string[] = [];
  for (const region of ['us-east-1', 'us-west-2']) {
    const cloud = clouds.find((c) => c.name === `AWS ${region}`)!;
    const image = (
      await api('GET', `/v1/clouds/${cloud.id}/images?q=al2023-ami-2023&cpuArchitecture=x86_64&limit=1`)
    ).items[0];
    rows.push(`    ${region}: { HVM64: ${image.resourceUid}, HVMG2: NOT_SUPPORTED }`);
  }
  rows.push('    xx-nowhere-1: { HVM64: ami-0123456789abcdef0 }');
  file = join(dir, 'region-map.yaml');
  await writeFile(file, `Mappings:\n  AWSRegionArch2AMI:\n${rows.join('\n')}\n`);
  expect((await mci('login', server.baseUrl, '--token', ADMIN_TOKEN, '--json')).code).toBe(0);
  expect((await mci('use', accountId)).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('mci import-catalog (R-FMT-1)', () => {
  it('R-FMT-1: prints the preview as a table and writes nothing', async () => {
    const res = await mci(
      'import-catalog',
      file,
      '--format',
      'cloudformation-mappings',
      '--instance-type',
      'x86_64=t3.micro',
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/MCI\s+ACTION\s+REGION\s+CLOUD\s+IMAGE\s+TYPE\s+SETTING/);
    expect(res.stdout).toMatch(
      /AWSRegionArch2AMI HVM64\s+create\s+us-east-1\s+AWS us-east-1\s+ami-\w+\s+t3\.micro\s+add/,
    );
    expect(res.stdout).toMatch(/xx-nowhere-1\s+unknown_region/);
    expect(res.stdout).toMatch(/HVMG2\s+us-east-1\s+not_supported/);
    expect(res.stdout).toContain('Preview only: nothing was written');
    expect((await api('GET', `/v1/accounts/${accountId}/mcis`)).items).toEqual([]);
  });

  it('R-FMT-1: --apply --commit writes and commits; the same file again is unchanged', async () => {
    const refused = await mci('import-catalog', file, '--format', 'cloudformation-mappings', '--commit');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--commit needs a message');
    const args = [
      'import-catalog',
      file,
      '--format',
      'cloudformation-mappings',
      '--instance-type',
      'x86_64=t3.micro',
    ];
    const applied = await mci(...args, '--apply', '--commit', '-m', 'from the region map', '--json');
    expect(applied.code, applied.stderr).toBe(0);
    const [m] = applied.json().mcis;
    expect(m).toMatchObject({ name: 'AWSRegionArch2AMI HVM64', action: 'create', committedRevision: 1 });
    const head = await api('GET', `/v1/accounts/${accountId}/mcis/${m.mciId}`);
    expect(head.settings).toHaveLength(2);
    const again = await mci(...args, '--apply', '--commit', '-m', 'again');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/AWSRegionArch2AMI HVM64\s+unchanged/);
    expect(again.stdout).toContain('Imported 0 MCI(s); 1 unchanged.');
  });
});
