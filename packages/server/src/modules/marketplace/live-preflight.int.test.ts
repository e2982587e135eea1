import { CloudError } from '@mci/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runJobsUntilIdle } from '../../jobs/runner.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';

const REGION = 'sim-live-1';
const P_PRINCIPAL = '111111111111';
const B_PRINCIPAL = '222222222222';

let h: Harness;
let P: { id: string }; // publisher, owns the private image in the cloud
let B: { id: string }; // group member
let C: { id: string }; // joins the group after publishing
let pUser: { token: string };
let bUser: { token: string };
let cloud: any;
let type: any;
let groupId: string;
let seq = 0;

const at = (acc: { id: string }, p: string) => `/v1/accounts/${acc.id}${p}`;

async function credentials(acc: { id: string }, accessKeyId: string) {
  const res = await h.call('POST', at(acc, '/cloud-credentials'), {
    body: { cloudType: 'simulated', accessKeyId, secretAccessKey: 'x' },
  });
  expect(res.statusCode).toBe(201);
}

async function invite(acc: { id: string }) {
  const inv = await h.call('POST', at(P, `/account-groups/${groupId}/invitations`), {
    token: pUser.token,
    body: { accountId: acc.id },
  });
  const accepted = await h.call('POST', at(acc, `/invitations/${inv.data.code}/accept`));
  expect(accepted.statusCode).toBe(200);
}

/** A private image of P's principal in the simulated cloud, synced into the catalog (no one may launch it). */
async function privateImage() {
  const resourceUid = `ami-live${++seq}`;
  h.world.registerImage(REGION, {
    resourceUid,
    name: `live ${seq}`,
    description: '',
    ownerPrincipal: P_PRINCIPAL,
    isPublic: false,
    cpuArchitecture: 'x86_64',
    virtualizationType: 'hvm',
    rootDeviceType: 'ebs',
    osFamily: 'ubuntu',
    osVersion: '24.04',
    cloudState: 'available',
    launchPrincipals: [],
  });
  // P's own listing brings it into the catalog as P's private image (R-CLD-4).
  const job = await h.call('POST', `/v1/clouds/${cloud.id}/sync?accountId=${P.id}`);
  expect(job.statusCode, job.body).toBe(202);
  await runJobsUntilIdle(h.ctx);
  expect((await h.call('GET', `/v1/jobs/${job.data.id}`)).data.state).toBe('succeeded');
  const image = (await h.call('GET', `/v1/clouds/${cloud.id}/images?q=${resourceUid}`)).data.items[0];
  expect(image).toMatchObject({
    resourceUid,
    visibility: 'private',
    ownerAccountId: P.id,
    launchPermissions: [],
  });
  return image;
}

/** P's MCI using the image, committed and shared with the group. */
async function published(imageId: string) {
  const head = await h.build.mci(
    P.id,
    { name: `Live ${imageId}`, settings: [{ cloudId: cloud.id, imageId, instanceTypeId: type.id }] },
    pUser.token,
  );
  const r1 = (
    await h.call('POST', at(P, `/mcis/${head.id}/commit`), { token: pUser.token, body: { message: 'v1' } })
  ).data;
  const res = await h.call('POST', at(P, '/publications'), {
    token: pUser.token,
    body: { sourceId: r1.id, visibility: 'groups', groupIds: [groupId], shortDescription: 'live' },
  });
  expect(res.statusCode).toBe(201);
  return { r1, publication: res.data.publication, preflight: res.data.preflight };
}

const recheck = (publicationId: string, token = pUser.token, acc = P) =>
  h.call('GET', at(acc, `/publications/${publicationId}/preflight`), { token });
const cellOf = (report: any, accountId: string) => report.matrix.find((c: any) => c.accountId === accountId);

beforeAll(async () => {
  h = await startHarness();
  P = await h.build.account({ name: 'Live Publisher' });
  B = await h.build.account({ name: 'Live Member' });
  C = await h.build.account({ name: 'Live Latecomer' });
  pUser = await h.build.user({ accountId: P.id, roles: ['designer', 'publisher'] });
  bUser = await h.build.user({ accountId: B.id, roles: ['publisher'] });
  cloud = (
    await h.call('POST', '/v1/clouds', {
      body: { name: 'Simulated live', cloudType: 'simulated', region: REGION, driver: 'simulated' },
    })
  ).data;
  expect(cloud.driver).toBe('simulated');
  type = await h.build.instanceType(cloud.id);
  await credentials(P, P_PRINCIPAL);
  await credentials(B, B_PRINCIPAL);
  groupId = (await h.call('POST', at(P, '/account-groups'), { token: pUser.token, body: { name: 'Live' } }))
    .data.id;
  await invite(B);
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.world.behaviour.failures = undefined;
});

describe('R-GRP-2: launchability asked of the cloud', () => {
  it('R-GRP-2: a launch permission added in the cloud shows in the re-checked preflight, without a catalog edit', async () => {
    const image = await privateImage();
    const { publication, preflight } = await published(image.id);
    expect(preflight.images[0]).toMatchObject({ imageId: image.id, source: 'cloud', note: null });
    expect(cellOf(preflight, B.id)).toMatchObject({ usable: false, reason: 'private_not_shared' });

    const before = await recheck(publication.id);
    expect(before.statusCode).toBe(200);
    expect(before.data).toMatchObject({ publicationId: publication.id, visibility: 'groups', ok: false });
    expect(before.data.receivingAccounts.map((a: any) => a.id)).toEqual([B.id]);
    expect(cellOf(before.data, B.id)).toMatchObject({ usable: false, reason: 'private_not_shared' });

    h.world.updateImage(REGION, image.resourceUid, { launchPrincipals: [B_PRINCIPAL] });
    const after = await recheck(publication.id);
    expect(after.data.ok).toBe(true);
    expect(cellOf(after.data, B.id)).toMatchObject({ usable: true, reason: null });
    expect(after.data.images[0]).toMatchObject({
      source: 'cloud',
      launchPermissions: [B.id],
      note: expect.stringContaining('refreshed'),
    });
    // The catalog's copy was refreshed in the same change, and audited for the owner.
    const row = (await h.call('GET', `/v1/clouds/${cloud.id}/images/${image.id}`)).data;
    expect(row.launchPermissions).toEqual([B.id]);
    const audit = (await h.call('GET', at(P, '/audit'))).data.items;
    expect(audit.find((e: any) => e.action === 'image.launch_permissions.refresh')?.targetId).toBe(image.id);
    // Asking again finds nothing to refresh.
    expect((await recheck(publication.id)).data.images[0].note).toBeNull();

    // Taken away in the cloud: the preflight follows.
    h.world.updateImage(REGION, image.resourceUid, { launchPrincipals: [] });
    expect(cellOf((await recheck(publication.id)).data, B.id)).toMatchObject({ usable: false });
  });

  it('R-GRP-2: the re-check covers accounts that joined the group after publishing; unknown principals are shown', async () => {
    const image = await privateImage();
    const { publication } = await published(image.id);
    await invite(C);
    h.world.updateImage(REGION, image.resourceUid, { launchPrincipals: [B_PRINCIPAL, '999999999999'] });
    const res = (await recheck(publication.id)).data;
    expect(res.receivingAccounts.map((a: any) => a.id).sort()).toEqual([B.id, C.id].sort());
    expect(cellOf(res, B.id).usable).toBe(true);
    expect(cellOf(res, C.id)).toMatchObject({ usable: false, reason: 'private_not_shared' });
    expect(res.images[0].unknownPrincipals).toEqual(['999999999999']);
    expect(res.gaps).toBe(1);
  });

  it("R-GRP-2: a cloud error falls back to the catalog's copy and says so", async () => {
    const image = await privateImage();
    const { publication } = await published(image.id);
    h.world.updateImage(REGION, image.resourceUid, { launchPrincipals: [B_PRINCIPAL] });
    h.world.behaviour.failures = new Map([
      ['launchPermissions', new CloudError('throttled', 'RequestLimitExceeded', 'Request limit exceeded.')],
    ]);
    const res = (await recheck(publication.id)).data;
    expect(res.images[0].source).toBe('catalog');
    expect(res.images[0].note).toContain('Request limit exceeded. (RequestLimitExceeded)');
    expect(cellOf(res, B.id).usable).toBe(false);
    const creds = (await h.call('GET', at(P, '/cloud-credentials'))).data.items;
    expect(creds[0].lastError).toContain('RequestLimitExceeded');
  });

  it('R-GRP-2: images of clouds kept by hand use the catalog, with a note', async () => {
    const byHand = (
      await h.call('POST', '/v1/clouds', {
        body: { name: 'By hand live', cloudType: 'openstack', region: 'x', driver: 'none' },
      })
    ).data;
    const t = await h.build.instanceType(byHand.id);
    const image = await h.build.image(
      byHand.id,
      { visibility: 'private', ownerAccountId: P.id, launchPermissions: [B.id] },
      pUser.token,
    );
    const head = await h.build.mci(
      P.id,
      { name: 'By hand MCI', settings: [{ cloudId: byHand.id, imageId: image.id, instanceTypeId: t.id }] },
      pUser.token,
    );
    const r1 = (
      await h.call('POST', at(P, `/mcis/${head.id}/commit`), { token: pUser.token, body: { message: 'v1' } })
    ).data;
    const res = await h.call('POST', at(P, '/publications/preflight'), {
      token: pUser.token,
      body: { sourceId: r1.id, visibility: 'groups', groupIds: [groupId], shortDescription: 'x' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.data.images[0]).toMatchObject({
      source: 'catalog',
      note: expect.stringContaining('not connected'),
    });
    expect(cellOf(res.data, B.id).usable).toBe(true);
  });

  it('R-GRP-2: only the publisher re-checks; POST preflight of a published revision still answers 409 and points to the re-check', async () => {
    const image = await privateImage();
    const { r1, publication } = await published(image.id);
    const asMember = await recheck(publication.id, bUser.token, B);
    expect(asMember.statusCode).toBe(403);
    expect(asMember.data.code).toBe('not_publisher');
    const again = await h.call('POST', at(P, '/publications/preflight'), {
      token: pUser.token,
      body: { sourceId: r1.id, visibility: 'groups', groupIds: [groupId], shortDescription: 'x' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.data.detail).toContain(`/publications/${publication.id}/preflight`);
    expect((await recheck('pub_missing')).statusCode).toBe(404);
  });
});
