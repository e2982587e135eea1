import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mci as run } from './support/cli.ts';
import { startServer, type RunningServer } from './support/server.ts';

const ADMIN_TOKEN = 'cli-e2e-admin-token-0123456789';
let server: RunningServer;
let dir: string;
let config: string;
const mci = (...args: string[]) => run(config, args);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mci-cli-'));
  config = join(dir, 'config', 'mci.json');
  server = await startServer({ DATA_DIR: join(dir, 'data'), SEED: 'none', ADMIN_TOKEN, DATABASE_URL: '' });
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the mci command line against a real server', () => {
  it('logs in, storing server and token with mode 0600', async () => {
    const res = await mci('login', server.baseUrl, '--token', ADMIN_TOKEN, '--json');
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ server: server.baseUrl, user: 'admin@localhost' });
    expect((await stat(config)).mode & 0o777).toBe(0o600);
    const who = await mci('whoami');
    expect(who.stdout).toContain('admin@localhost (superuser)');
  });

  it('signs in with email and password, storing a token created for this machine', async () => {
    const other = join(dir, 'other.json');
    const admin = (...args: string[]) => run(config, args);
    const user = await admin('--json', 'accounts', 'list');
    expect(user.code).toBe(0);
    const res = await fetch(`${server.baseUrl}/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'dana@example.com', name: 'Dana', password: 'a long passphrase' }),
    });
    expect(res.status).toBe(201);
    const login = await run(other, [
      'login',
      server.baseUrl,
      '--email',
      'dana@example.com',
      '--password',
      'a long passphrase',
      '--json',
    ]);
    expect(login.code).toBe(0);
    expect(login.json().user).toBe('dana@example.com');
    const wrong = await run(other, [
      'login',
      server.baseUrl,
      '--email',
      'dana@example.com',
      '--password',
      'not it at all',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('(unauthenticated)');
  });

  it('drives a commit/diff/merge session from the shell, with --json output that parses', async () => {
    const acc = (await mci('accounts', 'create', 'CLI team', '--json')).json();
    expect((await mci('use', acc.id)).code).toBe(0);
    expect(
      (await mci('clouds', 'create', 'AWS us-east-1', '--type', 'aws', '--region', 'us-east-1')).code,
    ).toBe(0);
    expect(
      (await mci('clouds', 'create', 'AWS eu-west-1', '--type', 'aws', '--region', 'eu-west-1')).code,
    ).toBe(0);
    for (const [cloud, uid] of [
      ['AWS us-east-1', 'ami-0aaa1111bbbb22220'],
      ['AWS us-east-1', 'ami-0aaa1111bbbb22221'],
      ['AWS eu-west-1', 'ami-0ccc3333dddd44440'],
    ]) {
      expect(
        (
          await mci(
            'images',
            'create',
            cloud,
            '--uid',
            uid,
            '--name',
            `al2023-${uid}`,
            '--arch',
            'x86_64',
            '--os',
            'amazon-linux',
            '--os-version',
            '2023',
          )
        ).code,
      ).toBe(0);
    }
    for (const cloud of ['AWS us-east-1', 'AWS eu-west-1']) {
      expect(
        (
          await mci(
            'instance-types',
            'create',
            cloud,
            '--uid',
            'm5.large',
            '--cpus',
            '2',
            '--memory',
            '8192',
            '--arch',
            'x86_64',
          )
        ).code,
      ).toBe(0);
    }

    const head = (await mci('mci', 'create', 'AL2023_x64', '--json')).json();
    const added = await mci(
      'mci',
      'add-setting',
      head.id,
      '--cloud',
      'AWS us-east-1',
      '--image',
      'ami-0aaa1111bbbb22220',
      '--type',
      'm5.large',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/AWS us-east-1\s+ami-0aaa1111bbbb22220/);
    const r1 = (await mci('mci', 'commit', head.id, '-m', 'first build', '--json')).json();
    expect(r1.revision).toBe(1);

    const clone = (await mci('mci', 'clone', r1.id, 'AL2023 (mine)', '--json')).json();
    await mci(
      'mci',
      'add-setting',
      clone.id,
      '--cloud',
      'AWS eu-west-1',
      '--image',
      'ami-0ccc3333dddd44440',
      '--type',
      'm5.large',
    );
    await mci(
      'mci',
      'set-setting',
      head.id,
      '--cloud',
      'AWS us-east-1',
      '--image',
      'ami-0aaa1111bbbb22221',
      '--type',
      'm5.large',
    );
    const r2 = (await mci('mci', 'commit', head.id, '-m', 'newer build', '--json')).json();

    const diff = await mci('mci', 'diff', r2.id, '--against', r1.id);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('~ AWS us-east-1: image: ami-0aaa1111bbbb22220 → ami-0aaa1111bbbb22221');
    const diffJson = (await mci('mci', 'diff', r2.id, '--against', r1.id, '--json')).json();
    expect(diffJson.clouds[0]).toMatchObject({ cloudName: 'AWS us-east-1', change: 'changed' });

    const merged = await mci('mci', 'merge', clone.id, '--from', r2.id, '--json');
    expect(merged.code).toBe(0);
    expect(merged.json().settings.map((s: any) => s.imageResourceUid)).toEqual([
      'ami-0ccc3333dddd44440',
      'ami-0aaa1111bbbb22221',
    ]);

    const revisions = (await mci('mci', 'revisions', head.id, '--json')).json();
    expect(revisions.map((r: any) => r.commitMessage)).toEqual(['newer build', 'first build', null]);

    const tpl = (await mci('template', 'create', 'Web', '--mci', r2.id, '--json')).json();
    const dep = (await mci('deployment', 'create', 'prod', '--json')).json();
    const srv = await mci(
      'server',
      'create',
      dep.id,
      'web-1',
      '--template',
      tpl.id,
      '--cloud',
      'AWS us-east-1',
      '--json',
    );
    expect(srv.code).toBe(0);
    expect(srv.json().inheritedSource).toEqual({ mci: 'server_template', image: 'mci', instanceType: 'mci' });
  });

  it('a refusal is exit 2 with one clear line and its field errors', async () => {
    const head = (await mci('mci', 'create', 'Refused', '--json')).json();
    const res = await mci('mci', 'commit', head.id, '-m', 'nothing to commit');
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')[0]).toMatch(/^error: MCI .* has no settings; .* \(no_settings\)$/);
    const bad = await mci(
      'mci',
      'add-setting',
      head.id,
      '--cloud',
      'AWS us-east-1',
      '--image',
      'ami-0ccc3333dddd44440',
      '--type',
      'm5.large',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no image with resourceUid "ami-0ccc3333dddd44440"');
    const conflict = await mci('clouds', 'create', 'AWS us-east-1', '--type', 'aws', '--region', 'x');
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('error: a cloud named "AWS us-east-1" already exists (already_exists)');
    expect(conflict.stderr).toContain('  name: a cloud named "AWS us-east-1" already exists');
  });

  it('usage errors are exit 1; an unreachable server is exit 3', async () => {
    expect((await mci('frobnicate')).code).toBe(1);
    expect((await mci('mci', 'commit')).code).toBe(1);
    const down = await mci('--server', 'http://127.0.0.1:9', 'clouds', 'list');
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9/);
    expect((await mci('--help')).code).toBe(0);
  });

  it('long listings walk every page and stay quiet (no progress bar) when not on a terminal', async () => {
    const res = await mci('images', 'list', 'AWS us-east-1', '--all', '--json');
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.json().map((i: any) => i.resourceUid)).toEqual([
      'ami-0aaa1111bbbb22220',
      'ami-0aaa1111bbbb22221',
    ]);
  });
});
