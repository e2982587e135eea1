import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { expectRsError, rsClient, type RsClient } from '../../testing/rs15.ts';

let h: Harness;
let A: { id: string };
let des: RsClient; // designer + actor in A
let obs: RsClient; // observer in A
let other: RsClient; // designer + actor in B
let east: any;
let armImage: any;
let mciId: string;

const selfOf = (body: any) => (body.links as { rel: string; href: string }[])[0].href;

beforeAll(async () => {
  h = await startHarness();
  A = await h.build.account({ name: 'Catalog A' });
  const B = await h.build.account({ name: 'Catalog B' });
  const d = await h.build.user({ accountId: A.id, roles: ['designer', 'actor'] });
  des = await rsClient(h, d.token, A.id);
  obs = await rsClient(h, (await h.build.user({ accountId: A.id, roles: ['observer'] })).token, A.id);
  other = await rsClient(
    h,
    (await h.build.user({ accountId: B.id, roles: ['designer', 'actor'] })).token,
    B.id,
  );
  east = await h.build.cloudWithImage({ name: 'RS catalog east' });
  armImage = await h.build.image(east.cloud.id, { name: 'Ubuntu 22.04 arm64', cpuArchitecture: 'arm64' });
  await h.build.instanceType(east.cloud.id, { name: 'm7g.large', cpuArchitectures: ['arm64'] });
  mciId = (await h.build.mci(A.id, { name: 'tagged base' }, d.token)).id;
});

afterAll(() => h?.close());

describe('API 1.5 clouds, images and instance types (R-RS)', () => {
  it('R-RS: lists and shows clouds with their relations, filtered by partial name and cloud_type', async () => {
    const all = await obs.call('GET', '/api/clouds');
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe('application/vnd.rightscale.cloud+json;type=collection');
    const found = await obs.call('GET', '/api/clouds', {
      filter: ['name==catalog EAST', 'cloud_type==amazon'],
    });
    expect(found.data).toHaveLength(1);
    const cloud = found.data[0];
    expect(cloud).toMatchObject({
      name: 'RS catalog east',
      display_name: 'RS catalog east',
      cloud_type: 'amazon',
    });
    expect(cloud.links).toEqual([
      { rel: 'self', href: `/api/clouds/${east.cloud.id}` },
      { rel: 'images', href: `/api/clouds/${east.cloud.id}/images` },
      { rel: 'instance_types', href: `/api/clouds/${east.cloud.id}/instance_types` },
    ]);
    const none = await obs.call('GET', '/api/clouds', {
      filter: ['cloud_type<>amazon', 'name==catalog east'],
    });
    expect(none.data).toEqual([]);
    const shown = await obs.call('GET', `/api/clouds/${east.cloud.id}`, { view: 'extended' });
    expect(shown.headers['content-type']).toBe('application/vnd.rightscale.cloud+json');
    expect(shown.data).toEqual(cloud);
    expectRsError(await obs.call('GET', '/api/clouds/nope'), 422, 'ResourceNotFound', /Cloud with ID=nope/);
    expectRsError(await obs.call('GET', '/api/clouds', { view: 'tiny' }), 400, 'InvalidParameter', /view/);
  });

  it('R-RS: lists images by resource_uid, cpu_architecture and partial name; shows one', async () => {
    const base = `/api/clouds/${east.cloud.id}/images`;
    const byUid = await obs.call('GET', base, { filter: [`resource_uid==${east.image.resourceUid}`] });
    expect(byUid.data).toHaveLength(1);
    expect(byUid.data[0]).toMatchObject({
      resource_uid: east.image.resourceUid,
      name: 'Ubuntu 22.04 x86_64',
      os_platform: 'Linux',
      image_type: 'machine',
      visibility: 'public',
      cpu_architecture: 'x86_64',
      actions: [],
    });
    expect(selfOf(byUid.data[0])).toBe(`${base}/${east.image.id}`);
    const arm = await obs.call('GET', base, { filter: ['cpu_architecture==arm64'] });
    expect(arm.data.map((i: any) => i.resource_uid)).toEqual([armImage.resourceUid]);
    const named = await obs.call('GET', base, { filter: ['name==ubuntu 22', 'cpu_architecture<>arm64'] });
    expect(named.data.map((i: any) => i.resource_uid)).toEqual([east.image.resourceUid]);
    const shown = await obs.call('GET', `${base}/${armImage.id}`);
    expect(shown.headers['content-type']).toBe('application/vnd.rightscale.image+json');
    expect(shown.data.cpu_architecture).toBe('arm64');
    expectRsError(
      await obs.call('GET', base, { filter: ['owner==me'] }),
      400,
      'InvalidParameter',
      /filter "owner" is not supported here; supported: resource_uid, name/,
    );
    expectRsError(await obs.call('GET', `${base}/nope`), 422, 'ResourceNotFound', /Image with ID=nope/);
  });

  it('R-RS: lists instance types with numbers as numbers, filtered by cpu_architecture', async () => {
    const base = `/api/clouds/${east.cloud.id}/instance_types`;
    const arm = await obs.call('GET', base, { filter: ['cpu_architecture==arm64'] });
    expect(arm.headers['content-type']).toBe('application/vnd.rightscale.instance_type+json;type=collection');
    expect(arm.data).toHaveLength(1);
    expect(arm.data[0]).toMatchObject({
      name: 'm7g.large',
      cpu_count: 2,
      memory: '8192',
      cpu_architecture: 'arm64',
    });
    const shown = await obs.call('GET', selfOf(arm.data[0]));
    expect(shown.data).toEqual(arm.data[0]);
    expectRsError(
      await obs.call('GET', `${base}/nope`),
      422,
      'ResourceNotFound',
      /InstanceType with ID=nope/,
    );
  });
});

describe('API 1.5 tags (R-RS)', () => {
  const mciHref = () => `/api/multi_cloud_images/${mciId}`;
  const cloudHref = () => `/api/clouds/${east.cloud.id}`;

  it('R-RS: adds, lists (one entry per href, empty ones too) and deletes tags', async () => {
    const add = await des.call('POST', '/api/tags/multi_add', {
      resource_hrefs: [mciHref(), cloudHref()],
      tags: ['role:web=true', 'blue'],
    });
    expect(add.status, add.body).toBe(204);
    const listed = await obs.call('POST', '/api/tags/by_resource', {
      resource_hrefs: [mciHref(), '/api/servers/none', cloudHref()],
    });
    expect(listed.headers['content-type']).toBe(
      'application/vnd.rightscale.resource_tag+json;type=collection',
    );
    expect(listed.data).toEqual([
      {
        tags: [{ name: 'blue' }, { name: 'role:web=true' }],
        links: [{ rel: 'resource', href: mciHref() }],
        actions: [],
      },
      { tags: [], links: [{ rel: 'resource', href: '/api/servers/none' }], actions: [] },
      {
        tags: [{ name: 'blue' }, { name: 'role:web=true' }],
        links: [{ rel: 'resource', href: cloudHref() }],
        actions: [],
      },
    ]);
    // Another account's tags on the same (installation-wide) cloud are its own.
    const theirs = await other.call('POST', '/api/tags/by_resource', { resource_hrefs: [cloudHref()] });
    expect(theirs.data[0].tags).toEqual([]);
    const del = await des.call('POST', '/api/tags/multi_delete', {
      resource_hrefs: [cloudHref()],
      tags: ['blue'],
    });
    expect(del.status).toBe(204);
    const after = await obs.call(
      'POST',
      '/api/tags/by_resource',
      { resource_hrefs: [cloudHref()] },
      { form: true },
    );
    expect(after.data[0].tags).toEqual([{ name: 'role:web=true' }]);
  });

  it('R-RS: an href that names nothing (or another account’s MCI) changes no tag; observers may not tag', async () => {
    const refused = await other.call('POST', '/api/tags/multi_add', {
      resource_hrefs: [cloudHref(), mciHref()],
      tags: ['stolen'],
    });
    expectRsError(refused, 422, 'ResourceNotFound', new RegExp(`hrefs ${mciHref()}$`));
    const theirs = await other.call('POST', '/api/tags/by_resource', { resource_hrefs: [cloudHref()] });
    expect(theirs.data[0].tags).toEqual([]);
    expectRsError(
      await obs.call('POST', '/api/tags/multi_add', { resource_hrefs: [mciHref()], tags: ['x'] }),
      403,
      'PermissionDenied',
    );
    expectRsError(
      await des.call('POST', '/api/tags/multi_add', { resource_hrefs: [mciHref()] }),
      400,
      'InvalidParameter',
      /Missing required parameter tags/,
    );
    expectRsError(
      await des.call('POST', '/api/tags/multi_add', { resource_hrefs: [mciHref()], tags: ['two words'] }),
      400,
      'InvalidParameter',
      /tags\[0\]: must not contain white space/,
    );
  });
});
