import { CloudError } from '@mci/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRepository, serverRepository } from '@mci/db';
import { SimulatedDriver } from '../../clouds/simulated-driver.ts';
import { runJobsUntilIdle } from '../../jobs/runner.ts';
import { enqueueReconcile, scheduleReconciles, STALE_LAUNCH_MS } from './reconcile.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';

/**
 * SPEC §7 (R-LCH-1..4) through the API, on the simulated driver: its instances move one state
 * per describe (pending → booting → running; shutting-down → terminated), and the reconcile job
 * (run here with runJobsUntilIdle after the test clock passes its start) brings the servers along.
 */
let h: Harness;
let acc: { id: string };
let actor: { token: string };
let observer: { token: string };
let cloud: any;
let type: any;
let deploymentId: string;
const REGION = 'us-east-1';
let seq = 0;

beforeAll(async () => {
  h = await startHarness();
  acc = await h.build.account();
  actor = await h.build.user({ accountId: acc.id, roles: ['actor'] });
  observer = await h.build.user({ accountId: acc.id, roles: ['observer'] });
  cloud = await newCloud({
    name: 'Simulated us-east-1',
    cloudType: 'simulated',
    region: REGION,
    driver: 'simulated',
  });
  expect(cloud.driver).toBe('simulated');
  type = await h.build.instanceType(cloud.id, { resourceUid: 't3.micro', name: 't3.micro' });
  const cred = await h.call('POST', `/v1/accounts/${acc.id}/cloud-credentials`, {
    body: { cloudType: 'simulated', accessKeyId: '123456789012', secretAccessKey: 'x' },
  });
  expect(cred.statusCode, cred.body).toBe(201);
  deploymentId = (await h.call('POST', `/v1/accounts/${acc.id}/deployments`, { body: { name: 'Live' } })).data
    .id;
});
afterAll(async () => h?.close());

/** A cloud with its driver (superuser). */
async function newCloud(body: { name: string; cloudType: string; region: string; driver: string }) {
  const res = await h.call('POST', '/v1/clouds', { body });
  expect(res.statusCode, res.body).toBe(201);
  return res.data;
}

const aUrl = (p: string) => `/v1/accounts/${acc.id}${p}`;
const sUrl = (id = '', action = '') =>
  aUrl(`/deployments/${deploymentId}/servers${id ? `/${id}` : ''}${action ? `/${action}` : ''}`);

/** An image in the simulated cloud and in the catalog (same resource uid), used by a fresh template. */
async function imageInBoth(name = 'Ubuntu') {
  const resourceUid = `ami-lch${process.pid}${++seq}`;
  h.world.registerImage(REGION, {
    resourceUid,
    name,
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
  return h.build.image(cloud.id, { resourceUid, name });
}

/** A server (inactive) on a new image; returns it with its image. */
async function server(name: string, opts: { userData?: string } = {}) {
  const image = await imageInBoth();
  const mci = await h.build.mci(acc.id, {
    settings: [
      { cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id, userData: opts.userData ?? null },
    ],
  });
  const t = (
    await h.call('POST', aUrl('/server-templates'), { body: { name: `T ${name}`, mciIds: [mci.id] } })
  ).data;
  const res = await h.call('POST', sUrl(), {
    token: actor.token,
    body: { name, serverTemplateId: t.id, cloudId: cloud.id },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { server: res.data, image };
}

const read = async (id: string) => (await h.call('GET', sUrl(id), { token: actor.token })).data;

/** Lets the follow-up reconcile come due and runs the jobs; answers the server afterwards. */
async function reconcile(id: string) {
  h.clock.advance(6_000);
  await runJobsUntilIdle(h.ctx);
  return read(id);
}

describe('R-LCH-1: launch', () => {
  it('R-LCH-1: inactive → pending → booting → operational through reconciles; instance id, launchedAt and current recorded', async () => {
    const { server: s, image } = await server('web-1', { userData: '#!/bin/sh' });
    expect(s).toMatchObject({
      state: 'inactive',
      stateReason: null,
      providerInstanceId: null,
      launchedAt: null,
      current: null,
      next: { imageId: image.id, instanceTypeId: type.id, userData: '#!/bin/sh' },
      actions: ['edit', 'repoint', 'launch', 'delete'],
    });
    const launched = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    expect(launched.statusCode, launched.body).toBe(200);
    expect(launched.data).toMatchObject({
      state: 'pending',
      providerInstanceId: expect.stringMatching(/^i-sim/),
      launchedAt: expect.any(String),
      launchCount: 1,
      current: { imageId: image.id, instanceTypeId: type.id, userData: '#!/bin/sh' },
      actions: ['edit', 'repoint', 'terminate'],
    });
    const states = [launched.data.state];
    for (let i = 0; i < 4 && states.at(-1) !== 'operational'; i++) states.push((await reconcile(s.id)).state);
    expect(states).toEqual(['pending', 'booting', 'operational']);
    const audit = await h.call('GET', aUrl('/audit?limit=100'));
    expect(audit.statusCode).toBe(200);
    const mine = audit.data.items.filter((e: any) => e.targetId === s.id);
    expect(mine.map((e: any) => e.action)).toEqual(
      expect.arrayContaining(['server.create', 'server.launch', 'server.state']),
    );
    // R-JOB-3: the reconcile's state changes are the service's own, under the job's name.
    const byJob = mine.filter((e: any) => e.action === 'server.state');
    expect(byJob.every((e: any) => e.userId === null && /^\[job:/.test(e.summary))).toBe(true);
  });

  it('R-LCH-1: launching a server that is not idle is 409 invalid_state', async () => {
    const { server: s } = await server('web-twice');
    await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    const again = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    expect(again.statusCode).toBe(409);
    expect(again.data.code).toBe('invalid_state');
  });

  it('SPEC §4: an observer may not launch or terminate (403)', async () => {
    const { server: s } = await server('web-observed');
    expect((await h.call('POST', sUrl(s.id, 'launch'), { token: observer.token })).statusCode).toBe(403);
    expect((await h.call('POST', sUrl(s.id, 'terminate'), { token: observer.token })).statusCode).toBe(403);
    expect((await read(s.id)).state).toBe('inactive');
    expect((await h.call('GET', sUrl(s.id), { token: observer.token })).data.actions).toEqual([]);
  });

  it('R-SRV-6 / R-LCH-1: an image the cloud deregistered refuses the launch with the R-SRV-6 message and becomes unavailable with a change record', async () => {
    const { server: s, image } = await server('web-dereg');
    h.world.deregisterImage(REGION, image.resourceUid);
    const refused = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    expect(refused.statusCode).toBe(422);
    expect(refused.data.detail).toBe(
      `image ${image.resourceUid} is unavailable in ${cloud.name}: the image was deregistered from the cloud`,
    );
    const after = await read(s.id);
    expect(after).toMatchObject({ state: 'inactive', providerInstanceId: null, current: null });
    const img = (await h.call('GET', `/v1/clouds/${cloud.id}/images/${image.id}`)).data;
    expect(img).toMatchObject({ state: 'unavailable', unavailableReason: 'deregistered' });
    expect(img.unavailableAt).toEqual(expect.any(String));
    const impact = await h.call('GET', `/v1/clouds/${cloud.id}/images/${image.id}/impact`);
    expect(impact.statusCode, impact.body).toBe(200);
    expect(JSON.stringify(impact.data)).toContain('deregistered');
    // A second attempt is refused by the catalog alone, with the same sentence.
    const again = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    expect(again.statusCode).toBe(422);
    expect(again.data.detail).toBe(refused.data.detail);
  });

  it('R-SRV-6 / R-LCH-1: a private image the cloud does not share with the account is refused but stays available', async () => {
    const owner = await h.build.account();
    const resourceUid = `ami-lchpriv${process.pid}${++seq}`;
    h.world.registerImage(REGION, {
      resourceUid,
      name: 'Golden',
      description: '',
      ownerPrincipal: '999999999999',
      isPublic: false,
      cpuArchitecture: 'x86_64',
      virtualizationType: 'hvm',
      rootDeviceType: 'ebs',
      osFamily: 'ubuntu',
      osVersion: '22.04',
      cloudState: 'available',
      launchPrincipals: [],
    });
    // The catalog's copy says the image is shared with the account; the cloud does not.
    const image = await h.build.image(cloud.id, {
      resourceUid,
      name: 'Golden',
      visibility: 'private',
      ownerAccountId: owner.id,
      launchPermissions: [acc.id],
    });
    const mci = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const t = (
      await h.call('POST', aUrl('/server-templates'), { body: { name: 'Golden', mciIds: [mci.id] } })
    ).data;
    const s = (
      await h.call('POST', sUrl(), { body: { name: 'golden-1', serverTemplateId: t.id, cloudId: cloud.id } })
    ).data;
    const res = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    expect(res.statusCode).toBe(422);
    expect(res.data.detail).toBe(
      `image ${resourceUid} is unavailable in ${cloud.name}: the cloud does not let this account launch the image`,
    );
    expect((await read(s.id)).state).toBe('inactive');
    expect((await h.call('GET', `/v1/clouds/${cloud.id}/images/${image.id}`)).data.state).toBe('available');
  });

  it('R-LCH-1: a cloud failure is 502 cloud_error and the server is back to inactive with the cloud’s message', async () => {
    const { server: s } = await server('web-fail');
    h.world.behaviour.failures = new Map([
      [
        'launch',
        new CloudError(
          'invalid',
          'InsufficientInstanceCapacity',
          'We currently do not have sufficient capacity',
        ),
      ],
    ]);
    try {
      const res = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
      expect(res.statusCode).toBe(502);
      expect(res.data).toMatchObject({ code: 'cloud_error', cloudCode: 'InsufficientInstanceCapacity' });
    } finally {
      h.world.behaviour.failures = undefined;
    }
    const after = await read(s.id);
    expect(after.state).toBe('inactive');
    expect(after.stateReason).toContain('We currently do not have sufficient capacity');
    expect(after.actions).toContain('launch');
    // The next launch works (a new idempotency token).
    const retry = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    expect(retry.data).toMatchObject({ state: 'pending', launchCount: 2, stateReason: null });
  });

  it('R-LCH-1: a cloud kept by hand (driver none) is 409 no_driver', async () => {
    const manualCloud = await newCloud({
      cloudType: 'aws',
      region: 'us-east-1',
      name: `Manual ${process.pid}`,
      driver: 'none',
    });
    const manual = {
      cloud: manualCloud,
      image: await h.build.image(manualCloud.id),
      type: await h.build.instanceType(manualCloud.id),
    };
    const mci = await h.build.mci(acc.id, {
      settings: [{ cloudId: manual.cloud.id, imageId: manual.image.id, instanceTypeId: manual.type.id }],
    });
    const t = (
      await h.call('POST', aUrl('/server-templates'), { body: { name: 'Manual', mciIds: [mci.id] } })
    ).data;
    const s = (
      await h.call('POST', sUrl(), {
        body: { name: 'by-hand', serverTemplateId: t.id, cloudId: manual.cloud.id },
      })
    ).data;
    const res = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    expect(res.statusCode).toBe(409);
    expect(res.data.code).toBe('no_driver');
    expect(res.data.detail).toContain('not connected');
  });
});

describe('R-LCH-1: concurrency and credentials', () => {
  it('R-LCH-1: two launches at once start one instance: 200 and 409 invalid_state', async () => {
    const { server: s } = await server('web-race');
    const answers = await Promise.all([
      h.call('POST', sUrl(s.id, 'launch'), { token: actor.token }),
      h.call('POST', sUrl(s.id, 'launch'), { token: actor.token }),
    ]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.statusCode === 409)!.data.code).toBe('invalid_state');
    expect((await read(s.id)).launchCount).toBe(1);
  });

  it('R-LCH-1: an account without credentials for the cloud is 409 credentials_missing, the server untouched', async () => {
    const other = await h.build.account();
    const d = (await h.call('POST', `/v1/accounts/${other.id}/deployments`, { body: { name: 'No keys' } }))
      .data;
    const image = await imageInBoth();
    const mci = await h.build.mci(other.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const t = (
      await h.call('POST', `/v1/accounts/${other.id}/server-templates`, {
        body: { name: 'K', mciIds: [mci.id] },
      })
    ).data;
    const url = `/v1/accounts/${other.id}/deployments/${d.id}/servers`;
    const s = (await h.call('POST', url, { body: { name: 'k', serverTemplateId: t.id, cloudId: cloud.id } }))
      .data;
    const res = await h.call('POST', `${url}/${s.id}/launch`);
    expect(res.statusCode).toBe(409);
    expect(res.data.code).toBe('credentials_missing');
    expect((await h.call('GET', `${url}/${s.id}`)).data).toMatchObject({ state: 'inactive', launchCount: 0 });
  });

  it('R-LCH-3: the schedule queues one reconcile per cloud with launched servers, not twice', async () => {
    const { server: s } = await server('web-scheduled');
    await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    const queuedNow = () =>
      jobRepository.list(h.ctx.db, { kind: 'reconcile', cloudId: cloud.id, state: 'queued', limit: 10 });
    // The follow-ups run until every server of the cloud has arrived; then none is queued.
    for (let i = 0; i < 6 && (await queuedNow()).length > 0; i++) await reconcile(s.id);
    expect(await queuedNow()).toEqual([]);
    expect((await read(s.id)).state).toBe('operational');
    const later = new Date(h.clock.now.getTime() + 3_600_000);
    await scheduleReconciles(h.ctx, later);
    await scheduleReconciles(h.ctx, new Date(later.getTime() + 1000));
    const queued = await queuedNow();
    expect(queued.length).toBe(1);
    expect(queued[0].runAfter.getTime()).toBeLessThanOrEqual(later.getTime());
    h.clock.advance(3_600_000);
    const ran = await runJobsUntilIdle(h.ctx);
    expect(ran.some((j) => j.kind === 'reconcile' && j.state === 'succeeded')).toBe(true);
  });
});

describe('R-LCH-1: simulated AWS regions (the demo)', () => {
  it('R-LCH-1: a cloud of type aws on the simulated driver launches with the account’s simulated credentials', async () => {
    const demo = await newCloud({
      name: `AWS eu-west-1 sim ${process.pid}`,
      cloudType: 'aws',
      region: 'eu-west-1',
      driver: 'simulated',
    });
    const demoType = await h.build.instanceType(demo.id, { resourceUid: 't3.micro', name: 't3.micro' });
    const worldImage = h.world.region('eu-west-1').images.values().next().value!;
    const image = await h.build.image(demo.id, {
      resourceUid: worldImage.resourceUid,
      cpuArchitecture: worldImage.cpuArchitecture,
    });
    const type =
      worldImage.cpuArchitecture === 'x86_64'
        ? demoType
        : await h.build.instanceType(demo.id, {
            resourceUid: 't4g.micro',
            name: 't4g.micro',
            cpuArchitectures: ['arm64'],
          });
    const mci = await h.build.mci(acc.id, {
      settings: [{ cloudId: demo.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const t = (await h.call('POST', aUrl('/server-templates'), { body: { name: 'Demo', mciIds: [mci.id] } }))
      .data;
    const s = (
      await h.call('POST', sUrl(), { body: { name: 'demo-1', serverTemplateId: t.id, cloudId: demo.id } })
    ).data;
    const res = await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.data.state).toBe('pending');
  });
});

describe('R-LCH-2: terminate', () => {
  it('R-LCH-2: terminating → inactive, definition kept, current cleared; repeating is harmless', async () => {
    const { server: s, image } = await server('web-term');
    await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    await reconcile(s.id);
    const term = await h.call('POST', sUrl(s.id, 'terminate'), { token: actor.token });
    expect(term.statusCode, term.body).toBe(200);
    expect(term.data.state).toBe('terminating');
    const repeat = await h.call('POST', sUrl(s.id, 'terminate'), { token: actor.token });
    expect(repeat.statusCode).toBe(200);
    expect(repeat.data.state).toBe('terminating');
    const done = await reconcile(s.id);
    expect(done).toMatchObject({
      state: 'inactive',
      stateReason: null,
      current: null,
      next: { imageId: image.id },
      actions: ['edit', 'repoint', 'launch', 'delete'],
    });
    expect(done.providerInstanceId).toEqual(term.data.providerInstanceId);
    const idle = await h.call('POST', sUrl(s.id, 'terminate'), { token: actor.token });
    expect(idle.statusCode).toBe(200);
    expect(idle.data.state).toBe('inactive');
  });
});

describe('R-LCH-3: reconcile', () => {
  it('R-LCH-3: an instance that vanished is reported: stopped, with the reason', async () => {
    const { server: s } = await server('web-vanish');
    const launched = (await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token })).data;
    h.world.removeInstance(REGION, launched.providerInstanceId);
    const after = await reconcile(s.id);
    expect(after).toMatchObject({
      state: 'stopped',
      stateReason: `the instance ${launched.providerInstanceId} no longer exists in ${cloud.name}`,
      current: null,
    });
    expect(after.actions).toContain('launch');
  });

  it('R-LCH-1/3: a launch interrupted before its instance was recorded is resumed with the same token (no second instance)', async () => {
    const { server: s, image } = await server('web-interrupted');
    // As if the process died after the cloud started the instance: pending, launch 1, no instance id.
    await serverRepository.updateLifecycle(h.ctx.db, s.id, {
      at: h.clock.now,
      state: 'pending',
      launchCount: 1,
    });
    const started = await new SimulatedDriver(h.world, REGION, '123456789012').launch({
      imageUid: image.resourceUid,
      instanceTypeUid: type.resourceUid,
      userData: null,
      clientToken: `${s.id}:1`,
      name: s.name,
    });
    expect((await h.call('POST', sUrl(s.id, 'terminate'), { token: actor.token })).statusCode).toBe(409);
    h.clock.advance(STALE_LAUNCH_MS + 1000);
    await enqueueReconcile(h.ctx, cloud.id, h.clock.now);
    await runJobsUntilIdle(h.ctx);
    const after = await read(s.id);
    expect(after).toMatchObject({
      providerInstanceId: started.instanceId,
      current: { imageId: image.id },
      launchCount: 1,
    });
    expect(['pending', 'booting']).toContain(after.state);
  });

  it('R-LCH-3: refresh asks the cloud about one server now', async () => {
    const { server: s } = await server('web-refresh');
    await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    const refreshed = await h.call('POST', sUrl(s.id, 'refresh'), { token: actor.token });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.data.state).toBe('booting');
  });
});

describe('R-LCH-4 / R-SRV-5: next launch', () => {
  it('R-SRV-5: a PATCH of a running server changes next, not current', async () => {
    const { server: s, image } = await server('web-next');
    await h.call('POST', sUrl(s.id, 'launch'), { token: actor.token });
    const other = await imageInBoth('Other');
    const res = await h.call('PATCH', sUrl(s.id), {
      token: actor.token,
      body: { imageId: other.id, userData: 'v2' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.data.warnings.map((w: any) => w.code)).toEqual(['applies_next_launch']);
    expect(res.data).toMatchObject({
      state: 'pending',
      imageId: other.id,
      current: { imageId: image.id, userData: null },
      next: { imageId: other.id, userData: 'v2' },
    });
  });

  it('R-LCH-4: clients never set state: a state field is refused with 400 naming it', async () => {
    const { server: s, image } = await server('web-state');
    const patch = await h.call('PATCH', sUrl(s.id), { token: actor.token, body: { state: 'operational' } });
    expect(patch.statusCode).toBe(400);
    expect(patch.data.errors).toContainEqual({ path: 'body', message: 'Unrecognized key: "state"' });
    const create = await h.call('POST', sUrl(), {
      token: actor.token,
      body: { name: 'x', serverTemplateId: s.serverTemplateId, cloudId: cloud.id, state: 'operational' },
    });
    expect(create.statusCode).toBe(400);
    expect(create.data.errors).toContainEqual({ path: 'body', message: 'Unrecognized key: "state"' });
    expect((await read(s.id)).state).toBe('inactive');
    expect(image.id).toBeTruthy();
  });
});

describe('R-DEP-1 with real states', () => {
  it('R-DEP-1: a deployment with a launched server is not deleted until it is terminated; a running server is not removed', async () => {
    const d = (await h.call('POST', aUrl('/deployments'), { body: { name: `Temp ${++seq}` } })).data;
    const image = await imageInBoth();
    const mci = await h.build.mci(acc.id, {
      settings: [{ cloudId: cloud.id, imageId: image.id, instanceTypeId: type.id }],
    });
    const t = (
      await h.call('POST', aUrl('/server-templates'), { body: { name: `T dep ${seq}`, mciIds: [mci.id] } })
    ).data;
    const s = (
      await h.call('POST', aUrl(`/deployments/${d.id}/servers`), {
        body: { name: 'r', serverTemplateId: t.id, cloudId: cloud.id },
      })
    ).data;
    const url = aUrl(`/deployments/${d.id}/servers/${s.id}`);
    await h.call('POST', `${url}/launch`);
    const refused = await h.call('DELETE', aUrl(`/deployments/${d.id}`));
    expect(refused.statusCode).toBe(409);
    expect(refused.data.code).toBe('deployment_has_running_servers');
    const removeRunning = await h.call('DELETE', url);
    expect(removeRunning.statusCode).toBe(409);
    expect(removeRunning.data.code).toBe('server_running');
    await h.call('POST', `${url}/terminate`);
    h.clock.advance(6_000);
    await runJobsUntilIdle(h.ctx);
    expect((await h.call('GET', url)).data.state).toBe('inactive');
    expect((await h.call('DELETE', aUrl(`/deployments/${d.id}`))).statusCode).toBe(204);
  });
});
