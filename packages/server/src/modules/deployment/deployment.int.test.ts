import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
let acc: { id: string };
let actor: { token: string };
let observer: { token: string };
let east: any;
let west: any;
let south: any;
let deploymentId: string;
beforeAll(async () => {
  h = await startHarness();
  acc = await h.build.account();
  actor = await h.build.user({ accountId: acc.id, roles: ['actor'] });
  observer = await h.build.user({ accountId: acc.id, roles: ['observer'] });
  east = await h.build.cloudWithImage({ name: 'AWS us-east-1 (srv)' });
  west = await h.build.cloudWithImage({ name: 'AWS us-west-2 (srv)' });
  south = await h.build.cloudWithImage({ name: 'AWS sa-east-1 (srv)' });
  deploymentId = (
    await h.call('POST', `/v1/accounts/${acc.id}/deployments`, { body: { name: 'Production' } })
  ).data.id;
});
afterAll(async () => h?.close());

const aUrl = (p: string) => `/v1/accounts/${acc.id}${p}`;
const sUrl = (id = '') => aUrl(`/deployments/${deploymentId}/servers${id ? `/${id}` : ''}`);
const settingFor = (c: any, extra: Record<string, unknown> = {}) => ({
  cloudId: c.cloud.id,
  imageId: c.image.id,
  instanceTypeId: c.type.id,
  ...extra,
});

/** A template whose default MCI covers east; a second MCI covers east and west. */
async function template() {
  const base = await h.build.mci(acc.id, {
    name: 'Base',
    settings: [settingFor(east, { userData: 'base-boot' })],
  });
  const wide = await h.build.mci(acc.id, { name: 'Wide', settings: [settingFor(east), settingFor(west)] });
  const t = (
    await h.call('POST', aUrl('/server-templates'), { body: { name: 'App', mciIds: [base.id, wide.id] } })
  ).data;
  return { base, wide, t };
}

describe('servers (R-SRV-1..6)', () => {
  it('R-SRV-3: inherits image, instance type and user data from the default MCI; records inheritedSource', async () => {
    const { base, t } = await template();
    const res = await h.call('POST', sUrl(), {
      token: actor.token,
      body: { name: 'web-1', serverTemplateId: t.id, cloudId: east.cloud.id },
    });
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({
      mciId: base.id,
      imageId: east.image.id,
      instanceTypeId: east.type.id,
      userData: 'base-boot',
      state: 'inactive',
      inheritedSource: { mci: 'server_template', image: 'mci', instanceType: 'mci' },
    });
    expect(
      (
        await h.call('POST', sUrl(), {
          token: observer.token,
          body: { name: 'x', serverTemplateId: t.id, cloudId: east.cloud.id },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('R-SRV-2: falls back to the first MCI that supports the cloud', async () => {
    const { wide, t } = await template();
    const res = await h.call('POST', sUrl(), {
      body: { name: 'web-2', serverTemplateId: t.id, cloudId: west.cloud.id },
    });
    expect(res.data).toMatchObject({ mciId: wide.id, imageId: west.image.id });
  });

  it('R-SRV-1: an unsupported cloud is 422 listing the supported clouds', async () => {
    const { t } = await template();
    const res = await h.call('POST', sUrl(), {
      body: { name: 'web-3', serverTemplateId: t.id, cloudId: south.cloud.id },
    });
    expect(res.statusCode).toBe(422);
    expect(res.data.code).toBe('cloud_not_supported');
    expect(res.data.detail).toContain('AWS us-east-1 (srv), AWS us-west-2 (srv)');
    expect(res.data.supportedClouds.map((c: any) => c.id)).toEqual([east.cloud.id, west.cloud.id]);
  });

  it('R-SRV-2/3: explicit MCI, image, instance type and user data are validated and recorded as "user"', async () => {
    const { wide, base, t } = await template();
    const img = await h.build.image(east.cloud.id, { name: 'custom' });
    const type = await h.build.instanceType(east.cloud.id, { resourceUid: 'c5.xlarge', name: 'c5.xlarge' });
    const res = await h.call('POST', sUrl(), {
      body: {
        name: 'web-4',
        serverTemplateId: t.id,
        cloudId: east.cloud.id,
        mciId: wide.id,
        imageId: img.id,
        instanceTypeId: type.id,
        userData: 'mine',
      },
    });
    expect(res.data).toMatchObject({
      mciId: wide.id,
      imageId: img.id,
      instanceTypeId: type.id,
      userData: 'mine',
      inheritedSource: { mci: 'user', image: 'user', instanceType: 'user' },
    });
    const notLinked = await h.call('POST', sUrl(), {
      body: { name: 'x', serverTemplateId: t.id, cloudId: east.cloud.id, mciId: 'mci_nope' },
    });
    expect(notLinked.data.code).toBe('mci_not_linked');
    const noCloud = await h.call('POST', sUrl(), {
      body: { name: 'x', serverTemplateId: t.id, cloudId: west.cloud.id, mciId: base.id },
    });
    expect(noCloud.data.code).toBe('mci_cloud_not_supported');
    const wrongCloud = await h.call('POST', sUrl(), {
      body: { name: 'x', serverTemplateId: t.id, cloudId: east.cloud.id, imageId: west.image.id },
    });
    expect(wrongCloud.data.code).toBe('image_cloud_mismatch');
    const arm = await h.build.image(east.cloud.id, { cpuArchitecture: 'arm64' });
    const misfit = await h.call('POST', sUrl(), {
      body: { name: 'x', serverTemplateId: t.id, cloudId: east.cloud.id, imageId: arm.id },
    });
    expect(misfit.data.code).toBe('architecture_mismatch');
  });

  it('R-SRV-6: an unavailable inherited image is refused with the exact message', async () => {
    const cloud = await h.build.cloudWithImage({ name: 'Flaky cloud' });
    const mci = await h.build.mci(acc.id, { settings: [settingFor(cloud)] });
    const t = (await h.call('POST', aUrl('/server-templates'), { body: { name: 'Flaky', mciIds: [mci.id] } }))
      .data;
    await h.call('PATCH', `/v1/clouds/${cloud.cloud.id}/images/${cloud.image.id}`, {
      body: { state: 'unavailable' },
    });
    const res = await h.call('POST', sUrl(), {
      body: { name: 'x', serverTemplateId: t.id, cloudId: cloud.cloud.id },
    });
    expect(res.statusCode).toBe(422);
    expect(res.data.detail).toBe(
      `image ${cloud.image.resourceUid} is unavailable in Flaky cloud: the image is marked unavailable`,
    );
  });

  it('R-SRV-6: a private image the account may no longer launch is refused', async () => {
    const owner = await h.build.account();
    const cloud = await h.build.cloudWithImage({ name: 'Shared cloud' });
    const shared = await h.build.image(cloud.cloud.id, {
      visibility: 'private',
      ownerAccountId: owner.id,
      launchPermissions: [acc.id],
    });
    const mci = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.cloud.id, imageId: shared.id, instanceTypeId: cloud.type.id }],
    });
    const t = (
      await h.call('POST', aUrl('/server-templates'), { body: { name: 'Shared', mciIds: [mci.id] } })
    ).data;
    await h.call('PATCH', `/v1/clouds/${cloud.cloud.id}/images/${shared.id}`, {
      body: { launchPermissions: [] },
    });
    const res = await h.call('POST', sUrl(), {
      body: { name: 'x', serverTemplateId: t.id, cloudId: cloud.cloud.id },
    });
    expect(res.data.detail).toBe(
      `image ${shared.resourceUid} is unavailable in Shared cloud: the image is private to another account and not shared with this account`,
    );
  });

  it('R-SRV-4: later MCI and template edits never change an existing server', async () => {
    const { base, t } = await template();
    const server = (
      await h.call('POST', sUrl(), {
        body: { name: 'pinned', serverTemplateId: t.id, cloudId: east.cloud.id },
      })
    ).data;
    const newer = await h.build.image(east.cloud.id, { name: 'newer' });
    await h.call('PUT', aUrl(`/mcis/${base.id}/settings/${east.cloud.id}`), {
      body: { imageId: newer.id, instanceTypeId: east.type.id, userData: 'changed' },
    });
    await h.call('POST', aUrl(`/server-templates/${t.id}/mcis/${t.links[1].id}/make-default`));
    const after = await h.call('GET', sUrl(server.id));
    expect(after.data).toEqual(server);
  });

  it('R-SRV-5: points a server at another MCI (re-resolved) or at any usable image of its cloud', async () => {
    const { wide, t } = await template();
    const server = (
      await h.call('POST', sUrl(), {
        body: { name: 'movable', serverTemplateId: t.id, cloudId: east.cloud.id },
      })
    ).data;
    const moved = await h.call('PATCH', sUrl(server.id), { body: { mciId: wide.id } });
    expect(moved.statusCode).toBe(200);
    expect(moved.data).toMatchObject({
      mciId: wide.id,
      imageId: east.image.id,
      inheritedSource: { mci: 'user', image: 'mci', instanceType: 'mci' },
    });
    const southMci = await h.build.mci(acc.id, { settings: [settingFor(south)] });
    const refused = await h.call('PATCH', sUrl(server.id), { body: { mciId: southMci.id } });
    expect(refused.data.code).toBe('mci_cloud_not_supported');
    const loose = await h.build.image(east.cloud.id, { name: 'in no MCI' });
    const repointed = await h.call('PATCH', sUrl(server.id), { body: { imageId: loose.id } });
    expect(repointed.data).toMatchObject({
      imageId: loose.id,
      inheritedSource: { image: 'user' },
      next: { imageId: loose.id },
      current: null,
    });
    // An idle server has nothing running: no warning (a running one: lifecycle.int.test.ts).
    expect(repointed.data.warnings).toEqual([]);
  });

  it('lists servers by deployment and cloud; another account’s deployment is 404', async () => {
    const list = await h.call('GET', `${sUrl()}?cloudId=${west.cloud.id}`, { token: observer.token });
    expect(list.data.items.every((s: any) => s.cloudId === west.cloud.id)).toBe(true);
    const other = await h.build.account();
    const res = await h.call('GET', `/v1/accounts/${other.id}/deployments/${deploymentId}`, {
      token: actor.token,
    });
    expect(res.statusCode).toBe(404);
  });

  it('usage lists the template revisions and servers using each MCI revision', async () => {
    const { base, t } = await template();
    const server = (
      await h.call('POST', sUrl(), {
        body: { name: 'user-of-base', serverTemplateId: t.id, cloudId: east.cloud.id },
      })
    ).data;
    const res = await h.call('GET', aUrl(`/mcis/${base.id}/usage`));
    expect(res.data.revisions).toEqual([
      {
        mciId: base.id,
        revision: 0,
        templates: [{ templateId: t.id, name: 'App', revision: 0 }],
        servers: [{ serverId: server.id, name: 'user-of-base', deploymentId, cloudId: east.cloud.id }],
      },
    ]);
  });
  // R-DEP-1 with launched servers: lifecycle.int.test.ts (states change only by launch/terminate).
});

describe('races (PostgreSQL runs these concurrently; PGlite one after another)', () => {
  it('deleting a deployment while 15 servers are created in it: each creation is 201 or 404, never a 500', async () => {
    const { t } = await template();
    const d = (await h.call('POST', aUrl('/deployments'), { body: { name: 'Doomed' } })).data;
    const creations = Array.from({ length: 15 }, (_, i) =>
      h.call('POST', aUrl(`/deployments/${d.id}/servers`), {
        body: { name: `s${i}`, serverTemplateId: t.id, cloudId: east.cloud.id },
      }),
    );
    const deletion = h.call('DELETE', aUrl(`/deployments/${d.id}`));
    const answers = await Promise.all([...creations, deletion]);
    const statuses = answers.slice(0, 15).map((r) => r.statusCode);
    expect(
      statuses.every((s) => s === 201 || s === 404),
      statuses.join(','),
    ).toBe(true);
    expect(answers[15].statusCode).toBe(204);
    expect((await h.call('GET', aUrl(`/deployments/${d.id}`))).statusCode).toBe(404);
    for (const r of answers.slice(0, 15).filter((r) => r.statusCode === 404))
      expect(r.data).toMatchObject({ code: 'not_found', resource: 'deployment' });
  });
});

describe('server actions', () => {
  it('§4: server reads, lists and answers say what the caller may do, from roles and state', async () => {
    const { t } = await template();
    const created = await h.call('POST', sUrl(), {
      token: actor.token,
      body: { name: 'acts', serverTemplateId: t.id, cloudId: east.cloud.id },
    });
    expect(created.data.actions).toEqual(['edit', 'repoint', 'launch', 'delete']);
    const read = await h.call('GET', sUrl(created.data.id), { token: observer.token });
    expect(read.data.actions).toEqual([]);
    expect((await h.call('GET', sUrl(created.data.id), { token: actor.token })).data.actions).toContain(
      'launch',
    );
    const list = await h.call('GET', sUrl(), { token: actor.token });
    expect(list.data.items.find((x: { id: string }) => x.id === created.data.id).actions).toContain('launch');
    // Launched servers offer terminate instead: lifecycle.int.test.ts.
  });
});
