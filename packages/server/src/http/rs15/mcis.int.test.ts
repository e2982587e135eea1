import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';
import {
  expectCreated,
  expectRsError,
  rsClient,
  type RsClient,
  type RsResponse,
} from '../../testing/rs15.ts';

let h: Harness;
let A: { id: string };
let des: RsClient; // designer in A
let obs: RsClient; // observer in A
let outsider: RsClient; // designer in B
let desToken: string;
let east: any;
let west: any;
let armType: any;

const location = (res: RsResponse) => String(res.headers.location ?? '');
const idOf = (href: string) => href.split('/').at(-1) as string;
const linkOf = (body: any, rel: string) =>
  (body.links as { rel: string; href: string }[]).find((l) => l.rel === rel)?.href;

const settingParams = (c: any, type = c.type) => ({
  multi_cloud_image_setting: {
    cloud_href: `/api/clouds/${c.cloud.id}`,
    image_href: `/api/clouds/${c.cloud.id}/images/${c.image.id}`,
    instance_type_href: `/api/clouds/${c.cloud.id}/instance_types/${type.id}`,
  },
});

async function createMci(name: string, client = des) {
  const res = await client.call('POST', '/api/multi_cloud_images', {
    multi_cloud_image: { name, description: `${name} image` },
  });
  return expectCreated(res, /^\/api\/multi_cloud_images\/[^/]+$/);
}

beforeAll(async () => {
  h = await startHarness();
  A = await h.build.account({ name: 'MCI A' });
  const B = await h.build.account({ name: 'MCI B' });
  const d = await h.build.user({ accountId: A.id, roles: ['designer'] });
  desToken = d.token;
  des = await rsClient(h, d.token, A.id);
  obs = await rsClient(h, (await h.build.user({ accountId: A.id, roles: ['observer'] })).token, A.id);
  outsider = await rsClient(h, (await h.build.user({ accountId: B.id, roles: ['designer'] })).token, B.id);
  east = await h.build.cloudWithImage({ name: 'RS mci east' });
  west = await h.build.cloudWithImage({ name: 'RS mci west' });
  armType = await h.build.instanceType(east.cloud.id, { name: 'm7g.large', cpuArchitectures: ['arm64'] });
});

afterAll(() => h?.close());

describe('API 1.5 multi_cloud_images and their settings (R-RS)', () => {
  it('R-RS: creates an MCI, adds a setting per cloud, and shows both the API 1.5 way and through /v1', async () => {
    const href = await createMci('rs base');
    const settings = `${href}/settings`;
    const first = expectCreated(await des.call('POST', settings, settingParams(east)), /settings\/[^/]+$/);
    expect(first).toBe(`${settings}/${east.cloud.id}`);
    expectCreated(
      await des.call('POST', settings, settingParams(west), { form: true }),
      new RegExp(`settings/${west.cloud.id}$`),
    );

    const shown = await obs.call('GET', href);
    expect(shown.headers['content-type']).toBe('application/vnd.rightscale.multi_cloud_image+json');
    expect(shown.data).toEqual({
      name: 'rs base',
      description: 'rs base image',
      revision: 0,
      links: [
        { rel: 'self', href },
        { rel: 'settings', href: settings },
      ],
      actions: [],
    });
    expect((await des.call('GET', href)).data.actions).toEqual([{ rel: 'commit' }, { rel: 'clone' }]);

    const listed = await obs.call('GET', settings, { filter: [`cloud_href==/api/clouds/${west.cloud.id}`] });
    expect(listed.headers['content-type']).toBe(
      'application/vnd.rightscale.multi_cloud_image_setting+json;type=collection',
    );
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0].links).toEqual([
      { rel: 'self', href: `${settings}/${west.cloud.id}` },
      { rel: 'cloud', href: `/api/clouds/${west.cloud.id}` },
      { rel: 'image', href: `/api/clouds/${west.cloud.id}/images/${west.image.id}` },
      { rel: 'instance_type', href: `/api/clouds/${west.cloud.id}/instance_types/${west.type.id}` },
      { rel: 'multi_cloud_image', href },
    ]);

    const v1 = await h.call('GET', `/v1/accounts/${A.id}/mcis/${idOf(href)}`, { token: desToken });
    expect(v1.statusCode).toBe(200);
    expect(v1.data.settings.map((s: any) => [s.cloudId, s.imageId, s.instanceTypeId]).sort()).toEqual(
      [
        [east.cloud.id, east.image.id, east.type.id],
        [west.cloud.id, west.image.id, west.type.id],
      ].sort(),
    );
  });

  it('R-RS: the rules of SPEC §3 refuse as API 1.5 errors and store nothing (R-MCI-1, R-MCI-2)', async () => {
    const href = await createMci('rs refusals');
    const settings = `${href}/settings`;
    expectCreated(await des.call('POST', settings, settingParams(east)), /settings/);
    expectRsError(await des.call('POST', settings, settingParams(east)), 422, 'ActionNotAllowed');
    const arm = await createMci('rs arm mismatch');
    expectRsError(
      await des.call('POST', `${arm}/settings`, settingParams(east, armType)),
      422,
      'ActionNotAllowed',
      /arm64|architecture/i,
    );
    const bad = settingParams(west);
    bad.multi_cloud_image_setting.image_href = `/api/clouds/${east.cloud.id}/images/${east.image.id}`;
    expectRsError(
      await des.call('POST', `${arm}/settings`, bad),
      400,
      'InvalidParameter',
      /multi_cloud_image_setting\[image_href\] must name the setting's cloud/,
    );
    const partial = { multi_cloud_image_setting: { cloud_href: `/api/clouds/${east.cloud.id}` } };
    expectRsError(
      await des.call('POST', `${arm}/settings`, partial),
      400,
      'InvalidParameter',
      /Missing required parameter multi_cloud_image_setting\[image_href\]; Missing required parameter multi_cloud_image_setting\[instance_type_href\]/,
    );
    const v1 = await h.call('GET', `/v1/accounts/${A.id}/mcis/${idOf(arm)}`, { token: desToken });
    expect(v1.data.settings).toEqual([]);
    expectRsError(
      await des.call('POST', '/api/multi_cloud_images', { multi_cloud_image: { name: ' ' } }),
      400,
      'InvalidParameter',
      /multi_cloud_image\[name\]: must not be blank/,
    );
    expectRsError(
      await obs.call('POST', '/api/multi_cloud_images', { multi_cloud_image: { name: 'x' } }),
      403,
      'PermissionDenied',
    );
    expectRsError(await outsider.call('GET', href), 422, 'ResourceNotFound', /MultiCloudImage with ID=/);
  });

  it('R-RS: updates a setting and the MCI (204), commits (201, revision 1, read-only) and clones', async () => {
    const href = await createMci('rs lifecycle');
    const setting = expectCreated(
      await des.call('POST', `${href}/settings`, settingParams(east)),
      /settings/,
    );
    const put = await des.call('PUT', setting, {
      multi_cloud_image_setting: { user_data: '#!/bin/sh\necho hi' },
    });
    expect(put.status, put.body).toBe(204);
    expect((await des.call('GET', setting)).data.user_data).toBe('#!/bin/sh\necho hi');
    expect(linkOf((await des.call('GET', setting)).data, 'instance_type')).toBe(
      `/api/clouds/${east.cloud.id}/instance_types/${east.type.id}`,
    );
    expect((await des.call('PUT', href, { multi_cloud_image: { name: 'rs lifecycle 2' } })).status).toBe(204);

    const committed = expectCreated(
      await des.call('POST', `${href}/commit`, { commit_message: 'first' }),
      /^\/api\/multi_cloud_images\/[^/]+$/,
    );
    expect(committed).not.toBe(href);
    const rev = await des.call('GET', committed);
    expect(rev.data).toMatchObject({ name: 'rs lifecycle 2', revision: 1, actions: [{ rel: 'clone' }] });
    expectRsError(
      await des.call('POST', `${committed}/commit`, { commit_message: 'again' }),
      422,
      'ActionNotAllowed',
    );
    expectRsError(
      await des.call('DELETE', `${committed}/settings/${east.cloud.id}`),
      422,
      'ActionNotAllowed',
    );
    expectRsError(
      await des.call('POST', `${href}/commit`),
      400,
      'InvalidParameter',
      /Missing required parameter commit_message/,
    );

    const revisions = await des.call('GET', '/api/multi_cloud_images', {
      filter: ['name==LIFECYCLE 2', 'revision==1'],
    });
    expect(revisions.data.map((m: any) => m.links[0].href)).toEqual([committed]);

    const clone = expectCreated(
      await des.call('POST', `${committed}/clone`, { multi_cloud_image: { name: 'rs clone' } }),
      /^\/api\/multi_cloud_images\/[^/]+$/,
    );
    const cloned = await des.call('GET', `${clone}/settings`);
    expect(cloned.data).toHaveLength(1);
    expect(cloned.data[0].user_data).toBe('#!/bin/sh\necho hi');
  });

  it('R-RS: destroys a setting and an MCI (204); a destroyed one is not found', async () => {
    const href = await createMci('rs doomed');
    const setting = expectCreated(
      await des.call('POST', `${href}/settings`, settingParams(east)),
      /settings/,
    );
    expect((await des.call('DELETE', setting)).status).toBe(204);
    expectRsError(await des.call('GET', setting), 422, 'ResourceNotFound', /MultiCloudImageSetting with ID=/);
    expect((await des.call('DELETE', href)).status).toBe(204);
    expectRsError(await des.call('GET', href), 422, 'ResourceNotFound');
  });

  it('R-RS: lists the MCIs a ServerTemplate links', async () => {
    const mci = await createMci('rs linked');
    const st = await des.call('POST', '/api/server_templates', { server_template: { name: 'rs st' } });
    const stHref = location(st);
    const link = await des.call('POST', '/api/server_template_multi_cloud_images', {
      server_template_multi_cloud_image: { server_template_href: stHref, multi_cloud_image_href: mci },
    });
    expect(link.status, link.body).toBe(201);
    const listed = await obs.call('GET', `${stHref}/multi_cloud_images`);
    expect(listed.data.map((m: any) => [m.name, m.links[0].href])).toEqual([['rs linked', mci]]);
  });
});
