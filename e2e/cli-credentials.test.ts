import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type RunningMoto } from './peers/moto.ts';
import { mci as run, type CliResult } from './support/cli.ts';
import { apiOf, REPO_ROOT, startServer, type Api, type RunningServer } from './support/server.ts';

const ADMIN_TOKEN = 'cli-credentials-admin-token-0123456789';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRET2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
let server: RunningServer;
let dir: string;
let config: string;
let accountId: string;
const mci = (...args: string[]) => run(config, [...args, '--account', accountId]);
const superuser = (...args: string[]) => run(config, [...args, '--token', ADMIN_TOKEN]);

/** `mci` with `input` written to its stdin (the shared helper ignores stdin). */
function mciWithStdin(input: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['packages/cli/bin/mci.js', ...args, '--account', accountId], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        MCI_CONFIG: config,
        MCI_TOKEN: '',
        MCI_ACCOUNT: '',
        MCI_SERVER: '',
        NO_COLOR: '1',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) }));
    child.stdin.end(input);
  });
}

let api: Api;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-cli-credentials-'));
  config = join(dir, 'config', 'mci.json');
  server = await startServer({
    DATA_DIR: join(dir, 'data'),
    SEED: 'none',
    ADMIN_TOKEN,
    DATABASE_URL: '',
    SECRET_KEY: '',
  });
  api = apiOf(server, ADMIN_TOKEN);
  accountId = (await api('POST', '/v1/accounts', { name: 'Creds' })).id;
  const user = await api('POST', '/v1/users', {
    email: 'ada@example.com',
    name: 'Ada',
    password: 'a long passphrase',
  });
  await api('PUT', `/v1/accounts/${accountId}/members/${user.id}`, { roles: ['admin'] });
  const login = await run(config, [
    'login',
    server.baseUrl,
    '--email',
    'ada@example.com',
    '--password',
    'a long passphrase',
  ]);
  expect(login.code).toBe(0);
});
afterAll(async () => {
  // R-CLD-1: no secret in the server's log either (every request of this file was logged).
  const log = `${server?.output() ?? ''}${server?.errors() ?? ''}`;
  await server?.stop();
  expect(log).toContain('cloud-credentials');
  expect(log).not.toContain(SECRET);
  expect(log).not.toContain(SECRET2);
  await rm(dir, { recursive: true, force: true });
});

describe('mci credentials (R-CLD-1, R-CLD-2)', () => {
  it('adds credentials with the secret from the environment, never echoing it; list/show/check', async () => {
    const added = await run(
      config,
      [
        '--json',
        'credentials',
        'add',
        '--cloud-type',
        'simulated',
        '--access-key-id',
        '111122223333',
        '--account',
        accountId,
      ],
      { AWS_SECRET_ACCESS_KEY: SECRET },
    );
    expect(added.code, added.stderr).toBe(0);
    const view = added.json();
    expect(view).toMatchObject({
      cloudType: 'simulated',
      principal: '111122223333',
      accessKeyHint: '1111…3333',
    });
    expect(added.stdout + added.stderr).not.toContain(SECRET);

    const list = await mci('credentials', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ID\s+TYPE\s+KEY\s+PRINCIPAL\s+FINGERPRINT\s+LAST USED/);
    expect(list.stdout).toContain(view.id);
    expect(list.stdout).toContain('111122223333');
    const show = await mci('--json', 'credentials', 'show', 'simulated');
    expect(show.json()).toEqual(view);
    const check = await mci('--json', 'credentials', 'check', view.id);
    expect(check.code).toBe(0);
    expect(check.json().principal).toBe('111122223333');
    for (const out of [list, show, check]) expect(out.stdout + out.stderr).not.toContain(SECRET);

    const again = await run(
      config,
      [
        'credentials',
        'add',
        '--cloud-type',
        'simulated',
        '--access-key-id',
        '111122223333',
        '--account',
        accountId,
      ],
      { AWS_SECRET_ACCESS_KEY: SECRET },
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already_exists');

    // The key was generated into DATA_DIR with mode 0600 (SECRET_KEY unset), and is not the secret.
    const key = await readFile(join(dir, 'data', 'secret.key'), 'utf8');
    expect(key).not.toContain(SECRET);
  });

  it('rotates with the secret read from stdin; refuses to delete without --yes off a terminal', async () => {
    const before = (await mci('--json', 'credentials', 'show', 'simulated')).json();
    const rotated = await mciWithStdin(`${SECRET2}\n`, [
      '--json',
      'credentials',
      'rotate',
      'simulated',
      '--access-key-id',
      '444455556666',
      '--secret-stdin',
      '--endpoint',
      'http://127.0.0.1:5000',
    ]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.json()).toMatchObject({
      id: before.id,
      principal: '444455556666',
      endpoint: 'http://127.0.0.1:5000',
    });
    expect(rotated.json().fingerprint).not.toBe(before.fingerprint);
    expect(rotated.stdout + rotated.stderr).not.toContain(SECRET2);

    const noSecret = await run(
      config,
      ['credentials', 'rotate', 'simulated', '--access-key-id', 'x', '--account', accountId],
      {
        AWS_SECRET_ACCESS_KEY: '',
      },
    );
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain('AWS_SECRET_ACCESS_KEY');

    const set = await mci(
      '--json',
      'credentials',
      'set',
      'simulated',
      '--owner',
      'self',
      '--owner',
      '210987654321',
      '--name-filter',
      'team-*',
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.json()).toMatchObject({ syncOwners: ['self', '210987654321'], syncNameFilters: ['team-*'] });

    const refused = await mci('credentials', 'rm', 'simulated');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--yes');
    expect((await mci('--json', 'credentials', 'list')).json()).toHaveLength(1);

    const removed = await mci('credentials', 'rm', before.id, '--yes');
    expect(removed.code).toBe(0);
    expect(removed.stderr + removed.stdout).toContain(`deleted ${before.id}`);
    expect((await mci('--json', 'credentials', 'list')).json()).toEqual([]);
    expect((await mci('credentials', 'show', 'simulated')).code).toBe(1);
  });

  it("the cloud refusing the keys is exit 2 with the cloud's message", async () => {
    const invalid = await run(
      config,
      [
        'credentials',
        'add',
        '--cloud-type',
        'aws',
        '--access-key-id',
        'AKIAIOSFODNN7EXAMPLE',
        '--endpoint',
        'http://127.0.0.1:9',
        '--account',
        accountId,
      ],
      { AWS_SECRET_ACCESS_KEY: SECRET },
    );
    // Nothing listens on the endpoint (port 9): the cloud cannot confirm the keys, nothing is stored.
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('credentials_invalid');
    expect(invalid.stderr).not.toContain(SECRET);
  });
});

describe('mci cloud set (R-CLD-3 configuration)', () => {
  it("sets a cloud's driver, owners, name filters and interval (superuser); an admin is refused", async () => {
    const cloud = await api('POST', '/v1/clouds', {
      name: 'AWS eu-west-1',
      cloudType: 'aws',
      region: 'eu-west-1',
    });
    const set = await superuser(
      '--json',
      'cloud',
      'set',
      'AWS eu-west-1',
      '--driver',
      'simulated',
      '--owners',
      'amazon,self',
      '--name-filter',
      'al2023-ami-*',
      '--interval',
      '3600',
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.json()).toMatchObject({
      id: cloud.id,
      driver: 'simulated',
      sync: { owners: ['amazon', 'self'], nameFilters: ['al2023-ami-*'], intervalSeconds: 3600 },
    });
    const off = await superuser('cloud', 'set', cloud.id, '--interval', 'off', '--no-name-filters');
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toContain('on request');
    expect((await api('GET', `/v1/clouds/${cloud.id}`)).sync).toEqual({
      owners: ['amazon', 'self'],
      nameFilters: [],
      intervalSeconds: null,
    });
    expect((await superuser('cloud', 'set', cloud.id, '--interval', '10')).code).toBe(1);
    expect((await superuser('cloud', 'set', cloud.id)).code).toBe(1);
    const forbidden = await mci('cloud', 'set', cloud.id, '--driver', 'none');
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toContain('superuser_required');
  });
});

describe('aws credentials against moto (R-CLD-1, R-CLD-2 with the real aws driver)', () => {
  let moto: RunningMoto;
  let awsAccount: string;
  beforeAll(async () => {
    moto = await startMoto({ env: { MOTO_EC2_LOAD_DEFAULT_AMIS: 'false' } });
    awsAccount = (await api('POST', '/v1/accounts', { name: 'AWS team' })).id;
  });
  afterAll(async () => moto?.stop());

  it('the principal is the AWS account STS names: the role assumed, then the one rotated to', async () => {
    const add = await run(
      config,
      [
        '--json',
        'credentials',
        'add',
        '--cloud-type',
        'aws',
        '--access-key-id',
        'AKIAMOTOTESTKEY0001',
        '--endpoint',
        moto.endpoint,
        '--role-arn',
        'arn:aws:iam::111111111111:role/any',
        '--account',
        awsAccount,
        '--token',
        ADMIN_TOKEN,
      ],
      { AWS_SECRET_ACCESS_KEY: SECRET },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.json()).toMatchObject({
      cloudType: 'aws',
      principal: '111111111111',
      accessKeyHint: 'AKIA…0001',
      endpoint: moto.endpoint,
      roleArn: 'arn:aws:iam::111111111111:role/any',
    });
    const rotated = await run(
      config,
      [
        '--json',
        'credentials',
        'rotate',
        'aws',
        '--access-key-id',
        'AKIAMOTOTESTKEY0002',
        '--role-arn',
        'arn:aws:iam::222222222222:role/any',
        '--account',
        awsAccount,
        '--token',
        ADMIN_TOKEN,
      ],
      { AWS_SECRET_ACCESS_KEY: SECRET2 },
    );
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.json()).toMatchObject({ principal: '222222222222', endpoint: moto.endpoint });
    const check = await run(config, [
      '--json',
      'credentials',
      'check',
      'aws',
      '--account',
      awsAccount,
      '--token',
      ADMIN_TOKEN,
    ]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.json().principal).toBe('222222222222');
    // moto saw the keys; the service's answers did not carry the secret.
    for (const out of [add, rotated, check])
      expect(out.stdout + out.stderr).not.toMatch(new RegExp(`${SECRET}|${SECRET2}`));
  });
});
