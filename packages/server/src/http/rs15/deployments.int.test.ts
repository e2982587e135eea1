import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { expectCreated, expectRsError, rsClient, type RsClient } from '../../testing/rs15.ts';

/**
 * API 1.5 deployments, servers and instances (R-RS) over the deployment and lifecycle services:
 * a server inherits its cloud's image from the template's default MCI, pinned at creation
 * (R-SRV-1..4), and launches through the simulated driver (R-LCH-1).
 */
let h: Harness;
let A: { id: string };
let ops: RsClient; // designer + actor in A
let obs: RsClient; // observer in A
let outsider: RsClient;
let opsToken: string;
let cloud: any;
let other: any; // a cloud the template does not support
let image: any;
let type: any;
let armType: any;
let templateHref: string;
let mciHref: string;
const REGION = 'us-east-1';

const idOf = (href: string) => href.split('/').at(-1) as string;
const linkOf = (body: any, rel: string) =>
  (body.links as { rel: string; href: string; inherited_source?: string }[]).find((l) => l.rel === rel);

const instance = (extra: Record<string, string> = {}) => ({
  cloud_href: `/api/clouds/${cloud.id}`,
  server_template_href: templateHref,
  ...extra,
});

async function createDeployment(name: string) {
  const res = await ops.call('POST', '/api/deployments', {
    deployment: { name, description: `${name} env` },
  });
  return expectCreated(res, /^\/api\/deployments\/[^/]+$/);
}

beforeAll(async () => {
  h = await startHarness();
  A = await h.build.account({ name: 'Servers A' });
  const B = await h.build.account({ name: 'Servers B' });
  const u = await h.build.user({ accountId: A.id, roles: ['designer', 'actor'] });
  opsToken = u.token;
  ops = await rsClient(h, u.token, A.id);
  obs = await rsClient(h, (await h.build.user({ accountId: A.id, roles: ['observer'] })).token, A.id);
  outsider = await rsClient(h, (await h.build.user({ accountId: B.id, roles: ['actor'] })).token, B.id);
  const made = await h.call('POST', '/v1/clouds', {
    body: { name: 'RS sim east', cloudType: 'simulated', region: REGION, driver: 'simulated' },
  });
  cloud = made.data;
  other = (await h.build.cloudWithImage({ name: 'RS unsupported' })).cloud;
  h.world.registerImage(REGION, {
    resourceUid: `ami-rs${process.pid}`,
    name: 'Ubuntu RS',
    description: '',
    ownerPrincipal: 'amazon',
    isPublic: true,
    cpuArchitecture: 'x86_64',
    virtualizationType: 'hvm',
    rootDeviceType: 'ebs',
    osFamily: 'ubuntu',
    osVersion: '22.04',
    cloudState: 'available',
  });
  image = await h.build.image(cloud.id, { resourceUid: `ami-rs${process.pid}`, name: 'Ubuntu RS' });
  type = await h.build.instanceType(cloud.id, { resourceUid: 't3.micro', name: 't3.micro' });
  armType = await h.build.instanceType(cloud.id, {
    resourceUid: 't4g.micro',
    name: 't4g.micro',
    cpuArchitectures: ['arm64'],
  });
  const cred = await h.call('POST', `/v1/accounts/${A.id}/cloud-credentials`, {
    body: { cloudType: 'simulated', accessKeyId: '123456789012', secretAccessKey: 'simulated-secret' },
  });
  expect(cred.statusCode, cred.body).toBe(201);
  const mci = await h.build.mci(
    A.id,
    { name: 'RS web image', settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }] },
    opsToken,
  );
  mciHref = `/api/multi_cloud_images/${mci.id}`;
  const t = await h.call('POST', `/v1/accounts/${A.id}/server-templates`, {
    token: opsToken,
    body: { name: 'RS web', mciIds: [mci.id] },
  });
  templateHref = `/api/server_templates/${t.data.id}`;
});

afterAll(() => h?.close());

describe('API 1.5 deployments (R-RS)', () => {
  it('R-RS: creates, lists (partial name), shows, updates and destroys a deployment', async () => {
    const href = await createDeployment('rs staging');
    const shown = await obs.call('GET', href, { view: 'inputs_2_0' });
    expect(shown.headers['content-type']).toBe('application/vnd.rightscale.deployment+json');
    expect(shown.data).toEqual({
      name: 'rs staging',
      description: 'rs staging env',
      server_tag_scope: 'deployment',
      inputs: [],
      links: [
        { rel: 'self', href },
        { rel: 'servers', href: `${href}/servers` },
      ],
      actions: [],
    });
    expect((await ops.call('PUT', href, { deployment: { name: 'rs staging 2' } })).status).toBe(204);
    expectRsError(
      await ops.call('PUT', href, { deployment: { server_tag_scope: 'account' } }),
      400,
      'InvalidParameter',
      /deployment\[server_tag_scope\]/,
    );
    const listed = await obs.call('GET', '/api/deployments', { filter: ['name==STAGING 2'] });
    expect(listed.data.map((d: any) => d.links[0].href)).toEqual([href]);
    expectRsError(
      await obs.call('POST', '/api/deployments', { deployment: { name: 'x' } }),
      403,
      'PermissionDenied',
    );
    expect((await ops.call('DELETE', href)).status).toBe(204);
    expectRsError(await ops.call('GET', href), 422, 'ResourceNotFound', /Deployment with ID=/);
  });
});

describe('API 1.5 servers and instances (R-RS)', () => {
  it('R-RS: a server inherits the default MCI’s image for its cloud, shown as next_instance (R-SRV-1, R-SRV-4)', async () => {
    const dep = await createDeployment('rs prod');
    const href = expectCreated(
      await ops.call('POST', '/api/servers', {
        server: { name: 'web-1', deployment_href: dep, instance: instance() },
      }),
      /^\/api\/servers\/[^/]+$/,
    );
    const shown = await obs.call('GET', href, { view: 'instance_detail' });
    expect(shown.headers['content-type']).toBe('application/vnd.rightscale.server+json');
    expect(shown.data).toMatchObject({ name: 'web-1', state: 'inactive' });
    expect(shown.data.created_at).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \+0000$/);
    expect(linkOf(shown.data, 'deployment')?.href).toBe(dep);
    const next = shown.data.next_instance;
    expect(linkOf(next, 'image')).toEqual({
      rel: 'image',
      href: `/api/clouds/${cloud.id}/images/${image.id}`,
      inherited_source: 'multi_cloud_image',
    });
    expect(linkOf(next, 'instance_type')?.inherited_source).toBe('multi_cloud_image');
    expect(linkOf(next, 'multi_cloud_image')).toEqual({
      rel: 'multi_cloud_image',
      href: mciHref,
      inherited_source: 'server_template',
    });
    expect(shown.data.current_instance).toBeUndefined();
    expect(actionsOf(shown.data)).toEqual([]); // an observer may not launch
    expect(actionsOf(next)).toEqual([]);
    const byHref = await obs.call('GET', linkOf(shown.data, 'next_instance')!.href);
    expect(byHref.headers['content-type']).toBe('application/vnd.rightscale.instance+json');
    expect(byHref.data).toEqual(next);

    const v1 = await h.call('GET', `/v1/accounts/${A.id}/deployments/${idOf(dep)}/servers/${idOf(href)}`, {
      token: opsToken,
    });
    expect(v1.data).toMatchObject({ imageId: image.id, instanceTypeId: type.id, cloudId: cloud.id });

    // A type the caller names is theirs: the link has no inherited_source.
    const typed = expectCreated(
      await ops.call('POST', `${dep}/servers`, {
        server: {
          name: 'web-2',
          instance: instance({ instance_type_href: `/api/clouds/${cloud.id}/instance_types/${type.id}` }),
        },
      }),
      /^\/api\/servers\//,
    );
    const typedNext = (await ops.call('GET', typed, { view: 'instance_detail' })).data.next_instance;
    expect(linkOf(typedNext, 'instance_type')).toEqual({
      rel: 'instance_type',
      href: `/api/clouds/${cloud.id}/instance_types/${type.id}`,
    });
    expect(linkOf(typedNext, 'image')?.inherited_source).toBe('multi_cloud_image');
    expect(actionsOf(typedNext)).toEqual(['launch']);

    const inDep = await obs.call('GET', `${dep}/servers`, {
      filter: [`cloud_href==/api/clouds/${cloud.id}`],
    });
    expect(inDep.data.map((s: any) => s.links[0].href)).toEqual([href, typed]);
    const named = await obs.call('GET', '/api/servers', {
      filter: ['name==WEB-1', `deployment_href==${dep}`],
    });
    expect(named.data.map((s: any) => s.links[0].href)).toEqual([href]);
  });

  it('R-RS: the service’s rules refuse as API 1.5 errors: an unsupported cloud, an arm64 type for an x86_64 image (R-SRV-1, R-SRV-2)', async () => {
    const dep = await createDeployment('rs refusals');
    expectRsError(
      await ops.call('POST', `${dep}/servers`, {
        server: { name: 'elsewhere', instance: instance({ cloud_href: `/api/clouds/${other.id}` }) },
      }),
      422,
      'ActionNotAllowed',
    );
    expectRsError(
      await ops.call('POST', `${dep}/servers`, {
        server: {
          name: 'arm',
          instance: instance({ instance_type_href: `/api/clouds/${cloud.id}/instance_types/${armType.id}` }),
        },
      }),
      422,
      'ActionNotAllowed',
      /arm64|architecture/i,
    );
    expectRsError(
      await ops.call('POST', `${dep}/servers`, {
        server: { name: 'nowhere', instance: { server_template_href: templateHref } },
      }),
      400,
      'InvalidParameter',
      /Missing required parameter server\[instance\]\[cloud_href\]/,
    );
    expectRsError(
      await ops.call('POST', `${dep}/servers`, {
        server: { name: 'keyed', instance: instance({ ssh_key_href: '/api/clouds/x/ssh_keys/y' }) },
      }),
      400,
      'InvalidParameter',
      /server\[instance\]\[ssh_key_href\]: is not supported/,
    );
    expectRsError(
      await ops.call('POST', `${dep}/servers`, {
        server: { name: 'described', description: 'web tier', instance: instance() },
      }),
      400,
      'InvalidParameter',
      /server\[description\]: is not supported/,
    );
    expectRsError(
      await obs.call('POST', `${dep}/servers`, { server: { name: 'obs', instance: instance() } }),
      403,
      'PermissionDenied',
    );
    const v1 = await h.call('GET', `/v1/accounts/${A.id}/deployments/${idOf(dep)}/servers`, {
      token: opsToken,
    });
    expect(v1.data.items).toEqual([]);
  });

  it('R-RS: launches (201, the current instance) and terminates (204) through the cloud driver (R-LCH-1, R-LCH-2)', async () => {
    const dep = await createDeployment('rs live');
    const href = expectCreated(
      await ops.call('POST', `${dep}/servers`, { server: { name: 'live-1', instance: instance() } }),
      /^\/api\/servers\//,
    );
    expect(actionsOf((await ops.call('GET', href)).data)).toEqual(['launch']);
    const launched = await ops.call('POST', `${href}/launch`);
    const current = expectCreated(
      launched,
      new RegExp(`^/api/clouds/${cloud.id}/instances/${idOf(href)}-current$`),
    );
    const shown = await ops.call('GET', href, { view: 'instance_detail' });
    expect(['pending', 'booting', 'operational']).toContain(shown.data.state);
    expect(linkOf(shown.data, 'current_instance')?.href).toBe(current);
    expect(shown.data.current_instance.resource_uid).toMatch(/^i-/);
    expect(actionsOf(shown.data)).toEqual(['terminate']);
    const byHref = await obs.call('GET', current, { view: 'extended' });
    expect(byHref.data).toMatchObject({
      state: shown.data.state,
      resource_uid: shown.data.current_instance.resource_uid,
      actions: [], // an observer may not terminate
    });
    expect(linkOf(byHref.data, 'parent')?.href).toBe(href);
    expect(linkOf(byHref.data, 'image')).toEqual({
      rel: 'image',
      href: `/api/clouds/${cloud.id}/images/${image.id}`,
    });
    expectRsError(await ops.call('POST', `${href}/launch`), 422, 'ActionNotAllowed');
    expectRsError(await ops.call('POST', `${current}/launch`), 422, 'ActionNotAllowed');
    expectRsError(
      await outsider.call('POST', `${href}/terminate`),
      422,
      'ResourceNotFound',
      /Server with ID=/,
    );
    expectRsError(await ops.call('DELETE', dep), 422, 'ActionNotAllowed');

    expect((await ops.call('POST', `${href}/terminate`)).status).toBe(204);
    const v1 = await h.call('GET', `/v1/accounts/${A.id}/deployments/${idOf(dep)}/servers/${idOf(href)}`, {
      token: opsToken,
    });
    expect(['terminating', 'inactive']).toContain(v1.data.state);
    expect(actionsOf((await ops.call('GET', href)).data)).toEqual([]);
  });

  it('R-RS: launches through the next instance’s href and terminates through the current one’s (R-LCH-1, R-LCH-2)', async () => {
    const dep = await createDeployment('rs by instance');
    const href = expectCreated(
      await ops.call('POST', `${dep}/servers`, { server: { name: 'inst-1', instance: instance() } }),
      /^\/api\/servers\//,
    );
    const next = linkOf((await ops.call('GET', href)).data, 'next_instance')!.href;
    expect(next).toBe(`/api/clouds/${cloud.id}/instances/${idOf(href)}`);
    expectRsError(await ops.call('GET', `${next}-current`), 422, 'ResourceNotFound', /Instance with ID=/);
    expectRsError(await ops.call('POST', `${next}/terminate`), 422, 'ActionNotAllowed');
    const current = expectCreated(await ops.call('POST', `${next}/launch`), /-current$/);
    expect(linkOf((await ops.call('GET', href)).data, 'current_instance')?.href).toBe(current);
    expect((await ops.call('POST', `${current}/terminate`)).status).toBe(204);
    const v1 = await h.call('GET', `/v1/accounts/${A.id}/deployments/${idOf(dep)}/servers/${idOf(href)}`, {
      token: opsToken,
    });
    expect(v1.data.launchCount).toBe(1);
    expect(['terminating', 'inactive']).toContain(v1.data.state);
  });

  it('R-RS: renames (204) and destroys (204) a server; its tags go with it', async () => {
    const dep = await createDeployment('rs rename');
    const href = expectCreated(
      await ops.call('POST', `${dep}/servers`, { server: { name: 'old', instance: instance() } }),
      /^\/api\/servers\//,
    );
    expect((await ops.call('PUT', href, { server: { name: 'new' } })).status).toBe(204);
    expect((await obs.call('GET', href)).data.name).toBe('new');
    expect(
      (await ops.call('POST', '/api/tags/multi_add', { resource_hrefs: [href], tags: ['role=web'] })).status,
    ).toBe(204);
    expect((await ops.call('DELETE', href)).status).toBe(204);
    expectRsError(await obs.call('GET', href), 422, 'ResourceNotFound');
    const tags = await obs.call('POST', '/api/tags/by_resource', { resource_hrefs: [href] });
    expect(tags.data[0].tags).toEqual([]);
  });
});

function actionsOf(body: any): string[] {
  return (body.actions as { rel: string }[]).map((a) => a.rel);
}
