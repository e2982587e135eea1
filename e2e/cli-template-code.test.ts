import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mci as run } from './support/cli.ts';
import { startServer, type RunningServer } from './support/server.ts';

const ADMIN_TOKEN = 'cli-code-admin-token-0123456789';
let server: RunningServer;
let dir: string;
let config: string;
let publisherConfig: string;
const mci = (...args: string[]) => run(config, args);
const asPublisher = (...args: string[]) => run(publisherConfig, args);

/** A right_st file of our own using every MCI form the service can satisfy here. */
const TEMPLATE = `Name: Web Frontend
Description: Nginx on AL2023
RightScripts:
  Boot:
  - scripts/setup.sh
Inputs:
  NGINX_PORT: "text:8080"
MultiCloudImages:
- Name: AL2023 Web
  Description: our web image
  Tags:
  - role=web
  Settings:
  - Cloud: AWS us-east-1
    Instance Type: m5.large
    Image: ami-0e1e1e1e1e1e1e1e1
    User Data: "#!/bin/sh\\necho web"
  - Cloud: AWS eu-west-1
    Instance Type: m5.large
    Image: ami-0e2e2e2e2e2e2e2e2
- Name: Base Linux
  Revision: latest
  Publisher: Golden Images
- al2023-arm.yml
`;
const ARM_MCI = `Name: AL2023 ARM
Settings:
- Cloud: AWS us-east-1
  Instance Type: m6g.large
  Image: ami-0a4a4a4a4a4a4a4a4
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-code-'));
  config = join(dir, 'user.json');
  publisherConfig = join(dir, 'publisher.json');
  server = await startServer({ DATA_DIR: join(dir, 'data'), SEED: 'none', ADMIN_TOKEN, DATABASE_URL: '' });
  // Catalog, a publisher account with a published MCI, and our account.
  const admin = (...args: string[]) => run(join(dir, 'admin.json'), args);
  await admin('login', server.baseUrl, '--token', ADMIN_TOKEN);
  for (const region of ['us-east-1', 'eu-west-1'])
    await admin('clouds', 'create', `AWS ${region}`, '--type', 'aws', '--region', region);
  for (const [cloud, uid, arch] of [
    ['AWS us-east-1', 'ami-0e1e1e1e1e1e1e1e1', 'x86_64'],
    ['AWS us-east-1', 'ami-0a4a4a4a4a4a4a4a4', 'arm64'],
    ['AWS us-east-1', 'ami-0b5b5b5b5b5b5b5b5', 'x86_64'],
    ['AWS eu-west-1', 'ami-0e2e2e2e2e2e2e2e2', 'x86_64'],
  ]) {
    await admin('images', 'create', cloud, '--uid', uid, '--name', uid, '--arch', arch);
  }
  await admin(
    'instance-types',
    'create',
    'AWS us-east-1',
    '--uid',
    'm5.large',
    '--cpus',
    '2',
    '--memory',
    '8192',
    '--arch',
    'x86_64',
  );
  await admin(
    'instance-types',
    'create',
    'AWS eu-west-1',
    '--uid',
    'm5.large',
    '--cpus',
    '2',
    '--memory',
    '8192',
    '--arch',
    'x86_64',
  );
  await admin(
    'instance-types',
    'create',
    'AWS us-east-1',
    '--uid',
    'm6g.large',
    '--cpus',
    '2',
    '--memory',
    '8192',
    '--arch',
    'arm64',
  );
  const golden = (await admin('accounts', 'create', 'Golden Images', '--json')).json();
  const mine = (await admin('accounts', 'create', 'Web Team', '--json')).json();
  await asPublisher('login', server.baseUrl, '--token', ADMIN_TOKEN, '--account', golden.id);
  await mci('login', server.baseUrl, '--token', ADMIN_TOKEN, '--account', mine.id);
  const base = (await asPublisher('mci', 'create', 'Base Linux', '--json')).json();
  await asPublisher(
    'mci',
    'add-setting',
    base.id,
    '--cloud',
    'AWS us-east-1',
    '--image',
    'ami-0b5b5b5b5b5b5b5b5',
    '--type',
    'm5.large',
  );
  const r1 = (await asPublisher('mci', 'commit', base.id, '-m', 'v1', '--json')).json();
  const pub = await asPublisher('publish', r1.id, '--description', 'Base image');
  expect(pub.code).toBe(0);
  await mkdir(join(dir, 'repo'));
  await writeFile(join(dir, 'repo', 'web.yml'), TEMPLATE);
  await writeFile(join(dir, 'repo', 'al2023-arm.yml'), ARM_MCI);
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ServerTemplates as code (right_st YAML)', () => {
  it('--dry-run prints the plan and changes nothing', async () => {
    const res = await mci('template', 'push', join(dir, 'repo', 'web.yml'), '--dry-run');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('would create MCI "AL2023 Web" with 2 setting(s)');
    expect(res.stdout).toContain('would import Base Linux r1 from Golden Images');
    expect(res.stdout).toContain('would create ServerTemplate "Web Frontend" linking 3 MCI(s)');
    expect(res.stdout).toContain('ignored (not modelled yet, kept in the file): RightScripts');
    expect((await mci('template', 'list', '--json')).json()).toEqual([]);
  });

  it('pushes a folder: inline, marketplace and file-referenced MCIs; the first MCI is the default', async () => {
    const res = await mci('template', 'push', join(dir, 'repo'), '--json');
    expect(res.code).toBe(0);
    const [report] = res.json();
    expect(report.template).toBe('Web Frontend');
    expect(report.ignored.map((s: string) => s.split(':')[0]).sort()).toEqual(['Inputs', 'RightScripts']);
    const tpl = (await mci('template', 'show', report.templateId, '--json')).json();
    expect(tpl.links.map((l: any) => [l.mciName, l.mciRevision, l.isDefault])).toEqual([
      ['AL2023 Web', 0, true],
      ['Base Linux', 1, false],
      ['AL2023 ARM', 0, false],
    ]);
    const clouds = (await mci('template', 'clouds', report.templateId, '--json')).json();
    expect(clouds.map((c: any) => c.cloudName)).toEqual(['AWS eu-west-1', 'AWS us-east-1']);
  });

  it('pull writes the same template back; pushing it again changes nothing', async () => {
    const list = (await mci('template', 'list', '--heads', '--json')).json();
    const out = join(dir, 'repo', 'web.yml');
    const pulled = await mci('template', 'pull', list[0].id, '-o', out);
    expect(pulled.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).toMatch(/^Name: Web Frontend/m);
    expect(text).toContain('Publisher: Golden Images');
    expect(text).toContain('Image: ami-0e1e1e1e1e1e1e1e1');
    expect(text).toContain('RightScripts:');
    const again = await mci('template', 'push', out);
    expect(again.code, again.stdout + again.stderr + text).toBe(0);
    expect(again.stdout, again.stdout + text).not.toContain('would');
    expect(again.stdout).toContain('up to date');
  });

  it('a change in the file updates the HEAD MCI setting by setting', async () => {
    const out = join(dir, 'repo', 'web.yml');
    const text = (await readFile(out, 'utf8')).replace('ami-0e1e1e1e1e1e1e1e1', 'ami-0b5b5b5b5b5b5b5b5');
    await writeFile(out, text);
    const res = await mci('template', 'push', out);
    expect(res.code, res.stderr + text).toBe(0);
    expect(res.stdout).toContain('MCI "AL2023 Web": replace setting for AWS us-east-1');
  });

  it('a file right_st would reject is exit 1 with right_st’s message', async () => {
    const bad = join(dir, 'invalid.yml');
    await writeFile(bad, `Name: X\nSome Bogus Field: 1\nMultiCloudImages:\n- Name: Y\n`);
    const res = await mci('template', 'push', bad);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('field Some Bogus Field not found in type main.ServerTemplate');
  });

  it('an unknown image in the file is a clear usage error (exit 1) and creates nothing', async () => {
    const bad = join(dir, 'bad.yml');
    await writeFile(
      bad,
      `Name: Broken\nMultiCloudImages:\n- Name: Nope\n  Settings:\n  - Cloud: AWS us-east-1\n    Instance Type: m5.large\n    Image: ami-0000000000000000f\n`,
    );
    const res = await mci('template', 'push', bad);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no image with resourceUid "ami-0000000000000000f"');
    expect((await mci('template', 'list', '-q', 'Broken', '--json')).json()).toEqual([]);
  });
});
