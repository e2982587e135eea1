import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RSC_BINARY, rscBinary, runRsc, type RscResult, type RscTarget } from './peers/rsc.ts';
import { apiOf, startServer, type Api, type RunningServer } from './support/server.ts';
import { selfSignedCertificate, type SelfSigned } from './support/tls.ts';

/**
 * RightScale's own client, `rsc` v8.0.0 (built by `.ci/run` from the Go module proxy), against a
 * real server over HTTPS with a self-signed certificate (R-RS): the whole story from an MCI to a
 * launched server through `rsc` alone, every object read back through /v1, and the service's
 * refusals printed by `rsc` as API 1.5 errors. Off CI a missing binary skips the file (build it
 * with `node --import tsx e2e/peers/rsc.ts install`); in CI it fails.
 */
const ADMIN_TOKEN = 'rsc-tier-admin-token-0123456789';
const skip = !existsSync(RSC_BINARY) && !process.env.CI;
if (skip)
  console.warn(`rsc tier skipped: ${RSC_BINARY} is missing (node --import tsx e2e/peers/rsc.ts install)`);
let tls: SelfSigned;
let server: RunningServer;
let dir: string;
let admin: Api;
let target: RscTarget;
let accountId: string;
let userToken: string;

const rsc = (...args: string[]) => runRsc(target, ['cm15', ...args]);

/** A call rsc must answer with success; its JSON output, parsed. */
async function ok(...args: string[]): Promise<any> {
  const res = await rsc(...args);
  expect(res.code, `rsc ${args.join(' ')}\n${res.stderr}`).toBe(0);
  return res.stdout.trim() ? JSON.parse(res.stdout) : undefined;
}

/** A creation: rsc prints the `Location` it was given (`--xh Location`). */
async function created(...args: string[]): Promise<string> {
  const res = await rsc(...args, '--xh', 'Location');
  expect(res.code, `rsc ${args.join(' ')}\n${res.stderr}`).toBe(0);
  const href = res.stdout.trim();
  expect(href).toMatch(/^\/api\/[a-z_]+\/[^/\s]+/);
  return href;
}

/** A refusal rsc prints: its status line and the API 1.5 error (`ErrorType: message`). */
function expectRefused(res: RscResult, status: RegExp, type: string): void {
  expect(res.code, res.stdout).not.toBe(0);
  expect(res.stderr).toMatch(status);
  expect(res.stderr).toContain(`${type}: `);
}

const linkOf = (body: any, rel: string) =>
  (body.links as { rel: string; href: string; inherited_source?: string }[]).find((l) => l.rel === rel);
const idOf = (href: string) => href.split('/').at(-1) as string;

const clouds: Record<'east' | 'west' | 'eu' | 'unsupported', string> = {} as any;
const images: Record<string, string> = {};
const types: Record<string, string> = {};
let armType: string;
let mciHead: string;
let mciRev: string;
let templateRev: string;
let serverHref: string;

beforeAll(async () => {
  if (skip) return;
  rscBinary(); // in CI, a missing binary fails here with the hint
  dir = await mkdtemp(join(tmpdir(), 'mci-rsc-'));
  tls = selfSignedCertificate();
  server = await startServer({
    DATA_DIR: join(dir, 'data'),
    SEED: 'demo',
    ADMIN_TOKEN,
    DATABASE_URL: '',
    TLS_CERT_FILE: tls.certFile,
    TLS_KEY_FILE: tls.keyFile,
    HTTPS_PORT: '0',
  });
  expect(server.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  admin = apiOf(server, ADMIN_TOKEN);
  accountId = (await admin('POST', '/v1/accounts', { name: 'Migrating team' })).id;
  const user = await admin('POST', '/v1/users', {
    email: 'ops@example.com',
    name: 'Ops',
    password: 'a long passphrase',
  });
  await admin('PUT', `/v1/accounts/${accountId}/members/${user.id}`, {
    roles: ['designer', 'actor', 'publisher'],
  });
  userToken = (await admin('POST', `/v1/users/${user.id}/tokens`, { name: 'rsc' })).token;
  await admin('POST', `/v1/accounts/${accountId}/cloud-credentials`, {
    cloudType: 'simulated',
    accessKeyId: '123456789012',
    secretAccessKey: 'simulated-secret',
  });
  // The account's API 1.5 number, as a migrating user finds it (GET /api/sessions/accounts).
  const grant = await fetch(`${server.baseUrl}/api/oauth2`, {
    method: 'POST',
    headers: { 'x-api-version': '1.5', 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: userToken }),
  });
  const { access_token } = (await grant.json()) as { access_token: string };
  const accounts = await fetch(`${server.baseUrl}/api/sessions/accounts`, {
    headers: { 'x-api-version': '1.5', authorization: `Bearer ${access_token}` },
  });
  const mine = ((await accounts.json()) as any[]).find((a) => a.name === 'Migrating team');
  target = {
    host: server.httpsUrl!.replace('https://', ''),
    account: Number(idOf(mine.links[0].href)),
    refreshToken: userToken,
    certFile: tls.certFile,
  };
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (tls) await rm(tls.dir, { recursive: true, force: true });
});

describe.skipIf(skip)('rsc v8.0.0 against the API 1.5 facade over HTTPS (R-RS)', () => {
  it('R-RS: rsc finds clouds, x86_64 images by name and instance types with filter[]', async () => {
    const names = {
      east: 'AWS us-east-1',
      west: 'AWS us-west-2',
      eu: 'AWS eu-west-1',
      unsupported: 'AWS ca-central-1',
    };
    for (const [key, name] of Object.entries(names)) {
      const found = await ok('index', '/api/clouds', `filter[]=name==${name}`);
      expect(found, name).toHaveLength(1);
      expect(found[0]).toMatchObject({ name, cloud_type: 'amazon' });
      clouds[key as keyof typeof clouds] = linkOf(found[0], 'self')!.href;
    }
    for (const key of ['east', 'west', 'eu'] as const) {
      const found = await ok(
        'index',
        `${clouds[key]}/images`,
        'filter[]=name==al2023-ami-2023',
        'filter[]=cpu_architecture==x86_64',
      );
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((i: any) => i.cpu_architecture === 'x86_64')).toBe(true);
      images[key] = linkOf(found[0], 'self')!.href;
      const byUid = await ok(
        'index',
        `${clouds[key]}/images`,
        `filter[]=resource_uid==${found[0].resource_uid}`,
      );
      expect(byUid.map((i: any) => linkOf(i, 'self')!.href)).toEqual([images[key]]);
      const t3 = await ok('index', `${clouds[key]}/instance_types`, 'filter[]=name==t3.micro');
      expect(t3).toHaveLength(1);
      expect(t3[0].cpu_count).toBe(2);
      types[key] = linkOf(t3[0], 'self')!.href;
    }
    const arm = await ok('index', `${clouds.east}/instance_types`, 'filter[]=name==t4g.micro');
    armType = linkOf(arm[0], 'self')!.href;
  });

  it('R-RS: rsc creates an MCI with a setting per cloud and commits it; the rules refuse as API 1.5 errors', async () => {
    mciHead = await created(
      'create',
      '/api/multi_cloud_images',
      'multi_cloud_image[name]=AL2023 web',
      'multi_cloud_image[description]=built by rsc',
    );
    for (const key of ['east', 'west', 'eu'] as const) {
      const setting = await created(
        'create',
        `${mciHead}/settings`,
        `multi_cloud_image_setting[cloud_href]=${clouds[key]}`,
        `multi_cloud_image_setting[image_href]=${images[key]}`,
        `multi_cloud_image_setting[instance_type_href]=${types[key]}`,
      );
      expect(setting).toBe(`${mciHead}/settings/${idOf(clouds[key])}`);
    }
    // R-MCI-2: one setting per cloud.
    expectRefused(
      await rsc(
        'create',
        `${mciHead}/settings`,
        `multi_cloud_image_setting[cloud_href]=${clouds.east}`,
        `multi_cloud_image_setting[image_href]=${images.east}`,
        `multi_cloud_image_setting[instance_type_href]=${types.east}`,
      ),
      /422/,
      'ActionNotAllowed',
    );
    // R-MCI-3: an arm64 instance type cannot run an x86_64 image.
    expectRefused(
      await rsc(
        'update',
        `${mciHead}/settings/${idOf(clouds.east)}`,
        `multi_cloud_image_setting[instance_type_href]=${armType}`,
      ),
      /422/,
      'ActionNotAllowed',
    );
    const settings = await ok('index', `${mciHead}/settings`);
    expect(settings).toHaveLength(3);
    mciRev = await created('commit', mciHead, 'commit_message=three regions');
    const rev = await ok('show', mciRev);
    expect(rev).toMatchObject({ name: 'AL2023 web', revision: 1 });
    expectRefused(await rsc('show', '/api/multi_cloud_images/mci_nope'), /422/, 'ResourceNotFound');
  });

  it('R-RS: rsc creates a ServerTemplate, attaches the MCI, makes it the default and commits', async () => {
    const head = await created('create', '/api/server_templates', 'server_template[name]=Web tier');
    const link = await created(
      'create',
      '/api/server_template_multi_cloud_images',
      `server_template_multi_cloud_image[server_template_href]=${head}`,
      `server_template_multi_cloud_image[multi_cloud_image_href]=${mciRev}`,
    );
    await ok('make_default', link);
    const links = await ok(
      'index',
      '/api/server_template_multi_cloud_images',
      `filter[]=server_template_href==${head}`,
    );
    expect(links).toHaveLength(1);
    expect(links[0].is_default).toBe(true);
    expect(linkOf(links[0], 'multi_cloud_image')!.href).toBe(mciRev);
    templateRev = await created(
      'commit',
      head,
      'commit_message=first cut',
      'commit_head_dependencies=true',
      'freeze_repositories=false',
    );
    const rev = await ok('show', templateRev);
    expect(rev.revision).toBe(1);
    expect(linkOf(rev, 'default_multi_cloud_image')!.href).toBe(mciRev);
    await ok('multi_add', '/api/tags/multi_add', `resource_hrefs[]=${templateRev}`, 'tags[]=tier:web=true');
    const tags = await ok('by_resource', '/api/tags/by_resource', `resource_hrefs[]=${templateRev}`);
    expect(tags[0].tags).toEqual([{ name: 'tier:web=true' }]);
  });

  it('R-RS: rsc adds a server for one cloud, which inherits the MCI’s image, and launches it', async () => {
    const deployment = await created('create', '/api/deployments', 'deployment[name]=production');
    // R-SRV-1: the template has no setting for this cloud.
    expectRefused(
      await rsc(
        'create',
        `${deployment}/servers`,
        'server[name]=nowhere',
        `server[instance][cloud_href]=${clouds.unsupported}`,
        `server[instance][server_template_href]=${templateRev}`,
      ),
      /422/,
      'ActionNotAllowed',
    );
    serverHref = await created(
      'create',
      '/api/servers',
      'server[name]=web-1',
      `server[deployment_href]=${deployment}`,
      `server[instance][cloud_href]=${clouds.west}`,
      `server[instance][server_template_href]=${templateRev}`,
    );
    const shown = await ok('show', serverHref, 'view=instance_detail');
    expect(shown.state).toBe('inactive');
    expect(shown.created_at).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \+0000$/);
    expect(linkOf(shown.next_instance, 'image')).toEqual({
      rel: 'image',
      href: images.west,
      inherited_source: 'multi_cloud_image',
    });
    expect(linkOf(shown.next_instance, 'multi_cloud_image')!.href).toBe(mciRev);

    const launched = await rsc('launch', serverHref, '--xh', 'Location');
    expect(launched.code, launched.stderr).toBe(0);
    expect(launched.stdout.trim()).toBe(`${clouds.west}/instances/${idOf(serverHref)}-current`);
    const running = await ok('show', serverHref);
    expect(['pending', 'booting', 'operational']).toContain(running.state);
    expectRefused(await rsc('launch', serverHref), /422/, 'ActionNotAllowed');
  });

  it('R-RS: /v1 reads back the same objects: one truth behind both APIs', async () => {
    const v1 = apiOf(server, userToken);
    const a = `/v1/accounts/${accountId}`;
    const mci = await v1('GET', `${a}/mcis/${idOf(mciRev)}`);
    expect(mci).toMatchObject({ name: 'AL2023 web', revision: 1 });
    expect(mci.settings.map((s: any) => [s.cloudId, s.imageId, s.instanceTypeId]).sort()).toEqual(
      (['east', 'west', 'eu'] as const).map((k) => [idOf(clouds[k]), idOf(images[k]), idOf(types[k])]).sort(),
    );
    const template = await v1('GET', `${a}/server-templates/${idOf(templateRev)}`);
    expect(template.revision).toBe(1);
    expect(template.links.find((l: any) => l.isDefault).mciId).toBe(idOf(mciRev));
    const deployments = await v1('GET', `${a}/deployments`);
    const production = deployments.items.find((d: any) => d.name === 'production');
    const srv = await v1('GET', `${a}/deployments/${production.id}/servers/${idOf(serverHref)}`);
    expect(srv).toMatchObject({
      name: 'web-1',
      cloudId: idOf(clouds.west),
      serverTemplateId: idOf(templateRev),
      mciId: idOf(mciRev),
      imageId: idOf(images.west),
      instanceTypeId: idOf(types.west),
    });
    expect(['pending', 'booting', 'operational']).toContain(srv.state);
  });
});
